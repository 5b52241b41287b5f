// Decoding and encoding of PNG (libspng), JPEG (libjpeg-turbo) and WebP
// (libwebp), plus raw interleaved 8-bit pixels, to and from the planar float
// Image. Metadata that must survive marking (ICC profile, EXIF with its
// orientation, the JPEG's quality and chroma subsampling, PNG bit depth)
// travels next to the pixels in ImageMetadata so the encoder can write the
// output "like the input".
//
// Every entry point takes untrusted bytes: the header is probed against
// ImageLimits before any pixel is decoded, library errors (libjpeg's longjmp,
// libspng/libwebp error codes) are contained in the codec and come back as
// INVALID_ARGUMENT with the library's message; over-limit inputs come back as
// RESOURCE_EXHAUSTED. Nothing here throws or aborts.
//
// All functions are thread-safe (no shared state).
//
// Example:
//   absl::StatusOr<DecodedImage> in = DecodeImage(bytes, limits);
//   if (!in.ok()) return in.status();
//   ... ConvertRgbToYCbCr(&in->pixels); mark plane 0; ConvertYCbCrToRgb(...)
//   absl::StatusOr<std::string> out = EncodeImage(in->pixels, in->metadata, {});
#ifndef HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_CODEC_H_
#define HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "watermark/image/codec/image.h"
#include "watermark/image/codec/image_format.h"

namespace hallmark::image {

// JPEG chroma subsampling, named by the usual J:a:b notation. kUnknown on
// decode means "not a JPEG" (or a layout without a name: kOther); on encode it
// means "match the input's, or 4:2:0 when there is none".
enum class ChromaSubsampling { kUnknown, k444, k422, k420, k440, k411, kOther, kGray };

absl::string_view ChromaSubsamplingName(ChromaSubsampling s);

struct ImageMetadata {
  ImageFormat source_format = ImageFormat::kUnknown;
  // The ICC profile bytes, exactly as stored (PNG iCCP decompressed, JPEG
  // APP2 ICC_PROFILE chunks reassembled, WebP ICCP). Empty when none.
  std::string icc_profile;
  // EXIF as a TIFF structure ("II*\0..." or "MM\0*..."): the JPEG APP1 and
  // WebP payloads without their "Exif\0\0" prefix, the PNG eXIf chunk as is.
  // Carried unchanged (orientation included): pixels are never rotated here.
  std::string exif;
  // JPEG inputs: best-fit IJG quality of the quantisation tables (1..100; 0
  // when not a JPEG), chroma subsampling and progressive coding.
  int jpeg_quality = 0;
  ChromaSubsampling chroma_subsampling = ChromaSubsampling::kUnknown;
  bool jpeg_progressive = false;
  // PNG inputs: the IHDR bit depth (1, 2, 4, 8, 16) and whether a palette was
  // expanded.
  int png_bit_depth = 0;
  bool png_palette = false;
  // WebP inputs: lossless (VP8L) bitstream.
  bool webp_lossless = false;
};

struct DecodedImage {
  Image pixels;
  ImageMetadata metadata;
};

struct DecodeOptions {
  // Colour JPEGs come out as kYCbCr (JFIF full-range BT.601, as stored)
  // instead of kRgb: libjpeg then skips its YCbCr → RGB conversion and the
  // caller its RGB → YCbCr one. Other formats are unaffected.
  bool jpeg_as_ycbcr = false;
};

// Decodes PNG, JPEG or WebP (sniffed from the magic bytes). Gray stays gray
// (1 channel, 2 with alpha), palette becomes RGB(A), 16-bit PNG keeps
// bit_depth 16; JPEG and WebP are 8-bit. Animated WebP, CMYK JPEG and
// 12-bit JPEG are refused with INVALID_ARGUMENT.
absl::StatusOr<DecodedImage> DecodeImage(absl::string_view bytes, const ImageLimits& limits = {},
                                         const DecodeOptions& options = {});

// Interleaved 8-bit pixels: `channels` is 3 (RGB) or 4 (RGBA), `stride` the
// byte distance between rows (0 = width * channels).
struct RawLayout {
  int width = 0;
  int height = 0;
  int channels = 3;
  int stride = 0;
};

// Wraps raw pixels into an Image; INVALID_ARGUMENT when `bytes` is too short
// for the layout, RESOURCE_EXHAUSTED over `limits`.
absl::StatusOr<DecodedImage> DecodeRaw(absl::string_view bytes, const RawLayout& layout,
                                       const ImageLimits& limits = {});

enum class JpegCoding { kMatchInput, kBaseline, kProgressive };

struct EncodeOptions {
  // kUnknown = the metadata's source format (PNG when it has none).
  ImageFormat format = ImageFormat::kUnknown;
  // 1..100; 0 = the input's estimated quality (metadata.jpeg_quality), or 90.
  int jpeg_quality = 0;
  JpegCoding jpeg_coding = JpegCoding::kMatchInput;
  // kUnknown = the input's subsampling, or 4:2:0 for non-JPEG inputs.
  ChromaSubsampling chroma_subsampling = ChromaSubsampling::kUnknown;
  // zlib level 0..9. 1 is several times faster than the default 6 and costs
  // ~5-15% in size on photos: the sidecar's latency budget favours speed.
  int png_compression_level = 1;
  // true: every row SUB-filtered and deflated with zlib's Z_RLE strategy,
  // ~3x faster than adaptive filtering on photos (1024x1024 RGB: ~27 ms vs
  // ~77 ms) and no larger; false: libspng's adaptive per-row filter choice
  // and the default strategy, smaller on synthetic graphics (flat areas,
  // text) where long LZ77 matches pay off.
  bool png_fast = true;
  // png_fast only: the number of threads that filter and deflate the PNG's
  // rows (pigz-style: the rows are cut into bands that the threads deflate
  // independently, joined by sync flushes into one zlib stream; with Z_RLE
  // that costs tens of bytes a band, < 0.05% on photos). 1 = the caller's
  // thread only; n > 1 starts up to n - 1 std::threads for the call and
  // joins them before returning (the library keeps no pool). Images under
  // ~128 KiB of rows per thread use fewer threads. Values < 1 count as 1.
  int png_threads = 1;
  // WebP: quality 0..100 for lossy; `webp_lossless` = -1 matches the input
  // (lossless in → lossless out), 0 forces lossy, 1 forces lossless.
  float webp_quality = 90.0f;
  int webp_lossless = -1;
  // libwebp's speed/size trade-off, 0 (fastest) .. 6 (smallest); the library
  // default 4 costs ~2x the time of 2 for a few percent in size.
  int webp_method = 2;
};

// Encodes `image` (gray, gray+alpha, RGB or RGBA; YCbCr only to JPEG, which
// stores it as it is, with no colour conversion) with the ICC and EXIF of
// `metadata`. Samples are clamped to [0, 255] and rounded (to 16 bits
// for PNG when image.bit_depth() is 16). JPEG drops alpha; gray is written as
// gray in PNG and JPEG and as RGB in WebP; raw output is packed RGB or RGBA.
absl::StatusOr<std::string> EncodeImage(const Image& image, const ImageMetadata& metadata,
                                        const EncodeOptions& options = {});

// The EXIF Orientation tag (0x0112 in IFD0) of a TIFF-structured EXIF block
// as kept in ImageMetadata::exif: 1 (as stored) .. 8, or 0 when absent or
// malformed. Bounds-checked; reads nothing outside `exif`. The codecs never
// rotate pixels; callers that need display orientation use this.
int ExifOrientation(absl::string_view exif);

// Estimates the IJG quality (1..100) a JPEG was written with from its
// quantisation tables: the quality whose standard IJG tables (Annex K scaled
// by jpeg_quality_scaling) are closest, in summed squared difference, to the
// file's luminance table (and chrominance table when given). Exact for files
// from libjpeg-family encoders, a close guess for other encoders. `luma` and
// `chroma` hold 64 values in natural (row-major) order; `chroma` may be null.
int EstimateJpegQuality(const uint16_t* luma, const uint16_t* chroma);

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_CODEC_IMAGE_CODEC_H_
