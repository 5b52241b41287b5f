// CheckedRequestParser on arbitrary bytes: it parses every request hallmarkd
// receives, before anything else looks at it. The first byte picks the
// request type (one per RPC), the rest is the serialized request.
//
// Checks, against protobuf's own parser of the generated message (which
// checks UTF-8 itself and refuses the whole message):
// - whatever protobuf accepts, the checked parser accepts, with an equal
//   message;
// - what the checked parser accepts is a message protobuf accepts once
//   serialized (every string it lets through is valid UTF-8). It may accept
//   more: protobuf checks every occurrence of a field on the wire, the
//   checked parser only the value that counts (the last one, for a field
//   sent twice);
// - a refusal is INVALID_ARGUMENT with a message, never another code.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/strings/string_view.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/message_differencer.h"
#include "hallmark/v1/hallmark.pb.h"
#include "sidecar/grpc/checked_request.h"
#include "tests/fuzz/fuzz_keys.h"

// protobuf's reference parser logs every invalid UTF-8 string it refuses
// (which the fuzzer sends on purpose, thousands of times a second): silence
// it, so the fuzzer's own output stays readable in CI logs.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using hallmark::fuzz::FuzzCheck;
  if (size == 0) return 0;
  static const google::protobuf::Message* const kRequestTypes[] = {
      &hallmark::v1::MarkTextRequest::default_instance(),
      &hallmark::v1::MarkTextStreamRequest::default_instance(),
      &hallmark::v1::MarkImageRequest::default_instance(),
      &hallmark::v1::DetectRequest::default_instance(),
      &hallmark::v1::GetPolicyRequest::default_instance(),
  };
  const google::protobuf::Message& prototype =
      *kRequestTypes[data[0] % (sizeof(kRequestTypes) / sizeof(kRequestTypes[0]))];
  const absl::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  std::unique_ptr<google::protobuf::Message> checked(prototype.New());
  const absl::Status status =
      hallmark::sidecar::CheckedRequestParser::ForHallmarkApi().Parse(bytes, *checked);
  std::unique_ptr<google::protobuf::Message> reference(prototype.New());
  const bool reference_ok = reference->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));

  if (reference_ok) {
    FuzzCheck(status.ok());
    // The checked parser drops fields unknown to hallmark.proto (hallmarkd
    // never reads them); protobuf keeps them.
    reference->DiscardUnknownFields();
    FuzzCheck(google::protobuf::util::MessageDifferencer::Equals(*checked, *reference));
  }
  if (status.ok()) {
    std::unique_ptr<google::protobuf::Message> reparsed(prototype.New());
    FuzzCheck(reparsed->ParseFromString(checked->SerializeAsString()));
    FuzzCheck(google::protobuf::util::MessageDifferencer::Equals(*checked, *reparsed));
  } else {
    FuzzCheck(status.code() == absl::StatusCode::kInvalidArgument);
    FuzzCheck(!status.message().empty());
  }
  return 0;
}
