#include "sidecar/detect/detect_pipeline.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "sidecar/image/image_request.h"
#include "watermark/payload/payload.h"

namespace hallmark::sidecar {
namespace {

// Orders verdicts: verified beats detected beats nothing.
template <typename Detection>
int Strength(const Detection& d) {
  return d.verified ? 2 : d.detected ? 1 : 0;
}

template <typename Scheme, typename Registry, typename Entry>
void AddSchemes(const Registry& registry, absl::string_view modality, telemetry::Metrics& metrics,
                std::vector<Entry>* out) {
  for (const std::string& name : registry.names()) {
    out->push_back(Entry{name, registry.Find(name), &metrics.Detections(modality, name, "verified"),
                         &metrics.Detections(modality, name, "unverified"),
                         &metrics.Detections(modality, name, "not_detected")});
  }
}

// Runs every scheme on `content` and keeps the strongest verdict (the first
// in name order among equals).
template <typename Entry, typename Content, typename Detection>
std::string RunSchemes(const std::vector<Entry>& entries, const Content& content,
                       const watermark::KeySet& keys, Detection* best) {
  std::string best_scheme;
  for (const Entry& entry : entries) {
    Detection detection = entry.scheme->Detect(content, keys);
    (detection.verified   ? entry.verified
     : detection.detected ? entry.unverified
                          : entry.not_detected)
        ->Increment();
    if (best_scheme.empty() || Strength(detection) > Strength(*best)) {
      *best = std::move(detection);
      best_scheme = entry.name;
    }
  }
  return best_scheme;
}

// The verdict fields every modality reports.
template <typename Detection>
void FillVerdict(const ConfigSnapshot& config, const std::string& scheme, const Detection& best,
                 hallmark::v1::DetectResponse* response) {
  response->set_scheme(scheme);
  response->set_detected(best.detected);
  response->set_verified(best.verified);
  response->set_false_positive_probability(best.false_positive_probability);
  if (best.detected && best.payload.has_value()) {
    const watermark::PayloadFields& payload = *best.payload;
    response->set_payload_id(watermark::PayloadId(payload));
    response->set_space_tag(payload.space_tag);
    const int64_t seconds = absl::ToUnixSeconds(watermark::PayloadHourStart(payload.hour));
    response->mutable_timestamp()->set_seconds(seconds);
    if (best.verified) {
      response->set_key_id(best.key->id());
      response->set_space(config.SpaceForTag(payload.space_tag));
    }
  }
}

}  // namespace

DetectPipeline::DetectPipeline(const Clock& clock, telemetry::Metrics& metrics,
                               const watermark::TextSchemeRegistry& text_schemes,
                               const image::ImageSchemeRegistry* image_schemes,
                               AdmissionGate* image_gate, const ContentCredentials* credentials,
                               AdmissionGate* text_gate)
    : clock_(clock),
      detect_time_(metrics.StageTime("text", "detect")),
      image_decode_time_(metrics.StageTime("image", "decode")),
      image_detect_time_(metrics.StageTime("image", "detect")),
      c2pa_verify_time_(metrics.StageTime("image", "c2pa_verify")),
      images_enabled_(image_schemes != nullptr),
      image_gate_(image_gate),
      text_gate_(text_gate),
      credentials_(credentials) {
  AddSchemes<watermark::TextScheme>(text_schemes, "text", metrics, &text_schemes_);
  if (image_schemes != nullptr) {
    AddSchemes<image::ImageScheme>(*image_schemes, "image", metrics, &image_schemes_);
  }
}

absl::StatusOr<hallmark::v1::DetectResponse> DetectPipeline::Detect(
    const ConfigSnapshot& config, const hallmark::v1::DetectRequest& request) const {
  if (request.content_case() == hallmark::v1::DetectRequest::kImage) {
    return DetectImage(config, request);
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

  AdmissionGate::Permit permit;
  if (text_gate_ != nullptr) {
    permit = text_gate_->Enter(kTextQueueWait);
    if (!permit.admitted()) return SlotsFullStatus("text", text_gate_->limits());
  }
  const absl::Time start = clock_.Now();
  watermark::TextDetection best;
  const std::string scheme = RunSchemes(text_schemes_, text, config.key_ring().keys(), &best);
  detect_time_.Observe(absl::ToDoubleSeconds(clock_.Now() - start));

  hallmark::v1::DetectResponse response;
  FillVerdict(config, scheme, best, &response);
  response.set_carriers(static_cast<int32_t>(best.carriers));
  return response;
}

absl::StatusOr<hallmark::v1::DetectResponse> DetectPipeline::DetectImage(
    const ConfigSnapshot& config, const hallmark::v1::DetectRequest& request) const {
  if (!images_enabled_) {
    return absl::UnimplementedError("image detection is not enabled in this build");
  }
  absl::StatusOr<image::ImageFormat> format = ParseImageFormat(request.format(), "format");
  if (!format.ok()) return format.status();
  AdmissionGate::Permit permit;
  if (image_gate_ != nullptr) {
    permit = image_gate_->Enter(kImageQueueWait);
    if (!permit.admitted()) {
      return SlotsFullStatus("image", image_gate_->limits());
    }
  }
  const absl::Time decode_start = clock_.Now();
  // JPEGs are decoded as stored (YCbCr): luminance is plane 0 already.
  absl::StatusOr<image::DecodedImage> decoded = DecodeRequestImage(
      request.image(), *format, request.raw(), ImageLimitsFor(config.Resolve("").policy.image()),
      image::DecodeOptions{.jpeg_as_ycbcr = true});
  image_decode_time_.Observe(absl::ToDoubleSeconds(clock_.Now() - decode_start));
  if (!decoded.ok()) return decoded.status();

  const absl::Time start = clock_.Now();
  if (decoded->pixels.color_model() != image::ColorModel::kYCbCr) {
    if (absl::Status converted = image::ConvertRgbToYCbCr(&decoded->pixels); !converted.ok()) {
      return absl::InternalError(absl::StrCat("colour conversion: ", converted.message()));
    }
  }
  image::ImageDetection best;
  const std::string scheme =
      RunSchemes(image_schemes_, decoded->pixels, config.key_ring().keys(), &best);
  image_detect_time_.Observe(absl::ToDoubleSeconds(clock_.Now() - start));

  hallmark::v1::DetectResponse response;
  FillVerdict(config, scheme, best, &response);
  if (best.detected) response.set_geometry(best.geometry);
  if (credentials_ != nullptr) {
    const absl::Time verify_start = clock_.Now();
    *response.mutable_c2pa() = credentials_->Inspect(decoded->metadata.source_format,
                                                     request.image(), clock_.Now(), response);
    c2pa_verify_time_.Observe(absl::ToDoubleSeconds(clock_.Now() - verify_start));
  }
  return response;
}

}  // namespace hallmark::sidecar
