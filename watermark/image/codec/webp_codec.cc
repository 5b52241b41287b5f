// WebP through libwebp (decode/encode) and its demux/mux helpers (ICCP and
// EXIF chunks). All failures are status codes; nothing longjmps.
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "watermark/image/codec/codec_internal.h"

namespace hallmark::image::internal {
namespace {

struct DemuxDeleter {
  void operator()(WebPDemuxer* d) const { WebPDemuxDelete(d); }
};
struct MuxDeleter {
  void operator()(WebPMux* m) const { WebPMuxDelete(m); }
};
struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

std::string ChunkOrEmpty(WebPDemuxer* demux, const char fourcc[4]) {
  WebPChunkIterator it;
  std::string out;
  if (WebPDemuxGetChunk(demux, fourcc, 1, &it)) {
    out.assign(reinterpret_cast<const char*>(it.chunk.bytes), it.chunk.size);
    WebPDemuxReleaseChunkIterator(&it);
  }
  return out;
}

// Frees the decoder's output buffer on every path.
struct DecBufferGuard {
  WebPDecBuffer* buffer;
  ~DecBufferGuard() { WebPFreeDecBuffer(buffer); }
};

}  // namespace

absl::StatusOr<DecodedImage> DecodeWebp(absl::string_view bytes, const ImageInfo& info,
                                        const ImageLimits& /*limits*/) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  // The demuxer validates the whole RIFF container (every chunk inside it)
  // and refuses partial data, which catches truncation.
  WebPData webp_data{data, bytes.size()};
  std::unique_ptr<WebPDemuxer, DemuxDeleter> demux(WebPDemux(&webp_data));
  if (demux == nullptr) return absl::InvalidArgumentError("webp: corrupt or truncated container");
  if (WebPDemuxGetI(demux.get(), WEBP_FF_FRAME_COUNT) != 1) {
    return absl::InvalidArgumentError("webp: animated WebP is not supported");
  }

  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return absl::InternalError("webp: library version mismatch");
  if (VP8StatusCode rc = WebPGetFeatures(data, bytes.size(), &config.input); rc != VP8_STATUS_OK) {
    return absl::InvalidArgumentError(absl::StrCat("webp: bad header (status ", rc, ")"));
  }
  if (config.input.width != info.width || config.input.height != info.height) {
    return absl::InvalidArgumentError("webp: decoder and probe disagree on the image size");
  }
  if (config.input.has_animation) {
    return absl::InvalidArgumentError("webp: animated WebP is not supported");
  }
  const bool alpha = config.input.has_alpha != 0;
  const int channels = alpha ? 4 : 3;
  config.output.colorspace = alpha ? MODE_RGBA : MODE_RGB;
  DecBufferGuard guard{&config.output};
  if (VP8StatusCode rc = WebPDecode(data, bytes.size(), &config); rc != VP8_STATUS_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        "webp: ", rc == VP8_STATUS_NOT_ENOUGH_DATA ? "truncated data" : "corrupt bitstream",
        " (status ", rc, ")"));
  }
  DecodedImage out;
  absl::StatusOr<Image> image = Image::CreateUninitialized(
      info.width, info.height, alpha ? ColorModel::kRgba : ColorModel::kRgb);
  if (!image.ok()) return image.status();
  out.pixels = *std::move(image);
  const WebPRGBABuffer& rgba = config.output.u.RGBA;
  for (int y = 0; y < info.height; ++y) {
    UnpackRow8(rgba.rgba + static_cast<size_t>(y) * static_cast<size_t>(rgba.stride), channels, y,
               &out.pixels);
  }
  ImageMetadata& md = out.metadata;
  md.source_format = ImageFormat::kWebp;
  md.webp_lossless = config.input.format == 2;
  md.icc_profile = ChunkOrEmpty(demux.get(), "ICCP");
  md.exif = ChunkOrEmpty(demux.get(), "EXIF");
  // Some writers keep JPEG's "Exif\0\0" prefix; the metadata holds bare TIFF.
  if (md.exif.size() >= 6 && md.exif.compare(0, 6, std::string("Exif\0\0", 6)) == 0) {
    md.exif.erase(0, 6);
  }
  return out;
}

absl::StatusOr<std::string> EncodeWebp(const Image& image, const ImageMetadata& metadata,
                                       const EncodeOptions& options) {
  if (image.width() > WEBP_MAX_DIMENSION || image.height() > WEBP_MAX_DIMENSION) {
    return absl::InvalidArgumentError(absl::StrCat("webp: ", image.width(), "x", image.height(),
                                                   " exceeds WebP's ", WEBP_MAX_DIMENSION,
                                                   " maximum"));
  }
  const bool lossless =
      options.webp_lossless < 0 ? metadata.webp_lossless : options.webp_lossless > 0;
  WebPConfig config;
  if (!WebPConfigInit(&config)) return absl::InternalError("webp: library version mismatch");
  if (lossless) {
    // Level 1 of 9: far faster than the default 6, a few percent larger.
    WebPConfigLosslessPreset(&config, 1);
    config.exact = 1;  // keep RGB under transparent pixels: exact round trip
  } else {
    config.method = options.webp_method < 0 ? 0 : options.webp_method > 6 ? 6 : options.webp_method;
    config.quality = options.webp_quality < 0     ? 0
                     : options.webp_quality > 100 ? 100
                                                  : options.webp_quality;
  }
  const bool alpha = image.channels() == 2 || image.channels() == 4;
  const int channels = alpha ? 4 : 3;
  const size_t stride = static_cast<size_t>(image.width()) * channels;
  std::unique_ptr<uint8_t, FreeDeleter> pixels(
      static_cast<uint8_t*>(std::malloc(stride * static_cast<size_t>(image.height()))));
  if (pixels == nullptr) return absl::ResourceExhaustedError("webp: cannot allocate pixels");
  for (int y = 0; y < image.height(); ++y) {
    PackRow8(image, y, channels, pixels.get() + stride * static_cast<size_t>(y));
  }

  WebPPicture picture;
  if (!WebPPictureInit(&picture)) return absl::InternalError("webp: library version mismatch");
  picture.width = image.width();
  picture.height = image.height();
  picture.use_argb = lossless ? 1 : 0;
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;
  const int imported = alpha
                           ? WebPPictureImportRGBA(&picture, pixels.get(), static_cast<int>(stride))
                           : WebPPictureImportRGB(&picture, pixels.get(), static_cast<int>(stride));
  const int encoded = imported ? WebPEncode(&config, &picture) : 0;
  const int error = picture.error_code;
  WebPPictureFree(&picture);
  pixels.reset();
  std::string bitstream(reinterpret_cast<const char*>(writer.mem), writer.size);
  WebPMemoryWriterClear(&writer);
  if (!imported) return absl::ResourceExhaustedError("webp: cannot import pixels");
  if (!encoded)
    return absl::InvalidArgumentError(absl::StrCat("webp: encode failed (", error, ")"));
  if (metadata.icc_profile.empty() && metadata.exif.empty()) return bitstream;

  // Re-wrap with the ICCP / EXIF chunks (the muxer writes the VP8X header).
  WebPData in{reinterpret_cast<const uint8_t*>(bitstream.data()), bitstream.size()};
  std::unique_ptr<WebPMux, MuxDeleter> mux(WebPMuxCreate(&in, 0));
  if (mux == nullptr) return absl::InternalError("webp: cannot re-read the encoded bitstream");
  if (!metadata.icc_profile.empty()) {
    WebPData icc{reinterpret_cast<const uint8_t*>(metadata.icc_profile.data()),
                 metadata.icc_profile.size()};
    if (WebPMuxSetChunk(mux.get(), "ICCP", &icc, 0) != WEBP_MUX_OK) {
      return absl::InvalidArgumentError("webp: cannot add the ICC profile");
    }
  }
  if (!metadata.exif.empty()) {
    WebPData exif{reinterpret_cast<const uint8_t*>(metadata.exif.data()), metadata.exif.size()};
    if (WebPMuxSetChunk(mux.get(), "EXIF", &exif, 0) != WEBP_MUX_OK) {
      return absl::InvalidArgumentError("webp: cannot add EXIF");
    }
  }
  WebPData assembled;
  WebPDataInit(&assembled);
  if (WebPMuxAssemble(mux.get(), &assembled) != WEBP_MUX_OK) {
    return absl::InternalError("webp: cannot assemble the container");
  }
  std::string out(reinterpret_cast<const char*>(assembled.bytes), assembled.size);
  WebPDataClear(&assembled);
  return out;
}

}  // namespace hallmark::image::internal
