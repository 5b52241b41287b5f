// The attacks hallmark-eval runs on every marked image (issue 3): lossless
// and lossy re-encoding through Hallmark's own codecs, resizing, cropping,
// colour changes, noise, rotation, flips and palette requantisation.
//
// An attack takes an 8-bit-valued RGB or gray image (the marked output as it
// would be saved) and returns the received image, again 8-bit valued:
// ApplyAttack re-quantises every result as if it had been saved losslessly,
// so the detector never sees more precision than a real file carries.
#ifndef HALLMARK_BENCH_EVAL_IMAGE_ATTACKS_H_
#define HALLMARK_BENCH_EVAL_IMAGE_ATTACKS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "watermark/image/codec/image.h"

namespace hallmark::eval {

struct Attack {
  // Short stable id used in tables, JSON and --attacks, e.g. "jpeg75".
  std::string name;
  // What it does, precisely enough to reproduce it elsewhere.
  std::string description;
  // `seed` drives the randomness of randomised attacks (noise); the others
  // ignore it.
  std::function<absl::StatusOr<image::Image>(const image::Image& in, uint64_t seed)> apply;
};

// Every attack, in report order; the first one ("none") is the marked image
// itself, the control row.
const std::vector<Attack>& StandardAttacks();

// The attacks named in `names` (comma-separated ids), in report order;
// INVALID_ARGUMENT naming an unknown id. Empty = all.
absl::StatusOr<std::vector<const Attack*>> SelectAttacks(absl::string_view names);

// Runs `attack` on `in` (8-bit-valued gray or RGB) and re-quantises the
// result to 8 bits.
absl::StatusOr<image::Image> ApplyAttack(const Attack& attack, const image::Image& in,
                                         uint64_t seed);

}  // namespace hallmark::eval

#endif  // HALLMARK_BENCH_EVAL_IMAGE_ATTACKS_H_
