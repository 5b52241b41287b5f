// Bounded concurrency for one modality (PRODUCT §5 overload): at most
// `max_in_flight` requests do work at once, at most `max_queued` more wait
// for a slot (each no longer than its remaining budget), and everything
// beyond is refused at once, so a burst is shed in microseconds instead of
// queueing until every caller's budget is gone. Text and images get separate
// gates: slow image work cannot take the slots text needs.
#ifndef HALLMARK_SIDECAR_POLICY_ADMISSION_GATE_H_
#define HALLMARK_SIDECAR_POLICY_ADMISSION_GATE_H_

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

namespace hallmark::sidecar {

struct AdmissionLimits {
  int max_in_flight = 1;  // >= 1
  int max_queued = 0;     // >= 0
};

// Thread-safe.
class AdmissionGate {
 public:
  // A slot held for the life of the object (or none when refused).
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();
    bool admitted() const { return gate_ != nullptr; }

   private:
    friend class AdmissionGate;
    explicit Permit(AdmissionGate* gate) : gate_(gate) {}
    AdmissionGate* gate_ = nullptr;
  };

  // `queued` and `shed` may be null (no metrics).
  AdmissionGate(AdmissionLimits limits, prometheus::Gauge* queued, prometheus::Counter* shed);

  // Admits now when a slot is free; else waits up to `max_wait` in the
  // queue if it has room; else (queue full, or no slot in time) refuses
  // and counts the request as shed.
  Permit Enter(absl::Duration max_wait);

  AdmissionLimits limits() const { return limits_; }
  int in_flight() const;
  int queued() const;

 private:
  void Leave();

  const AdmissionLimits limits_;
  prometheus::Gauge* const queued_gauge_;
  prometheus::Counter* const shed_;
  mutable absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int queued_ ABSL_GUARDED_BY(mu_) = 0;
};

// RESOURCE_EXHAUSTED saying that `modality`'s work slots were full
// ("text work is at its limit (N in flight, M queued); retry later"),
// marked so that callers can tell it from other RESOURCE_EXHAUSTED errors
// (an input over its size limits), which retrying will not cure.
absl::Status SlotsFullStatus(absl::string_view modality, const AdmissionLimits& limits);
bool IsSlotsFull(const absl::Status& status);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_POLICY_ADMISSION_GATE_H_
