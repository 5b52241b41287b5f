#include "sidecar/text/text_mark_pipeline.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sidecar/config/policy_loader.h"
#include "sidecar/policy/policy_engine.h"
#include "sidecar/policy/request_budget.h"
#include "watermark/payload/payload.h"

namespace hallmark::sidecar {

absl::Status ValidateTextMarkCall(const SpaceRuntime& space, absl::string_view space_name,
                                  absl::string_view text) {
  absl::Status name = ValidateSpaceName(space_name);
  if (!name.ok()) return name;
  if (text.size() > space.policy.text().max_bytes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is ", text.size(), " bytes; the limit for this Space is ",
                     space.policy.text().max_bytes(), " (policy text.max_bytes)"));
  }
  return absl::OkStatus();
}

TextMarkPipeline::TextMarkPipeline(const Clock& clock, telemetry::Metrics& metrics)
    : clock_(clock), metrics_(metrics), embed_time_(metrics.StageTime("text", "embed")) {}

absl::StatusOr<hallmark::v1::MarkTextResponse> TextMarkPipeline::Mark(
    const ConfigSnapshot& config, const TextMarkCall& call) const {
  const absl::Time start = clock_.Now();
  const SpaceRuntime& space = config.Resolve(call.space);
  if (absl::Status valid = ValidateTextMarkCall(space, call.space, call.text); !valid.ok()) {
    return valid;
  }
  const hallmark::config::v1::Mode mode = space.policy.mode();
  const watermark::TextScheme* scheme = space.text_scheme;

  hallmark::v1::MarkTextResponse response;
  response.set_scheme(std::string(space.policy.text().scheme()));
  MarkOutcome outcome = MarkOutcome::kMarked;
  std::string marked_text;

  if (mode != hallmark::config::v1::MODE_OFF) {
    RequestBudget budget(clock_, start, space.budget, call.caller_deadline);
    if (scheme == nullptr) {
      outcome = MarkOutcome::kUnsupported;
    } else if (budget.Expired()) {
      outcome = MarkOutcome::kBudget;
    } else {
      const watermark::WatermarkKey& key = config.active_key();
      const watermark::PayloadFields payload =
          watermark::NewPayloadFields(call.space, key, clock_.Now());
      const absl::Time embed_start = clock_.Now();
      watermark::TextMarkResult result = scheme->Mark(call.text, payload, key);
      embed_time_.Observe(absl::ToDoubleSeconds(clock_.Now() - embed_start));
      metrics_.TextCarriers().Observe(static_cast<double>(result.carriers));
      response.set_carriers(static_cast<int32_t>(result.carriers));
      response.set_carriers_needed(static_cast<int32_t>(result.carriers_needed));
      if (budget.Expired()) {
        outcome = MarkOutcome::kBudget;
      } else if (!result.marked) {
        outcome = MarkOutcome::kTooShort;
      } else {
        response.set_payload_id(watermark::PayloadId(payload));
        response.set_key_id(key.id());
        marked_text = std::move(result.text);
      }
    }
    if (outcome == MarkOutcome::kBudget) space.text_counters->CountBudgetExhausted();
  }

  const Verdict verdict = Decide(mode, outcome);
  space.text_counters->Count(verdict.decision, verdict.reason);
  response.set_decision(verdict.decision);
  response.set_reason(verdict.reason);
  if (verdict.return_marked) {
    response.set_text(std::move(marked_text));
  } else {
    response.set_text(call.text.data(), call.text.size());
  }
  const absl::Duration spent = clock_.Now() - start;
  response.set_server_micros(absl::ToInt64Microseconds(spent));
  space.text_latency->Observe(absl::ToDoubleSeconds(spent));

  if (verdict.decision == hallmark::v1::DECISION_BLOCKED) {
    std::string detail;
    switch (outcome) {
      case MarkOutcome::kTooShort:
        detail = absl::StrCat("the text has ", response.carriers(), " carrier positions; the ",
                              response.scheme(), " scheme needs ", response.carriers_needed(),
                              "; the Space enforces marking, so it must not be released");
        break;
      case MarkOutcome::kBudget:
        detail = absl::StrCat("the latency budget (", space.policy.budget_ms(),
                              " ms) or the caller's deadline ran out");
        break;
      case MarkOutcome::kUnsupported:
        detail = absl::StrCat("text scheme \"", response.scheme(), "\" is not available");
        break;
      default:
        detail = "marking failed";
    }
    return BlockedStatus(verdict.reason, detail);
  }
  return response;
}

}  // namespace hallmark::sidecar
