// The "no sidecar" baseline: an in-process hallmark.v1.Hallmark server that
// does no work, so that a run against it measures this machine's gRPC
// transport cost with the same client, schedule and payloads.
//
// MarkText returns the input text unchanged; MarkTextStream returns every
// delta at once and then a final response; MarkImage returns the input bytes
// unchanged (with their format and raw layout, and no decision); Detect
// returns an empty verdict.
// Like hallmarkd it uses gRPC's synchronous server with the same message
// size limit, so the transport path is the same.
#ifndef HALLMARK_BENCH_LOADGEN_ECHO_SERVER_H_
#define HALLMARK_BENCH_LOADGEN_ECHO_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "hallmark/v1/hallmark.grpc.pb.h"

namespace hallmark::loadgen {

// Thread-safe (stateless).
class EchoService final : public hallmark::v1::Hallmark::Service {
 public:
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
};

// The running echo server; stops when destroyed.
class EchoServer {
 public:
  // Listens on `listen_address` (host:port, port 0 = picked by the kernel,
  // or unix:/path); by default on 127.0.0.1 with a free port.
  static absl::StatusOr<std::unique_ptr<EchoServer>> Start(
      const std::string& listen_address = "127.0.0.1:0");
  ~EchoServer();

  // host:port to dial.
  const std::string& address() const { return address_; }

 private:
  EchoServer() = default;

  EchoService service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace hallmark::loadgen

#endif  // HALLMARK_BENCH_LOADGEN_ECHO_SERVER_H_
