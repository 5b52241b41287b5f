// The latency budget of one request (PRODUCT §5): the effective deadline is
// the earlier of start + the Space's budget and the caller's own deadline.
#ifndef HALLMARK_SIDECAR_POLICY_REQUEST_BUDGET_H_
#define HALLMARK_SIDECAR_POLICY_REQUEST_BUDGET_H_

#include "absl/time/time.h"
#include "sidecar/clock/clock.h"

namespace hallmark::sidecar {

// Not thread-safe; one per request.
class RequestBudget {
 public:
  // `caller_deadline` is absl::InfiniteFuture() when the caller set none.
  RequestBudget(const Clock& clock, absl::Time start, absl::Duration budget,
                absl::Time caller_deadline);

  absl::Time deadline() const { return deadline_; }
  // True once the clock has reached the effective deadline; checked between
  // stages.
  bool Expired() const { return clock_.Now() >= deadline_; }
  absl::Duration Elapsed() const { return clock_.Now() - start_; }
  absl::Time start() const { return start_; }

 private:
  const Clock& clock_;
  absl::Time start_;
  absl::Time deadline_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_POLICY_REQUEST_BUDGET_H_
