#include "telemetry/metrics_server.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hallmark::telemetry {

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, std::string address)
    : exposer_(std::move(exposer)), address_(std::move(address)) {}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    absl::string_view listen, const std::shared_ptr<prometheus::Registry>& registry) {
  const size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos || colon + 1 == listen.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics listen address \"", listen, "\" is not host:port"));
  }
  const absl::string_view host = listen.substr(0, colon);
  // prometheus-cpp (CivetWeb) reports bind failures as exceptions; they are
  // caught here so that they become a start-up error like any other.
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(std::string(listen), 2);
    exposer->RegisterCollectable(registry);
    const std::vector<int> ports = exposer->GetListeningPorts();
    const int port = ports.empty() ? 0 : ports.front();
    std::string address = absl::StrCat(host, ":", port);
    return std::unique_ptr<MetricsServer>(
        new MetricsServer(std::move(exposer), std::move(address)));
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
}

}  // namespace hallmark::telemetry
