#include "bench/loadgen/run_stats.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace hallmark::loadgen {
namespace {

constexpr int kOk = 0;
constexpr int kDeadlineExceeded = 4;

TEST(WorkloadRecorderTest, CountsCallsOverTheBudgetWhateverTheirOutcome) {
  WorkloadRecorder recorder("text:4096", absl::Milliseconds(200));
  recorder.RecordUnary(absl::Milliseconds(1), kOk, "DECISION_MARKED", "", 40);
  recorder.RecordUnary(absl::Milliseconds(200), kOk, "DECISION_MARKED", "", 40);  // at, not over
  recorder.RecordUnary(absl::Milliseconds(201), kOk, "DECISION_MARKED", "", 40);
  recorder.RecordUnary(absl::Milliseconds(350), kOk, "DECISION_PASSED_THROUGH", "REASON_BUDGET",
                       -1);
  recorder.RecordUnary(absl::Milliseconds(1000), kDeadlineExceeded, "", "", -1);
  const WorkloadResult result = recorder.Snapshot();
  EXPECT_EQ(result.over_budget, 3);
  EXPECT_EQ(result.ok, 4);
  EXPECT_EQ(result.errors, 1);
}

TEST(WorkloadRecorderTest, SplitsTheLatencyOfSuccessfulCallsByDecision) {
  WorkloadRecorder recorder("text:4096", absl::Milliseconds(200));
  for (int i = 1; i <= 9; ++i) {
    recorder.RecordUnary(absl::Milliseconds(i), kOk, "DECISION_MARKED", "", 40);
  }
  recorder.RecordUnary(absl::Milliseconds(150), kOk, "DECISION_PASSED_THROUGH", "REASON_OVERLOAD",
                       -1);
  // Failed calls have no decision latency, even when trailing metadata
  // carries one (DECISION_BLOCKED).
  recorder.RecordUnary(absl::Milliseconds(5), 8, "DECISION_BLOCKED", "REASON_OVERLOAD", -1);
  const WorkloadResult result = recorder.Snapshot();
  ASSERT_EQ(result.latency_by_decision.size(), 2u);
  const LatencyHistogram& marked = result.latency_by_decision.at("DECISION_MARKED");
  EXPECT_EQ(marked.count(), 9);
  EXPECT_EQ(marked.max(), absl::Milliseconds(9));
  const LatencyHistogram& passed = result.latency_by_decision.at("DECISION_PASSED_THROUGH");
  EXPECT_EQ(passed.count(), 1);
  EXPECT_EQ(passed.max(), absl::Milliseconds(150));
  EXPECT_EQ(result.latency.count(), 11);
  EXPECT_EQ(result.decisions.at("DECISION_BLOCKED"), 1);
}

TEST(WorkloadRecorderTest, MergeAddsTheNewCounts) {
  WorkloadRecorder a("text:1024", absl::Milliseconds(10));
  WorkloadRecorder b("text:4096", absl::Milliseconds(10));
  a.RecordUnary(absl::Milliseconds(20), kOk, "DECISION_MARKED", "", 40);
  b.RecordUnary(absl::Milliseconds(30), kOk, "DECISION_MARKED", "", 40);
  b.RecordUnary(absl::Milliseconds(3), kOk, "DECISION_SHADOWED", "", 40);
  WorkloadResult total = a.Snapshot();
  total.Merge(b.Snapshot());
  EXPECT_EQ(total.over_budget, 2);
  EXPECT_EQ(total.latency_by_decision.at("DECISION_MARKED").count(), 2);
  EXPECT_EQ(total.latency_by_decision.at("DECISION_MARKED").max(), absl::Milliseconds(30));
  EXPECT_EQ(total.latency_by_decision.at("DECISION_SHADOWED").count(), 1);
}

}  // namespace
}  // namespace hallmark::loadgen
