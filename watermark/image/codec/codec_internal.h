// Private to watermark/image/codec: the per-format entry points behind
// DecodeImage / EncodeImage and the sample packing they share.
#ifndef HALLMARK_WATERMARK_IMAGE_CODEC_CODEC_INTERNAL_H_
#define HALLMARK_WATERMARK_IMAGE_CODEC_CODEC_INTERNAL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "watermark/image/codec/image.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/image/codec/image_format.h"

namespace hallmark::image::internal {

// `info` is the result of ProbeImage on the same bytes (limits already met);
// each decoder re-checks that the library reads the same size.
absl::StatusOr<DecodedImage> DecodePng(absl::string_view bytes, const ImageInfo& info,
                                       const ImageLimits& limits);
// `as_ycbcr`: colour images come out as kYCbCr (see DecodeOptions).
absl::StatusOr<DecodedImage> DecodeJpeg(absl::string_view bytes, const ImageInfo& info,
                                        const ImageLimits& limits, bool as_ycbcr = false);
absl::StatusOr<DecodedImage> DecodeWebp(absl::string_view bytes, const ImageInfo& info,
                                        const ImageLimits& limits);

absl::StatusOr<std::string> EncodePng(const Image& image, const ImageMetadata& metadata,
                                      const EncodeOptions& options);
absl::StatusOr<std::string> EncodeJpeg(const Image& image, const ImageMetadata& metadata,
                                       const EncodeOptions& options);
absl::StatusOr<std::string> EncodeWebp(const Image& image, const ImageMetadata& metadata,
                                       const EncodeOptions& options);

// Branch-free (select instructions), so the packing loops vectorise.
inline uint8_t ToU8(float v) {
  float c = v > 0.0f ? v : 0.0f;  // also maps NaN to 0
  c = c < 255.0f ? c : 255.0f;
  return static_cast<uint8_t>(static_cast<int>(c + 0.5f));
}

inline uint16_t ToU16(float v) {
  const float s = v * 257.0f;
  if (!(s > 0.0f)) return 0;
  if (s >= 65535.0f) return 65535;
  return static_cast<uint16_t>(s + 0.5f);
}

inline float FromU16(uint16_t v) { return static_cast<float>(v) * (1.0f / 257.0f); }

// The plane feeding output channel `k` of an `out_channels` interleaved
// layout (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), or -1 for an opaque alpha.
inline int SourcePlane(const Image& image, int out_channels, int k) {
  const int in = image.channels();
  const bool out_alpha = out_channels == 2 || out_channels == 4;
  if (out_alpha && k == out_channels - 1) return (in == 2 || in == 4) ? in - 1 : -1;
  if (in <= 2) return 0;  // gray source: replicate
  return k;               // color source (callers never ask color → gray)
}

// Interleaves row `y` of `image` into `out` (width * out_channels samples).
template <typename T, T (*Quantize)(float), int kOpaque>
void PackRow(const Image& image, int y, int out_channels, T* out) {
  const int w = image.width();
  for (int k = 0; k < out_channels; ++k) {
    const int plane = SourcePlane(image, out_channels, k);
    if (plane < 0) {
      for (int x = 0; x < w; ++x) out[x * out_channels + k] = static_cast<T>(kOpaque);
      continue;
    }
    const float* src = image.Row(plane, y);
    for (int x = 0; x < w; ++x) out[x * out_channels + k] = Quantize(src[x]);
  }
}

// 8-bit packing for a fixed channel count: every source plane (or the
// opaque constant) is resolved before the loop, so it compiles to straight
// vector code instead of a strided store per channel.
template <int kChannels>
void PackRow8Fixed(const Image& image, int y, uint8_t* __restrict out) {
  const float* src[kChannels];
  for (int k = 0; k < kChannels; ++k) {
    const int plane = SourcePlane(image, kChannels, k);
    src[k] = plane < 0 ? nullptr : image.Row(plane, y);
  }
  const int w = image.width();
  for (int k = 0; k < kChannels; ++k) {
    if (src[k] == nullptr) {
      for (int x = 0; x < w; ++x) out[x * kChannels + k] = 255;
      continue;
    }
    const float* __restrict s = src[k];
    for (int x = 0; x < w; ++x) out[x * kChannels + k] = ToU8(s[x]);
  }
}

inline void PackRow8(const Image& image, int y, int out_channels, uint8_t* out) {
  switch (out_channels) {
    case 1:
      return PackRow8Fixed<1>(image, y, out);
    case 2:
      return PackRow8Fixed<2>(image, y, out);
    case 3:
      return PackRow8Fixed<3>(image, y, out);
    default:
      return PackRow8Fixed<4>(image, y, out);
  }
}
inline void PackRow16(const Image& image, int y, int out_channels, uint16_t* out) {
  PackRow<uint16_t, ToU16, 65535>(image, y, out_channels, out);
}

// De-interleaves `in` (width * in_channels samples) into row `y` of the first
// image.channels() planes.
template <int kInChannels>
void UnpackRow8Fixed(const uint8_t* __restrict in, int y, Image* image) {
  const int w = image->width();
  for (int c = 0; c < image->channels(); ++c) {
    float* __restrict dst = image->Row(c, y);
    for (int x = 0; x < w; ++x) dst[x] = in[x * kInChannels + c];
  }
}

inline void UnpackRow8(const uint8_t* in, int in_channels, int y, Image* image) {
  switch (in_channels) {
    case 1:
      return UnpackRow8Fixed<1>(in, y, image);
    case 2:
      return UnpackRow8Fixed<2>(in, y, image);
    case 3:
      return UnpackRow8Fixed<3>(in, y, image);
    default:
      return UnpackRow8Fixed<4>(in, y, image);
  }
}
inline void UnpackRow16(const uint16_t* in, int in_channels, int y, Image* image) {
  const int w = image->width();
  for (int c = 0; c < image->channels(); ++c) {
    float* dst = image->Row(c, y);
    for (int x = 0; x < w; ++x) dst[x] = FromU16(in[x * in_channels + c]);
  }
}

}  // namespace hallmark::image::internal

#endif  // HALLMARK_WATERMARK_IMAGE_CODEC_CODEC_INTERNAL_H_
