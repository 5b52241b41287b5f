#include "bench/loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hallmark::loadgen {

int LatencyHistogram::BucketIndex(int64_t micros) {
  if (micros < kLinearBuckets) return micros < 0 ? 0 : static_cast<int>(micros);
  if (micros >= kMaxTrackableMicros) return kBucketCount - 1;
  const int octave = std::bit_width(static_cast<uint64_t>(micros)) - 1;  // >= 10
  const int sub = static_cast<int>((micros >> (octave - kSubBucketBits)) &
                                   ((int64_t{1} << kSubBucketBits) - 1));
  return kLinearBuckets + (octave - kFirstLogOctave) * (1 << kSubBucketBits) + sub;
}

int64_t LatencyHistogram::BucketLowerMicros(int index) {
  if (index < kLinearBuckets) return index;
  const int log_index = index - kLinearBuckets;
  const int octave = kFirstLogOctave + (log_index >> kSubBucketBits);
  const int64_t sub = log_index & ((1 << kSubBucketBits) - 1);
  const int64_t width = int64_t{1} << (octave - kSubBucketBits);
  return (int64_t{1} << octave) + sub * width;
}

int64_t LatencyHistogram::BucketUpperMicros(int index) {
  if (index < kLinearBuckets) return index + 1;
  const int octave = kFirstLogOctave + ((index - kLinearBuckets) >> kSubBucketBits);
  return BucketLowerMicros(index) + (int64_t{1} << (octave - kSubBucketBits));
}

void LatencyHistogram::Record(absl::Duration value) {
  RecordNanos(absl::ToInt64Nanoseconds(value));
}

void LatencyHistogram::RecordNanos(int64_t nanos) {
  nanos = std::max<int64_t>(nanos, 0);
  const int64_t micros = nanos / 1000;
  if (micros >= kMaxTrackableMicros) ++saturated_;
  ++counts_[BucketIndex(micros)];
  if (count_ == 0 || nanos < min_nanos_) min_nanos_ = nanos;
  max_nanos_ = std::max(max_nanos_, nanos);
  ++count_;
  sum_nanos_ += static_cast<double>(nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (int i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  min_nanos_ = count_ == 0 ? other.min_nanos_ : std::min(min_nanos_, other.min_nanos_);
  max_nanos_ = std::max(max_nanos_, other.max_nanos_);
  count_ += other.count_;
  saturated_ += other.saturated_;
  sum_nanos_ += other.sum_nanos_;
}

void LatencyHistogram::Reset() { *this = LatencyHistogram(); }

absl::Duration LatencyHistogram::mean() const {
  if (count_ == 0) return absl::ZeroDuration();
  return absl::Nanoseconds(std::llround(sum_nanos_ / static_cast<double>(count_)));
}

absl::Duration LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return absl::ZeroDuration();
  if (q <= 0) return min();
  if (q >= 1) return max();
  // The rank (1-based) of the value asked for: the smallest value with at
  // least q of all values at or below it.
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_) - 1e-9)));
  int64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const absl::Duration upper = absl::Microseconds(BucketUpperMicros(i));
      return std::clamp(upper, min(), max());
    }
  }
  return max();
}

}  // namespace hallmark::loadgen
