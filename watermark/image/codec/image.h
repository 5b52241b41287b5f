// A planar float image for the image watermark: one plane per channel, each
// row 64-byte aligned, so transform kernels can run over whole rows with
// aligned SIMD loads and the luminance plane is a contiguous 2-D array of its
// own (no interleaved stride to skip).
//
// Samples are floats on the 8-bit scale [0, 255] whatever the source bit
// depth: a 16-bit sample v is stored as v / 257 (exact for every 16-bit value
// once re-quantised with round(x * 257)), so embedding strength means the same
// thing for 8- and 16-bit inputs. `bit_depth()` records the source precision
// for the encoder.
//
// Move-only: copying a multi-megabyte image must be visible in the code, so
// copies go through Clone(). Not thread-safe for concurrent mutation; distinct
// images (and const access to one image) are safe from several threads.
#ifndef HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_H_
#define HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hallmark::image {

// How the channels of an image are to be read.
//   kGray      1 channel: luminance.
//   kGrayAlpha 2 channels: luminance, alpha.
//   kRgb       3 channels: R, G, B.
//   kRgba      4 channels: R, G, B, alpha.
// kYCbCr / kYCbCrA: 3 / 4 channels holding Y, Cb, Cr (and alpha) after
// ConvertRgbToYCbCr(); encoders refuse them until converted back.
enum class ColorModel { kGray, kGrayAlpha, kRgb, kRgba, kYCbCr, kYCbCrA };

// Number of channels of `model` (1 to 4).
int ChannelCount(ColorModel model);
// True for the models whose last channel is alpha.
bool HasAlpha(ColorModel model);

class Image {
 public:
  // Row alignment in bytes (and so in floats: kAlignment / sizeof(float)).
  static constexpr size_t kAlignment = 64;

  // An image of `width` x `height` (each >= 1) with every sample set to 0.
  // INVALID_ARGUMENT for empty sizes or sizes whose byte count overflows;
  // RESOURCE_EXHAUSTED when the allocation fails.
  static absl::StatusOr<Image> Create(int width, int height, ColorModel model, int bit_depth = 8);

  // As Create() but the samples are left uninitialised, for producers that
  // overwrite every sample (the decoders): zeroing a 12 MB RGB megapixel
  // image costs ~1-2 ms that would be thrown away.
  static absl::StatusOr<Image> CreateUninitialized(int width, int height, ColorModel model,
                                                   int bit_depth = 8);

  // An empty image (0 x 0, no planes); only useful as a moved-from target.
  Image() = default;
  Image(Image&&) noexcept = default;
  Image& operator=(Image&&) noexcept = default;
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  // A deep copy. RESOURCE_EXHAUSTED when the allocation fails.
  absl::StatusOr<Image> Clone() const;

  int width() const { return width_; }
  int height() const { return height_; }
  int channels() const { return ChannelCount(model_); }
  ColorModel color_model() const { return model_; }
  // Source precision: 8 or 16. Samples are on the 8-bit scale either way.
  int bit_depth() const { return bit_depth_; }
  void set_bit_depth(int bit_depth) { bit_depth_ = bit_depth == 16 ? 16 : 8; }
  bool empty() const { return data_ == nullptr; }

  // Distance between two rows in floats (a multiple of 16, >= width()). The
  // padding floats past width() are zero after Create*/Clone().
  size_t row_stride() const { return stride_; }
  // Bytes held by the pixel planes.
  size_t byte_size() const {
    return plane_floats_ * static_cast<size_t>(channels()) * sizeof(float);
  }

  // Row `y` of plane `c`; 64-byte aligned. No bounds checks beyond debug asserts.
  float* Row(int c, int y) {
    return data_.get() + c * plane_floats_ + static_cast<size_t>(y) * stride_;
  }
  const float* Row(int c, int y) const {
    return data_.get() + c * plane_floats_ + static_cast<size_t>(y) * stride_;
  }
  // Whole plane `c`: height() rows of row_stride() floats.
  float* Plane(int c) { return Row(c, 0); }
  const float* Plane(int c) const { return Row(c, 0); }

  // Sets the color model without touching samples; the channel count must
  // stay the same (used by the color conversions).
  void RelabelColorModel(ColorModel model) { model_ = model; }

 private:
  static absl::StatusOr<Image> Allocate(int width, int height, ColorModel model, int bit_depth,
                                        bool zero);

  struct FreeDeleter {
    void operator()(float* p) const { std::free(p); }
  };

  int width_ = 0;
  int height_ = 0;
  ColorModel model_ = ColorModel::kGray;
  int bit_depth_ = 8;
  size_t stride_ = 0;
  size_t plane_floats_ = 0;
  std::unique_ptr<float[], FreeDeleter> data_;
};

// RGB <-> YCbCr with the BT.601 full-range matrix that JFIF uses
// (Y = 0.299 R + 0.587 G + 0.114 B; Cb, Cr centred on 128), in place and in
// float, so an unmodified RGB -> YCbCr -> RGB round trip is within 1e-3 of the
// input and re-quantises to the same 8-bit (and 16-bit) samples. The
// watermark works on plane 0 (Y) in between. Alpha is untouched.
// Gray images are already luminance: both calls leave them as they are.
// INVALID_ARGUMENT when the image is not in the expected model.
absl::Status ConvertRgbToYCbCr(Image* image);
absl::Status ConvertYCbCrToRgb(Image* image);

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_H_
