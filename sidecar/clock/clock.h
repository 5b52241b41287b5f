// Time as a dependency: budgets and deadlines read a Clock so that tests can
// drive a simulated one instead of sleeping.
#ifndef HALLMARK_SIDECAR_CLOCK_CLOCK_H_
#define HALLMARK_SIDECAR_CLOCK_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hallmark::sidecar {

// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_CLOCK_CLOCK_H_
