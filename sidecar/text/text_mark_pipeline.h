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
#include "telemetry/metrics.h"

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
  TextMarkPipeline(const Clock& clock, telemetry::Metrics& metrics);

  // OK with the response for MARKED, SHADOWED and PASSED_THROUGH; a
  // BlockedStatus for BLOCKED (enforce mode); INVALID_ARGUMENT for a bad
  // request (not counted as a decision).
  absl::StatusOr<hallmark::v1::MarkTextResponse> Mark(const ConfigSnapshot& config,
                                                      const TextMarkCall& call) const;

 private:
  const Clock& clock_;
  telemetry::Metrics& metrics_;
  prometheus::Histogram& embed_time_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_TEXT_TEXT_MARK_PIPELINE_H_
