// The load generator's output: a table for people and a JSON document for
// scripts (docs/performance.md, the sweep, CI smoke runs).
#ifndef HALLMARK_BENCH_LOADGEN_REPORT_H_
#define HALLMARK_BENCH_LOADGEN_REPORT_H_

#include <string>

#include "bench/loadgen/load_runner.h"
#include "bench/loadgen/sweep.h"

namespace hallmark::loadgen {

// The conditions of a run, reported with its numbers.
struct RunContext {
  std::string target;  // as given on the command line
  RunConfig config;
  int cores = 0;
  std::string loadavg_before;  // /proc/loadavg's first three fields
  std::string loadavg_after;
};

// The first three fields of /proc/loadavg, or "unknown".
std::string ReadLoadAverage();

// `baseline` may be null (no --baseline).
std::string FormatTable(const RunContext& context, const RunResult& run, const RunResult* baseline);
std::string FormatJson(const RunContext& context, const RunResult& run, const RunResult* baseline);

// Sweep mode: the header (conditions and column names), one row per step
// as it finishes, the summary (sustainable rate, per core, what stopped the
// sweep) and the JSON document (`sweep` array, `sustainable_rps`, ...).
std::string FormatSweepHeader(const RunContext& context, const SweepConfig& sweep, bool baseline);
std::string FormatSweepRow(const SweepStep& step);
std::string FormatSweepSummary(const RunContext& context, const SweepConfig& sweep,
                               const SweepResult& result);
std::string FormatSweepJson(const RunContext& context, const SweepConfig& sweep,
                            const SweepResult& result);

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_REPORT_H_
