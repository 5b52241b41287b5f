#include "bench/eval/image_ops.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "watermark/base/status_macros.h"

namespace hallmark::eval {
namespace {

using image::ColorModel;
using image::Image;

// The input samples one output sample of an area resample covers, with
// their overlap weights (summing to 1).
struct AreaTaps {
  int first = 0;
  std::vector<float> weights;
};

std::vector<AreaTaps> MakeAreaTaps(int src, int dst) {
  const double scale = static_cast<double>(src) / dst;
  std::vector<AreaTaps> taps(dst);
  for (int i = 0; i < dst; ++i) {
    const double a = i * scale;
    const double b = std::min<double>(src, (i + 1) * scale);
    const int first = static_cast<int>(std::floor(a));
    const int last = std::min(src - 1, static_cast<int>(std::ceil(b)) - 1);
    taps[i].first = first;
    for (int j = first; j <= last; ++j) {
      const double overlap = std::min<double>(b, j + 1) - std::max<double>(a, j);
      taps[i].weights.push_back(static_cast<float>(std::max(0.0, overlap) / (b - a)));
    }
  }
  return taps;
}

// Bilinear source position of each output sample along one axis: the lower
// neighbour and the weight of the upper one, edges clamped.
struct LinearTap {
  int lo = 0;
  int hi = 0;
  float t = 0;
};

std::vector<LinearTap> MakeLinearTaps(int src, int dst) {
  const double scale = static_cast<double>(src) / dst;
  std::vector<LinearTap> taps(dst);
  for (int i = 0; i < dst; ++i) {
    const double pos = std::clamp((i + 0.5) * scale - 0.5, 0.0, static_cast<double>(src - 1));
    const int lo = static_cast<int>(std::floor(pos));
    taps[i] = {lo, std::min(lo + 1, src - 1), static_cast<float>(pos - lo)};
  }
  return taps;
}

absl::StatusOr<Image> SameShape(const Image& src, int width, int height) {
  return Image::Create(width, height, src.color_model(), src.bit_depth());
}

}  // namespace

absl::StatusOr<Image> AreaResize(const Image& src, int width, int height) {
  HM_ASSIGN_OR_RETURN(Image dst, SameShape(src, width, height));
  const std::vector<AreaTaps> tx = MakeAreaTaps(src.width(), width);
  const std::vector<AreaTaps> ty = MakeAreaTaps(src.height(), height);
  // Horizontal pass into a width x src.height() buffer, then vertical.
  std::vector<float> rows(static_cast<size_t>(width) * src.height());
  for (int c = 0; c < src.channels(); ++c) {
    for (int y = 0; y < src.height(); ++y) {
      const float* in = src.Row(c, y);
      float* out = rows.data() + static_cast<size_t>(y) * width;
      for (int x = 0; x < width; ++x) {
        double sum = 0;
        for (size_t k = 0; k < tx[x].weights.size(); ++k) {
          sum += tx[x].weights[k] * in[tx[x].first + k];
        }
        out[x] = static_cast<float>(sum);
      }
    }
    for (int y = 0; y < height; ++y) {
      float* out = dst.Row(c, y);
      std::fill(out, out + width, 0.0f);
      for (size_t k = 0; k < ty[y].weights.size(); ++k) {
        const float w = ty[y].weights[k];
        const float* in = rows.data() + static_cast<size_t>(ty[y].first + k) * width;
        for (int x = 0; x < width; ++x) out[x] += w * in[x];
      }
    }
  }
  return dst;
}

absl::StatusOr<Image> BilinearResize(const Image& src, int width, int height) {
  HM_ASSIGN_OR_RETURN(Image dst, SameShape(src, width, height));
  const std::vector<LinearTap> tx = MakeLinearTaps(src.width(), width);
  const std::vector<LinearTap> ty = MakeLinearTaps(src.height(), height);
  std::vector<float> row(width);
  for (int c = 0; c < src.channels(); ++c) {
    for (int y = 0; y < height; ++y) {
      const float* a = src.Row(c, ty[y].lo);
      const float* b = src.Row(c, ty[y].hi);
      const float t = ty[y].t;
      float* out = dst.Row(c, y);
      for (int x = 0; x < width; ++x) {
        const LinearTap& h = tx[x];
        const float top = a[h.lo] + h.t * (a[h.hi] - a[h.lo]);
        const float bottom = b[h.lo] + h.t * (b[h.hi] - b[h.lo]);
        out[x] = top + t * (bottom - top);
      }
    }
  }
  return dst;
}

absl::StatusOr<Image> Crop(const Image& src, int x, int y, int width, int height) {
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > src.width() ||
      y + height > src.height()) {
    return absl::InvalidArgumentError("Crop: rectangle outside the image");
  }
  HM_ASSIGN_OR_RETURN(Image dst, SameShape(src, width, height));
  for (int c = 0; c < src.channels(); ++c) {
    for (int r = 0; r < height; ++r) {
      const float* in = src.Row(c, y + r) + x;
      std::copy(in, in + width, dst.Row(c, r));
    }
  }
  return dst;
}

absl::StatusOr<Image> CropCentre(const Image& src, double area_fraction) {
  if (!(area_fraction > 0 && area_fraction <= 1)) {
    return absl::InvalidArgumentError("CropCentre: area fraction outside (0, 1]");
  }
  const double side = std::sqrt(area_fraction);
  const int w = std::max(1, static_cast<int>(std::lround(src.width() * side)));
  const int h = std::max(1, static_cast<int>(std::lround(src.height() * side)));
  return Crop(src, (src.width() - w) / 2, (src.height() - h) / 2, w, h);
}

absl::StatusOr<Image> Rotate(const Image& src, double degrees, float fill) {
  HM_ASSIGN_OR_RETURN(Image dst, SameShape(src, src.width(), src.height()));
  const double rad = degrees * M_PI / 180.0;
  const double cs = std::cos(rad);
  const double sn = std::sin(rad);
  const double cx = (src.width() - 1) / 2.0;
  const double cy = (src.height() - 1) / 2.0;
  const int w = src.width();
  const int h = src.height();
  for (int c = 0; c < src.channels(); ++c) {
    // A sample of the source, or `fill` outside it.
    auto at = [&](int x, int y) -> float {
      if (x < 0 || y < 0 || x >= w || y >= h) return fill;
      return src.Row(c, y)[x];
    };
    for (int y = 0; y < h; ++y) {
      float* out = dst.Row(c, y);
      const double dy = y - cy;
      for (int x = 0; x < w; ++x) {
        // Inverse mapping: the source point that lands on (x, y) after a
        // counter-clockwise (as displayed, y down) rotation.
        const double dx = x - cx;
        const double sx = cx + cs * dx - sn * dy;
        const double sy = cy + sn * dx + cs * dy;
        const int x0 = static_cast<int>(std::floor(sx));
        const int y0 = static_cast<int>(std::floor(sy));
        const float fx = static_cast<float>(sx - x0);
        const float fy = static_cast<float>(sy - y0);
        const float top = at(x0, y0) + fx * (at(x0 + 1, y0) - at(x0, y0));
        const float bottom = at(x0, y0 + 1) + fx * (at(x0 + 1, y0 + 1) - at(x0, y0 + 1));
        out[x] = top + fy * (bottom - top);
      }
    }
  }
  return dst;
}

absl::StatusOr<Image> FlipHorizontal(const Image& src) {
  HM_ASSIGN_OR_RETURN(Image dst, SameShape(src, src.width(), src.height()));
  for (int c = 0; c < src.channels(); ++c) {
    for (int y = 0; y < src.height(); ++y) {
      const float* in = src.Row(c, y);
      std::reverse_copy(in, in + src.width(), dst.Row(c, y));
    }
  }
  return dst;
}

absl::StatusOr<Image> ToRgb(const Image& src) {
  const ColorModel model = src.color_model();
  if (model != ColorModel::kGray && model != ColorModel::kGrayAlpha) return src.Clone();
  const bool alpha = model == ColorModel::kGrayAlpha;
  HM_ASSIGN_OR_RETURN(Image dst,
                      Image::Create(src.width(), src.height(),
                                    alpha ? ColorModel::kRgba : ColorModel::kRgb, src.bit_depth()));
  for (int y = 0; y < src.height(); ++y) {
    const float* gray = src.Row(0, y);
    for (int c = 0; c < 3; ++c) std::copy(gray, gray + src.width(), dst.Row(c, y));
    if (alpha) std::copy(src.Row(1, y), src.Row(1, y) + src.width(), dst.Row(3, y));
  }
  return dst;
}

void Quantize8(Image* image) {
  for (int c = 0; c < image->channels(); ++c) {
    for (int y = 0; y < image->height(); ++y) {
      float* row = image->Row(c, y);
      for (int x = 0; x < image->width(); ++x) {
        row[x] = std::nearbyint(std::clamp(row[x], 0.0f, 255.0f));
      }
    }
  }
}

double MeanLuminance(const Image& image) {
  const bool color = image.channels() >= 3 && image.color_model() != ColorModel::kGrayAlpha;
  double sum = 0;
  for (int y = 0; y < image.height(); ++y) {
    const float* r = image.Row(0, y);
    if (!color) {
      for (int x = 0; x < image.width(); ++x) sum += r[x];
      continue;
    }
    const float* g = image.Row(1, y);
    const float* b = image.Row(2, y);
    for (int x = 0; x < image.width(); ++x) sum += 0.299 * r[x] + 0.587 * g[x] + 0.114 * b[x];
  }
  return sum / (static_cast<double>(image.width()) * image.height());
}

}  // namespace hallmark::eval
