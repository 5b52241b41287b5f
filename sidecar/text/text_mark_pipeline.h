// Marks one text under its Space's policy: mode, budget, scheme, key,
// decision, metrics. Shared by hallmarkd's MarkText and the offline CLI.
#ifndef HALLMARK_SIDECAR_TEXT_TEXT_MARK_PIPELINE_H_
#define HALLMARK_SIDECAR_TEXT_TEXT_MARK_PIPELINE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "hallmark/v1/hallmark.pb.h"
#include "prometheus/histogram.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_snapshot.h"
#include "sidecar/policy/admission_gate.h"
#include "telemetry/metrics.h"
#include "watermark/provenance/text_receipt.h"

namespace hallmark::sidecar {

struct TextMarkCall {
  absl::string_view space;
  absl::string_view text;
  absl::string_view request_id;
  absl::string_view model;
  // The caller's own deadline; InfiniteFuture when it set none.
  absl::Time caller_deadline = absl::InfiniteFuture();
};

// Checks what every text mark request must satisfy (Space name, size).
absl::Status ValidateTextMarkCall(const SpaceRuntime& space, absl::string_view space_name,
                                  absl::string_view text);

// Thread-safe.
class TextMarkPipeline {
 public:
  // With a `gate` (which must outlive the pipeline), work waits for one of
  // its slots, no longer than the budget, or is shed with reason OVERLOAD.
  // With a `receipt_signer` (which must outlive the pipeline), every marked
  // text gets a signed provenance receipt (docs/provenance.md): returned
  // when MARKED, computed and timed but not returned when SHADOWED.
  TextMarkPipeline(const Clock& clock, telemetry::Metrics& metrics, AdmissionGate* gate = nullptr,
                   const provenance::ReceiptSigner* receipt_signer = nullptr);

  // OK with the response for MARKED, SHADOWED and PASSED_THROUGH; a
  // BlockedStatus for BLOCKED (enforce mode); INVALID_ARGUMENT for a bad
  // request (not counted as a decision).
  absl::StatusOr<hallmark::v1::MarkTextResponse> Mark(const ConfigSnapshot& config,
                                                      const TextMarkCall& call) const;

 private:
  const Clock& clock_;
  telemetry::Metrics& metrics_;
  prometheus::Histogram& embed_time_;
  prometheus::Histogram& receipt_time_;
  AdmissionGate* const gate_;
  const provenance::ReceiptSigner* const receipt_signer_;
};

// Signs the receipt of a marked text and observes the time since `start`
// (when the hashing began) in `receipt_time`. Never changes a decision: a
// signing failure (OpenSSL out of memory) is logged and the text goes
// without a receipt (""). Shared by MarkText and MarkTextStream.
std::string SignTextReceipt(const provenance::ReceiptSigner& signer,
                            const provenance::TextReceiptClaims& claims, const Clock& clock,
                            absl::Time start, prometheus::Histogram& receipt_time);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_TEXT_TEXT_MARK_PIPELINE_H_
