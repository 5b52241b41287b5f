// A clock that moves only when a test says so. Thread-safe.
#ifndef HALLMARK_TESTS_SUPPORT_SIMULATED_CLOCK_H_
#define HALLMARK_TESTS_SUPPORT_SIMULATED_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sidecar/clock/clock.h"

namespace hallmark::testing {

class SimulatedClock final : public sidecar::Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::FromUnixSeconds(1'800'000'000)) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hallmark::testing

#endif  // HALLMARK_TESTS_SUPPORT_SIMULATED_CLOCK_H_
