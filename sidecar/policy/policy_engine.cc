#include "sidecar/policy/policy_engine.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace hallmark::sidecar {
namespace {

using ::hallmark::config::v1::Mode;
using ::hallmark::v1::Decision;
using ::hallmark::v1::Reason;

constexpr absl::string_view kReasonPayloadUrl = "type.hallmark.dev/hallmark.v1.Reason";

}  // namespace

Reason ReasonFor(MarkOutcome outcome) {
  switch (outcome) {
    case MarkOutcome::kMarked:
      return hallmark::v1::REASON_UNSPECIFIED;
    case MarkOutcome::kTooShort:
      return hallmark::v1::REASON_TOO_SHORT;
    case MarkOutcome::kBudget:
      return hallmark::v1::REASON_BUDGET;
    case MarkOutcome::kUnsupported:
      return hallmark::v1::REASON_UNSUPPORTED;
    case MarkOutcome::kOverload:
      return hallmark::v1::REASON_OVERLOAD;
    case MarkOutcome::kInternal:
      return hallmark::v1::REASON_INTERNAL;
  }
  return hallmark::v1::REASON_INTERNAL;
}

Verdict Decide(Mode mode, MarkOutcome outcome) {
  const bool ok = outcome == MarkOutcome::kMarked;
  switch (mode) {
    case hallmark::config::v1::MODE_OFF:
      return {hallmark::v1::DECISION_PASSED_THROUGH, hallmark::v1::REASON_MODE_OFF, false};
    case hallmark::config::v1::MODE_SHADOW:
      // The original goes back either way; the reason records what marking
      // would have met, so shadow mode shows what enforce would block.
      return {hallmark::v1::DECISION_SHADOWED, ReasonFor(outcome), false};
    case hallmark::config::v1::MODE_MARK:
      if (ok) return {hallmark::v1::DECISION_MARKED, hallmark::v1::REASON_UNSPECIFIED, true};
      return {hallmark::v1::DECISION_PASSED_THROUGH, ReasonFor(outcome), false};
    case hallmark::config::v1::MODE_ENFORCE:
      if (ok) return {hallmark::v1::DECISION_MARKED, hallmark::v1::REASON_UNSPECIFIED, true};
      return {hallmark::v1::DECISION_BLOCKED, ReasonFor(outcome), false};
    default:
      break;
  }
  // An unresolved mode is a bug upstream; fail closed.
  return {hallmark::v1::DECISION_BLOCKED, hallmark::v1::REASON_INTERNAL, false};
}

absl::Status BlockedStatus(Reason reason, absl::string_view detail) {
  absl::StatusCode code = absl::StatusCode::kInternal;
  switch (reason) {
    case hallmark::v1::REASON_BUDGET:
      code = absl::StatusCode::kDeadlineExceeded;
      break;
    case hallmark::v1::REASON_OVERLOAD:
      code = absl::StatusCode::kResourceExhausted;
      break;
    case hallmark::v1::REASON_TOO_SHORT:
    case hallmark::v1::REASON_UNSUPPORTED:
      code = absl::StatusCode::kFailedPrecondition;
      break;
    default:
      break;
  }
  absl::Status status(code,
                      absl::StrCat("BLOCKED (", hallmark::v1::Reason_Name(reason), "): ", detail));
  status.SetPayload(kReasonPayloadUrl, absl::Cord(hallmark::v1::Reason_Name(reason)));
  return status;
}

Reason BlockedReason(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kReasonPayloadUrl);
  Reason reason = hallmark::v1::REASON_UNSPECIFIED;
  if (payload.has_value()) {
    std::string name;
    absl::CopyCordToString(*payload, &name);
    hallmark::v1::Reason_Parse(name, &reason);
  }
  return reason;
}

absl::string_view ModeLabel(Mode mode) {
  switch (mode) {
    case hallmark::config::v1::MODE_OFF:
      return "off";
    case hallmark::config::v1::MODE_SHADOW:
      return "shadow";
    case hallmark::config::v1::MODE_MARK:
      return "mark";
    case hallmark::config::v1::MODE_ENFORCE:
      return "enforce";
    default:
      return "unspecified";
  }
}

absl::string_view DecisionLabel(Decision decision) {
  switch (decision) {
    case hallmark::v1::DECISION_MARKED:
      return "marked";
    case hallmark::v1::DECISION_SHADOWED:
      return "shadowed";
    case hallmark::v1::DECISION_PASSED_THROUGH:
      return "passed_through";
    case hallmark::v1::DECISION_BLOCKED:
      return "blocked";
    default:
      return "unspecified";
  }
}

absl::string_view ReasonLabel(Reason reason) {
  switch (reason) {
    case hallmark::v1::REASON_MODE_OFF:
      return "mode_off";
    case hallmark::v1::REASON_BUDGET:
      return "budget";
    case hallmark::v1::REASON_TOO_SHORT:
      return "too_short";
    case hallmark::v1::REASON_UNSUPPORTED:
      return "unsupported";
    case hallmark::v1::REASON_OVERLOAD:
      return "overload";
    case hallmark::v1::REASON_INTERNAL:
      return "internal";
    default:
      return "none";
  }
}

}  // namespace hallmark::sidecar
