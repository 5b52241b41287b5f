// The evaluation behind hallmark-eval: marks every image with a fixed test
// key and a reproducible random payload, measures invisibility and core
// timings, runs every attack on the marked image and detects, then counts
// false verifications on unmarked images (and on marked ones under wrong
// keys). Plain data out; eval_report.h turns it into Markdown and JSON.
#ifndef HALLMARK_BENCH_EVAL_EVAL_RUNNER_H_
#define HALLMARK_BENCH_EVAL_EVAL_RUNNER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/eval/image_attacks.h"
#include "watermark/image/image_scheme.h"

namespace hallmark::eval {

struct EvalOptions {
  // Seeds the test key, the false-positive keys, every payload and the noise.
  uint64_t seed = 1;
  // False-positive keys tried on each unmarked image variant; 0 = as many
  // as needed for at least `min_fp_trials` trials over the whole set.
  int fp_keys = 0;
  int64_t min_fp_trials = 10000;
  // Unmarked variants: the originals and every attack applied to them
  // (true), or the originals only.
  bool fp_attacked = true;
  // Timed Mark and Detect calls per image (the first Mark's output is kept).
  int timing_repeats = 5;
  // The attacks to run, in report order (from SelectAttacks).
  std::vector<const Attack*> attacks;
};

// One image to evaluate: a display name (unique in the run) and its file.
struct InputImage {
  std::string name;
  std::string path;
};

struct AttackOutcome {
  std::string attack;
  // The attack could not be applied (e.g. an encoder error); nothing below
  // is meaningful then.
  std::string error;
  int width = 0;  // size of the attacked image
  int height = 0;
  bool detected = false;
  bool verified = false;
  // Verified under the test key with exactly the sealed payload fields.
  bool recovered = false;
  // Verified, but with other fields or another key: must never happen.
  bool wrong_payload = false;
  // Fraction of the 88 sealed payload bits that ImageDetection::decoded_bits
  // got right.
  double bit_accuracy = 0;
  std::string geometry;
  int geometries_tried = 0;
  double codeword_score = 0;
  // The Detect call alone (YCbCr in), in milliseconds.
  double detect_ms = 0;
};

struct ImageResult {
  std::string name;
  std::string path;
  int width = 0;
  int height = 0;
  std::string color_model;    // "rgb", "gray", ...
  std::string source_format;  // "jpeg", "png", ...
  // Non-empty when the image was not evaluated (decode failure, too small,
  // not marked), with the reason.
  std::string skipped;
  // PSNR of the marked 8-bit output against the decoded original, every
  // colour channel; the scheme's own float-domain estimate; luminance SSIM.
  double psnr_db = 0;
  double scheme_psnr_db = 0;
  double ssim = 0;
  // Detect on the marked YCbCr floats themselves (before the conversion
  // back to RGB, clipping and rounding): tells a scheme that cannot read its
  // own mark from one whose mark does not survive being saved as 8 bits.
  bool float_recovered = false;
  double float_bit_accuracy = 0;
  // Percentage of the marked output's colour samples that fell outside
  // [0, 255] before rounding and were clipped.
  double clipped_pct = 0;
  // Core timings in milliseconds: Mark on the YCbCr image (in place), and
  // Detect on the marked YCbCr image under the test key.
  std::vector<double> mark_ms;
  std::vector<double> detect_ms;
  std::vector<AttackOutcome> attacks;
};

struct FalsePositiveStats {
  int keys = 0;  // keys tried on each image variant
  int64_t unmarked_variants = 0;
  int64_t unmarked_trials = 0;  // variants x keys
  int64_t unmarked_verified = 0;
  int64_t unmarked_detected = 0;  // codeword consistent, MAC not matched
  double unmarked_max_codeword_score = 0;
  double unmarked_mean_detect_ms = 0;
  int64_t marked_trials = 0;  // marked images x wrong keys
  int64_t marked_verified = 0;
  int64_t marked_detected = 0;
  // One line per false verification (image, variant, key).
  std::vector<std::string> incidents;
};

struct EvalResult {
  std::string scheme;
  int min_dimension = 0;
  EvalOptions options;
  std::vector<std::string> attack_names;
  std::vector<ImageResult> images;
  FalsePositiveStats fp;
  double seconds = 0;
};

// Runs the evaluation of `images` with `scheme`; progress lines (one per
// image and phase) go to `progress` when it is not null. Errors only for
// problems with the run itself (no usable image); per-image and per-attack
// failures are recorded in the result.
absl::StatusOr<EvalResult> RunEvaluation(const image::ImageScheme& scheme,
                                         const std::vector<InputImage>& images,
                                         const EvalOptions& options, std::ostream* progress);

}  // namespace hallmark::eval

#endif  // HALLMARK_BENCH_EVAL_EVAL_RUNNER_H_
