#include "watermark/image/codec/image_codec.h"

#include "absl/strings/str_cat.h"
#include "watermark/base/status_macros.h"
#include "watermark/image/codec/codec_internal.h"

namespace hallmark::image {

absl::string_view ChromaSubsamplingName(ChromaSubsampling s) {
  switch (s) {
    case ChromaSubsampling::k444:
      return "4:4:4";
    case ChromaSubsampling::k422:
      return "4:2:2";
    case ChromaSubsampling::k420:
      return "4:2:0";
    case ChromaSubsampling::k440:
      return "4:4:0";
    case ChromaSubsampling::k411:
      return "4:1:1";
    case ChromaSubsampling::kOther:
      return "other";
    case ChromaSubsampling::kGray:
      return "gray";
    case ChromaSubsampling::kUnknown:
      break;
  }
  return "unknown";
}

int ExifOrientation(absl::string_view exif) {
  const auto* d = reinterpret_cast<const unsigned char*>(exif.data());
  const size_t n = exif.size();
  if (n < 8) return 0;
  bool little;
  if (d[0] == 'I' && d[1] == 'I') {
    little = true;
  } else if (d[0] == 'M' && d[1] == 'M') {
    little = false;
  } else {
    return 0;
  }
  auto u16 = [d, little](size_t at) -> uint32_t {
    return little ? (d[at] | (uint32_t{d[at + 1]} << 8)) : ((uint32_t{d[at]} << 8) | d[at + 1]);
  };
  auto u32 = [&u16, little](size_t at) -> uint32_t {
    return little ? (u16(at) | (u16(at + 2) << 16)) : ((u16(at) << 16) | u16(at + 2));
  };
  if (u16(2) != 42) return 0;
  const size_t ifd = u32(4);
  if (ifd < 8 || ifd > n - 2) return 0;
  const size_t count = u16(ifd);
  for (size_t i = 0; i < count; ++i) {
    const size_t entry = ifd + 2 + 12 * i;
    if (n < 12 || entry > n - 12) return 0;
    if (u16(entry) != 0x0112) continue;
    if (u16(entry + 2) != 3 || u32(entry + 4) != 1) return 0;  // SHORT, count 1
    const uint32_t value = u16(entry + 8);
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 0;
  }
  return 0;
}

absl::StatusOr<DecodedImage> DecodeImage(absl::string_view bytes, const ImageLimits& limits,
                                         const DecodeOptions& options) {
  HM_ASSIGN_OR_RETURN(const ImageInfo info, ProbeImage(bytes, limits));
  switch (info.format) {
    case ImageFormat::kPng:
      return internal::DecodePng(bytes, info, limits);
    case ImageFormat::kJpeg:
      return internal::DecodeJpeg(bytes, info, limits, options.jpeg_as_ycbcr);
    case ImageFormat::kWebp:
      return internal::DecodeWebp(bytes, info, limits);
    default:
      break;
  }
  return absl::InvalidArgumentError("unsupported image format");
}

absl::StatusOr<DecodedImage> DecodeRaw(absl::string_view bytes, const RawLayout& layout,
                                       const ImageLimits& limits) {
  if (layout.channels != 3 && layout.channels != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw: channels must be 3 (RGB) or 4 (RGBA), got ", layout.channels));
  }
  if (layout.width <= 0 || layout.height <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw: invalid size ", layout.width, "x", layout.height));
  }
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "input of ", bytes.size(), " bytes exceeds the limit max_bytes=", limits.max_bytes));
  }
  HM_RETURN_IF_ERROR(CheckImageLimits(layout.width, layout.height, limits));
  const int64_t row = static_cast<int64_t>(layout.width) * layout.channels;
  const int64_t stride = layout.stride == 0 ? row : layout.stride;
  if (stride < row) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw: stride ", stride, " is shorter than a row of ", row, " bytes"));
  }
  const int64_t needed = stride * (layout.height - 1) + row;
  if (static_cast<int64_t>(bytes.size()) < needed) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw: ", bytes.size(), " bytes given, ", needed, " needed for the layout"));
  }
  DecodedImage out;
  HM_ASSIGN_OR_RETURN(out.pixels, Image::CreateUninitialized(
                                      layout.width, layout.height,
                                      layout.channels == 4 ? ColorModel::kRgba : ColorModel::kRgb));
  const auto* d = reinterpret_cast<const uint8_t*>(bytes.data());
  for (int y = 0; y < layout.height; ++y) {
    internal::UnpackRow8(d + stride * y, layout.channels, y, &out.pixels);
  }
  out.metadata.source_format = ImageFormat::kRaw;
  return out;
}

namespace {

absl::StatusOr<std::string> EncodeRaw(const Image& image) {
  const int channels = (image.channels() == 2 || image.channels() == 4) ? 4 : 3;
  const size_t row = static_cast<size_t>(image.width()) * static_cast<size_t>(channels);
  std::string out(row * static_cast<size_t>(image.height()), '\0');
  for (int y = 0; y < image.height(); ++y) {
    internal::PackRow8(image, y, channels,
                       reinterpret_cast<uint8_t*>(out.data()) + row * static_cast<size_t>(y));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> EncodeImage(const Image& image, const ImageMetadata& metadata,
                                        const EncodeOptions& options) {
  if (image.empty()) return absl::InvalidArgumentError("cannot encode an empty image");
  ImageFormat format = options.format;
  if (format == ImageFormat::kUnknown) format = metadata.source_format;
  const bool ycbcr =
      image.color_model() == ColorModel::kYCbCr || image.color_model() == ColorModel::kYCbCrA;
  if (ycbcr && format != ImageFormat::kJpeg) {
    return absl::InvalidArgumentError(
        "image is YCbCr: only JPEG stores it directly; call ConvertYCbCrToRgb first");
  }
  switch (format) {
    case ImageFormat::kJpeg:
      return internal::EncodeJpeg(image, metadata, options);
    case ImageFormat::kWebp:
      return internal::EncodeWebp(image, metadata, options);
    case ImageFormat::kRaw:
      return EncodeRaw(image);
    case ImageFormat::kPng:
    case ImageFormat::kUnknown:
      break;
  }
  return internal::EncodePng(image, metadata, options);
}

}  // namespace hallmark::image
