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
#include "sidecar/policy/admission_gate.h"
#include "sidecar/provenance/content_credentials.h"
#include "telemetry/metrics.h"
#include "watermark/image/image_scheme_registry.h"
#include "watermark/text/text_scheme_registry.h"

namespace hallmark::sidecar {

// Thread-safe.
class DetectPipeline {
 public:
  // Creates the detection series for every scheme of both registries, which
  // must outlive the pipeline. Without `image_schemes`, image detection
  // answers UNIMPLEMENTED. With an `image_gate`, image detection shares the
  // image marking slots: it waits up to kImageQueueWait for one, else fails
  // with RESOURCE_EXHAUSTED. With `credentials`, image verdicts also
  // report the image's C2PA manifest (DetectResponse.c2pa). With a
  // `text_gate`, text detection shares the text marking slots: it waits up
  // to kTextQueueWait for one, else fails with SlotsFullStatus.
  DetectPipeline(const Clock& clock, telemetry::Metrics& metrics,
                 const watermark::TextSchemeRegistry& text_schemes,
                 const image::ImageSchemeRegistry* image_schemes = nullptr,
                 AdmissionGate* image_gate = nullptr,
                 const ContentCredentials* credentials = nullptr,
                 AdmissionGate* text_gate = nullptr);

  static constexpr absl::Duration kImageQueueWait = absl::Milliseconds(200);
  static constexpr absl::Duration kTextQueueWait = absl::Milliseconds(50);

  // Runs every scheme of the content's modality with every key in the ring
  // and reports the strongest verdict. Text: empty or over the default
  // Space's text.max_bytes is INVALID_ARGUMENT. Images: decoded under the
  // default Space's image limits; corrupt, truncated or unsupported images
  // are INVALID_ARGUMENT, oversized ones RESOURCE_EXHAUSTED.
  absl::StatusOr<hallmark::v1::DetectResponse> Detect(
      const ConfigSnapshot& config, const hallmark::v1::DetectRequest& request) const;

 private:
  // Each scheme with its detection counters, in name order; resolved once
  // here, so a request does no lookups.
  template <typename Scheme>
  struct SchemeEntry {
    std::string name;
    const Scheme* scheme;
    prometheus::Counter* verified;
    prometheus::Counter* unverified;
    prometheus::Counter* not_detected;
  };

  absl::StatusOr<hallmark::v1::DetectResponse> DetectImage(
      const ConfigSnapshot& config, const hallmark::v1::DetectRequest& request) const;

  const Clock& clock_;
  prometheus::Histogram& detect_time_;
  prometheus::Histogram& image_decode_time_;
  prometheus::Histogram& image_detect_time_;
  prometheus::Histogram& c2pa_verify_time_;
  std::vector<SchemeEntry<watermark::TextScheme>> text_schemes_;
  std::vector<SchemeEntry<image::ImageScheme>> image_schemes_;
  bool images_enabled_ = false;
  AdmissionGate* const image_gate_;
  AdmissionGate* const text_gate_;
  const ContentCredentials* const credentials_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_DETECT_DETECT_PIPELINE_H_
