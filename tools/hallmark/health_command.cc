// hallmark health: the standard gRPC health check against a hallmarkd.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/hallmark/args.h"
#include "tools/hallmark/channel.h"
#include "tools/hallmark/commands.h"
#include "tools/hallmark/json_line.h"

namespace hallmark::cli {

int RunHealth(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, WithChannelFlags({"service", "timeout_ms"}));
  if (!args.ok()) return UsageError("health", std::string(args.status().message()));
  int timeout_ms = 2000;
  if (args->Has("timeout_ms") && !absl::SimpleAtoi(args->Get("timeout_ms"), &timeout_ms)) {
    return UsageError("health", "--timeout_ms takes a whole number");
  }
  const std::string addr = ChannelAddress(*args);
  auto channel = OpenChannel(*args);
  if (!channel.ok()) return UsageError("health", std::string(channel.status().message()));
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(args->Get("service"));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    JsonLine json;
    json.Add("addr", addr).Add("status", "UNREACHABLE").Add("error", status.error_message());
    std::fputs(json.str().c_str(), stdout);
    return kExitNegative;
  }
  const std::string name =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  JsonLine json;
  json.Add("addr", addr).Add("status", name);
  std::fputs(json.str().c_str(), stdout);
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk
                                                                             : kExitNegative;
}

}  // namespace hallmark::cli
