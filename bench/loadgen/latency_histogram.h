// A log-linear latency histogram in the style of HdrHistogram: fixed memory,
// O(1) recording, mergeable, with bounded relative error.
//
// Buckets (values in whole microseconds, v = floor(ns / 1000)):
//   [0, 1024) µs          one bucket per microsecond (1 µs resolution);
//   [2^k, 2^(k+1)) µs     for k = 10 .. 25, 128 equal sub-buckets each, so a
//                         bucket is at most 1/128 (0.78 %) of its values wide;
//   >= 2^26 µs (~67 s)    clamped into the last bucket (counted: saturated()).
// That is 1024 + 16 * 128 = 3072 counters (24 KiB): small enough to keep one
// per workload and per run, and to merge at the end.
//
// Percentiles report the upper edge of the bucket that holds the q-th value,
// capped at the exact maximum: a percentile is never understated, and is
// overstated by at most 1 µs below 1 ms and by at most 0.78 % above it.
// max(), min() and mean() are exact (to the nanosecond).
//
// Not thread-safe: one writer at a time (callers lock, or keep one per thread
// and Merge()).
#ifndef HALLMARK_BENCH_LOADGEN_LATENCY_HISTOGRAM_H_
#define HALLMARK_BENCH_LOADGEN_LATENCY_HISTOGRAM_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

namespace hallmark::loadgen {

class LatencyHistogram {
 public:
  // Values at or above this are clamped (their exact max is still kept).
  static constexpr int64_t kMaxTrackableMicros = int64_t{1} << 26;
  static constexpr int kLinearBuckets = 1024;  // 1 µs each, up to 1.024 ms
  static constexpr int kSubBucketBits = 7;     // 128 sub-buckets per octave
  static constexpr int kFirstLogOctave = 10;   // 2^10 µs = 1.024 ms
  static constexpr int kLastLogOctave = 25;    // [2^25, 2^26) µs
  static constexpr int kBucketCount =
      kLinearBuckets + (kLastLogOctave - kFirstLogOctave + 1) * (1 << kSubBucketBits);

  LatencyHistogram() = default;

  // Records one value; negative durations count as zero.
  void Record(absl::Duration value);
  void RecordNanos(int64_t nanos);

  // Adds every value recorded in `other`.
  void Merge(const LatencyHistogram& other);
  void Reset();

  int64_t count() const { return count_; }
  // Values that were clamped at kMaxTrackableMicros.
  int64_t saturated() const { return saturated_; }
  // Zero when empty.
  absl::Duration max() const { return absl::Nanoseconds(max_nanos_); }
  absl::Duration min() const { return absl::Nanoseconds(count_ == 0 ? 0 : min_nanos_); }
  absl::Duration mean() const;

  // The value below which a fraction q (0..1) of the recorded values lie, as
  // the upper edge of its bucket capped at max(). q <= 0 gives min(), q >= 1
  // gives max(); zero when empty.
  absl::Duration Percentile(double q) const;

  // Bucket arithmetic, exposed for tests: the bucket holding a value in whole
  // microseconds, and the half-open microsecond range [lower, upper) of a
  // bucket.
  static int BucketIndex(int64_t micros);
  static int64_t BucketLowerMicros(int index);
  static int64_t BucketUpperMicros(int index);

 private:
  std::array<int64_t, kBucketCount> counts_{};
  int64_t count_ = 0;
  int64_t saturated_ = 0;
  int64_t min_nanos_ = 0;
  int64_t max_nanos_ = 0;
  // Sum in nanoseconds as a double: 2^53 ns is 104 days of summed latency,
  // and a mean needs no more than 15 significant digits.
  double sum_nanos_ = 0;
};

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_LATENCY_HISTOGRAM_H_
