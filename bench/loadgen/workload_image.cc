#include "bench/loadgen/workload_image.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::loadgen {
namespace {

namespace fs = std::filesystem;

// The largest rectangle of aspect width:height inside src_width x
// src_height, centred: {x, y, w, h} in source pixels (fractional).
struct CropRect {
  double x = 0;
  double y = 0;
  double w = 0;
  double h = 0;
};

CropRect CentreCrop(int src_width, int src_height, int width, int height) {
  CropRect r;
  r.w = src_width;
  r.h = static_cast<double>(src_width) * height / width;
  if (r.h > src_height) {
    r.h = src_height;
    r.w = static_cast<double>(src_height) * width / height;
  }
  r.x = (src_width - r.w) / 2;
  r.y = (src_height - r.h) / 2;
  return r;
}

// One output coordinate's two source taps and the weight of the second.
struct Tap {
  int i0 = 0;
  int i1 = 0;
  float f = 0;
};

std::vector<Tap> Taps(int out_size, double origin, double scale, int src_size) {
  std::vector<Tap> taps(static_cast<size_t>(out_size));
  for (int o = 0; o < out_size; ++o) {
    const double s = std::clamp(origin + (o + 0.5) * scale - 0.5, 0.0, src_size - 1.0);
    Tap& t = taps[static_cast<size_t>(o)];
    t.i0 = static_cast<int>(s);
    t.i1 = std::min(t.i0 + 1, src_size - 1);
    t.f = static_cast<float>(s - t.i0);
  }
  return taps;
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path.string()));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path.string()));
  return bytes;
}

struct Photo {
  std::string name;
  image::DecodedImage decoded;
};

absl::StatusOr<Photo> DecodePhoto(const fs::path& path) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<image::DecodedImage> decoded = image::DecodeImage(*bytes);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot decode ", path.string(), ": ", decoded.status().message()));
  }
  if (decoded->pixels.color_model() != image::ColorModel::kRgb) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), " is not an RGB photo (gray or with alpha)"));
  }
  return Photo{path.filename().string(), *std::move(decoded)};
}

// The photo of `source` (a file, or the best candidate of a directory).
absl::StatusOr<Photo> ChoosePhoto(const fs::path& source, int width, int height) {
  std::error_code error;
  if (!fs::is_directory(source, error)) return DecodePhoto(source);
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(source, error)) {
    if (!entry.is_regular_file(error)) continue;
    const std::string ext = absl::AsciiStrToLower(entry.path().extension().string());
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp") {
      files.push_back(entry.path());
    }
  }
  if (error) return absl::NotFoundError(absl::StrCat("cannot list ", source.string()));
  std::sort(files.begin(), files.end());
  std::optional<Photo> best;
  double best_area = 0;
  for (const fs::path& file : files) {
    absl::StatusOr<Photo> photo = DecodePhoto(file);
    if (!photo.ok()) continue;  // corrupt fixtures, gray images: not candidates
    const CropRect crop =
        CentreCrop(photo->decoded.pixels.width(), photo->decoded.pixels.height(), width, height);
    if (crop.w * crop.h > best_area) {
      best_area = crop.w * crop.h;
      best = *std::move(photo);
    }
  }
  if (!best.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no decodable RGB photo (.jpg, .png, .webp) in ", source.string()));
  }
  return *std::move(best);
}

}  // namespace

absl::StatusOr<image::Image> CropAndResize(const image::Image& src, int width, int height) {
  if (src.empty() || width < 1 || height < 1) {
    return absl::InvalidArgumentError("CropAndResize needs a non-empty image and size");
  }
  absl::StatusOr<image::Image> out =
      image::Image::CreateUninitialized(width, height, src.color_model(), src.bit_depth());
  if (!out.ok()) return out.status();
  const CropRect crop = CentreCrop(src.width(), src.height(), width, height);
  const std::vector<Tap> xs = Taps(width, crop.x, crop.w / width, src.width());
  const std::vector<Tap> ys = Taps(height, crop.y, crop.h / height, src.height());
  for (int c = 0; c < src.channels(); ++c) {
    for (int y = 0; y < height; ++y) {
      const Tap& ty = ys[static_cast<size_t>(y)];
      const float* r0 = src.Row(c, ty.i0);
      const float* r1 = src.Row(c, ty.i1);
      float* dst = out->Row(c, y);
      for (int x = 0; x < width; ++x) {
        const Tap& tx = xs[static_cast<size_t>(x)];
        const float top = r0[tx.i0] + (r0[tx.i1] - r0[tx.i0]) * tx.f;
        const float bottom = r1[tx.i0] + (r1[tx.i1] - r1[tx.i0]) * tx.f;
        dst[x] = top + (bottom - top) * ty.f;
      }
    }
  }
  return out;
}

absl::StatusOr<WorkloadImage> MakeWorkloadImage(const WorkloadSpec& spec,
                                                absl::string_view source) {
  if (!spec.image()) {
    return absl::InvalidArgumentError(absl::StrCat(spec.name, " is not an image workload"));
  }
  absl::StatusOr<Photo> photo = ChoosePhoto(fs::path(std::string(source)), spec.width, spec.height);
  if (!photo.ok()) return photo.status();
  const image::Image& src = photo->decoded.pixels;
  absl::StatusOr<image::Image> pixels = CropAndResize(src, spec.width, spec.height);
  if (!pixels.ok()) return pixels.status();

  // A fresh file: no ICC profile or EXIF, and the codec's defaults (PNG:
  // the sidecar's fast setting) except for an explicit quality.
  image::ImageMetadata metadata;
  image::EncodeOptions options;
  std::string quality;
  switch (spec.image_format) {
    case ImageWorkloadFormat::kJpeg:
      options.format = image::ImageFormat::kJpeg;
      options.jpeg_quality = spec.quality > 0 ? spec.quality : 90;
      options.chroma_subsampling = image::ChromaSubsampling::k420;
      options.jpeg_coding = image::JpegCoding::kBaseline;
      quality = absl::StrCat(" q", options.jpeg_quality, " 4:2:0 baseline");
      break;
    case ImageWorkloadFormat::kWebp:
      options.format = image::ImageFormat::kWebp;
      options.webp_lossless = 0;
      if (spec.quality > 0) options.webp_quality = static_cast<float>(spec.quality);
      quality = absl::StrFormat(" lossy q%g", options.webp_quality);
      break;
    case ImageWorkloadFormat::kPng:
      options.format = image::ImageFormat::kPng;
      quality = absl::StrCat(" 8-bit RGB, zlib level ", options.png_compression_level,
                             options.png_fast ? " fast" : "");
      break;
    case ImageWorkloadFormat::kRaw:
      options.format = image::ImageFormat::kRaw;
      quality = " packed RGB";
      break;
  }
  metadata.source_format = options.format;
  absl::StatusOr<std::string> bytes = image::EncodeImage(*pixels, metadata, options);
  if (!bytes.ok()) {
    return absl::InternalError(
        absl::StrCat(spec.name, ": cannot encode the image: ", bytes.status().message()));
  }
  const CropRect crop = CentreCrop(src.width(), src.height(), spec.width, spec.height);
  WorkloadImage out;
  out.bytes = *std::move(bytes);
  out.format = spec.image_format;
  out.width = spec.width;
  out.height = spec.height;
  out.channels = 3;
  out.description =
      absl::StrFormat("%s %dx%d, centre crop %.0fx%.0f, bilinear to %dx%d, %s%s", photo->name,
                      src.width(), src.height(), crop.w, crop.h, spec.width, spec.height,
                      ImageWorkloadFormatName(spec.image_format), quality);
  return out;
}

}  // namespace hallmark::loadgen
