#include "sidecar/detect/detect_pipeline.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "watermark/payload/payload.h"

namespace hallmark::sidecar {
namespace {

// Orders verdicts: verified beats detected beats nothing.
int Strength(const watermark::TextDetection& d) { return d.verified ? 2 : d.detected ? 1 : 0; }

}  // namespace

DetectPipeline::DetectPipeline(const Clock& clock, telemetry::Metrics& metrics,
                               const watermark::TextSchemeRegistry& text_schemes)
    : clock_(clock), detect_time_(metrics.StageTime("text", "detect")) {
  for (const std::string& name : text_schemes.names()) {
    schemes_.push_back(SchemeEntry{name, text_schemes.Find(name),
                                   &metrics.Detections("text", name, "verified"),
                                   &metrics.Detections("text", name, "unverified"),
                                   &metrics.Detections("text", name, "not_detected")});
  }
}

absl::StatusOr<hallmark::v1::DetectResponse> DetectPipeline::Detect(
    const ConfigSnapshot& config, const hallmark::v1::DetectRequest& request) const {
  if (request.content_case() == hallmark::v1::DetectRequest::kImage) {
    return absl::UnimplementedError(
        "image detection is not built yet: this hallmarkd detects text only");
  }
  if (request.content_case() != hallmark::v1::DetectRequest::kText) {
    return absl::InvalidArgumentError("set text or image");
  }
  const std::string& text = request.text();
  const uint64_t limit = config.Resolve("").policy.text().max_bytes();
  if (text.size() > limit) {
    return absl::InvalidArgumentError(absl::StrCat("text is ", text.size(), " bytes; the limit is ",
                                                   limit, " (policy default.text.max_bytes)"));
  }

  const absl::Time start = clock_.Now();
  hallmark::v1::DetectResponse response;
  response.set_false_positive_probability(1.0);
  watermark::TextDetection best;
  std::string best_scheme;
  for (const SchemeEntry& entry : schemes_) {
    watermark::TextDetection detection = entry.scheme->Detect(text, config.key_ring().keys());
    (detection.verified   ? entry.verified
     : detection.detected ? entry.unverified
                          : entry.not_detected)
        ->Increment();
    if (best_scheme.empty() || Strength(detection) > Strength(best)) {
      best = detection;
      best_scheme = entry.name;
    }
  }
  detect_time_.Observe(absl::ToDoubleSeconds(clock_.Now() - start));

  response.set_scheme(best_scheme);
  response.set_detected(best.detected);
  response.set_verified(best.verified);
  response.set_false_positive_probability(best.false_positive_probability);
  response.set_carriers(static_cast<int32_t>(best.carriers));
  if (best.detected && best.payload.has_value()) {
    const watermark::PayloadFields& payload = *best.payload;
    response.set_payload_id(watermark::PayloadId(payload));
    response.set_space_tag(payload.space_tag);
    const int64_t seconds = absl::ToUnixSeconds(watermark::PayloadHourStart(payload.hour));
    response.mutable_timestamp()->set_seconds(seconds);
    if (best.verified) {
      response.set_key_id(best.key->id());
      response.set_space(config.SpaceForTag(payload.space_tag));
    }
  }
  return response;
}

}  // namespace hallmark::sidecar
