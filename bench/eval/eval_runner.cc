#include "bench/eval/eval_runner.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "bench/eval/image_ops.h"
#include "bench/eval/image_quality.h"
#include "watermark/base/split_mix64.h"
#include "watermark/base/status_macros.h"
#include "watermark/image/codec/image_codec.h"
#include "watermark/key/watermark_key.h"
#include "watermark/payload/payload.h"

namespace hallmark::eval {
namespace {

using image::ColorModel;
using image::Image;
using image::ImageDetection;
using image::ImageScheme;
using watermark::KeySet;
using watermark::PayloadBits;
using watermark::PayloadFields;
using watermark::WatermarkKey;

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// FNV-1a: a per-image seed that depends on the image's name, not on its
// position in the run, so adding images does not change the others' results.
uint64_t HashName(const std::string& name) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001B3ULL;
  return h;
}

// The payload an image is marked with (random fields from a generator
// seeded by the run's seed and the image's name; the key tag must be the
// key's) and the seed of the attacks' randomness for that image.
struct ImagePayload {
  PayloadFields fields;
  uint64_t noise_seed = 0;
};

ImagePayload PayloadFor(uint64_t seed, const std::string& name, const WatermarkKey& key) {
  SplitMix64 rng(seed ^ HashName(name));
  ImagePayload p;
  p.fields.key_tag = key.tag();
  p.fields.space_tag = static_cast<uint16_t>(rng.Next());
  p.fields.hour = static_cast<uint32_t>(rng.Next() & watermark::kMaxHour);
  p.fields.nonce = static_cast<uint16_t>(rng.Next() & watermark::kMaxNonce);
  p.noise_seed = rng.Next();
  return p;
}

// A key with the given id and a 32-byte secret drawn from `rng`.
absl::StatusOr<std::shared_ptr<const WatermarkKey>> MakeKey(const std::string& id,
                                                            SplitMix64* rng) {
  std::array<uint8_t, 32> secret;
  for (size_t i = 0; i < secret.size(); i += 8) {
    const uint64_t r = rng->Next();
    for (int b = 0; b < 8; ++b) secret[i + b] = static_cast<uint8_t>(r >> (8 * b));
  }
  return WatermarkKey::Create(id, secret);
}

std::string ColorModelName(ColorModel m) {
  switch (m) {
    case ColorModel::kGray:
      return "gray";
    case ColorModel::kGrayAlpha:
      return "gray+alpha";
    case ColorModel::kRgb:
      return "rgb";
    case ColorModel::kRgba:
      return "rgba";
    case ColorModel::kYCbCr:
      return "ycbcr";
    case ColorModel::kYCbCrA:
      return "ycbcr+alpha";
  }
  return "unknown";
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The image as the evaluation sees it: decoded, 8-bit valued (16-bit PNGs
// are rounded to 8 bits first, as everything is measured on 8-bit samples).
absl::StatusOr<image::DecodedImage> LoadImage(const std::string& path) {
  HM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  HM_ASSIGN_OR_RETURN(image::DecodedImage decoded, image::DecodeImage(bytes));
  if (decoded.pixels.bit_depth() != 8) {
    Quantize8(&decoded.pixels);
    decoded.pixels.set_bit_depth(8);
  }
  return decoded;
}

struct Timed {
  ImageDetection detection;
  double ms = 0;
};

// Detect on an RGB or gray image: converted to YCbCr first (not timed).
absl::StatusOr<Timed> DetectRgb(const ImageScheme& scheme, const Image& rgb, const KeySet& keys) {
  HM_ASSIGN_OR_RETURN(Image ycc, rgb.Clone());
  HM_RETURN_IF_ERROR(image::ConvertRgbToYCbCr(&ycc));
  Timed t;
  const Clock::time_point start = Clock::now();
  t.detection = scheme.Detect(ycc, keys);
  t.ms = MillisSince(start);
  return t;
}

double BitAccuracy(const PayloadBits& got, const PayloadBits& want) {
  int same = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    same += 8 - __builtin_popcount(static_cast<unsigned>(got[i] ^ want[i]));
  }
  return same / static_cast<double>(watermark::kPayloadBits);
}

// Percentage of colour samples outside [0, 255] (by more than the rounding
// would absorb).
double ClippedPercent(const Image& image) {
  const int channels =
      image::HasAlpha(image.color_model()) ? image.channels() - 1 : image.channels();
  int64_t clipped = 0;
  for (int c = 0; c < channels; ++c) {
    for (int y = 0; y < image.height(); ++y) {
      const float* row = image.Row(c, y);
      for (int x = 0; x < image.width(); ++x) clipped += row[x] < -0.5f || row[x] > 255.5f;
    }
  }
  return 100.0 * clipped / (static_cast<double>(image.width()) * image.height() * channels);
}

// The context one marked image is evaluated in.
struct MarkContext {
  const ImageScheme* scheme;
  std::shared_ptr<const WatermarkKey> key;
  KeySet keys;  // just `key`
  const EvalOptions* options;
};

AttackOutcome Judge(const std::string& attack, const Timed& t, const Image& attacked,
                    const PayloadFields& fields, const PayloadBits& sealed,
                    const WatermarkKey* key) {
  AttackOutcome o;
  o.attack = attack;
  o.width = attacked.width();
  o.height = attacked.height();
  const ImageDetection& d = t.detection;
  o.detected = d.detected;
  o.verified = d.verified;
  o.recovered = d.verified && d.payload.has_value() && *d.payload == fields && d.key == key;
  o.wrong_payload = d.verified && !o.recovered;
  o.bit_accuracy = BitAccuracy(d.decoded_bits, sealed);
  o.geometry = d.geometry;
  o.geometries_tried = d.geometries_tried;
  o.codeword_score = d.codeword_score;
  o.detect_ms = t.ms;
  return o;
}

// Marks one image and runs every attack on it. Fills `result`; errors are
// recorded in result->skipped.
void EvaluateImage(const MarkContext& ctx, const InputImage& input, ImageResult* result) {
  result->name = input.name;
  result->path = input.path;
  absl::StatusOr<image::DecodedImage> decoded = LoadImage(input.path);
  if (!decoded.ok()) {
    result->skipped = absl::StrCat("decode: ", decoded.status().message());
    return;
  }
  const Image& original = decoded->pixels;
  result->width = original.width();
  result->height = original.height();
  result->color_model = ColorModelName(original.color_model());
  result->source_format = std::string(image::ImageFormatName(decoded->metadata.source_format));
  if (original.width() < ctx.scheme->min_dimension() ||
      original.height() < ctx.scheme->min_dimension()) {
    result->skipped =
        absl::StrCat("smaller than the scheme's minimum side (", ctx.scheme->min_dimension(), ")");
    return;
  }

  const ImagePayload payload = PayloadFor(ctx.options->seed, input.name, *ctx.key);
  const PayloadFields& fields = payload.fields;
  const uint64_t noise_seed = payload.noise_seed;
  const PayloadBits sealed =
      watermark::SealPayload(fields, *ctx.key, watermark::PayloadDomain::kImage);

  absl::StatusOr<Image> ycc = original.Clone();
  absl::Status st = ycc.ok() ? image::ConvertRgbToYCbCr(&*ycc) : ycc.status();
  if (!st.ok()) {
    result->skipped = absl::StrCat("convert: ", st.message());
    return;
  }
  // Mark core: YCbCr in, marked YCbCr out, on a fresh copy each time.
  Image marked;
  const int repeats = std::max(1, ctx.options->timing_repeats);
  for (int r = 0; r < repeats; ++r) {
    absl::StatusOr<Image> work = ycc->Clone();
    if (!work.ok()) {
      result->skipped = absl::StrCat("clone: ", work.status().message());
      return;
    }
    const Clock::time_point start = Clock::now();
    absl::StatusOr<image::ImageMarkResult> mark = ctx.scheme->Mark(&*work, fields, *ctx.key);
    const double ms = MillisSince(start);
    if (!mark.ok()) {
      result->skipped = absl::StrCat("mark: ", mark.status().message());
      return;
    }
    if (!mark->marked) {
      result->skipped = "the scheme left it unmarked";
      return;
    }
    result->mark_ms.push_back(ms);
    if (r == 0) {
      result->scheme_psnr_db = mark->psnr_db;
      marked = *std::move(work);
    }
  }
  for (int r = 0; r < repeats; ++r) {
    const Clock::time_point start = Clock::now();
    const ImageDetection d = ctx.scheme->Detect(marked, ctx.keys);
    result->detect_ms.push_back(MillisSince(start));
    if (r == 0) {
      const AttackOutcome o = Judge("float", Timed{d, 0}, marked, fields, sealed, ctx.key.get());
      result->float_recovered = o.recovered;
      result->float_bit_accuracy = o.bit_accuracy;
    }
  }

  // The marked output as it would be saved: RGB (or gray), 8 bits.
  st = image::ConvertYCbCrToRgb(&marked);
  if (!st.ok()) {
    result->skipped = absl::StrCat("convert back: ", st.message());
    return;
  }
  result->clipped_pct = ClippedPercent(marked);
  Quantize8(&marked);
  result->psnr_db = Psnr(original, marked);
  result->ssim = SsimLuminance(original, marked);

  for (const Attack* attack : ctx.options->attacks) {
    absl::StatusOr<Image> attacked = ApplyAttack(*attack, marked, noise_seed);
    absl::StatusOr<Timed> t =
        attacked.ok() ? DetectRgb(*ctx.scheme, *attacked, ctx.keys) : attacked.status();
    if (!t.ok()) {
      AttackOutcome o;
      o.attack = attack->name;
      o.error = std::string(t.status().message());
      result->attacks.push_back(std::move(o));
      continue;
    }
    result->attacks.push_back(Judge(attack->name, *t, *attacked, fields, sealed, ctx.key.get()));
  }
}

std::string ProgressLine(const ImageResult& r) {
  if (!r.skipped.empty()) return absl::StrCat(r.name, ": skipped (", r.skipped, ")");
  int recovered = 0;
  std::string failed;
  for (const AttackOutcome& o : r.attacks) {
    if (o.recovered) {
      ++recovered;
    } else {
      absl::StrAppendFormat(&failed, " %s(%.0f%%)", o.attack, 100 * o.bit_accuracy);
    }
  }
  return absl::StrFormat(
      "%s %dx%d: PSNR %.2f dB, SSIM %.4f, mark %.2f ms, detect %.2f ms, %d/%d "
      "attacks recovered%s%s",
      r.name, r.width, r.height, r.psnr_db, r.ssim, r.mark_ms.front(), r.detect_ms.front(),
      recovered, r.attacks.size(), failed.empty() ? "" : "; failed:", failed);
}

// Keys for the false-positive trials, none equal to the test key.
absl::StatusOr<std::vector<KeySet>> MakeFpKeys(uint64_t seed, int n) {
  SplitMix64 rng(seed ^ 0x66702D6B657973ULL);  // "fp-keys"
  std::vector<KeySet> keys;
  keys.reserve(n);
  for (int i = 0; i < n; ++i) {
    HM_ASSIGN_OR_RETURN(auto key, MakeKey(absl::StrFormat("eval-fp-%05d", i), &rng));
    keys.emplace_back(std::vector<std::shared_ptr<const WatermarkKey>>{std::move(key)});
  }
  return keys;
}

// Tries every key of `keys` on `rgb` (one Detect per key) and counts.
void CountFalsePositives(const ImageScheme& scheme, const Image& rgb, const std::string& what,
                         const std::vector<KeySet>& keys, int64_t* trials, int64_t* verified,
                         int64_t* detected, double* max_score, double* total_ms,
                         std::vector<std::string>* incidents) {
  for (const KeySet& k : keys) {
    absl::StatusOr<Timed> t = DetectRgb(scheme, rgb, k);
    if (!t.ok()) continue;
    ++*trials;
    if (total_ms != nullptr) *total_ms += t->ms;
    const ImageDetection& d = t->detection;
    if (d.detected && !d.verified) ++*detected;
    if (max_score != nullptr) *max_score = std::max(*max_score, d.codeword_score);
    if (d.verified) {
      ++*verified;
      incidents->push_back(absl::StrCat(what, " verified under key ", k.keys()[0]->id(),
                                        " (geometry ", d.geometry, ")"));
    }
  }
}

}  // namespace

absl::StatusOr<EvalResult> RunEvaluation(const ImageScheme& scheme,
                                         const std::vector<InputImage>& images,
                                         const EvalOptions& options, std::ostream* progress) {
  const Clock::time_point start = Clock::now();
  EvalResult out;
  out.scheme = std::string(scheme.name());
  out.min_dimension = scheme.min_dimension();
  out.options = options;
  for (const Attack* a : options.attacks) out.attack_names.push_back(a->name);

  SplitMix64 key_rng(options.seed ^ 0x746573742D6B6579ULL);  // "test-key"
  HM_ASSIGN_OR_RETURN(auto key, MakeKey("eval-test", &key_rng));
  MarkContext ctx{&scheme, key, KeySet({key}), &options};

  // Pass 1: mark, measure, attack, detect.
  int usable = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    ImageResult r;
    EvaluateImage(ctx, images[i], &r);
    if (r.skipped.empty()) ++usable;
    if (progress != nullptr) {
      *progress << "[" << i + 1 << "/" << images.size() << "] " << ProgressLine(r) << std::endl;
    }
    out.images.push_back(std::move(r));
  }
  if (usable == 0) return absl::InvalidArgumentError("no image could be evaluated");

  // Pass 2: false positives. Unmarked variants are the originals and, with
  // fp_attacked, every attack (but "none") applied to them.
  int per_image = 1;
  if (options.fp_attacked) {
    for (const Attack* a : options.attacks) per_image += a->name != "none";
  }
  FalsePositiveStats& fp = out.fp;
  fp.keys = options.fp_keys;
  if (fp.keys <= 0) {
    const int64_t variants = static_cast<int64_t>(usable) * per_image;
    fp.keys = static_cast<int>((options.min_fp_trials + variants - 1) / variants);
    fp.keys = std::max(fp.keys, 1);
  }
  HM_ASSIGN_OR_RETURN(std::vector<KeySet> fp_keys, MakeFpKeys(options.seed, fp.keys));
  if (progress != nullptr) {
    *progress << "false positives: " << usable << " images x " << per_image << " variants x "
              << fp.keys << " keys" << std::endl;
  }
  double unmarked_ms = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    if (!out.images[i].skipped.empty()) continue;
    absl::StatusOr<image::DecodedImage> decoded = LoadImage(images[i].path);
    if (!decoded.ok()) continue;
    const Image& original = decoded->pixels;
    const uint64_t noise_seed =
        SplitMix64(options.seed ^ HashName(images[i].name) ^ 0x756E6D61726B6564ULL).Next();
    CountFalsePositives(scheme, original, images[i].name + " (original)", fp_keys,
                        &fp.unmarked_trials, &fp.unmarked_verified, &fp.unmarked_detected,
                        &fp.unmarked_max_codeword_score, &unmarked_ms, &fp.incidents);
    ++fp.unmarked_variants;
    if (options.fp_attacked) {
      for (const Attack* a : options.attacks) {
        if (a->name == "none") continue;
        absl::StatusOr<Image> attacked = ApplyAttack(*a, original, noise_seed);
        if (!attacked.ok()) continue;
        CountFalsePositives(scheme, *attacked, absl::StrCat(images[i].name, " (", a->name, ")"),
                            fp_keys, &fp.unmarked_trials, &fp.unmarked_verified,
                            &fp.unmarked_detected, &fp.unmarked_max_codeword_score, &unmarked_ms,
                            &fp.incidents);
        ++fp.unmarked_variants;
      }
    }
    // The marked image under keys it was not marked with.
    absl::StatusOr<Image> ycc = original.Clone();
    if (!ycc.ok() || !image::ConvertRgbToYCbCr(&*ycc).ok()) continue;
    const ImagePayload payload = PayloadFor(options.seed, images[i].name, *key);
    if (!scheme.Mark(&*ycc, payload.fields, *key).ok() || !image::ConvertYCbCrToRgb(&*ycc).ok())
      continue;
    Quantize8(&*ycc);
    CountFalsePositives(scheme, *ycc, images[i].name + " (marked, wrong key)", fp_keys,
                        &fp.marked_trials, &fp.marked_verified, &fp.marked_detected, nullptr,
                        nullptr, &fp.incidents);
    if (progress != nullptr) {
      *progress << "  " << images[i].name << ": " << fp.unmarked_trials << " unmarked trials, "
                << fp.unmarked_verified << " verified so far" << std::endl;
    }
  }
  if (fp.unmarked_trials > 0) fp.unmarked_mean_detect_ms = unmarked_ms / fp.unmarked_trials;
  out.seconds = MillisSince(start) / 1000.0;
  return out;
}

}  // namespace hallmark::eval
