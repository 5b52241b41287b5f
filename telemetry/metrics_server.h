// Serves a metrics registry over HTTP at /metrics (prometheus-cpp's Exposer).
#ifndef HALLMARK_TELEMETRY_METRICS_SERVER_H_
#define HALLMARK_TELEMETRY_METRICS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace hallmark::telemetry {

// Owns the HTTP listener; stops it when destroyed. Thread-safe.
class MetricsServer {
 public:
  // `listen` is "host:port" (port 0 picks a free port). Fails with a message
  // naming the address when it cannot bind.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      absl::string_view listen, const std::shared_ptr<prometheus::Registry>& registry);

  // The bound address, with the real port when 0 was asked for.
  const std::string& address() const { return address_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, std::string address);
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string address_;
};

}  // namespace hallmark::telemetry

#endif  // HALLMARK_TELEMETRY_METRICS_SERVER_H_
