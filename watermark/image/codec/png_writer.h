// Private to watermark/image/codec: the PNG writer behind
// EncodeOptions::png_fast. Every row is SUB-filtered and the image data is
// deflated with zlib's Z_RLE strategy, in bands of consecutive rows that
// several threads compress at once (pigz-style):
//
//   IDAT data = zlib header (2 bytes)
//             + band 0 as raw deflate, ended by a sync flush
//             + ...
//             + last band as raw deflate, ended by a final block
//             + Adler-32 of all filtered rows (adler32_combine of the bands')
//
// A sync flush ends a band on a byte boundary without a final block, so the
// bands concatenate into one valid deflate stream. Each band starts with an
// empty dictionary and its own Huffman blocks, which with Z_RLE (matches
// reach back one byte only) costs tens of bytes a band: 0.02-0.05% on the
// test photos cut into 3 to 6 bands. Each band packs, filters and deflates
// its own rows through small row buffers and writes complete IDAT chunks
// (with their CRC-32), so the calling thread only concatenates them: there
// is no full-image filtered buffer.
//
// Chunks, in libspng's order: IHDR, iCCP (metadata.icc_profile, named
// "ICC profile", zlib at the default level, as libspng wrote it), eXIf
// (metadata.exif), IDAT..., IEND.
#ifndef HALLMARK_WATERMARK_IMAGE_CODEC_PNG_WRITER_H_
#define HALLMARK_WATERMARK_IMAGE_CODEC_PNG_WRITER_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "watermark/image/codec/image.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::image::internal {

// IDAT chunks hold at most this many data bytes: large enough that the
// 12 bytes of framing per chunk are noise (< 0.005%), small enough that a
// reader buffering a whole chunk (to check its CRC) needs little memory.
inline constexpr size_t kIdatChunkBytes = size_t{256} * 1024;

// The smallest band, in filtered bytes (rows * (1 + row bytes)): about 1 ms
// of Z_RLE level-1 deflate, against ~50 us to start and join a thread and
// tens of bytes of output for the band's sync flush and fresh start.
inline constexpr size_t kMinBandBytes = size_t{128} * 1024;

// With several threads, the image is cut into up to this many bands per
// thread, which the threads take in turn: a thread whose bands compress
// faster, or whose core is less busy, takes more of them.
inline constexpr int kBandsPerThread = 4;

struct FastPngOptions {
  // zlib level, clamped to 0..9 (0 = stored blocks).
  int level = 1;
  // Threads filtering and deflating bands (the caller's included); < 1
  // counts as 1. 1 = one band on the caller's thread.
  int threads = 1;
  // Tests lower it to split small images into many bands.
  size_t min_band_bytes = kMinBandBytes;
};

// How WriteFastPng splits `image`: `bands` bands of `rows_per_band` rows
// (the last may be shorter), encoded by `threads` threads (the caller's
// included). One thread gets one band; n > 1 threads get up to
// n * kBandsPerThread bands of at least min_band_bytes, and never more
// threads than bands.
struct FastPngPlan {
  int bands = 1;
  int rows_per_band = 0;
  int threads = 1;
};
FastPngPlan PlanFastPng(const Image& image, const FastPngOptions& options);

// Encodes `image` (1..4 channels; 16-bit samples when image.bit_depth() is
// 16, else 8-bit) as described above. INVALID_ARGUMENT for an EXIF block
// that is not TIFF-structured or metadata too large for a chunk,
// RESOURCE_EXHAUSTED when memory runs out, INTERNAL on a zlib failure.
// Thread-safe; threads it starts are joined before it returns.
absl::StatusOr<std::string> WriteFastPng(const Image& image, const ImageMetadata& metadata,
                                         const FastPngOptions& options);

}  // namespace hallmark::image::internal

#endif  // HALLMARK_WATERMARK_IMAGE_CODEC_PNG_WRITER_H_
