#include "bench/loadgen/workload.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hallmark::loadgen {
namespace {

absl::StatusOr<size_t> ParseBytes(absl::string_view text, absl::string_view spec) {
  uint64_t multiplier = 1;
  if (absl::ConsumeSuffix(&text, "k") || absl::ConsumeSuffix(&text, "K")) {
    multiplier = 1024;
  } else if (absl::ConsumeSuffix(&text, "m") || absl::ConsumeSuffix(&text, "M")) {
    multiplier = 1024 * 1024;
  }
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value == 0 || value * multiplier > kMaxWorkloadBytes) {
    return absl::InvalidArgumentError(absl::StrCat("workload \"", spec,
                                                   "\": the size must be a byte count from 1 to ",
                                                   kMaxWorkloadBytes, " (suffix k or m allowed)"));
  }
  return static_cast<size_t>(value * multiplier);
}

}  // namespace

absl::StatusOr<WorkloadSpec> ParseWorkload(absl::string_view spec) {
  spec = absl::StripAsciiWhitespace(spec);
  const std::vector<absl::string_view> parts = absl::StrSplit(spec, ':');
  WorkloadSpec out;
  const absl::string_view kind = parts[0];
  if (kind == "text" || kind == "detect") {
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("workload \"", spec, "\": expected ", kind, ":BYTES, e.g. ", kind, ":4096"));
    }
    auto bytes = ParseBytes(parts[1], spec);
    if (!bytes.ok()) return bytes.status();
    out.kind = kind == "text" ? WorkloadKind::kText : WorkloadKind::kDetect;
    out.bytes = *bytes;
    out.name = absl::StrCat(kind, ":", out.bytes);
    return out;
  }
  if (kind == "stream") {
    double tps = 0;
    absl::string_view rate = parts.size() >= 2 ? parts[1] : "";
    if (parts.size() < 2 || parts.size() > 3 || !absl::ConsumeSuffix(&rate, "tps") ||
        !absl::SimpleAtod(rate, &tps) || !(tps > 0) || tps > 100000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "workload \"", spec, "\": expected stream:RATEtps[:WORDSw], e.g. stream:50tps"));
    }
    out.kind = WorkloadKind::kStream;
    out.tokens_per_second = tps;
    if (parts.size() == 3) {
      absl::string_view words = parts[2];
      if (!absl::ConsumeSuffix(&words, "w") || !absl::SimpleAtoi(words, &out.stream_words) ||
          out.stream_words < 1 || out.stream_words > 1000000) {
        return absl::InvalidArgumentError(absl::StrCat(
            "workload \"", spec, "\": the third field is the words per stream, e.g. 400w"));
      }
    }
    out.name = absl::StrCat("stream:", rate, "tps");
    if (parts.size() == 3) absl::StrAppend(&out.name, ":", out.stream_words, "w");
    return out;
  }
  if (kind == "image") {
    return absl::UnimplementedError(
        absl::StrCat("workload \"", spec,
                     "\": image workloads are not supported yet (hallmarkd answers "
                     "MarkImage with UNIMPLEMENTED)"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("workload \"", spec, "\": unknown kind \"", kind,
                   "\"; expected text:BYTES, detect:BYTES or stream:RATEtps"));
}

absl::StatusOr<std::vector<WorkloadSpec>> ParseWorkloads(const std::vector<std::string>& flags) {
  std::vector<WorkloadSpec> out;
  for (const std::string& flag : flags) {
    for (absl::string_view spec : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
      absl::StatusOr<WorkloadSpec> parsed = ParseWorkload(spec);
      if (!parsed.ok()) return parsed.status();
      out.push_back(*std::move(parsed));
    }
  }
  if (out.empty()) return absl::InvalidArgumentError("no workload given (--workload)");
  return out;
}

}  // namespace hallmark::loadgen
