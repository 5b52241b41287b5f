// What the load generator sends: parsed from --workload specs such as
// "text:4096", "detect:4k", "stream:50tps" or "stream:50tps:400w".
#ifndef HALLMARK_BENCH_LOADGEN_WORKLOAD_H_
#define HALLMARK_BENCH_LOADGEN_WORKLOAD_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::loadgen {

enum class WorkloadKind {
  kText,    // unary MarkText with a fresh text of `bytes` per request
  kDetect,  // unary Detect on one text of `bytes`, marked once at start-up
  kStream,  // MarkTextStream, one word per message at `tokens_per_second`
};

struct WorkloadSpec {
  std::string name;  // canonical spec, e.g. "text:4096"
  WorkloadKind kind = WorkloadKind::kText;
  size_t bytes = 0;              // kText, kDetect
  double tokens_per_second = 0;  // kStream
  int stream_words = 400;        // kStream: words per streamed text

  bool unary() const { return kind != WorkloadKind::kStream; }
};

inline constexpr size_t kMaxWorkloadBytes = size_t{64} << 20;

// Parses one spec. Sizes are bytes, or with a k/K (x1024) or m/M (x1048576)
// suffix. Image specs are recognised and refused (hallmarkd answers
// MarkImage with UNIMPLEMENTED for now).
absl::StatusOr<WorkloadSpec> ParseWorkload(absl::string_view spec);

// Parses every spec in `flags`, each of which may hold several separated by
// commas.
absl::StatusOr<std::vector<WorkloadSpec>> ParseWorkloads(const std::vector<std::string>& flags);

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_WORKLOAD_H_
