#include "sidecar/text/text_stream_session.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "sidecar/config/policy_loader.h"
#include "sidecar/policy/policy_engine.h"
#include "sidecar/text/text_mark_pipeline.h"
#include "watermark/payload/payload.h"

namespace hallmark::sidecar {
namespace {

using ::hallmark::config::v1::Mode;

bool ReleasesMarked(Mode mode) {
  return mode == hallmark::config::v1::MODE_MARK || mode == hallmark::config::v1::MODE_ENFORCE;
}

}  // namespace

TextStreamSession::TextStreamSession(std::shared_ptr<const ConfigSnapshot> config,
                                     const Clock& clock, telemetry::Metrics& metrics,
                                     std::string space)
    : config_(std::move(config)),
      clock_(clock),
      metrics_(metrics),
      space_name_(std::move(space)),
      space_(config_->Resolve(space_name_)) {}

absl::StatusOr<std::unique_ptr<TextStreamSession>> TextStreamSession::Start(
    std::shared_ptr<const ConfigSnapshot> config, const Clock& clock, telemetry::Metrics& metrics,
    absl::string_view space, TextStreamReceiptContext receipt) {
  if (absl::Status name = ValidateSpaceName(space); !name.ok()) return name;
  const absl::Time start = clock.Now();
  std::unique_ptr<TextStreamSession> session(
      new TextStreamSession(std::move(config), clock, metrics, std::string(space)));
  const SpaceRuntime& runtime = session->space_;
  if (runtime.policy.mode() != hallmark::config::v1::MODE_OFF && runtime.text_scheme != nullptr) {
    const watermark::WatermarkKey& key = session->config_->active_key();
    const watermark::PayloadFields payload = watermark::NewPayloadFields(space, key, clock.Now());
    session->payload_id_ = watermark::PayloadId(payload);
    session->marker_ = runtime.text_scheme->NewStreamMarker(payload, key);
    if (receipt.signer != nullptr) {
      session->receipt_signer_ = receipt.signer;
      session->request_id_ = std::string(receipt.request_id);
      session->model_ = std::string(receipt.model);
      session->receipt_time_ = &metrics.StageTime("text", "receipt");
    }
  }
  session->Charge(start);
  return session;
}

void TextStreamSession::Charge(absl::Time start) {
  const absl::Duration spent = clock_.Now() - start;
  spent_ += spent;
  if (spent > space_.budget) space_.text_counters->CountBudgetExhausted();
}

absl::StatusOr<std::string> TextStreamSession::Append(absl::string_view delta) {
  const absl::Time start = clock_.Now();
  received_bytes_ += delta.size();
  if (received_bytes_ > space_.policy.text().max_bytes()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the stream has sent ", received_bytes_, " bytes; the limit for this Space is ",
        space_.policy.text().max_bytes(), " (policy text.max_bytes)"));
  }
  std::string out;
  if (marker_ != nullptr && ReleasesMarked(space_.policy.mode())) {
    out = marker_->Append(delta);
    if (receipt_signer_ != nullptr) marked_hash_.Update(out);
  } else {
    if (marker_ != nullptr) {  // shadow: compute (and hash for the receipt), discard
      const std::string marked = marker_->Append(delta);
      if (receipt_signer_ != nullptr) marked_hash_.Update(marked);
    }
    out = std::string(delta);
  }
  Charge(start);
  return out;
}

absl::Status TextStreamSession::Finish(
    absl::FunctionRef<bool(const hallmark::v1::MarkTextStreamResponse&)> deliver) {
  const absl::Time start = clock_.Now();
  const Mode mode = space_.policy.mode();
  hallmark::v1::MarkTextStreamResponse response;
  response.set_final(true);
  response.set_scheme(space_.policy.text().scheme());

  MarkOutcome outcome = MarkOutcome::kMarked;
  if (marker_ == nullptr) {
    if (mode != hallmark::config::v1::MODE_OFF) outcome = MarkOutcome::kUnsupported;
  } else {
    std::string rest = marker_->Finish();
    const absl::Time receipt_start = clock_.Now();
    if (receipt_signer_ != nullptr) marked_hash_.Update(rest);
    if (ReleasesMarked(mode)) response.set_delta(std::move(rest));
    response.set_carriers(static_cast<int32_t>(marker_->carriers()));
    response.set_carriers_needed(static_cast<int32_t>(space_.text_scheme->min_carriers()));
    metrics_.TextCarriers().Observe(static_cast<double>(marker_->carriers()));
    if (marker_->marked()) {
      response.set_payload_id(payload_id_);
      response.set_key_id(config_->active_key().id());
      if (receipt_signer_ != nullptr) {
        std::string receipt = SignTextReceipt(*receipt_signer_,
                                              {.sha256 = marked_hash_.FinishHex(),
                                               .payload_id = payload_id_,
                                               .space = space_name_,
                                               .model = model_,
                                               .iat = absl::ToUnixSeconds(receipt_start),
                                               .kid = config_->active_key().id(),
                                               .scheme = response.scheme(),
                                               .request_id = request_id_},
                                              clock_, receipt_start, *receipt_time_);
        // Shadow mode signs (and times) it, but the text went out unmarked.
        if (ReleasesMarked(mode)) response.set_receipt(std::move(receipt));
      }
    } else {
      outcome = MarkOutcome::kTooShort;
    }
  }
  const Verdict verdict = Decide(mode, outcome);
  response.set_decision(verdict.decision);
  response.set_reason(verdict.reason);
  Charge(start);
  response.set_server_micros(absl::ToInt64Microseconds(spent_));
  const auto count = [&] {
    space_.text_counters->Count(verdict.decision, verdict.reason);
    space_.text_latency->Observe(absl::ToDoubleSeconds(spent_));
  };
  if (verdict.decision == hallmark::v1::DECISION_BLOCKED) {
    count();
    return BlockedStatus(
        verdict.reason,
        absl::StrCat("the streamed text has ", response.carriers(), " carrier positions; the ",
                     response.scheme(), " scheme needs ", response.carriers_needed(),
                     "; the Space enforces marking, so the text was withheld"));
  }
  if (!deliver(response)) {
    return absl::CancelledError("the client went away before the stream's final response");
  }
  count();
  return absl::OkStatus();
}

}  // namespace hallmark::sidecar
