#include "telemetry/metrics.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "tests/support/metric_reader.h"

namespace hallmark::telemetry {
namespace {

using ::hallmark::testing::MetricValue;
using ::hallmark::testing::SeriesCount;

TEST(MetricsTest, BuildInfoAndStartupSeries) {
  Metrics metrics({"1.2.3", "abc"});
  EXPECT_EQ(MetricValue(*metrics.registry(), "hallmark_build_info",
                        {{"version", "1.2.3"}, {"commit", "abc"}}),
            1);
  EXPECT_EQ(
      MetricValue(*metrics.registry(), "hallmark_config_reloads_total", {{"result", "rejected"}}),
      0);
  EXPECT_EQ(MetricValue(*metrics.registry(), "hallmark_in_flight_requests", {{"modality", "text"}}),
            0);
}

TEST(MetricsTest, SameLabelsReturnTheSameSeries) {
  Metrics metrics({"v", "c"});
  auto& a = metrics.Requests("s", "text", "mark", "marked", "none");
  auto& b = metrics.Requests("s", "text", "mark", "marked", "none");
  EXPECT_EQ(&a, &b);
  a.Increment();
  b.Increment();
  EXPECT_EQ(MetricValue(*metrics.registry(), "hallmark_requests_total", {{"space", "s"}}), 2);
  EXPECT_EQ(SeriesCount(*metrics.registry(), "hallmark_requests_total"), 1);
}

TEST(MetricsTest, LatencyBucketsResolveTheBudgetAndSubMillisecond) {
  const auto buckets = Metrics::LatencyBuckets();
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
  for (double edge : {0.0001, 0.0005, 0.001, 0.05, 0.1, 0.2, 0.4}) {
    EXPECT_NE(std::find(buckets.begin(), buckets.end(), edge), buckets.end()) << edge;
  }
  Metrics metrics({"v", "c"});
  auto& h = metrics.AddedLatency("text", "unicode");
  h.Observe(0.00003);
  h.Observe(0.3);
  EXPECT_EQ(
      MetricValue(*metrics.registry(), "hallmark_added_latency_seconds", {{"scheme", "unicode"}}),
      2);
}

}  // namespace
}  // namespace hallmark::telemetry
