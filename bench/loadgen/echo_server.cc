#include "bench/loadgen/echo_server.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hallmark::loadgen {
namespace {

// hallmarkd's default --max_message_bytes.
constexpr int kMaxMessageBytes = 16 << 20;

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace

grpc::Status EchoService::MarkText(grpc::ServerContext*,
                                   const hallmark::v1::MarkTextRequest* request,
                                   hallmark::v1::MarkTextResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  response->set_text(request->text());
  response->set_server_micros(MicrosSince(start));
  return grpc::Status::OK;
}

grpc::Status EchoService::MarkTextStream(
    grpc::ServerContext*, grpc::ServerReaderWriter<hallmark::v1::MarkTextStreamResponse,
                                                   hallmark::v1::MarkTextStreamRequest>* stream) {
  hallmark::v1::MarkTextStreamRequest request;
  hallmark::v1::MarkTextStreamResponse out;
  while (stream->Read(&request)) {
    if (request.delta().empty()) continue;
    out.set_delta(request.delta());
    if (!stream->Write(out)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  hallmark::v1::MarkTextStreamResponse final_response;
  final_response.set_final(true);
  stream->Write(final_response);
  return grpc::Status::OK;
}

grpc::Status EchoService::MarkImage(grpc::ServerContext*,
                                    const hallmark::v1::MarkImageRequest* request,
                                    hallmark::v1::MarkImageResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  response->set_image(request->image());
  response->set_format(request->output_format().empty() ? request->format()
                                                        : request->output_format());
  if (request->has_raw()) {
    *response->mutable_raw() = request->raw();
    response->set_width(request->raw().width());
    response->set_height(request->raw().height());
  }
  response->set_server_micros(MicrosSince(start));
  return grpc::Status::OK;
}

grpc::Status EchoService::Detect(grpc::ServerContext*, const hallmark::v1::DetectRequest*,
                                 hallmark::v1::DetectResponse*) {
  return grpc::Status::OK;
}

absl::StatusOr<std::unique_ptr<EchoServer>> EchoServer::Start(const std::string& listen_address) {
  std::unique_ptr<EchoServer> echo(new EchoServer());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen_address, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.RegisterService(&echo->service_);
  echo->server_ = builder.BuildAndStart();
  if (echo->server_ == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot start the echo server on ", listen_address));
  }
  if (absl::StartsWith(listen_address, "unix:")) {
    echo->address_ = listen_address;
  } else {
    // The host part as given, with the port the kernel picked.
    const size_t colon = listen_address.rfind(':');
    echo->address_ = absl::StrCat(listen_address.substr(0, colon), ":", port);
  }
  return echo;
}

EchoServer::~EchoServer() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    server_->Wait();
  }
}

}  // namespace hallmark::loadgen
