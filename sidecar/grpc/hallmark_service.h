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
#include "sidecar/text/text_mark_pipeline.h"
#include "telemetry/metrics.h"

namespace hallmark::sidecar {

// Thread-safe: the gRPC server calls it from many threads.
class HallmarkService final : public hallmark::v1::Hallmark::Service {
 public:
  HallmarkService(const ConfigStore& config, const Clock& clock, telemetry::Metrics& metrics,
                  const watermark::TextSchemeRegistry& text_schemes);

  // hallmark::v1::Hallmark::Service:
  grpc::Status MarkText(grpc::ServerContext* context, const hallmark::v1::MarkTextRequest* request,
                        hallmark::v1::MarkTextResponse* response) override;
  grpc::Status MarkTextStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<hallmark::v1::MarkTextStreamResponse,
                               hallmark::v1::MarkTextStreamRequest>* stream) override;
  grpc::Status MarkImage(grpc::ServerContext* context,
                         const hallmark::v1::MarkImageRequest* request,
                         hallmark::v1::MarkImageResponse* response) override;
  grpc::Status Detect(grpc::ServerContext* context, const hallmark::v1::DetectRequest* request,
                      hallmark::v1::DetectResponse* response) override;
  grpc::Status GetPolicy(grpc::ServerContext* context,
                         const hallmark::v1::GetPolicyRequest* request,
                         hallmark::v1::GetPolicyResponse* response) override;

 private:
  // Converts a pipeline error, counting INVALID_ARGUMENT and attaching the
  // decision and reason of a BLOCKED verdict as trailing metadata.
  grpc::Status ToGrpc(grpc::ServerContext* context, const absl::Status& status,
                      prometheus::Counter& invalid_counter);

  const ConfigStore& config_;
  const Clock& clock_;
  telemetry::Metrics& metrics_;
  TextMarkPipeline text_pipeline_;
  DetectPipeline detect_pipeline_;
  prometheus::Gauge& text_in_flight_;
  prometheus::Counter& invalid_mark_text_;
  prometheus::Counter& invalid_mark_text_stream_;
  prometheus::Counter& invalid_detect_;
  prometheus::Counter& invalid_get_policy_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_GRPC_HALLMARK_SERVICE_H_
