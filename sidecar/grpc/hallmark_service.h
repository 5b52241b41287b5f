// The gRPC face of hallmarkd: adapts hallmark.v1.Hallmark calls to the
// pipelines, converts statuses, and keeps the per-RPC gauges and counters.
#ifndef HALLMARK_SIDECAR_GRPC_HALLMARK_SERVICE_H_
#define HALLMARK_SIDECAR_GRPC_HALLMARK_SERVICE_H_

#include "hallmark/v1/hallmark.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_store.h"
#include "sidecar/detect/detect_pipeline.h"
#include "sidecar/grpc/checked_hallmark_service.h"
#include "sidecar/grpc/stream_idle_watchdog.h"
#include "sidecar/image/image_mark_pipeline.h"
#include "sidecar/text/text_mark_pipeline.h"
#include "telemetry/metrics.h"
#include "watermark/image/image_scheme_registry.h"

namespace hallmark::sidecar {

// Thread-safe: the gRPC server calls it from many threads. Requests arrive
// with their UTF-8 checked (CheckedHallmarkService).
class HallmarkService final : public CheckedHallmarkService {
 public:
  // Work slots per modality (PRODUCT §5 overload): text and images are
  // gated separately, so slow image work cannot starve text.
  // hallmarkd fills them from its --max_in_flight_* / --max_queued_* flags
  // (defaults per core there); there is no second set of defaults here.
  struct Limits {
    AdmissionLimits text;
    AdmissionLimits image;
    // A MarkTextStream with no message for this long is cancelled (and
    // counted in hallmark_stream_idle_timeouts_total); zero = never.
    absl::Duration stream_idle_timeout = absl::ZeroDuration();
    // The usable cores (UsableCores): one image call may deflate a PNG on
    // those its neighbours leave free.
    int cores = 1;
  };

  // With a `receipt_signer` (which must outlive the service), marked texts
  // get signed provenance receipts (docs/provenance.md). With
  // `content_credentials` (likewise), marked images get C2PA manifests and
  // Detect reports them.
  HallmarkService(const ConfigStore& config, const Clock& clock, telemetry::Metrics& metrics,
                  const watermark::TextSchemeRegistry& text_schemes, Limits limits,
                  const provenance::ReceiptSigner* receipt_signer = nullptr,
                  const ContentCredentials* content_credentials = nullptr);

  // The pipeline behind Detect, for the public HTTP endpoint
  // (sidecar/http/public_detect_server.h), so that both answer alike and
  // share the image work slots.
  const DetectPipeline& detect_pipeline() const { return detect_pipeline_; }

  // hallmark::v1::Hallmark::Service:
  grpc::Status MarkCheckedText(grpc::ServerContextBase* context,
                               const hallmark::v1::MarkTextRequest* request,
                               hallmark::v1::MarkTextResponse* response) override;
  grpc::Status MarkImage(grpc::ServerContext* context,
                         const hallmark::v1::MarkImageRequest* request,
                         hallmark::v1::MarkImageResponse* response) override;
  grpc::Status Detect(grpc::ServerContext* context, const hallmark::v1::DetectRequest* request,
                      hallmark::v1::DetectResponse* response) override;
  grpc::Status GetPolicy(grpc::ServerContext* context,
                         const hallmark::v1::GetPolicyRequest* request,
                         hallmark::v1::GetPolicyResponse* response) override;

  // CheckedHallmarkService:
  grpc::Status MarkCheckedTextStream(grpc::ServerContext* context,
                                     CheckedTextStream* stream) override;

 private:
  // Converts a pipeline error, counting INVALID_ARGUMENT and attaching the
  // decision and reason of a BLOCKED verdict as trailing metadata.
  grpc::Status ToGrpc(grpc::ServerContextBase* context, const absl::Status& status,
                      prometheus::Counter& invalid_counter);

  const ConfigStore& config_;
  const Clock& clock_;
  telemetry::Metrics& metrics_;
  const image::ImageSchemeRegistry image_schemes_;
  AdmissionGate text_gate_;
  AdmissionGate image_gate_;
  const provenance::ReceiptSigner* const receipt_signer_;
  StreamIdleWatchdog stream_watchdog_;
  TextMarkPipeline text_pipeline_;
  ImageMarkPipeline image_pipeline_;
  DetectPipeline detect_pipeline_;
  prometheus::Gauge& text_in_flight_;
  prometheus::Gauge& image_in_flight_;
  prometheus::Counter& invalid_mark_image_;
  prometheus::Counter& invalid_mark_text_;
  prometheus::Counter& invalid_mark_text_stream_;
  prometheus::Counter& invalid_detect_;
  prometheus::Counter& invalid_get_policy_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_GRPC_HALLMARK_SERVICE_H_
