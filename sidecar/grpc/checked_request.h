// Parses API requests without protobuf's UTF-8 check and then checks UTF-8
// itself, so that a bad field gets INVALID_ARGUMENT naming the field and the
// byte offset. Protobuf refuses a proto3 `string` field holding invalid
// UTF-8 while parsing, and gRPC then answers INTERNAL with an empty message.
//
// How: at construction the parser builds, in a private descriptor pool, a
// twin of every message of the API's .proto file (and of the files it
// imports) with `bytes` wherever the original has `string`: the same field
// numbers and wire format, so a twin parses exactly what a client sends. A
// request is parsed into its twin (a DynamicMessage), then moved field by
// field into the API's generated message, recursively; each field the API
// declares `string` is checked on the way. The twins follow hallmark.proto
// by themselves: there is nothing to keep in step.
#ifndef HALLMARK_SIDECAR_GRPC_CHECKED_REQUEST_H_
#define HALLMARK_SIDECAR_GRPC_CHECKED_REQUEST_H_

#include <grpcpp/support/byte_buffer.h>

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"

namespace hallmark::sidecar {

// Thread-safe after construction: Parse only reads the parser.
class CheckedRequestParser {
 public:
  // A parser for the messages of `api_file` (e.g. hallmark.proto, from a
  // generated message's descriptor()->file()).
  static absl::StatusOr<std::unique_ptr<CheckedRequestParser>> Create(
      const google::protobuf::FileDescriptor& api_file);

  // The parser for hallmark/v1/hallmark.proto, built on first use. Building
  // it cannot fail for the descriptors compiled into this binary; if it did,
  // that is a bug, and the process aborts with a log line.
  static const CheckedRequestParser& ForHallmarkApi();

  // Parses one serialized request into `request`, a message of the API file
  // (cleared first). INVALID_ARGUMENT when the bytes are not a valid message
  // of that type, or a `string` field (at any depth) is not valid UTF-8:
  // "text is not valid UTF-8: at byte 12: 0xff", "raw.format is ...".
  absl::Status Parse(grpc::ByteBuffer& serialized, google::protobuf::Message& request) const;
  absl::Status Parse(absl::string_view serialized, google::protobuf::Message& request) const;

 private:
  CheckedRequestParser() = default;
  // Parses into a new twin of `request`'s type with `parse_twin(twin)`,
  // then moves the twin's fields into `request`, checked.
  template <typename ParseTwin>
  absl::Status ParseVia(google::protobuf::Message& request, ParseTwin parse_twin) const;

  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_{&pool_};
  // API message type → the prototype of its twin.
  absl::flat_hash_map<const google::protobuf::Descriptor*, const google::protobuf::Message*> twins_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_GRPC_CHECKED_REQUEST_H_
