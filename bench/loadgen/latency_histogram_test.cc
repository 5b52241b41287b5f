#include "bench/loadgen/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace hallmark::loadgen {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.Percentile(0.5), absl::ZeroDuration());
  EXPECT_EQ(h.Percentile(0.999), absl::ZeroDuration());
  EXPECT_EQ(h.max(), absl::ZeroDuration());
  EXPECT_EQ(h.min(), absl::ZeroDuration());
  EXPECT_EQ(h.mean(), absl::ZeroDuration());
}

TEST(LatencyHistogramTest, BucketsTileTheRangeWithoutGaps) {
  EXPECT_EQ(LatencyHistogram::BucketLowerMicros(0), 0);
  for (int i = 1; i < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LatencyHistogram::BucketLowerMicros(i), LatencyHistogram::BucketUpperMicros(i - 1))
        << "bucket " << i;
  }
  EXPECT_EQ(LatencyHistogram::BucketUpperMicros(LatencyHistogram::kBucketCount - 1),
            LatencyHistogram::kMaxTrackableMicros);
}

TEST(LatencyHistogramTest, BucketIndexIsConsistentWithItsRange) {
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1023}, int64_t{1024},
                     int64_t{1031}, int64_t{1032}, int64_t{2047}, int64_t{2048}, int64_t{123457},
                     int64_t{60'000'000}, LatencyHistogram::kMaxTrackableMicros - 1}) {
    const int index = LatencyHistogram::BucketIndex(us);
    EXPECT_LE(LatencyHistogram::BucketLowerMicros(index), us) << us;
    EXPECT_LT(us, LatencyHistogram::BucketUpperMicros(index)) << us;
  }
}

TEST(LatencyHistogramTest, OneMicrosecondResolutionBelowOneMillisecond) {
  LatencyHistogram h;
  for (int us = 1; us <= 1000; ++us) h.Record(absl::Microseconds(us));
  EXPECT_EQ(h.count(), 1000);
  // The 500th value is 500 µs; its bucket is [500, 501) µs.
  EXPECT_EQ(h.Percentile(0.5), absl::Microseconds(501));
  EXPECT_EQ(h.Percentile(0.9), absl::Microseconds(901));
  EXPECT_EQ(h.Percentile(0.99), absl::Microseconds(991));
  EXPECT_EQ(h.Percentile(0.999), absl::Microseconds(1000));  // capped at max
  EXPECT_EQ(h.max(), absl::Microseconds(1000));
  EXPECT_EQ(h.min(), absl::Microseconds(1));
  EXPECT_EQ(h.mean(), absl::Nanoseconds(500'500));
}

TEST(LatencyHistogramTest, RelativeErrorBelowOnePercentUpToSixtySeconds) {
  std::mt19937_64 rng(42);
  // Log-uniform from 1 ms to 60 s.
  std::uniform_real_distribution<double> exponent(6.0, std::log10(60e9));  // in ns
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 20000; ++i) {
    const auto nanos = static_cast<int64_t>(std::pow(10.0, exponent(rng)));
    values.push_back(nanos);
    h.RecordNanos(nanos);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) {
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
    const double exact = static_cast<double>(values[rank - 1]);
    const double reported = static_cast<double>(absl::ToInt64Nanoseconds(h.Percentile(q)));
    EXPECT_GE(reported, exact) << "q=" << q << ": a percentile is never understated";
    EXPECT_LE(reported, exact * 1.01) << "q=" << q;
  }
  EXPECT_EQ(h.max(), absl::Nanoseconds(values.back()));
}

TEST(LatencyHistogramTest, PercentileOfASingleValueIsThatValue) {
  LatencyHistogram h;
  h.Record(absl::Milliseconds(7));
  EXPECT_EQ(h.Percentile(0.5), absl::Milliseconds(7));
  EXPECT_EQ(h.Percentile(0.999), absl::Milliseconds(7));
  EXPECT_EQ(h.max(), absl::Milliseconds(7));
}

TEST(LatencyHistogramTest, NegativeValuesCountAsZero) {
  LatencyHistogram h;
  h.Record(absl::Microseconds(-5));
  EXPECT_EQ(h.count(), 1);
  EXPECT_EQ(h.max(), absl::ZeroDuration());
  EXPECT_EQ(h.Percentile(0.5), absl::ZeroDuration());
}

TEST(LatencyHistogramTest, ClampsAboveTheTrackableRangeButKeepsTheExactMax) {
  LatencyHistogram h;
  h.Record(absl::Seconds(100));
  h.Record(absl::Milliseconds(2));
  EXPECT_EQ(h.saturated(), 1);
  EXPECT_EQ(h.max(), absl::Seconds(100));
  EXPECT_EQ(h.Percentile(1.0), absl::Seconds(100));
  EXPECT_EQ(h.Percentile(0.5), absl::Microseconds(2008));  // bucket [2000, 2008) µs
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a;
  LatencyHistogram b;
  LatencyHistogram all;
  for (int i = 0; i < 5000; ++i) {
    const absl::Duration v = absl::Microseconds(37 * i % 90001);
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  LatencyHistogram merged;
  merged.Merge(a);
  merged.Merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.mean(), all.mean());
  for (double q : {0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(merged.Percentile(q), all.Percentile(q));
}

TEST(LatencyHistogramTest, MergingAnEmptyHistogramChangesNothing) {
  LatencyHistogram h;
  h.Record(absl::Microseconds(3));
  h.Merge(LatencyHistogram());
  EXPECT_EQ(h.count(), 1);
  EXPECT_EQ(h.min(), absl::Microseconds(3));
  LatencyHistogram empty;
  empty.Merge(h);
  EXPECT_EQ(empty.min(), absl::Microseconds(3));
  EXPECT_EQ(empty.count(), 1);
}

TEST(LatencyHistogramTest, ResetEmpties) {
  LatencyHistogram h;
  h.Record(absl::Microseconds(3));
  h.Reset();
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.Percentile(0.5), absl::ZeroDuration());
}

}  // namespace
}  // namespace hallmark::loadgen
