#include "sidecar/grpc/hallmark_service.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "sidecar/policy/policy_engine.h"
#include "sidecar/text/text_stream_session.h"

namespace hallmark::sidecar {
namespace {

absl::Time CallerDeadline(const grpc::ServerContextBase& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

// Counts a request in flight for its lifetime.
class InFlight {
 public:
  explicit InFlight(prometheus::Gauge& gauge) : gauge_(gauge) { gauge_.Increment(); }
  ~InFlight() { gauge_.Decrement(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  prometheus::Gauge& gauge_;
};

}  // namespace

HallmarkService::HallmarkService(const ConfigStore& config, const Clock& clock,
                                 telemetry::Metrics& metrics,
                                 const watermark::TextSchemeRegistry& text_schemes, Limits limits,
                                 const provenance::ReceiptSigner* receipt_signer,
                                 const ContentCredentials* content_credentials)
    : CheckedHallmarkService(metrics),
      config_(config),
      clock_(clock),
      metrics_(metrics),
      image_schemes_(image::BuiltinImageSchemeRegistry()),
      text_gate_(limits.text, &metrics.Queued("text"), &metrics.Shed("text")),
      image_gate_(limits.image, &metrics.Queued("image"), &metrics.Shed("image")),
      receipt_signer_(receipt_signer),
      stream_watchdog_(clock, limits.stream_idle_timeout),
      text_pipeline_(clock, metrics, &text_gate_, receipt_signer),
      image_pipeline_(clock, metrics, image_schemes_, &image_gate_, content_credentials,
                      limits.cores),
      detect_pipeline_(clock, metrics, text_schemes, &image_schemes_, &image_gate_,
                       content_credentials, &text_gate_),
      text_in_flight_(metrics.InFlight("text")),
      image_in_flight_(metrics.InFlight("image")),
      invalid_mark_image_(metrics.InvalidRequests("MarkImage")),
      invalid_mark_text_(metrics.InvalidRequests("MarkText")),
      invalid_mark_text_stream_(metrics.InvalidRequests("MarkTextStream")),
      invalid_detect_(metrics.InvalidRequests("Detect")),
      invalid_get_policy_(metrics.InvalidRequests("GetPolicy")) {}

grpc::Status HallmarkService::ToGrpc(grpc::ServerContextBase* context, const absl::Status& status,
                                     prometheus::Counter& invalid_counter) {
  if (status.code() == absl::StatusCode::kInvalidArgument) invalid_counter.Increment();
  const hallmark::v1::Reason reason = BlockedReason(status);
  if (reason != hallmark::v1::REASON_UNSPECIFIED) {
    context->AddTrailingMetadata("hallmark-decision",
                                 hallmark::v1::Decision_Name(hallmark::v1::DECISION_BLOCKED));
    context->AddTrailingMetadata("hallmark-reason", hallmark::v1::Reason_Name(reason));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::Status HallmarkService::MarkCheckedText(grpc::ServerContextBase* context,
                                              const hallmark::v1::MarkTextRequest* request,
                                              hallmark::v1::MarkTextResponse* response) {
  InFlight in_flight(text_in_flight_);
  const std::shared_ptr<const ConfigSnapshot> config = config_.Current();
  TextMarkCall call{request->space(), request->text(), request->request_id(), request->model(),
                    CallerDeadline(*context)};
  absl::StatusOr<hallmark::v1::MarkTextResponse> result = text_pipeline_.Mark(*config, call);
  if (!result.ok()) return ToGrpc(context, result.status(), invalid_mark_text_);
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status HallmarkService::MarkCheckedTextStream(grpc::ServerContext* context,
                                                    CheckedTextStream* stream) {
  InFlight in_flight(text_in_flight_);
  StreamIdleWatchdog::Registration watch =
      stream_watchdog_.Watch([context] { context->TryCancel(); });
  auto idle_status = [&]() {
    metrics_.StreamIdleTimeouts().Increment();
    return grpc::Status(
        grpc::StatusCode::DEADLINE_EXCEEDED,
        absl::StrCat("no message for ", absl::FormatDuration(stream_watchdog_.idle_limit()),
                     " (--stream_idle_timeout): stream cancelled"));
  };
  hallmark::v1::MarkTextStreamRequest request;
  if (!stream->Read(&request)) {
    if (watch.timed_out()) return idle_status();
    if (!stream->status().ok()) return ToGrpc(context, stream->status(), invalid_mark_text_stream_);
    if (context->IsCancelled()) {  // by the client, or by gRPC (a message over the limit)
      return grpc::Status(grpc::StatusCode::CANCELLED, "the stream ended before its first request");
    }
    invalid_mark_text_stream_.Increment();
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the stream closed before its first request (which names the space)");
  }
  absl::StatusOr<std::unique_ptr<TextStreamSession>> session =
      TextStreamSession::Start(config_.Current(), clock_, metrics_, request.space(),
                               {receipt_signer_, request.request_id(), request.model()});
  if (!session.ok()) return ToGrpc(context, session.status(), invalid_mark_text_stream_);

  hallmark::v1::MarkTextStreamResponse out;
  do {
    watch.Touch();
    absl::StatusOr<std::string> released = (*session)->Append(request.delta());
    if (!released.ok()) return ToGrpc(context, released.status(), invalid_mark_text_stream_);
    if (released->empty()) continue;
    out.set_delta(*std::move(released));
    if (!stream->Write(out)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
  } while (stream->Read(&request));
  if (watch.timed_out()) return idle_status();
  if (!stream->status().ok()) return ToGrpc(context, stream->status(), invalid_mark_text_stream_);
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled the stream");
  }

  const absl::Status finished = (*session)->Finish(
      [stream](const hallmark::v1::MarkTextStreamResponse& last) { return stream->Write(last); });
  if (!finished.ok()) return ToGrpc(context, finished, invalid_mark_text_stream_);
  return grpc::Status::OK;
}

grpc::Status HallmarkService::MarkImage(grpc::ServerContext* context,
                                        const hallmark::v1::MarkImageRequest* request,
                                        hallmark::v1::MarkImageResponse* response) {
  InFlight in_flight(image_in_flight_);
  const std::shared_ptr<const ConfigSnapshot> config = config_.Current();
  absl::StatusOr<hallmark::v1::MarkImageResponse> result =
      image_pipeline_.Mark(*config, *request, CallerDeadline(*context));
  if (!result.ok()) return ToGrpc(context, result.status(), invalid_mark_image_);
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status HallmarkService::Detect(grpc::ServerContext* context,
                                     const hallmark::v1::DetectRequest* request,
                                     hallmark::v1::DetectResponse* response) {
  InFlight in_flight(request->content_case() == hallmark::v1::DetectRequest::kImage
                         ? image_in_flight_
                         : text_in_flight_);
  const std::shared_ptr<const ConfigSnapshot> config = config_.Current();
  absl::StatusOr<hallmark::v1::DetectResponse> result = detect_pipeline_.Detect(*config, *request);
  if (!result.ok()) return ToGrpc(context, result.status(), invalid_detect_);
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status HallmarkService::GetPolicy(grpc::ServerContext* context,
                                        const hallmark::v1::GetPolicyRequest* request,
                                        hallmark::v1::GetPolicyResponse* response) {
  const std::shared_ptr<const ConfigSnapshot> config = config_.Current();
  if (absl::Status name = ValidateSpaceName(request->space()); !name.ok()) {
    return ToGrpc(context, name, invalid_get_policy_);
  }
  const SpaceRuntime& space = config->Resolve(request->space());
  response->set_space(request->space());
  response->set_named(space.named);
  *response->mutable_policy() = space.policy;
  response->set_metrics_label(space.label);
  response->set_active_key_id(config->active_key().id());
  response->set_source(config->policy().source);
  return grpc::Status::OK;
}

}  // namespace hallmark::sidecar
