#include "sidecar/grpc/checked_hallmark_service.h"

#include <grpcpp/support/method_handler.h>

#include <cstdlib>
#include <string>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "sidecar/grpc/checked_request.h"
#include "sidecar/log/log.h"

namespace hallmark::sidecar {
namespace {

namespace v1 = ::hallmark::v1;

// The index gRPC's code generator gave the method `name`: the order of the
// service's methods in hallmark.proto.
int MethodIndex(const char* name) {
  const google::protobuf::ServiceDescriptor* service =
      v1::MarkTextRequest::descriptor()->file()->FindServiceByName("Hallmark");
  const google::protobuf::MethodDescriptor* method =
      service == nullptr ? nullptr : service->FindMethodByName(name);
  if (method == nullptr) {  // hallmark.proto and this file disagree: a build error really
    LogError(absl::StrCat("hallmark.v1.Hallmark has no method ", name));
    std::abort();
  }
  return method->index();
}

// The methods the constructor installs handlers for.
constexpr absl::string_view kInstalledMethods[] = {"MarkText", "MarkTextStream", "MarkImage",
                                                   "Detect", "GetPolicy"};

grpc::Status InvalidArgument(const absl::Status& status) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(status.message()));
}

// Parses and checks a request: OK, or the status that ends the call (an
// INVALID_ARGUMENT is counted in `invalid`).
grpc::Status CheckRequest(const CheckedRequestParser& parser, grpc::ByteBuffer& serialized,
                          google::protobuf::Message& request, prometheus::Counter& invalid) {
  absl::Status checked = parser.Parse(serialized, request);
  if (checked.ok()) return grpc::Status::OK;
  if (checked.code() == absl::StatusCode::kInvalidArgument) invalid.Increment();
  return grpc::Status(static_cast<grpc::StatusCode>(checked.code()),
                      std::string(checked.message()));
}

}  // namespace

bool CheckedTextStream::Read(v1::MarkTextStreamRequest* request) {
  if (!status_.ok()) return false;
  grpc::ByteBuffer serialized;
  if (!stream_->Read(&serialized)) return false;
  ++requests_read_;
  if (absl::Status checked = CheckedRequestParser::ForHallmarkApi().Parse(serialized, *request);
      !checked.ok()) {
    status_ = absl::Status(checked.code(), absl::StrCat("request ", requests_read_,
                                                        " of the stream: ", checked.message()));
    return false;
  }
  return true;
}

template <typename Request, typename Response>
void CheckedHallmarkService::InstallUnary(const char* name, prometheus::Counter& invalid,
                                          grpc::Status (v1::Hallmark::Service::*method)(
                                              grpc::ServerContext*, const Request*, Response*)) {
  using Streamer = grpc::ServerUnaryStreamer<grpc::ByteBuffer, Response>;
  MarkMethodStreamed(
      MethodIndex(name),
      new grpc::internal::StreamedUnaryHandler<grpc::ByteBuffer, Response>(
          [this, method, &invalid, name, &parser = CheckedRequestParser::ForHallmarkApi()](
              grpc::ServerContext* context, Streamer* stream) {
            grpc::ByteBuffer serialized;
            if (!stream->Read(&serialized)) {
              // gRPC failed the call itself (e.g. a message over the size
              // limit: RESOURCE_EXHAUSTED), or the client went away. (gRPC
              // may report that a moment after Read returns: such a call is
              // then counted as invalid, though its client sees gRPC's status.)
              if (context->IsCancelled()) {
                return grpc::Status(grpc::StatusCode::CANCELLED,
                                    "the call ended before its request");
              }
              invalid.Increment();
              return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                  absl::StrCat(name, " received no request message"));
            }
            Request request;
            if (grpc::Status checked = CheckRequest(parser, serialized, request, invalid);
                !checked.ok()) {
              return checked;
            }
            Response response;
            grpc::Status status = (this->*method)(context, &request, &response);
            // The response goes out with the status, in one batch, as for
            // an ordinary unary call.
            if (status.ok()) stream->Write(response, grpc::WriteOptions().set_last_message());
            return status;
          }));
}

CheckedHallmarkService::CheckedHallmarkService(telemetry::Metrics& metrics) {
  prometheus::Counter& invalid_text = metrics.InvalidRequests("MarkText");
  MarkMethodCallback(
      MethodIndex("MarkText"),
      new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, v1::MarkTextResponse>(
          [this, &invalid_text, &parser = CheckedRequestParser::ForHallmarkApi()](
              grpc::CallbackServerContext* context, const grpc::ByteBuffer* serialized,
              v1::MarkTextResponse* response) {
            grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
            v1::MarkTextRequest request;
            grpc::ByteBuffer buffer(*serialized);  // shares the slices: no byte is copied
            grpc::Status status = CheckRequest(parser, buffer, request, invalid_text);
            if (status.ok()) status = MarkCheckedText(context, &request, response);
            reactor->Finish(status);
            return reactor;
          }));
  InstallUnary("MarkImage", metrics.InvalidRequests("MarkImage"),
               &v1::Hallmark::Service::MarkImage);
  InstallUnary("Detect", metrics.InvalidRequests("Detect"), &v1::Hallmark::Service::Detect);
  InstallUnary("GetPolicy", metrics.InvalidRequests("GetPolicy"),
               &v1::Hallmark::Service::GetPolicy);

  prometheus::Counter& invalid_stream = metrics.InvalidRequests("MarkTextStream");
  MarkMethodStreamed(
      MethodIndex("MarkTextStream"),
      new grpc::internal::BidiStreamingHandler<CheckedHallmarkService, grpc::ByteBuffer,
                                               v1::MarkTextStreamResponse>(
          [&invalid_stream](CheckedHallmarkService* service, grpc::ServerContext* context,
                            CheckedTextStream::RawStream* raw) {
            CheckedTextStream stream(raw);
            grpc::Status status = service->MarkCheckedTextStream(context, &stream);
            // The subclass answers an invalid request as it sees fit (and
            // counts it); if it carried on regardless, the request's
            // problem still decides the call.
            if (status.ok() && !stream.status().ok()) {
              invalid_stream.Increment();
              return InvalidArgument(stream.status());
            }
            return status;
          },
          this));

  // An RPC added to hallmark.proto but not above would parse its requests
  // with protobuf (invalid UTF-8: INTERNAL, no message): say so at start-up.
  const google::protobuf::ServiceDescriptor& service =
      *v1::MarkTextRequest::descriptor()->file()->FindServiceByName("Hallmark");
  for (int i = 0; i < service.method_count(); ++i) {
    const std::string& name = service.method(i)->name();
    if (!absl::c_linear_search(kInstalledMethods, name)) {
      LogWarning(absl::StrCat("bug: hallmark.v1.Hallmark/", name,
                              " has no checked request parsing (CheckedHallmarkService)"));
    }
  }
}

}  // namespace hallmark::sidecar
