#include "sidecar/text/text_mark_pipeline.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sidecar/config/policy_loader.h"
#include "sidecar/log/log.h"
#include "sidecar/policy/blocked_detail.h"
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

std::string SignTextReceipt(const provenance::ReceiptSigner& signer,
                            const provenance::TextReceiptClaims& claims, const Clock& clock,
                            absl::Time start, prometheus::Histogram& receipt_time) {
  absl::StatusOr<std::string> receipt = signer.Sign(claims);
  receipt_time.Observe(absl::ToDoubleSeconds(clock.Now() - start));
  if (!receipt.ok()) {
    LogError(absl::StrCat("provenance receipt not signed (payload ", claims.payload_id,
                          ", request_id \"", claims.request_id,
                          "\"): ", receipt.status().message()));
    return "";
  }
  return *std::move(receipt);
}

TextMarkPipeline::TextMarkPipeline(const Clock& clock, telemetry::Metrics& metrics,
                                   AdmissionGate* gate,
                                   const provenance::ReceiptSigner* receipt_signer)
    : clock_(clock),
      metrics_(metrics),
      embed_time_(metrics.StageTime("text", "embed")),
      receipt_time_(metrics.StageTime("text", "receipt")),
      gate_(gate),
      receipt_signer_(receipt_signer) {}

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
  std::string receipt;

  if (mode != hallmark::config::v1::MODE_OFF) {
    RequestBudget budget(clock_, start, space.budget, call.caller_deadline);
    AdmissionGate::Permit permit;
    if (gate_ != nullptr) permit = gate_->Enter(budget.deadline() - clock_.Now());
    if (gate_ != nullptr && !permit.admitted()) {
      outcome = MarkOutcome::kOverload;
    } else if (scheme == nullptr) {
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
        if (receipt_signer_ != nullptr) {
          // Shadow mode signs too, so that its timing shows the receipt's cost.
          const absl::Time receipt_start = clock_.Now();
          receipt = SignTextReceipt(*receipt_signer_,
                                    {.sha256 = provenance::TextSha256Hex(marked_text),
                                     .payload_id = response.payload_id(),
                                     .space = std::string(call.space),
                                     .model = std::string(call.model),
                                     .iat = absl::ToUnixSeconds(receipt_start),
                                     .kid = key.id(),
                                     .scheme = response.scheme(),
                                     .request_id = std::string(call.request_id)},
                                    clock_, receipt_start, receipt_time_);
        }
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
    response.set_receipt(std::move(receipt));
  } else {
    response.set_text(call.text.data(), call.text.size());
  }
  const absl::Duration spent = clock_.Now() - start;
  response.set_server_micros(absl::ToInt64Microseconds(spent));
  space.text_latency->Observe(absl::ToDoubleSeconds(spent));

  if (verdict.decision == hallmark::v1::DECISION_BLOCKED) {
    BlockedContext context{
        "text", response.scheme(), space.policy.budget_ms(), gate_,
        absl::StrCat("the text has ", response.carriers(), " carrier positions; the ",
                     response.scheme(), " scheme needs ", response.carriers_needed())};
    return BlockedStatus(verdict.reason, BlockedDetail(outcome, context));
  }
  return response;
}

}  // namespace hallmark::sidecar
