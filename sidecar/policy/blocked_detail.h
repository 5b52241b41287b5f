// The message of a BLOCKED call (enforce mode): why the content could not be
// marked, in words an operator can act on. Shared by the text and image
// pipelines so both say the same thing for the same outcome.
#ifndef HALLMARK_SIDECAR_POLICY_BLOCKED_DETAIL_H_
#define HALLMARK_SIDECAR_POLICY_BLOCKED_DETAIL_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "sidecar/policy/admission_gate.h"
#include "sidecar/policy/policy_engine.h"

namespace hallmark::sidecar {

struct BlockedContext {
  absl::string_view modality;  // "text" or "image"
  absl::string_view scheme;
  uint32_t budget_ms = 0;
  // The work slots, for kOverload (null when ungated).
  const AdmissionGate* gate = nullptr;
  // The modality's own words for kTooShort (what the content lacks).
  std::string too_short;
};

std::string BlockedDetail(MarkOutcome outcome, const BlockedContext& context);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_POLICY_BLOCKED_DETAIL_H_
