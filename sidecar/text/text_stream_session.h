// One MarkTextStream call: deltas in, releasable text out, a decision at the
// end, under the Space's mode (PRODUCT §3, §4).
//
// Modes `off` and `shadow` release every delta at once (shadow also runs the
// marker to time it). Modes `mark` and `enforce` release what the scheme's
// stream marker allows: nothing until the text is long enough to carry the
// mark, then all but the last undecided word. At the end a too-short text is
// released unchanged (`mark`) or withheld with a BLOCKED error (`enforce`).
//
// Budget: streams last as long as generation does, so the Space's budget
// applies to the sidecar's own work on each delta; an overrun is counted in
// hallmark_budget_exhausted_total. Marking goes on, as the text released so
// far already carries the mark and the work per delta is microseconds.
#ifndef HALLMARK_SIDECAR_TEXT_TEXT_STREAM_SESSION_H_
#define HALLMARK_SIDECAR_TEXT_TEXT_STREAM_SESSION_H_

#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hallmark/v1/hallmark.pb.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_snapshot.h"
#include "telemetry/metrics.h"
#include "watermark/provenance/text_receipt.h"

namespace hallmark::sidecar {

// What a stream's provenance receipt needs besides the text.
struct TextStreamReceiptContext {
  // Null: no receipt. Must outlive the session.
  const provenance::ReceiptSigner* signer = nullptr;
  absl::string_view request_id;
  absl::string_view model;
};

// Not thread-safe: one per stream.
class TextStreamSession {
 public:
  // Fails with INVALID_ARGUMENT for a bad Space name. With a signer, a
  // marked stream's final response carries a receipt for the concatenated
  // deltas (shadow mode computes and times it without returning it).
  static absl::StatusOr<std::unique_ptr<TextStreamSession>> Start(
      std::shared_ptr<const ConfigSnapshot> config, const Clock& clock, telemetry::Metrics& metrics,
      absl::string_view space, TextStreamReceiptContext receipt = {});

  // The text to release now (often empty). Fails with INVALID_ARGUMENT when
  // the stream grows past the Space's text.max_bytes.
  absl::StatusOr<std::string> Append(absl::string_view delta);

  // Ends the stream: builds the final response (with the last delta) and
  // hands it to `deliver`, which sends it and says whether that worked. The
  // decision is counted only once delivered: a client that cancelled (which
  // the synchronous gRPC API may report as an ordinary end of input) made no
  // decision to count. Returns OK, CANCELLED when `deliver` failed, or, in
  // enforce mode when the text could not be marked, a BlockedStatus (counted;
  // `deliver` is not called).
  absl::Status Finish(absl::FunctionRef<bool(const hallmark::v1::MarkTextStreamResponse&)> deliver);

 private:
  TextStreamSession(std::shared_ptr<const ConfigSnapshot> config, const Clock& clock,
                    telemetry::Metrics& metrics, std::string space);
  // Charges the time since `start` to the stream and checks the budget.
  void Charge(absl::Time start);

  std::shared_ptr<const ConfigSnapshot> config_;  // fixed for the stream's life
  const Clock& clock_;
  telemetry::Metrics& metrics_;
  const std::string space_name_;
  const SpaceRuntime& space_;
  std::unique_ptr<watermark::TextStreamMarker> marker_;  // null in mode off
  std::string payload_id_;
  // Receipts: the signer (null for none), the request's fields, and the
  // hash of the marked text so far.
  const provenance::ReceiptSigner* receipt_signer_ = nullptr;
  std::string request_id_;
  std::string model_;
  provenance::TextSha256Builder marked_hash_;
  prometheus::Histogram* receipt_time_ = nullptr;
  size_t received_bytes_ = 0;
  absl::Duration spent_ = absl::ZeroDuration();
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_TEXT_TEXT_STREAM_SESSION_H_
