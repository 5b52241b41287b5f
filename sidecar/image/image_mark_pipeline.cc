#include "sidecar/image/image_mark_pipeline.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sidecar/config/policy_loader.h"
#include "sidecar/image/image_request.h"
#include "sidecar/log/log.h"
#include "sidecar/policy/blocked_detail.h"
#include "sidecar/policy/policy_engine.h"
#include "sidecar/policy/request_budget.h"
#include "watermark/payload/payload.h"

namespace hallmark::sidecar {
namespace {

int64_t Micros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

// PNG encoding, mostly deflate, is the longest stage of a 1080p mark; beyond
// 4 threads the bands get short and the thread starts, the serial pixel
// packing and the copy into one buffer take over.
constexpr int kMaxPngThreads = 4;

// What marking produced, before the mode decides what the caller gets.
struct MarkedImage {
  std::string bytes;
  image::ImageFormat format = image::ImageFormat::kUnknown;
  int width = 0;
  int height = 0;
  int channels = 0;
};

}  // namespace

ImageMarkPipeline::ImageMarkPipeline(const Clock& clock, telemetry::Metrics& metrics,
                                     const image::ImageSchemeRegistry& schemes, AdmissionGate* gate,
                                     const ContentCredentials* credentials, int cores)
    : clock_(clock),
      metrics_(metrics),
      schemes_(schemes),
      gate_(gate),
      credentials_(credentials),
      cores_(std::max(1, cores)),
      decode_time_(metrics.StageTime("image", "decode")),
      embed_time_(metrics.StageTime("image", "embed")),
      encode_time_(metrics.StageTime("image", "encode")),
      c2pa_time_(metrics.StageTime("image", "c2pa")) {}

// The threads one PNG encode may use (EncodeOptions::png_threads): the
// cores divided among the image requests in flight (this one included), so
// that an idle sidecar encodes a PNG on several cores and a busy one, whose
// gate slots (one per core by default) are all taken, on one per request
// rather than oversubscribing them. Without a gate (the CLI), every core,
// up to kMaxPngThreads.
int ImageMarkPipeline::PngThreads() const {
  const int in_flight = gate_ != nullptr ? std::max(1, gate_->in_flight()) : 1;
  return std::clamp(cores_ / in_flight, 1, kMaxPngThreads);
}

absl::StatusOr<hallmark::v1::MarkImageResponse> ImageMarkPipeline::Mark(
    const ConfigSnapshot& config, const hallmark::v1::MarkImageRequest& request,
    absl::Time caller_deadline) const {
  const absl::Time start = clock_.Now();
  if (absl::Status name = ValidateSpaceName(request.space()); !name.ok()) return name;
  absl::StatusOr<image::ImageFormat> input_format = ParseImageFormat(request.format(), "format");
  if (!input_format.ok()) return input_format.status();
  absl::StatusOr<image::ImageFormat> output_format =
      ParseImageFormat(request.output_format(), "output_format");
  if (!output_format.ok()) return output_format.status();
  if (request.image().empty()) return absl::InvalidArgumentError("image is empty");

  const SpaceRuntime& space = config.Resolve(request.space());
  const hallmark::config::v1::Mode mode = space.policy.mode();
  const hallmark::config::v1::ImagePolicy& policy = space.policy.image();

  hallmark::v1::MarkImageResponse response;
  response.set_scheme(policy.scheme());
  MarkOutcome outcome = MarkOutcome::kMarked;
  MarkedImage marked;
  hallmark::v1::C2paManifest manifest;
  image::ImageFormat original_format = *input_format;
  int min_dimension = 0;

  AdmissionGate::Permit permit;
  if (mode != hallmark::config::v1::MODE_OFF && gate_ != nullptr) {
    const RequestBudget budget(clock_, start, space.budget, caller_deadline);
    permit = gate_->Enter(budget.deadline() - clock_.Now());
    if (!permit.admitted()) outcome = MarkOutcome::kOverload;
  }

  if (mode != hallmark::config::v1::MODE_OFF && outcome != MarkOutcome::kOverload) {
    RequestBudget budget(clock_, start, space.budget, caller_deadline);
    // Decode: a corrupt or oversized image is the caller's error whatever
    // the mode, so it fails the call rather than becoming a decision.
    const absl::Time decode_start = clock_.Now();
    // A JPEG that goes back out as JPEG stays in YCbCr from decoder to
    // encoder: libjpeg converts neither way, and neither do we.
    const image::ImageFormat sniffed = *input_format == image::ImageFormat::kUnknown
                                           ? image::SniffImageFormat(request.image())
                                           : *input_format;
    image::DecodeOptions decode_options;
    decode_options.jpeg_as_ycbcr =
        sniffed == image::ImageFormat::kJpeg && (*output_format == image::ImageFormat::kUnknown ||
                                                 *output_format == image::ImageFormat::kJpeg);
    absl::StatusOr<image::DecodedImage> decoded = DecodeRequestImage(
        request.image(), *input_format, request.raw(), ImageLimitsFor(policy), decode_options);
    const absl::Duration decode_time = clock_.Now() - decode_start;
    decode_time_.Observe(absl::ToDoubleSeconds(decode_time));
    if (!decoded.ok()) return decoded.status();
    response.set_decode_micros(Micros(decode_time));
    original_format = decoded->metadata.source_format;
    image::Image& pixels = decoded->pixels;
    response.set_width(pixels.width());
    response.set_height(pixels.height());

    const image::ImageScheme* scheme = schemes_.Find(policy.scheme());
    if (scheme != nullptr) min_dimension = scheme->min_dimension();
    if (scheme == nullptr) {
      outcome = MarkOutcome::kUnsupported;
    } else if (budget.Expired()) {
      outcome = MarkOutcome::kBudget;
    } else {
      const watermark::WatermarkKey& key = config.active_key();
      const watermark::PayloadFields payload =
          watermark::NewPayloadFields(request.space(), key, clock_.Now());
      const absl::Time embed_start = clock_.Now();
      absl::StatusOr<image::ImageMarkResult> result;
      const bool stays_ycbcr = pixels.color_model() == image::ColorModel::kYCbCr;
      absl::Status converted = stays_ycbcr ? absl::OkStatus() : image::ConvertRgbToYCbCr(&pixels);
      if (converted.ok()) result = scheme->Mark(&pixels, payload, key);
      if (converted.ok() && result.ok() && !stays_ycbcr) {
        converted = image::ConvertYCbCrToRgb(&pixels);
      }
      const absl::Duration embed_time = clock_.Now() - embed_start;
      embed_time_.Observe(absl::ToDoubleSeconds(embed_time));
      response.set_embed_micros(Micros(embed_time));
      if (!converted.ok() || !result.ok()) {
        outcome = MarkOutcome::kInternal;
      } else if (!result->marked) {
        outcome = MarkOutcome::kTooShort;
      } else if (budget.Expired()) {
        outcome = MarkOutcome::kBudget;
      } else {
        image::EncodeOptions options;
        options.format = *output_format;
        options.jpeg_quality = static_cast<int>(policy.jpeg_quality());
        options.png_threads = PngThreads();
        const absl::Time encode_start = clock_.Now();
        absl::StatusOr<std::string> encoded =
            image::EncodeImage(pixels, decoded->metadata, options);
        const absl::Duration encode_time = clock_.Now() - encode_start;
        encode_time_.Observe(absl::ToDoubleSeconds(encode_time));
        response.set_encode_micros(Micros(encode_time));
        const image::ImageFormat encoded_format = options.format == image::ImageFormat::kUnknown
                                                      ? decoded->metadata.source_format
                                                      : options.format;
        // The signed layer goes over the watermarked pixels' encoded file.
        if (encoded.ok() && !budget.Expired() && credentials_ != nullptr &&
            policy.provenance() == hallmark::config::v1::PROVENANCE_C2PA &&
            ContentCredentials::Supports(encoded_format)) {
          const absl::Time sign_start = clock_.Now();
          encoded = credentials_->Sign(encoded_format, *encoded, watermark::PayloadId(payload),
                                       &manifest);
          const absl::Duration sign_time = clock_.Now() - sign_start;
          c2pa_time_.Observe(absl::ToDoubleSeconds(sign_time));
          manifest.set_sign_micros(Micros(sign_time));
          if (!encoded.ok()) {
            LogError(absl::StrCat("C2PA manifest not written: ", encoded.status().message()));
          }
        }
        if (!encoded.ok()) {
          outcome = MarkOutcome::kInternal;
        } else if (budget.Expired()) {
          outcome = MarkOutcome::kBudget;
        } else {
          if (std::isfinite(result->psnr_db)) {
            response.set_psnr_db(result->psnr_db);
            metrics_.ImagePsnr().Observe(result->psnr_db);
          }
          response.set_payload_id(watermark::PayloadId(payload));
          response.set_key_id(key.id());
          marked.bytes = *std::move(encoded);
          marked.format = encoded_format;
          marked.width = pixels.width();
          marked.height = pixels.height();
          marked.channels = image::HasAlpha(pixels.color_model()) ? 4 : 3;
        }
      }
    }
    if (outcome == MarkOutcome::kBudget) space.image_counters->CountBudgetExhausted();
  }

  const Verdict verdict = Decide(mode, outcome);
  space.image_counters->Count(verdict.decision, verdict.reason);
  response.set_decision(verdict.decision);
  response.set_reason(verdict.reason);
  if (verdict.return_marked) {
    response.set_image(std::move(marked.bytes));
    if (!manifest.manifest_label().empty()) *response.mutable_c2pa() = std::move(manifest);
    response.set_format(std::string(image::ImageFormatName(marked.format)));
    if (marked.format == image::ImageFormat::kRaw) {
      response.mutable_raw()->set_width(marked.width);
      response.mutable_raw()->set_height(marked.height);
      response.mutable_raw()->set_channels(marked.channels);
      response.mutable_raw()->set_stride(marked.width * marked.channels);
    }
  } else {
    response.set_image(request.image());
    if (original_format == image::ImageFormat::kUnknown) {
      original_format = image::SniffImageFormat(request.image());
    }
    response.set_format(std::string(image::ImageFormatName(original_format)));
    if (original_format == image::ImageFormat::kRaw) *response.mutable_raw() = request.raw();
  }
  const absl::Duration spent = clock_.Now() - start;
  response.set_server_micros(Micros(spent));
  space.image_latency->Observe(absl::ToDoubleSeconds(spent));

  if (verdict.decision == hallmark::v1::DECISION_BLOCKED) {
    BlockedContext context{"image", response.scheme(), space.policy.budget_ms(), gate_,
                           absl::StrCat("the image is ", response.width(), "x", response.height(),
                                        "; the ", response.scheme(), " scheme needs at least ",
                                        min_dimension, " pixels on each side")};
    return BlockedStatus(verdict.reason, BlockedDetail(outcome, context));
  }
  return response;
}

}  // namespace hallmark::sidecar
