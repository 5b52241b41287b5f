#include "telemetry/metrics.h"

#include <string>

namespace hallmark::telemetry {
namespace {

std::string S(absl::string_view v) { return std::string(v); }

}  // namespace

prometheus::Histogram::BucketBoundaries Metrics::LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.15,   0.2,   0.4,    0.8,   1.6};
}

Metrics::Metrics(const BuildInfo& build)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("hallmark_requests_total")
                    .Help("Mark requests by Space (named in the policy, else \"other\"), "
                          "modality, mode, decision and reason")
                    .Register(*registry_)),
      budget_exhausted_(prometheus::BuildCounter()
                            .Name("hallmark_budget_exhausted_total")
                            .Help("Requests whose latency budget or caller deadline ran out")
                            .Register(*registry_)),
      invalid_requests_(prometheus::BuildCounter()
                            .Name("hallmark_invalid_requests_total")
                            .Help("Requests rejected with INVALID_ARGUMENT, by RPC")
                            .Register(*registry_)),
      added_latency_(prometheus::BuildHistogram()
                         .Name("hallmark_added_latency_seconds")
                         .Help("Time a mark request spends in the sidecar")
                         .Register(*registry_)),
      stage_time_(prometheus::BuildHistogram()
                      .Name("hallmark_stage_seconds")
                      .Help("Time per pipeline stage")
                      .Register(*registry_)),
      detections_(prometheus::BuildCounter()
                      .Name("hallmark_detections_total")
                      .Help("Detect calls by result: verified, unverified (a mark "
                            "without a matching key) or not_detected")
                      .Register(*registry_)),
      in_flight_(prometheus::BuildGauge()
                     .Name("hallmark_in_flight_requests")
                     .Help("Requests being processed")
                     .Register(*registry_)),
      queued_(prometheus::BuildGauge()
                  .Name("hallmark_queued_requests")
                  .Help("Requests waiting for a work slot of their modality")
                  .Register(*registry_)),
      shed_(prometheus::BuildCounter()
                .Name("hallmark_shed_requests_total")
                .Help("Requests refused a work slot (overload), by modality")
                .Register(*registry_)),
      config_reloads_(prometheus::BuildCounter()
                          .Name("hallmark_config_reloads_total")
                          .Help("Policy and key reloads by result")
                          .Register(*registry_)),
      public_detect_requests_(prometheus::BuildCounter()
                                  .Name("hallmark_public_detect_requests_total")
                                  .Help("Requests to the public HTTP detection endpoint by result")
                                  .Register(*registry_)) {
  prometheus::BuildGauge()
      .Name("hallmark_build_info")
      .Help("Build information; the value is always 1")
      .Register(*registry_)
      .Add({{"version", build.version}, {"commit", build.commit}})
      .Set(1);
  stream_idle_timeouts_ =
      &prometheus::BuildCounter()
           .Name("hallmark_stream_idle_timeouts_total")
           .Help("MarkTextStream calls cancelled after --stream_idle_timeout without a message")
           .Register(*registry_)
           .Add({});
  keys_loaded_ = &prometheus::BuildGauge()
                      .Name("hallmark_keys_loaded")
                      .Help("Watermark keys loaded (all accepted for detection)")
                      .Register(*registry_)
                      .Add({});
  text_carriers_ = &prometheus::BuildHistogram()
                        .Name("hallmark_text_carriers")
                        .Help("Carrier positions found per text mark request")
                        .Register(*registry_)
                        .Add({}, prometheus::Histogram::BucketBoundaries{0, 20, 50, 79, 100, 200,
                                                                         500, 1000, 5000});
  image_psnr_ = &prometheus::BuildHistogram()
                     .Name("hallmark_image_psnr_db")
                     .Help("PSNR in dB of each marked image against its input")
                     .Register(*registry_)
                     .Add({}, prometheus::Histogram::BucketBoundaries{30, 35, 38, 40, 42, 44, 46,
                                                                      48, 50, 55, 60});
  for (const char* modality : {"text", "image"}) {
    InFlight(modality);
    Queued(modality);
    Shed(modality);
  }
  for (const char* result : {"success", "rejected"}) ConfigReloads(result);
}

prometheus::Counter& Metrics::Requests(absl::string_view space, absl::string_view modality,
                                       absl::string_view mode, absl::string_view decision,
                                       absl::string_view reason) {
  return requests_.Add({{"space", S(space)},
                        {"modality", S(modality)},
                        {"mode", S(mode)},
                        {"decision", S(decision)},
                        {"reason", S(reason)}});
}

prometheus::Counter& Metrics::BudgetExhausted(absl::string_view space, absl::string_view modality) {
  return budget_exhausted_.Add({{"space", S(space)}, {"modality", S(modality)}});
}

prometheus::Counter& Metrics::InvalidRequests(absl::string_view rpc) {
  return invalid_requests_.Add({{"rpc", S(rpc)}});
}

prometheus::Histogram& Metrics::AddedLatency(absl::string_view modality, absl::string_view scheme) {
  return added_latency_.Add({{"modality", S(modality)}, {"scheme", S(scheme)}}, LatencyBuckets());
}

prometheus::Histogram& Metrics::StageTime(absl::string_view modality, absl::string_view stage) {
  return stage_time_.Add({{"modality", S(modality)}, {"stage", S(stage)}}, LatencyBuckets());
}

prometheus::Counter& Metrics::Detections(absl::string_view modality, absl::string_view scheme,
                                         absl::string_view result) {
  return detections_.Add({{"modality", S(modality)}, {"scheme", S(scheme)}, {"result", S(result)}});
}

prometheus::Gauge& Metrics::InFlight(absl::string_view modality) {
  return in_flight_.Add({{"modality", S(modality)}});
}

prometheus::Gauge& Metrics::Queued(absl::string_view modality) {
  return queued_.Add({{"modality", S(modality)}});
}

prometheus::Counter& Metrics::Shed(absl::string_view modality) {
  return shed_.Add({{"modality", S(modality)}});
}

prometheus::Counter& Metrics::ConfigReloads(absl::string_view result) {
  return config_reloads_.Add({{"result", S(result)}});
}

prometheus::Counter& Metrics::PublicDetectRequests(absl::string_view result) {
  return public_detect_requests_.Add({{"result", S(result)}});
}

}  // namespace hallmark::telemetry
