// Hallmark's Prometheus metrics (PRODUCT §9), declared once, here.
//
// Every family is registered in the constructor. Series (label sets) are
// created by the accessors below, which take a lock inside prometheus-cpp:
// call them at start-up or when a policy loads and keep the returned
// references; the hot path only increments. prometheus-cpp throws only on
// invalid metric or label names, all of which are constants here, so nothing
// can throw once start-up has passed.
#ifndef HALLMARK_TELEMETRY_METRICS_H_
#define HALLMARK_TELEMETRY_METRICS_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace hallmark::telemetry {

struct BuildInfo {
  std::string version;
  std::string commit;
};

// Thread-safe: families and series may be used from any thread.
class Metrics {
 public:
  explicit Metrics(const BuildInfo& build);

  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // hallmark_requests_total{space, modality, mode, decision, reason}
  prometheus::Counter& Requests(absl::string_view space, absl::string_view modality,
                                absl::string_view mode, absl::string_view decision,
                                absl::string_view reason);
  // hallmark_budget_exhausted_total{space, modality}
  prometheus::Counter& BudgetExhausted(absl::string_view space, absl::string_view modality);
  // hallmark_invalid_requests_total{rpc}: rejected with INVALID_ARGUMENT.
  prometheus::Counter& InvalidRequests(absl::string_view rpc);
  // hallmark_added_latency_seconds{modality, scheme}: time in the sidecar.
  prometheus::Histogram& AddedLatency(absl::string_view modality, absl::string_view scheme);
  // hallmark_stage_seconds{modality, stage}: embed, detect (decode/encode
  // for images later).
  prometheus::Histogram& StageTime(absl::string_view modality, absl::string_view stage);
  // hallmark_detections_total{modality, scheme, result}
  prometheus::Counter& Detections(absl::string_view modality, absl::string_view scheme,
                                  absl::string_view result);
  // hallmark_in_flight_requests{modality}
  prometheus::Gauge& InFlight(absl::string_view modality);
  // hallmark_queued_requests{modality}: requests waiting for a work slot.
  prometheus::Gauge& Queued(absl::string_view modality);
  // hallmark_shed_requests_total{modality}: requests refused a work slot
  // (overload), whatever the decision their mode turned that into.
  prometheus::Counter& Shed(absl::string_view modality);
  // hallmark_config_reloads_total{result}: "success" or "rejected".
  prometheus::Counter& ConfigReloads(absl::string_view result);
  // hallmark_public_detect_requests_total{result}: requests to the public
  // HTTP detection endpoint by outcome (sidecar/http/public_detect_server.h).
  prometheus::Counter& PublicDetectRequests(absl::string_view result);
  // hallmark_stream_idle_timeouts_total: MarkTextStream calls cancelled
  // because no message came for --stream_idle_timeout.
  prometheus::Counter& StreamIdleTimeouts() { return *stream_idle_timeouts_; }
  // hallmark_keys_loaded: keys accepted for detection.
  prometheus::Gauge& KeysLoaded() { return *keys_loaded_; }
  // hallmark_text_carriers: carriers per marked text (capacity planning).
  prometheus::Histogram& TextCarriers() { return *text_carriers_; }
  // hallmark_image_psnr_db: PSNR of each marked (or shadow-marked) image
  // against its input, the invisibility the scheme actually delivered.
  prometheus::Histogram& ImagePsnr() { return *image_psnr_; }

  // Bucket edges in seconds: sub-millisecond for text, and edges that
  // resolve the 200 ms budget (100, 150, 200, 400 ms).
  static prometheus::Histogram::BucketBoundaries LatencyBuckets();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& budget_exhausted_;
  prometheus::Family<prometheus::Counter>& invalid_requests_;
  prometheus::Family<prometheus::Histogram>& added_latency_;
  prometheus::Family<prometheus::Histogram>& stage_time_;
  prometheus::Family<prometheus::Counter>& detections_;
  prometheus::Family<prometheus::Gauge>& in_flight_;
  prometheus::Family<prometheus::Gauge>& queued_;
  prometheus::Family<prometheus::Counter>& shed_;
  prometheus::Family<prometheus::Counter>& config_reloads_;
  prometheus::Family<prometheus::Counter>& public_detect_requests_;
  prometheus::Counter* stream_idle_timeouts_;
  prometheus::Gauge* keys_loaded_;
  prometheus::Histogram* text_carriers_;
  prometheus::Histogram* image_psnr_;
};

}  // namespace hallmark::telemetry

#endif  // HALLMARK_TELEMETRY_METRICS_H_
