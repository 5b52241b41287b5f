#include "sidecar/policy/admission_gate.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace hallmark::sidecar {

AdmissionGate::Permit& AdmissionGate::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    if (gate_ != nullptr) gate_->Leave();
    gate_ = other.gate_;
    other.gate_ = nullptr;
  }
  return *this;
}

AdmissionGate::Permit::~Permit() {
  if (gate_ != nullptr) gate_->Leave();
}

AdmissionGate::AdmissionGate(AdmissionLimits limits, prometheus::Gauge* queued,
                             prometheus::Counter* shed)
    : limits_{std::max(1, limits.max_in_flight), std::max(0, limits.max_queued)},
      queued_gauge_(queued),
      shed_(shed) {}

AdmissionGate::Permit AdmissionGate::Enter(absl::Duration max_wait) {
  absl::MutexLock lock(&mu_);
  if (in_flight_ < limits_.max_in_flight) {
    ++in_flight_;
    return Permit(this);
  }
  if (queued_ < limits_.max_queued && max_wait > absl::ZeroDuration()) {
    ++queued_;
    if (queued_gauge_ != nullptr) queued_gauge_->Increment();
    auto slot_free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_flight_ < limits_.max_in_flight;
    };
    const bool admitted = mu_.AwaitWithTimeout(absl::Condition(&slot_free), max_wait);
    --queued_;
    if (queued_gauge_ != nullptr) queued_gauge_->Decrement();
    if (admitted) {
      ++in_flight_;
      return Permit(this);
    }
  }
  if (shed_ != nullptr) shed_->Increment();
  return Permit();
}

void AdmissionGate::Leave() {
  absl::MutexLock lock(&mu_);
  --in_flight_;
}

int AdmissionGate::in_flight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_;
}

int AdmissionGate::queued() const {
  absl::MutexLock lock(&mu_);
  return queued_;
}

namespace {
constexpr absl::string_view kSlotsFullPayload = "type.hallmark.dev/slots-full";
}  // namespace

absl::Status SlotsFullStatus(absl::string_view modality, const AdmissionLimits& limits) {
  absl::Status status = absl::ResourceExhaustedError(
      absl::StrCat(modality, " work is at its limit (", limits.max_in_flight, " in flight, ",
                   limits.max_queued, " queued); retry later"));
  status.SetPayload(kSlotsFullPayload, absl::Cord(modality));
  return status;
}

bool IsSlotsFull(const absl::Status& status) {
  return status.GetPayload(kSlotsFullPayload).has_value();
}

}  // namespace hallmark::sidecar
