// The mode rules of PRODUCT §4: given a Space's mode and how the marking
// attempt went, what the caller gets back. Pure functions, thread-safe.
#ifndef HALLMARK_SIDECAR_POLICY_POLICY_ENGINE_H_
#define HALLMARK_SIDECAR_POLICY_POLICY_ENGINE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "hallmark/v1/config.pb.h"
#include "hallmark/v1/hallmark.pb.h"

namespace hallmark::sidecar {

// How a marking attempt ended.
enum class MarkOutcome {
  kMarked,
  kTooShort,
  kBudget,
  kUnsupported,
  kOverload,
  kInternal,
};

struct Verdict {
  hallmark::v1::Decision decision = hallmark::v1::DECISION_UNSPECIFIED;
  hallmark::v1::Reason reason = hallmark::v1::REASON_UNSPECIFIED;
  // Whether the caller receives the marked content (else the original).
  bool return_marked = false;
};

// `mode` must not be MODE_UNSPECIFIED (policies are resolved before use).
// MODE_OFF ignores `outcome` (nothing was attempted).
Verdict Decide(hallmark::config::v1::Mode mode, MarkOutcome outcome);

// The reason an unsuccessful outcome reports.
hallmark::v1::Reason ReasonFor(MarkOutcome outcome);

// The gRPC-style status a BLOCKED verdict fails with: the code fits the
// reason (BUDGET → DEADLINE_EXCEEDED, OVERLOAD → RESOURCE_EXHAUSTED,
// TOO_SHORT/UNSUPPORTED → FAILED_PRECONDITION, INTERNAL → INTERNAL); the
// reason name rides along as a payload (see BlockedReason).
absl::Status BlockedStatus(hallmark::v1::Reason reason, absl::string_view detail);
// The reason carried by a BlockedStatus, REASON_UNSPECIFIED for others.
hallmark::v1::Reason BlockedReason(const absl::Status& status);

// Label values for metrics: "off", "MARKED" → "marked", "REASON_TOO_SHORT" →
// "too_short", REASON_UNSPECIFIED → "none".
absl::string_view ModeLabel(hallmark::config::v1::Mode mode);
absl::string_view DecisionLabel(hallmark::v1::Decision decision);
absl::string_view ReasonLabel(hallmark::v1::Reason reason);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_POLICY_POLICY_ENGINE_H_
