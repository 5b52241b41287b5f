// PNG decoding through libspng (no longjmp, every failure is a return
// code); encoding through libspng too, except the png_fast path, which has
// its own multi-threaded writer (png_writer.h).
#include <spng.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "watermark/image/codec/codec_internal.h"
#include "watermark/image/codec/png_writer.h"

namespace hallmark::image::internal {
namespace {

struct SpngCtxDeleter {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};
using SpngCtx = std::unique_ptr<spng_ctx, SpngCtxDeleter>;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

absl::Status SpngError(absl::string_view what, int rc) {
  return absl::InvalidArgumentError(absl::StrCat("png: ", what, ": ", spng_strerror(rc)));
}

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Walks every chunk to IEND so that a file cut anywhere (even between the
// last IDAT and IEND, which zlib alone may not notice) is refused.
absl::Status CheckChunkStructure(absl::string_view bytes) {
  const auto* d = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t pos = 8;
  while (n - pos >= 12) {
    const uint32_t len = Be32(d + pos);
    if (len > 0x7fffffffu) return absl::InvalidArgumentError("png: chunk length over 2^31-1");
    if (len > n - pos - 12) return absl::InvalidArgumentError("png: truncated inside a chunk");
    if (std::memcmp(d + pos + 4, "IEND", 4) == 0) return absl::OkStatus();
    pos += 12 + static_cast<size_t>(len);
  }
  return absl::InvalidArgumentError("png: truncated, no IEND chunk");
}

}  // namespace

absl::StatusOr<DecodedImage> DecodePng(absl::string_view bytes, const ImageInfo& info,
                                       const ImageLimits& limits) {
  absl::Status structure = CheckChunkStructure(bytes);
  if (!structure.ok()) return structure;
  SpngCtx ctx(spng_ctx_new(0));
  if (ctx == nullptr) return absl::ResourceExhaustedError("png: cannot create decoder");
  spng_set_image_limits(ctx.get(), static_cast<uint32_t>(limits.max_width),
                        static_cast<uint32_t>(limits.max_height));
  // Bounds what ancillary chunks (a zlib-compressed iCCP, text) may inflate to.
  const size_t chunk_cap = static_cast<size_t>(limits.max_bytes);
  spng_set_chunk_limits(ctx.get(), chunk_cap, chunk_cap);
  spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());

  spng_ihdr ihdr{};
  if (int rc = spng_get_ihdr(ctx.get(), &ihdr); rc != 0) return SpngError("IHDR", rc);
  if (static_cast<int64_t>(ihdr.width) != info.width ||
      static_cast<int64_t>(ihdr.height) != info.height) {
    return absl::InvalidArgumentError("png: decoder and probe disagree on the image size");
  }
  spng_trns trns{};
  const bool has_trns = spng_get_trns(ctx.get(), &trns) == 0;

  // Picks the narrowest libspng output that keeps all information:
  // G8/GA8/GA16 for gray, RGB8/RGBA8/RGBA16 for color and palette.
  int fmt = 0;
  int in_channels = 0;
  ColorModel model = ColorModel::kRgb;
  const bool sixteen = ihdr.bit_depth == 16;
  const bool gray = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE ||
                    ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
  const bool alpha = has_trns || ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ||
                     ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  if (gray) {
    model = alpha ? ColorModel::kGrayAlpha : ColorModel::kGray;
    if (ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA) {
      // libspng's G*/GA* outputs only take color type 0; type 4 is already
      // interleaved gray+alpha, so take it as stored (host-endian).
      fmt = SPNG_FMT_PNG;
      in_channels = 2;
    } else if (sixteen) {
      fmt = SPNG_FMT_GA16;
      in_channels = 2;
    } else if (alpha) {
      fmt = SPNG_FMT_GA8;
      in_channels = 2;
    } else {
      fmt = SPNG_FMT_G8;
      in_channels = 1;
    }
  } else {
    model = alpha ? ColorModel::kRgba : ColorModel::kRgb;
    if (sixteen) {
      fmt = SPNG_FMT_RGBA16;
      in_channels = 4;
    } else if (alpha) {
      fmt = SPNG_FMT_RGBA8;
      in_channels = 4;
    } else {
      fmt = SPNG_FMT_RGB8;
      in_channels = 3;
    }
  }

  size_t size = 0;
  if (int rc = spng_decoded_image_size(ctx.get(), fmt, &size); rc != 0) {
    return SpngError("output size", rc);
  }
  DecodedImage out;
  absl::StatusOr<Image> image =
      Image::CreateUninitialized(info.width, info.height, model, sixteen ? 16 : 8);
  if (!image.ok()) return image.status();
  out.pixels = *std::move(image);
  const size_t row_bytes = size / ihdr.height;
  auto unpack = [&](const unsigned char* row, int y) {
    if (sixteen) {
      UnpackRow16(reinterpret_cast<const uint16_t*>(row), in_channels, y, &out.pixels);
    } else {
      UnpackRow8(row, in_channels, y, &out.pixels);
    }
  };
  // Non-interlaced: one row buffer, straight into the planes (peak memory is
  // the float image plus a row). Adam7 rows arrive pass by pass, so those
  // (rare) files go through a whole interleaved image.
  const bool interlaced = ihdr.interlace_method != SPNG_INTERLACE_NONE;
  const size_t buffer_size = interlaced ? size : row_bytes;
  std::unique_ptr<unsigned char, FreeDeleter> buffer(
      static_cast<unsigned char*>(std::malloc(buffer_size)));
  if (buffer == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("png: cannot allocate ", buffer_size, " bytes"));
  }
  if (interlaced) {
    if (int rc = spng_decode_image(ctx.get(), buffer.get(), size, fmt, SPNG_DECODE_TRNS); rc != 0) {
      return SpngError("image data", rc);
    }
    for (int y = 0; y < info.height; ++y) {
      unpack(buffer.get() + row_bytes * static_cast<size_t>(y), y);
    }
  } else {
    if (int rc = spng_decode_image(ctx.get(), nullptr, 0, fmt,
                                   SPNG_DECODE_TRNS | SPNG_DECODE_PROGRESSIVE);
        rc != 0) {
      return SpngError("image data", rc);
    }
    for (int y = 0; y < info.height; ++y) {
      const int rc = spng_decode_row(ctx.get(), buffer.get(), row_bytes);
      if (rc != 0 && !(rc == SPNG_EOI && y == info.height - 1)) {
        return SpngError("image data", rc);
      }
      unpack(buffer.get(), y);
    }
  }
  // Chunks after IDAT (a late eXIf, IEND) are read here, so their errors count.
  if (int rc = spng_decode_chunks(ctx.get()); rc != 0) return SpngError("trailing chunks", rc);

  ImageMetadata& md = out.metadata;
  md.source_format = ImageFormat::kPng;
  md.png_bit_depth = ihdr.bit_depth;
  md.png_palette = ihdr.color_type == SPNG_COLOR_TYPE_INDEXED;
  spng_iccp iccp{};
  if (spng_get_iccp(ctx.get(), &iccp) == 0 && iccp.profile != nullptr) {
    md.icc_profile.assign(iccp.profile, iccp.profile_len);
  }
  spng_exif exif{};
  if (spng_get_exif(ctx.get(), &exif) == 0 && exif.data != nullptr) {
    md.exif.assign(exif.data, exif.length);
  }
  return out;
}

absl::StatusOr<std::string> EncodePng(const Image& image, const ImageMetadata& metadata,
                                      const EncodeOptions& options) {
  if (options.png_fast) {
    FastPngOptions fast;
    fast.level = options.png_compression_level;
    fast.threads = options.png_threads;
    return WriteFastPng(image, metadata, fast);
  }
  SpngCtx ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  if (ctx == nullptr) return absl::ResourceExhaustedError("png: cannot create encoder");
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  int level = options.png_compression_level;
  if (level < 0) level = 0;
  if (level > 9) level = 9;
  spng_set_option(ctx.get(), SPNG_IMG_COMPRESSION_LEVEL, level);

  const int channels = image.channels();
  const bool sixteen = image.bit_depth() == 16;
  spng_ihdr ihdr{};
  ihdr.width = static_cast<uint32_t>(image.width());
  ihdr.height = static_cast<uint32_t>(image.height());
  ihdr.bit_depth = sixteen ? 16 : 8;
  switch (channels) {
    case 1:
      ihdr.color_type = SPNG_COLOR_TYPE_GRAYSCALE;
      break;
    case 2:
      ihdr.color_type = SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
      break;
    case 3:
      ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
      break;
    default:
      ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
      break;
  }
  if (int rc = spng_set_ihdr(ctx.get(), &ihdr); rc != 0) return SpngError("IHDR", rc);
  if (!metadata.icc_profile.empty()) {
    spng_iccp iccp{};
    std::strcpy(iccp.profile_name, "ICC profile");
    iccp.profile_len = metadata.icc_profile.size();
    iccp.profile = const_cast<char*>(metadata.icc_profile.data());
    if (int rc = spng_set_iccp(ctx.get(), &iccp); rc != 0) return SpngError("iCCP", rc);
  }
  if (!metadata.exif.empty()) {
    spng_exif exif{};
    exif.length = metadata.exif.size();
    exif.data = const_cast<char*>(metadata.exif.data());
    if (int rc = spng_set_exif(ctx.get(), &exif); rc != 0) return SpngError("eXIf", rc);
  }
  if (int rc = spng_encode_image(ctx.get(), nullptr, 0, SPNG_FMT_PNG,
                                 SPNG_ENCODE_PROGRESSIVE | SPNG_ENCODE_FINALIZE);
      rc != 0) {
    return SpngError("start", rc);
  }
  // One interleaved row at a time: no second full-size buffer.
  const size_t row_bytes =
      static_cast<size_t>(image.width()) * static_cast<size_t>(channels) * (sixteen ? 2 : 1);
  std::unique_ptr<unsigned char, FreeDeleter> row(
      static_cast<unsigned char*>(std::malloc(row_bytes)));
  if (row == nullptr) return absl::ResourceExhaustedError("png: cannot allocate a row");
  for (int y = 0; y < image.height(); ++y) {
    if (sixteen) {
      PackRow16(image, y, channels, reinterpret_cast<uint16_t*>(row.get()));
    } else {
      PackRow8(image, y, channels, row.get());
    }
    const int rc = spng_encode_row(ctx.get(), row.get(), row_bytes);
    if (rc != 0 && !(rc == SPNG_EOI && y == image.height() - 1)) return SpngError("row", rc);
  }
  size_t len = 0;
  int error = 0;
  std::unique_ptr<char, FreeDeleter> png(
      static_cast<char*>(spng_get_png_buffer(ctx.get(), &len, &error)));
  if (png == nullptr || error != 0) return SpngError("output", error);
  return std::string(png.get(), len);
}

}  // namespace hallmark::image::internal
