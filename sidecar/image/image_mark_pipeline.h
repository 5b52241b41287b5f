// Marks one image under its Space's policy: decode → luminance mark →
// encode, each stage timed, inside the Space's budget and the caller's
// deadline, with the same decisions and metrics as text (PRODUCT §5, §6).
// Shared by hallmarkd's MarkImage and the offline CLI.
#ifndef HALLMARK_SIDECAR_IMAGE_IMAGE_MARK_PIPELINE_H_
#define HALLMARK_SIDECAR_IMAGE_IMAGE_MARK_PIPELINE_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hallmark/v1/hallmark.pb.h"
#include "prometheus/histogram.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_snapshot.h"
#include "sidecar/policy/admission_gate.h"
#include "sidecar/provenance/content_credentials.h"
#include "telemetry/metrics.h"
#include "watermark/image/image_scheme_registry.h"

namespace hallmark::sidecar {

// Thread-safe.
class ImageMarkPipeline {
 public:
  // `schemes`, `gate` and `credentials` must outlive the pipeline. With a
  // `gate`, work waits for one of its slots (no longer than the budget) or
  // is shed with reason OVERLOAD; without one it always runs. PNG output
  // is deflated on up to 4 threads: of the `cores` it may use (the usable
  // cores, UsableCores), those that the gate's other requests leave (see
  // PngThreads in the .cc). With
  // `credentials`, Spaces whose image.provenance is c2pa get a signed C2PA
  // manifest in every marked PNG/JPEG/WebP (a failure to sign is an
  // internal failure of the mark); without them, none is written.
  ImageMarkPipeline(const Clock& clock, telemetry::Metrics& metrics,
                    const image::ImageSchemeRegistry& schemes, AdmissionGate* gate = nullptr,
                    const ContentCredentials* credentials = nullptr, int cores = 1);

  // OK with the response for MARKED, SHADOWED and PASSED_THROUGH; a
  // BlockedStatus for BLOCKED (enforce mode); INVALID_ARGUMENT or
  // RESOURCE_EXHAUSTED for a bad or oversized image (not a decision).
  // `caller_deadline` is InfiniteFuture when the caller set none.
  absl::StatusOr<hallmark::v1::MarkImageResponse> Mark(
      const ConfigSnapshot& config, const hallmark::v1::MarkImageRequest& request,
      absl::Time caller_deadline = absl::InfiniteFuture()) const;

 private:
  int PngThreads() const;

  const Clock& clock_;
  telemetry::Metrics& metrics_;
  const image::ImageSchemeRegistry& schemes_;
  AdmissionGate* const gate_;
  const ContentCredentials* const credentials_;
  const int cores_;  // at least 1
  prometheus::Histogram& decode_time_;
  prometheus::Histogram& embed_time_;
  prometheus::Histogram& encode_time_;
  prometheus::Histogram& c2pa_time_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_IMAGE_IMAGE_MARK_PIPELINE_H_
