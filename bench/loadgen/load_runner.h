// One load run: warm-up, then a measured window, against one gRPC address.
//
// Unary workloads (text, detect, image, detect-image) run open loop at a fixed rate or closed loop
// with N callers; stream workloads keep N streams going at their token rate.
// Several workloads in one run are mixed: unary calls take the workloads in
// turn (call i is workload i mod k), streams run alongside.
//
// Open loop follows the schedule t0 + i / rate whatever happens: latency is
// measured from the intended send time, so a generator that falls behind (or
// a server that stalls it) is charged for the delay instead of hiding it
// (no coordinated omission); such sends are counted as late.
//
// RunLoad is the building block of every mode: a plain run, the echo
// baseline (the same RunConfig against another address) and, later, a sweep
// (the same RunConfig at increasing rates).
#ifndef HALLMARK_BENCH_LOADGEN_LOAD_RUNNER_H_
#define HALLMARK_BENCH_LOADGEN_LOAD_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bench/loadgen/run_stats.h"
#include "bench/loadgen/workload.h"
#include "bench/loadgen/workload_image.h"

namespace hallmark::loadgen {

struct RunConfig {
  std::vector<WorkloadSpec> workloads;
  // Unary calls per second over all unary workloads; 0 = closed loop.
  double rate = 1000;
  // Closed loop: concurrent callers. Streams: concurrent streams per stream
  // workload.
  int concurrency = 8;
  absl::Duration duration = absl::Seconds(10);
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration deadline = absl::Milliseconds(1000);  // per unary call
  // Unary calls slower than this are counted as over budget (hallmarkd's
  // default latency budget).
  absl::Duration budget = absl::Milliseconds(200);
  std::string space = "loadgen/bench";
  int channels = 1;  // gRPC channels (TCP connections), used in turn
  // Image workloads: the photo file or directory their images are made from
  // (see MakeWorkloadImage), and the images themselves, per workload (null
  // for other kinds). RunLoad makes missing ones; MakeWorkloadImages makes
  // them once for several runs (the echo baseline, every sweep step).
  std::string image_source;
  std::vector<std::shared_ptr<const WorkloadImage>> images;
};

// Fills config->images for every image workload that has none yet.
absl::Status MakeWorkloadImages(RunConfig* config);

struct RunResult {
  std::string label;                      // e.g. "hallmarkd" or "echo"
  std::string address;                    // what was dialled
  std::vector<WorkloadResult> workloads;  // in RunConfig order
  WorkloadResult total;                   // all workloads merged
  // Calls sent before the measured window (unary calls and stream deltas),
  // left out of every statistic above.
  int64_t warmup_requests = 0;
  // Calls made while preparing (one MarkText per detect workload, one
  // MarkImage per detect-image workload).
  int64_t setup_requests = 0;
};

// Connects to `address` (host:port or unix:/path), prepares the payloads
// (Detect marks its text or image once here) and runs the load. Blocks for about
// warmup + duration, plus the time the last calls take to finish.
absl::StatusOr<RunResult> RunLoad(const RunConfig& config, absl::string_view address,
                                  absl::string_view label);

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_LOAD_RUNNER_H_
