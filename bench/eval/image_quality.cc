#include "bench/eval/image_quality.h"

#include <cmath>
#include <limits>
#include <vector>

namespace hallmark::eval {
namespace {

using image::Image;

bool SameShape(const Image& a, const Image& b) {
  return a.width() == b.width() && a.height() == b.height() && a.channels() == b.channels();
}

int ColourChannels(const Image& image) {
  return image::HasAlpha(image.color_model()) ? image.channels() - 1 : image.channels();
}

// Dense row-major luminance of an RGB(A) or gray(+alpha) image.
std::vector<double> Luminance(const Image& image) {
  const int w = image.width();
  std::vector<double> out(static_cast<size_t>(w) * image.height());
  const bool colour = ColourChannels(image) >= 3;
  for (int y = 0; y < image.height(); ++y) {
    double* dst = out.data() + static_cast<size_t>(y) * w;
    const float* r = image.Row(0, y);
    if (!colour) {
      for (int x = 0; x < w; ++x) dst[x] = r[x];
      continue;
    }
    const float* g = image.Row(1, y);
    const float* b = image.Row(2, y);
    for (int x = 0; x < w; ++x) dst[x] = 0.299 * r[x] + 0.587 * g[x] + 0.114 * b[x];
  }
  return out;
}

constexpr int kRadius = 5;  // 11 x 11 window
constexpr double kSigma = 1.5;

// Separable Gaussian filter of a w x h plane, "valid" mode: the output is
// (w - 2r) x (h - 2r).
std::vector<double> FilterValid(const std::vector<double>& in, int w, int h,
                                const std::vector<double>& kernel) {
  const int ow = w - 2 * kRadius;
  const int oh = h - 2 * kRadius;
  std::vector<double> tmp(static_cast<size_t>(ow) * h);
  for (int y = 0; y < h; ++y) {
    const double* src = in.data() + static_cast<size_t>(y) * w;
    double* dst = tmp.data() + static_cast<size_t>(y) * ow;
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int k = 0; k <= 2 * kRadius; ++k) s += kernel[k] * src[x + k];
      dst[x] = s;
    }
  }
  std::vector<double> out(static_cast<size_t>(ow) * oh, 0.0);
  for (int y = 0; y < oh; ++y) {
    double* dst = out.data() + static_cast<size_t>(y) * ow;
    for (int k = 0; k <= 2 * kRadius; ++k) {
      const double* src = tmp.data() + static_cast<size_t>(y + k) * ow;
      for (int x = 0; x < ow; ++x) dst[x] += kernel[k] * src[x];
    }
  }
  return out;
}

}  // namespace

double Psnr(const Image& a, const Image& b) {
  if (!SameShape(a, b)) return std::numeric_limits<double>::quiet_NaN();
  const int channels = ColourChannels(a);
  double sum = 0;
  for (int c = 0; c < channels; ++c) {
    for (int y = 0; y < a.height(); ++y) {
      const float* pa = a.Row(c, y);
      const float* pb = b.Row(c, y);
      for (int x = 0; x < a.width(); ++x) {
        const double d = static_cast<double>(pa[x]) - pb[x];
        sum += d * d;
      }
    }
  }
  const double mse = sum / (static_cast<double>(a.width()) * a.height() * channels);
  if (mse == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

double SsimLuminance(const Image& a, const Image& b) {
  const int w = a.width();
  const int h = a.height();
  if (!SameShape(a, b) || w <= 2 * kRadius || h <= 2 * kRadius) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<double> kernel(2 * kRadius + 1);
  double norm = 0;
  for (int k = -kRadius; k <= kRadius; ++k) {
    kernel[k + kRadius] = std::exp(-(k * k) / (2 * kSigma * kSigma));
    norm += kernel[k + kRadius];
  }
  for (double& k : kernel) k /= norm;

  const std::vector<double> x = Luminance(a);
  const std::vector<double> y = Luminance(b);
  std::vector<double> xx(x.size()), yy(x.size()), xy(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const std::vector<double> mx = FilterValid(x, w, h, kernel);
  const std::vector<double> my = FilterValid(y, w, h, kernel);
  const std::vector<double> sxx = FilterValid(xx, w, h, kernel);
  const std::vector<double> syy = FilterValid(yy, w, h, kernel);
  const std::vector<double> sxy = FilterValid(xy, w, h, kernel);
  const double c1 = (0.01 * 255) * (0.01 * 255);
  const double c2 = (0.03 * 255) * (0.03 * 255);
  double total = 0;
  for (size_t i = 0; i < mx.size(); ++i) {
    const double vx = sxx[i] - mx[i] * mx[i];
    const double vy = syy[i] - my[i] * my[i];
    const double cov = sxy[i] - mx[i] * my[i];
    total += ((2 * mx[i] * my[i] + c1) * (2 * cov + c2)) /
             ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
  }
  return total / mx.size();
}

}  // namespace hallmark::eval
