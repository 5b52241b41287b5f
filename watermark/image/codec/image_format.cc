#include "watermark/image/codec/image_format.h"

#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hallmark::image {
namespace {

// Bounds-checked big/little-endian reads. Callers check `pos + n <= size`
// before calling; the helpers only index what they were promised.
uint32_t Be16(const unsigned char* p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t Le16(const unsigned char* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8); }
uint32_t Le24(const unsigned char* p) { return Le16(p) | (uint32_t{p[2]} << 16); }
uint32_t Le32(const unsigned char* p) { return Le24(p) | (uint32_t{p[3]} << 24); }

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

absl::Status Invalid(absl::string_view format, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(format, ": ", what));
}

absl::StatusOr<ImageInfo> ProbePng(const unsigned char* d, size_t n, const ImageLimits& limits) {
  // Signature, then IHDR: length 13, "IHDR", 13 data bytes, CRC.
  if (n < 8 + 8 + 13 + 4) return Invalid("png", "truncated before the end of IHDR");
  if (Be32(d + 8) != 13 || std::memcmp(d + 12, "IHDR", 4) != 0) {
    return Invalid("png", "first chunk is not a 13-byte IHDR");
  }
  const unsigned char* ihdr = d + 16;
  const uint32_t width = Be32(ihdr);
  const uint32_t height = Be32(ihdr + 4);
  const int depth = ihdr[8];
  const int color = ihdr[9];
  if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
    return Invalid("png", absl::StrCat("invalid IHDR size ", width, "x", height));
  }
  bool depth_ok = false;
  int channels = 0;
  switch (color) {
    case 0:
      depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
      channels = 1;
      break;
    case 2:
      depth_ok = depth == 8 || depth == 16;
      channels = 3;
      break;
    case 3:
      depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8;
      channels = 3;
      break;
    case 4:
      depth_ok = depth == 8 || depth == 16;
      channels = 2;
      break;
    case 6:
      depth_ok = depth == 8 || depth == 16;
      channels = 4;
      break;
    default:
      return Invalid("png", absl::StrCat("invalid IHDR color type ", color));
  }
  if (!depth_ok) {
    return Invalid("png", absl::StrCat("invalid bit depth ", depth, " for color type ", color));
  }
  if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1) {
    return Invalid("png", "invalid IHDR compression, filter or interlace method");
  }
  absl::Status limits_ok = CheckImageLimits(width, height, limits);
  if (!limits_ok.ok()) return limits_ok;

  // Walk the chunks up to the first IDAT: a tRNS chunk adds an alpha channel.
  size_t pos = 33;
  bool has_idat = false;
  while (pos + 8 <= n) {
    const uint32_t len = Be32(d + pos);
    if (len > 0x7fffffffu) return Invalid("png", "chunk length over 2^31-1");
    const unsigned char* type = d + pos + 4;
    if (std::memcmp(type, "IDAT", 4) == 0) {
      has_idat = true;
      break;
    }
    if (std::memcmp(type, "IEND", 4) == 0) break;
    if (std::memcmp(type, "tRNS", 4) == 0) {
      if (channels == 1) channels = 2;
      if (channels == 3) channels = 4;
    }
    if (len > n - pos - 8 || n - pos - 8 - len < 4) {
      return Invalid("png", "truncated inside a chunk before IDAT");
    }
    pos += 12 + static_cast<size_t>(len);
  }
  if (!has_idat) return Invalid("png", "truncated or corrupt: no IDAT chunk");

  ImageInfo info;
  info.format = ImageFormat::kPng;
  info.width = static_cast<int>(width);
  info.height = static_cast<int>(height);
  info.channels = channels;
  info.bit_depth = depth == 16 ? 16 : 8;
  info.progressive = ihdr[12] == 1;
  return info;
}

absl::StatusOr<ImageInfo> ProbeJpeg(const unsigned char* d, size_t n, const ImageLimits& limits) {
  size_t pos = 2;  // after SOI
  for (;;) {
    // Like libjpeg's next_marker(): skip bytes up to 0xFF, then fill bytes.
    while (pos < n && d[pos] != 0xFF) ++pos;
    while (pos < n && d[pos] == 0xFF) ++pos;
    if (pos >= n) return Invalid("jpeg", "truncated before the SOF segment");
    const int marker = d[pos++];
    if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
      continue;  // stuffed zero, TEM, SOI, RSTn: no length field
    }
    if (marker == 0xD9) return Invalid("jpeg", "EOI before any SOF segment");
    if (marker == 0xDA) return Invalid("jpeg", "SOS before any SOF segment");
    if (pos + 2 > n) return Invalid("jpeg", "truncated inside a marker length");
    const size_t len = Be16(d + pos);
    if (len < 2)
      return Invalid("jpeg", absl::StrCat("marker 0x", absl::Hex(marker), " length < 2"));
    if (len > n - pos) return Invalid("jpeg", "truncated inside a marker segment");
    const bool is_sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (!is_sof) {
      pos += len;
      continue;
    }
    if (marker != 0xC0 && marker != 0xC1 && marker != 0xC2 && marker != 0xC9 && marker != 0xCA) {
      return Invalid("jpeg", absl::StrCat("unsupported JPEG process (SOF", marker - 0xC0,
                                          "): lossless, hierarchical or unsupported coding"));
    }
    if (len < 8) return Invalid("jpeg", "SOF segment too short");
    const unsigned char* sof = d + pos + 2;
    const int precision = sof[0];
    const uint32_t height = Be16(sof + 1);
    const uint32_t width = Be16(sof + 3);
    const int components = sof[5];
    if (len < 8 + 3 * static_cast<size_t>(components)) {
      return Invalid("jpeg", "SOF segment shorter than its component list");
    }
    if (precision != 8) {
      return Invalid("jpeg", absl::StrCat("unsupported sample precision ", precision));
    }
    if (width == 0 || height == 0) {
      return Invalid("jpeg", absl::StrCat("invalid or DNL-deferred size ", width, "x", height));
    }
    if (components != 1 && components != 3) {
      return Invalid("jpeg", absl::StrCat("unsupported component count ", components,
                                          " (only gray and YCbCr/RGB)"));
    }
    absl::Status limits_ok = CheckImageLimits(width, height, limits);
    if (!limits_ok.ok()) return limits_ok;
    ImageInfo info;
    info.format = ImageFormat::kJpeg;
    info.width = static_cast<int>(width);
    info.height = static_cast<int>(height);
    info.channels = components;
    info.bit_depth = 8;
    info.progressive = marker == 0xC2 || marker == 0xCA;
    return info;
  }
}

absl::StatusOr<ImageInfo> ProbeWebp(const unsigned char* d, size_t n, const ImageLimits& limits) {
  if (n < 12 + 8) return Invalid("webp", "truncated RIFF header");
  const uint32_t riff_size = Le32(d + 4);
  if (riff_size < 12 || riff_size > n - 8) {
    return Invalid("webp", absl::StrCat("RIFF size ", riff_size, " does not fit the ", n,
                                        "-byte input (truncated?)"));
  }
  const size_t end = 8 + static_cast<size_t>(riff_size);
  const unsigned char* chunk = d + 12;
  const uint32_t chunk_size = Le32(chunk + 4);
  if (chunk_size > end - 20) return Invalid("webp", "first chunk overruns the RIFF container");
  const unsigned char* p = chunk + 8;
  ImageInfo info;
  info.format = ImageFormat::kWebp;
  uint32_t width = 0, height = 0;
  if (std::memcmp(chunk, "VP8 ", 4) == 0) {
    if (chunk_size < 10) return Invalid("webp", "VP8 chunk too short");
    const uint32_t tag = Le24(p);
    if ((tag & 1) != 0) return Invalid("webp", "VP8 data does not start with a key frame");
    if (p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a) return Invalid("webp", "bad VP8 start code");
    width = Le16(p + 6) & 0x3fff;
    height = Le16(p + 8) & 0x3fff;
    info.channels = 3;
  } else if (std::memcmp(chunk, "VP8L", 4) == 0) {
    if (chunk_size < 5) return Invalid("webp", "VP8L chunk too short");
    if (p[0] != 0x2f) return Invalid("webp", "bad VP8L signature");
    const uint32_t bits = Le32(p + 1);
    width = (bits & 0x3fff) + 1;
    height = ((bits >> 14) & 0x3fff) + 1;
    if ((bits >> 29) != 0) return Invalid("webp", "unknown VP8L version");
    info.channels = ((bits >> 28) & 1) != 0 ? 4 : 3;
  } else if (std::memcmp(chunk, "VP8X", 4) == 0) {
    if (chunk_size < 10) return Invalid("webp", "VP8X chunk too short");
    const int flags = p[0];
    info.animated = (flags & 0x02) != 0;
    width = Le24(p + 4) + 1;
    height = Le24(p + 7) + 1;
    info.channels = (flags & 0x10) != 0 ? 4 : 3;
  } else {
    return Invalid("webp", "first chunk is not VP8, VP8L or VP8X");
  }
  if (width == 0 || height == 0) {
    return Invalid("webp", absl::StrCat("invalid size ", width, "x", height));
  }
  if (info.animated) return Invalid("webp", "animated WebP is not supported");
  absl::Status limits_ok = CheckImageLimits(width, height, limits);
  if (!limits_ok.ok()) return limits_ok;
  info.width = static_cast<int>(width);
  info.height = static_cast<int>(height);
  info.bit_depth = 8;
  return info;
}

}  // namespace

absl::string_view ImageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kJpeg:
      return "jpeg";
    case ImageFormat::kWebp:
      return "webp";
    case ImageFormat::kRaw:
      return "raw";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

ImageFormat SniffImageFormat(absl::string_view bytes) {
  const auto* d = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  if (n >= 8 && std::memcmp(d, kPngSignature, 8) == 0) return ImageFormat::kPng;
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return ImageFormat::kJpeg;
  if (n >= 12 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0) {
    return ImageFormat::kWebp;
  }
  return ImageFormat::kUnknown;
}

absl::Status CheckImageLimits(int64_t width, int64_t height, const ImageLimits& limits) {
  if (width > limits.max_width) {
    return absl::ResourceExhaustedError(
        absl::StrCat("image width ", width, " exceeds the limit max_width=", limits.max_width));
  }
  if (height > limits.max_height) {
    return absl::ResourceExhaustedError(
        absl::StrCat("image height ", height, " exceeds the limit max_height=", limits.max_height));
  }
  if (width * height > limits.max_pixels) {
    return absl::ResourceExhaustedError(
        absl::StrCat("image of ", width, "x", height, " = ", width * height,
                     " pixels exceeds the limit max_pixels=", limits.max_pixels));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImageInfo> ProbeImage(absl::string_view bytes, const ImageLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "input of ", bytes.size(), " bytes exceeds the limit max_bytes=", limits.max_bytes));
  }
  const auto* d = reinterpret_cast<const unsigned char*>(bytes.data());
  switch (SniffImageFormat(bytes)) {
    case ImageFormat::kPng:
      return ProbePng(d, bytes.size(), limits);
    case ImageFormat::kJpeg:
      return ProbeJpeg(d, bytes.size(), limits);
    case ImageFormat::kWebp:
      return ProbeWebp(d, bytes.size(), limits);
    default:
      break;
  }
  return absl::InvalidArgumentError(
      bytes.empty() ? "empty image input"
                    : "unsupported or unrecognised image format (expected PNG, JPEG or WebP)");
}

}  // namespace hallmark::image
