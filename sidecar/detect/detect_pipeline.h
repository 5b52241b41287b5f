// Looks for a mark with every key in the ring (PRODUCT §3 Detect).
#ifndef HALLMARK_SIDECAR_DETECT_DETECT_PIPELINE_H_
#define HALLMARK_SIDECAR_DETECT_DETECT_PIPELINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hallmark/v1/hallmark.pb.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_snapshot.h"
#include "telemetry/metrics.h"

namespace hallmark::sidecar {

// Thread-safe.
class DetectPipeline {
 public:
  // Creates the detection series for every scheme in `text_schemes`.
  DetectPipeline(const Clock& clock, telemetry::Metrics& metrics,
                 const watermark::TextSchemeRegistry& text_schemes);

  // Text: runs every text scheme (of the registry given to the constructor,
  // which must outlive this) and reports the strongest verdict.
  // Images: UNIMPLEMENTED until the image scheme exists. Empty or
  // oversized content: INVALID_ARGUMENT.
  absl::StatusOr<hallmark::v1::DetectResponse> Detect(
      const ConfigSnapshot& config, const hallmark::v1::DetectRequest& request) const;

 private:
  // Each text scheme with its detection counters, in name order; resolved
  // once here, so a request does no lookups.
  struct SchemeEntry {
    std::string name;
    const watermark::TextScheme* scheme;
    prometheus::Counter* verified;
    prometheus::Counter* unverified;
    prometheus::Counter* not_detected;
  };
  const Clock& clock_;
  prometheus::Histogram& detect_time_;
  std::vector<SchemeEntry> schemes_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_DETECT_DETECT_PIPELINE_H_
