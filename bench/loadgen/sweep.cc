#include "bench/loadgen/sweep.h"

#include <algorithm>
#include <utility>

namespace hallmark::loadgen {

std::string SweepLimitName(SweepLimit limit) {
  switch (limit) {
    case SweepLimit::kNone:
      return "none";
    case SweepLimit::kLatency:
      return "p99";
    case SweepLimit::kErrors:
      return "errors";
    case SweepLimit::kShedding:
      return "shedding";
    case SweepLimit::kGenerator:
      return "generator";
    case SweepLimit::kSweepMax:
      return "sweep_max";
  }
  return "unknown";
}

namespace {

int64_t Count(const std::map<std::string, int64_t>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

}  // namespace

void JudgeStep(const SweepConfig& sweep, SweepStep& step) {
  const WorkloadResult& total = step.run.total;
  step.late_fraction = total.requests > 0 ? static_cast<double>(total.late_sends) /
                                                static_cast<double>(total.requests)
                                          : 0;
  step.shed = Count(total.decisions, "DECISION_PASSED_THROUGH") +
              Count(total.decisions, "DECISION_BLOCKED") + Count(total.reasons, "REASON_OVERLOAD");
  step.failures.clear();
  if (step.late_fraction > sweep.max_late_fraction) step.failures.push_back(SweepLimit::kGenerator);
  if (total.errors > 0) step.failures.push_back(SweepLimit::kErrors);
  if (step.shed > 0) step.failures.push_back(SweepLimit::kShedding);
  if (total.latency.count() == 0 || total.latency.Percentile(0.99) > sweep.p99_threshold) {
    step.failures.push_back(SweepLimit::kLatency);
  }
  step.limit = step.failures.empty() ? SweepLimit::kNone : step.failures.front();
}

absl::StatusOr<SweepResult> RunSweep(const RunConfig& config, const SweepConfig& sweep,
                                     absl::string_view address, absl::string_view label,
                                     absl::string_view baseline_address,
                                     const std::function<void(const SweepStep&)>& on_step) {
  SweepResult result;
  double rate = sweep.start_rps;
  while (true) {
    RunConfig step_config = config;
    step_config.rate = rate;
    SweepStep step;
    step.rate = rate;
    absl::StatusOr<RunResult> run = RunLoad(step_config, address, label);
    if (!run.ok()) return run.status();
    step.run = *std::move(run);
    if (!baseline_address.empty()) {
      absl::StatusOr<RunResult> echo = RunLoad(step_config, baseline_address, "echo");
      if (!echo.ok()) return echo.status();
      step.baseline = *std::move(echo);
      step.has_baseline = true;
    }
    JudgeStep(sweep, step);
    if (on_step) on_step(step);
    const bool passed = step.passed();
    result.steps.push_back(std::move(step));
    if (!passed) {
      result.limit = result.steps.back().limit;
      break;
    }
    result.sustainable_rps = rate;
    if (rate >= sweep.max_rps) {
      result.limit = SweepLimit::kSweepMax;
      break;
    }
    rate = std::min(rate * sweep.factor, sweep.max_rps);
  }
  return result;
}

}  // namespace hallmark::loadgen
