#include "bench/eval/image_attacks.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/eval/image_ops.h"
#include "watermark/base/split_mix64.h"
#include "watermark/base/status_macros.h"
#include "watermark/image/codec/image_codec.h"

namespace hallmark::eval {
namespace {

using image::ChromaSubsampling;
using image::ColorModel;
using image::EncodeOptions;
using image::Image;
using image::ImageFormat;

absl::StatusOr<Image> Reencode(const Image& in, const EncodeOptions& options) {
  HM_ASSIGN_OR_RETURN(std::string bytes, image::EncodeImage(in, image::ImageMetadata{}, options));
  HM_ASSIGN_OR_RETURN(image::DecodedImage decoded, image::DecodeImage(bytes));
  return std::move(decoded.pixels);
}

absl::StatusOr<Image> Png(const Image& in) {
  EncodeOptions o;
  o.format = ImageFormat::kPng;
  return Reencode(in, o);
}

absl::StatusOr<Image> Jpeg(const Image& in, int quality) {
  EncodeOptions o;
  o.format = ImageFormat::kJpeg;
  o.jpeg_quality = quality;
  o.jpeg_coding = image::JpegCoding::kBaseline;
  o.chroma_subsampling = ChromaSubsampling::k420;
  return Reencode(in, o);
}

absl::StatusOr<Image> Webp(const Image& in, float quality) {
  EncodeOptions o;
  o.format = ImageFormat::kWebp;
  o.webp_quality = quality;
  o.webp_lossless = 0;
  o.webp_method = 4;  // cwebp's default, what a re-uploading service would use
  return Reencode(in, o);
}

int Scaled(int side, double factor) {
  return std::max(1, static_cast<int>(std::lround(side * factor)));
}

// Applies `f(v)` to every colour sample (alpha untouched).
template <typename F>
absl::StatusOr<Image> MapSamples(const Image& in, F f) {
  HM_ASSIGN_OR_RETURN(Image out, in.Clone());
  const int colour = image::HasAlpha(in.color_model()) ? in.channels() - 1 : in.channels();
  for (int c = 0; c < colour; ++c) {
    for (int y = 0; y < out.height(); ++y) {
      float* row = out.Row(c, y);
      for (int x = 0; x < out.width(); ++x) row[x] = f(c, row[x]);
    }
  }
  return out;
}

absl::StatusOr<Image> GaussianNoise(const Image& in, double sigma, uint64_t seed) {
  // A portable generator, so noise is the same on every platform and
  // standard library (std::normal_distribution is not).
  SplitMix64 rng(seed);
  // Box-Muller, both outputs used.
  bool have_spare = false;
  double spare = 0;
  return MapSamples(in, [&](int, float v) {
    double n;
    if (have_spare) {
      n = spare;
    } else {
      const double r = std::sqrt(-2.0 * std::log(rng.Uniform()));
      const double t = 2.0 * M_PI * rng.Uniform();
      n = r * std::cos(t);
      spare = r * std::sin(t);
    }
    have_spare = !have_spare;
    return static_cast<float>(v + sigma * n);
  });
}

// Nearest of `levels` evenly spaced levels over [0, 255].
float Level(float v, int levels) {
  const float step = 255.0f / (levels - 1);
  return std::nearbyint(std::clamp(v, 0.0f, 255.0f) / step) * step;
}

// Truncation to `bits` bits, expanded back by bit replication (how a
// 16-bit framebuffer's samples are read back as 8-bit).
float Bits(float v, int bits) {
  const int q = static_cast<int>(std::nearbyint(std::clamp(v, 0.0f, 255.0f))) >> (8 - bits);
  return static_cast<float>((q << (8 - bits)) | (q >> (2 * bits - 8)));
}

std::vector<Attack> MakeAttacks() {
  std::vector<Attack> a;
  auto add = [&a](std::string name, std::string description,
                  std::function<absl::StatusOr<Image>(const Image&, uint64_t)> f) {
    a.push_back({std::move(name), std::move(description), std::move(f)});
  };
  add("none", "the marked image as saved (8-bit), no attack",
      [](const Image& in, uint64_t) { return in.Clone(); });
  add("png", "PNG round trip (Hallmark's encoder and decoder)",
      [](const Image& in, uint64_t) { return Png(in); });
  for (int q : {90, 75, 50}) {
    add(absl::StrCat("jpeg", q),
        absl::StrCat("JPEG quality ", q, ", baseline, 4:2:0 (libjpeg-turbo through EncodeImage)"),
        [q](const Image& in, uint64_t) { return Jpeg(in, q); });
  }
  add("webp80", "lossy WebP quality 80, method 4 (libwebp through EncodeImage)",
      [](const Image& in, uint64_t) { return Webp(in, 80); });
  for (double s : {0.5, 0.75}) {
    add(absl::StrCat("resize", s), absl::StrCat("area (box) downscale to ", s, "x, detected there"),
        [s](const Image& in, uint64_t) {
          return AreaResize(in, Scaled(in.width(), s), Scaled(in.height(), s));
        });
  }
  add("resize0.5_up", "area downscale to 0.5x, bilinear upscale back to the original size",
      [](const Image& in, uint64_t) -> absl::StatusOr<Image> {
        HM_ASSIGN_OR_RETURN(Image half,
                            AreaResize(in, Scaled(in.width(), 0.5), Scaled(in.height(), 0.5)));
        return BilinearResize(half, in.width(), in.height());
      });
  for (int pct : {80, 50}) {
    add(absl::StrCat("crop", pct),
        absl::StrCat("centre crop keeping ", pct, "% of the area (aspect kept)"),
        [pct](const Image& in, uint64_t) { return CropCentre(in, pct / 100.0); });
  }
  add("brightness1.2", "every sample x 1.2, clipped to 255", [](const Image& in, uint64_t) {
    return MapSamples(in, [](int, float v) { return std::min(255.0f, v * 1.2f); });
  });
  add("contrast0.8", "contrast x 0.8 about the image's mean BT.601 luminance (as PIL's Contrast)",
      [](const Image& in, uint64_t) {
        const float mean = static_cast<float>(MeanLuminance(in));
        return MapSamples(in, [mean](int, float v) { return mean + 0.8f * (v - mean); });
      });
  add("noise5", "additive Gaussian noise, sigma 5, independent per sample, seeded per image",
      [](const Image& in, uint64_t seed) { return GaussianNoise(in, 5.0, seed); });
  add("rotate2",
      "rotation 2 degrees counter-clockwise about the centre, bilinear, same canvas, black "
      "corners",
      [](const Image& in, uint64_t) { return Rotate(in, 2.0, 0.0f); });
  add("flip", "horizontal mirror", [](const Image& in, uint64_t) { return FlipHorizontal(in); });
  add("palette252",
      "screenshot-like 8-bit colour: nearest colour of a 6x7x6-level uniform palette (252 "
      "colours), no dithering (gray inputs expanded to RGB first)",
      [](const Image& in, uint64_t) -> absl::StatusOr<Image> {
        HM_ASSIGN_OR_RETURN(Image rgb, ToRgb(in));
        return MapSamples(rgb, [](int c, float v) { return Level(v, c == 1 ? 7 : 6); });
      });
  add("rgb565",
      "16-bit display capture: R, G, B truncated to 5, 6, 5 bits and expanded back by bit "
      "replication (gray inputs expanded to RGB first)",
      [](const Image& in, uint64_t) -> absl::StatusOr<Image> {
        HM_ASSIGN_OR_RETURN(Image rgb, ToRgb(in));
        return MapSamples(rgb, [](int c, float v) { return Bits(v, c == 1 ? 6 : 5); });
      });
  return a;
}

}  // namespace

const std::vector<Attack>& StandardAttacks() {
  static const std::vector<Attack>* const attacks = new std::vector<Attack>(MakeAttacks());
  return *attacks;
}

absl::StatusOr<std::vector<const Attack*>> SelectAttacks(absl::string_view names) {
  std::vector<const Attack*> selected;
  const std::vector<Attack>& all = StandardAttacks();
  if (names.empty()) {
    for (const Attack& a : all) selected.push_back(&a);
    return selected;
  }
  std::vector<std::string> wanted = absl::StrSplit(names, ',', absl::SkipWhitespace());
  for (const std::string& w : wanted) {
    if (std::none_of(all.begin(), all.end(), [&w](const Attack& a) { return a.name == w; })) {
      return absl::InvalidArgumentError(absl::StrCat("unknown attack \"", w, "\""));
    }
  }
  for (const Attack& a : all) {
    if (std::find(wanted.begin(), wanted.end(), a.name) != wanted.end()) selected.push_back(&a);
  }
  return selected;
}

absl::StatusOr<Image> ApplyAttack(const Attack& attack, const Image& in, uint64_t seed) {
  const ColorModel m = in.color_model();
  if (m == ColorModel::kYCbCr || m == ColorModel::kYCbCrA) {
    return absl::InvalidArgumentError("attacks take RGB or gray images");
  }
  HM_ASSIGN_OR_RETURN(Image out, attack.apply(in, seed));
  Quantize8(&out);
  return out;
}

}  // namespace hallmark::eval
