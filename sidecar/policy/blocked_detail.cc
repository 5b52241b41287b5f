#include "sidecar/policy/blocked_detail.h"

#include "absl/strings/str_cat.h"

namespace hallmark::sidecar {

std::string BlockedDetail(MarkOutcome outcome, const BlockedContext& context) {
  switch (outcome) {
    case MarkOutcome::kTooShort:
      return absl::StrCat(context.too_short,
                          "; the Space enforces marking, so it must not be released");
    case MarkOutcome::kBudget:
      return absl::StrCat("the latency budget (", context.budget_ms,
                          " ms) or the caller's deadline ran out");
    case MarkOutcome::kUnsupported:
      return absl::StrCat(context.modality, " scheme \"", context.scheme, "\" is not available");
    case MarkOutcome::kOverload:
      if (context.gate == nullptr) return absl::StrCat(context.modality, " work is at its limit");
      return absl::StrCat(context.modality, " work is at its limit (",
                          context.gate->limits().max_in_flight, " in flight, ",
                          context.gate->limits().max_queued, " queued): shed without marking");
    case MarkOutcome::kInternal:
      return "marking failed (internal error)";
    case MarkOutcome::kMarked:
      break;
  }
  return "marking failed";
}

}  // namespace hallmark::sidecar
