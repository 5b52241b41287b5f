#include "watermark/image/codec/image.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace hallmark::image {

int ChannelCount(ColorModel model) {
  switch (model) {
    case ColorModel::kGray:
      return 1;
    case ColorModel::kGrayAlpha:
      return 2;
    case ColorModel::kRgb:
    case ColorModel::kYCbCr:
      return 3;
    case ColorModel::kRgba:
    case ColorModel::kYCbCrA:
      return 4;
  }
  return 1;
}

bool HasAlpha(ColorModel model) {
  return model == ColorModel::kGrayAlpha || model == ColorModel::kRgba ||
         model == ColorModel::kYCbCrA;
}

absl::StatusOr<Image> Image::Create(int width, int height, ColorModel model, int bit_depth) {
  return Allocate(width, height, model, bit_depth, /*zero=*/true);
}

absl::StatusOr<Image> Image::CreateUninitialized(int width, int height, ColorModel model,
                                                 int bit_depth) {
  return Allocate(width, height, model, bit_depth, /*zero=*/false);
}

absl::StatusOr<Image> Image::Allocate(int width, int height, ColorModel model, int bit_depth,
                                      bool zero) {
  if (width <= 0 || height <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("image size must be positive, got ", width, "x", height));
  }
  constexpr size_t kFloatsPerAlignment = kAlignment / sizeof(float);
  const size_t stride = (static_cast<size_t>(width) + kFloatsPerAlignment - 1) /
                        kFloatsPerAlignment * kFloatsPerAlignment;
  const size_t channels = static_cast<size_t>(ChannelCount(model));
  const size_t max_floats = std::numeric_limits<size_t>::max() / sizeof(float) / 4;
  if (stride > max_floats / static_cast<size_t>(height)) {
    return absl::InvalidArgumentError(
        absl::StrCat("image size ", width, "x", height, " overflows memory size"));
  }
  const size_t plane = stride * static_cast<size_t>(height);
  const size_t bytes = plane * channels * sizeof(float);  // multiple of kAlignment
  void* p = std::aligned_alloc(kAlignment, bytes);
  if (p == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate ", bytes, " bytes for a ", width, "x", height, " image"));
  }
  if (zero) {
    std::memset(p, 0, bytes);
  } else if (stride > static_cast<size_t>(width)) {
    // Row padding is always zero, so kernels may run over whole aligned rows.
    float* f = static_cast<float*>(p);
    const size_t rows = static_cast<size_t>(height) * channels;
    for (size_t r = 0; r < rows; ++r) {
      std::memset(f + r * stride + width, 0, (stride - width) * sizeof(float));
    }
  }
  Image image;
  image.width_ = width;
  image.height_ = height;
  image.model_ = model;
  image.bit_depth_ = bit_depth == 16 ? 16 : 8;
  image.stride_ = stride;
  image.plane_floats_ = plane;
  image.data_.reset(static_cast<float*>(p));
  return image;
}

absl::StatusOr<Image> Image::Clone() const {
  if (empty()) return Image();
  absl::StatusOr<Image> copy = CreateUninitialized(width_, height_, model_, bit_depth_);
  if (!copy.ok()) return copy.status();
  std::memcpy(copy->data_.get(), data_.get(), byte_size());
  return copy;
}

// Both conversions touch each sample once, row by row over three planes; the
// compiler vectorises the inner loops (no aliasing between planes is possible
// in practice, and __restrict says so).
absl::Status ConvertRgbToYCbCr(Image* image) {
  const ColorModel model = image->color_model();
  if (model == ColorModel::kGray || model == ColorModel::kGrayAlpha) return absl::OkStatus();
  if (model != ColorModel::kRgb && model != ColorModel::kRgba) {
    return absl::InvalidArgumentError("ConvertRgbToYCbCr needs an RGB or RGBA image");
  }
  for (int y = 0; y < image->height(); ++y) {
    float* __restrict r = image->Row(0, y);
    float* __restrict g = image->Row(1, y);
    float* __restrict b = image->Row(2, y);
    for (int x = 0; x < image->width(); ++x) {
      const float rv = r[x], gv = g[x], bv = b[x];
      r[x] = 0.299f * rv + 0.587f * gv + 0.114f * bv;
      g[x] = 128.0f - 0.168735892f * rv - 0.331264108f * gv + 0.5f * bv;
      b[x] = 128.0f + 0.5f * rv - 0.418687589f * gv - 0.081312411f * bv;
    }
  }
  image->RelabelColorModel(model == ColorModel::kRgb ? ColorModel::kYCbCr : ColorModel::kYCbCrA);
  return absl::OkStatus();
}

absl::Status ConvertYCbCrToRgb(Image* image) {
  const ColorModel model = image->color_model();
  if (model == ColorModel::kGray || model == ColorModel::kGrayAlpha) return absl::OkStatus();
  if (model != ColorModel::kYCbCr && model != ColorModel::kYCbCrA) {
    return absl::InvalidArgumentError("ConvertYCbCrToRgb needs a YCbCr or YCbCrA image");
  }
  for (int y = 0; y < image->height(); ++y) {
    float* __restrict yp = image->Row(0, y);
    float* __restrict cb = image->Row(1, y);
    float* __restrict cr = image->Row(2, y);
    for (int x = 0; x < image->width(); ++x) {
      const float yv = yp[x], cbv = cb[x] - 128.0f, crv = cr[x] - 128.0f;
      yp[x] = yv + 1.402f * crv;
      cb[x] = yv - 0.344136286f * cbv - 0.714136286f * crv;
      cr[x] = yv + 1.772f * cbv;
    }
  }
  image->RelabelColorModel(model == ColorModel::kYCbCr ? ColorModel::kRgb : ColorModel::kRgba);
  return absl::OkStatus();
}

}  // namespace hallmark::image
