// hallmark-eval's output: aggregates an EvalResult per attack and per image
// size and renders it as a Markdown report and as JSON with the same data
// (plus every per-image, per-attack outcome).
#ifndef HALLMARK_BENCH_EVAL_EVAL_REPORT_H_
#define HALLMARK_BENCH_EVAL_EVAL_REPORT_H_

#include <string>
#include <vector>

#include "bench/eval/eval_runner.h"

namespace hallmark::eval {

struct AttackSummary {
  std::string attack;
  std::string description;
  int n = 0;  // marked images the attack ran on
  int recovered = 0;
  int errors = 0;  // the attack itself failed
  double exact_recovery_pct = 0;
  double mean_bit_accuracy_pct = 0;
  double min_bit_accuracy_pct = 0;
  double mean_detect_ms = 0;
  double max_detect_ms = 0;
};

// Mean and 99th percentile (nearest rank) of a set of samples.
struct Stat {
  int count = 0;
  double mean = 0;
  double min = 0;
  double p99 = 0;
  double max = 0;
};
Stat SummariseSamples(std::vector<double> samples);

struct SizeTiming {
  int width = 0;
  int height = 0;
  int images = 0;
  Stat mark_ms;
  Stat detect_ms;
};

struct ReportSummary {
  std::vector<AttackSummary> attacks;
  int images = 0;  // evaluated
  int skipped = 0;
  Stat psnr_db;
  Stat scheme_psnr_db;
  Stat ssim;
  Stat mark_ms_per_mp;  // over every timed call
  Stat detect_ms_per_mp;
  // Detect split by outcome on the clean marked image: a found mark stops
  // at the first geometry that verifies, a missed one tries them all.
  Stat detect_ms_per_mp_found;
  Stat detect_ms_per_mp_missed;
  std::vector<SizeTiming> sizes;  // by pixel count
};

ReportSummary Summarise(const EvalResult& result);

// The report: the per-attack table first (rows = attacks, columns = exact
// recovery %, mean and min bit accuracy %, n, mean detect ms), then
// invisibility, core timings, false positives, a per-image matrix and the
// attack definitions.
std::string RenderMarkdown(const EvalResult& result, const ReportSummary& summary);

std::string RenderJson(const EvalResult& result, const ReportSummary& summary);

}  // namespace hallmark::eval

#endif  // HALLMARK_BENCH_EVAL_EVAL_REPORT_H_
