// Sweep mode: the same RunConfig at rising open-loop rates until the sidecar
// (or the generator) can no longer keep up, to find the sustainable rate.
#ifndef HALLMARK_BENCH_LOADGEN_SWEEP_H_
#define HALLMARK_BENCH_LOADGEN_SWEEP_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bench/loadgen/load_runner.h"

namespace hallmark::loadgen {

struct SweepConfig {
  double start_rps = 500;
  double factor = 1.5;
  double max_rps = 50000;
  // A step fails when the target's p99 (absolute, not added) exceeds this.
  absl::Duration p99_threshold = absl::Milliseconds(5);
  // A step fails when more than this fraction of sends were late: the
  // generator, not the sidecar, was the limit.
  double max_late_fraction = 0.01;
  // The cores hallmarkd could use, for the per-core rate (not measured).
  int sidecar_cores = 1;
};

// Why a step failed (or why the sweep ended).
enum class SweepLimit {
  kNone,       // the step passed
  kLatency,    // p99 above the threshold
  kErrors,     // non-OK calls
  kShedding,   // PASSED_THROUGH / OVERLOAD / BLOCKED decisions
  kGenerator,  // late sends above max_late_fraction
  kSweepMax,   // the sweep reached --sweep_max with every step passing
};

// "p99", "errors", "shedding", "generator", "sweep_max" or "none".
std::string SweepLimitName(SweepLimit limit);

struct SweepStep {
  double rate = 0;
  RunResult run;
  bool has_baseline = false;
  RunResult baseline;  // the echo run at the same rate, when has_baseline
  double late_fraction = 0;
  int64_t shed = 0;                      // PASSED_THROUGH + BLOCKED decisions and OVERLOAD reasons
  SweepLimit limit = SweepLimit::kNone;  // the first of `failures`, or kNone
  // Every criterion the step failed, generator lateness first: when the
  // generator fell behind, the other failures may be its doing.
  std::vector<SweepLimit> failures;
  bool passed() const { return limit == SweepLimit::kNone; }
};

struct SweepResult {
  std::vector<SweepStep> steps;
  double sustainable_rps = 0;            // the rate of the last step that passed; 0 if none
  SweepLimit limit = SweepLimit::kNone;  // what ended the sweep
};

// Judges one step against the sweep's criteria (fills late_fraction, shed
// and limit). Generator lateness is checked first: a generator that falls
// behind inflates the latencies it measures.
void JudgeStep(const SweepConfig& sweep, SweepStep& step);

// Runs `config` at sweep.start_rps, then each rate times sweep.factor (the
// last step at sweep.max_rps exactly), against `address`, and against
// `baseline_address` too when it is not empty. Stops after the first step
// that fails. `on_step` is called after each step (for live output).
absl::StatusOr<SweepResult> RunSweep(const RunConfig& config, const SweepConfig& sweep,
                                     absl::string_view address, absl::string_view label,
                                     absl::string_view baseline_address,
                                     const std::function<void(const SweepStep&)>& on_step);

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_SWEEP_H_
