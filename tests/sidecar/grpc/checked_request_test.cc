#include "sidecar/grpc/checked_request.h"

#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hallmark/v1/config.pb.h"
#include "hallmark/v1/hallmark.pb.h"

namespace hallmark::sidecar {
namespace {

namespace v1 = ::hallmark::v1;
using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::testing::HasSubstr;

const CheckedRequestParser& Api() { return CheckedRequestParser::ForHallmarkApi(); }

// Field `number` as a length-delimited record holding `bytes` (< 128 bytes):
// what a client that skips UTF-8 checks sends for a string field.
std::string Record(int number, const std::string& bytes) {
  return std::string(1, static_cast<char>(number << 3 | 2)) +
         std::string(1, static_cast<char>(bytes.size())) + bytes;
}

// Sets every field of `message` to a value derived from its number, down to
// `depth` levels of messages (twice for repeated fields).
void FillEveryField(Message& message, int depth) {
  const Descriptor& type = *message.GetDescriptor();
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    if (field->containing_oneof() != nullptr && field->index_in_oneof() != 0) continue;
    const int times = field->is_repeated() ? 2 : 1;
    for (int k = 0; k < times; ++k) {
      const std::string text = "v\xC3\xA9" + std::to_string(field->number() * 10 + k);
      const bool repeated = field->is_repeated();
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          repeated ? reflection.AddString(&message, field, text)
                   : reflection.SetString(&message, field, text);
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth > 0) {
            FillEveryField(repeated ? *reflection.AddMessage(&message, field)
                                    : *reflection.MutableMessage(&message, field),
                           depth - 1);
          }
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          repeated ? reflection.AddInt32(&message, field, field->number())
                   : reflection.SetInt32(&message, field, field->number());
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          repeated ? reflection.AddInt64(&message, field, -field->number())
                   : reflection.SetInt64(&message, field, -field->number());
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          repeated ? reflection.AddUInt32(&message, field, field->number())
                   : reflection.SetUInt32(&message, field, field->number());
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          repeated ? reflection.AddUInt64(&message, field, field->number())
                   : reflection.SetUInt64(&message, field, field->number());
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          repeated ? reflection.AddDouble(&message, field, 0.5)
                   : reflection.SetDouble(&message, field, 0.5);
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          repeated ? reflection.AddFloat(&message, field, 0.25f)
                   : reflection.SetFloat(&message, field, 0.25f);
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          repeated ? reflection.AddBool(&message, field, true)
                   : reflection.SetBool(&message, field, true);
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          const int value =
              field->enum_type()->value(field->enum_type()->value_count() - 1)->number();
          repeated ? reflection.AddEnumValue(&message, field, value)
                   : reflection.SetEnumValue(&message, field, value);
          break;
        }
      }
    }
  }
}

// Every request type of the service, with every field set, arrives intact:
// whatever fields hallmark.proto gains, the twins follow.
TEST(CheckedRequestParserTest, EveryRequestOfTheServiceArrivesIntact) {
  const google::protobuf::ServiceDescriptor* service =
      v1::MarkTextRequest::descriptor()->file()->FindServiceByName("Hallmark");
  ASSERT_NE(service, nullptr);
  google::protobuf::DynamicMessageFactory factory;
  for (int i = 0; i < service->method_count(); ++i) {
    const Descriptor* type = service->method(i)->input_type();
    SCOPED_TRACE(type->full_name());
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
    std::unique_ptr<Message> sent(prototype->New());
    FillEveryField(*sent, 3);
    std::unique_ptr<Message> received(prototype->New());
    ASSERT_TRUE(Api().Parse(sent->SerializeAsString(), *received).ok());
    EXPECT_EQ(received->DebugString(), sent->DebugString());
  }
}

TEST(CheckedRequestParserTest, ParsesFromAByteBuffer) {
  v1::MarkTextRequest sent;
  sent.set_space("acme/chat");
  sent.set_text(std::string(100000, 'x') + "caf\xC3\xA9");
  const std::string bytes = sent.SerializeAsString();
  // Two slices, as a large message may arrive.
  grpc::Slice slices[] = {grpc::Slice(bytes.substr(0, 5000)), grpc::Slice(bytes.substr(5000))};
  grpc::ByteBuffer buffer(slices, 2);
  v1::MarkTextRequest received;
  received.set_model("stale");  // cleared first
  ASSERT_TRUE(Api().Parse(buffer, received).ok());
  EXPECT_EQ(received.SerializeAsString(), bytes);
}

TEST(CheckedRequestParserTest, InvalidUtf8NamesTheFieldAndOffset) {
  v1::MarkTextRequest request;
  const absl::Status status =
      Api().Parse(Record(1, "acme/chat") + Record(2, "hello \xC3("), request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "text is not valid UTF-8: at byte 6: 0xc3 0x28");

  v1::MarkTextStreamRequest stream_request;
  EXPECT_EQ(Api().Parse(Record(4, "\xFF"), stream_request).message(),
            "delta is not valid UTF-8: at byte 0: 0xff");
  v1::GetPolicyRequest policy_request;
  EXPECT_THAT(Api().Parse(Record(1, "a/\xE2\x82"), policy_request).message(),
              HasSubstr("space is not valid UTF-8: at byte 2: 0xe2 0x82 (a character cut off"));
}

TEST(CheckedRequestParserTest, BytesFieldsAreNotChecked) {
  v1::DetectRequest request;
  ASSERT_TRUE(Api().Parse(Record(2, std::string("\x89PNG\xFF\x00", 6)), request).ok());
  EXPECT_EQ(request.content_case(), v1::DetectRequest::kImage);
  EXPECT_EQ(request.image(), std::string("\x89PNG\xFF\x00", 6));
}

TEST(CheckedRequestParserTest, KeepsPresence) {
  // A oneof member set to "" is still set: a Detect of the empty text.
  v1::DetectRequest request;
  ASSERT_TRUE(Api().Parse(Record(1, ""), request).ok());
  EXPECT_EQ(request.content_case(), v1::DetectRequest::kText);
}

// Nested messages, maps, optional fields and enums, with config.proto as the
// API file.
TEST(CheckedRequestParserTest, NestedFieldsAreCheckedAndNamed) {
  absl::StatusOr<std::unique_ptr<CheckedRequestParser>> parser =
      CheckedRequestParser::Create(*hallmark::config::v1::Policy::descriptor()->file());
  ASSERT_TRUE(parser.ok()) << parser.status();

  hallmark::config::v1::Policy policy;
  policy.mutable_default_()->set_mode(hallmark::config::v1::MODE_ENFORCE);
  policy.mutable_default_()->mutable_text()->set_max_bytes(0);  // set, though zero
  (*policy.mutable_spaces())["acme/chat"].set_budget_ms(150);
  hallmark::config::v1::Policy received;
  ASSERT_TRUE((*parser)->Parse(policy.SerializeAsString(), received).ok());
  EXPECT_TRUE(received.default_().text().has_max_bytes());
  EXPECT_EQ(received.DebugString(), policy.DebugString());

  // default.text.scheme: field 1 → 3 → 1.
  const std::string bad_scheme = Record(1, Record(3, Record(1, "uni\xFF")));
  EXPECT_EQ((*parser)->Parse(bad_scheme, received).message(),
            "default.text.scheme is not valid UTF-8: at byte 3: 0xff");
  // A map key: spaces is field 2, its entries have key 1 and value 2.
  const std::string bad_key = Record(2, Record(1, "ok")) + Record(2, Record(1, "a\xC0\xAF"));
  EXPECT_EQ((*parser)->Parse(bad_key, received).message(),
            "spaces[1].key is not valid UTF-8: at byte 1: 0xc0 0xaf");
}

TEST(CheckedRequestParserTest, MalformedProtobufNamesTheExpectedType) {
  // Field 2, length-delimited, announcing 100 bytes that never come.
  v1::MarkTextRequest request;
  const absl::Status status = Api().Parse(std::string("\x12\x64"
                                                      "abc",
                                                      5),
                                          request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "the request is not a valid hallmark.v1.MarkTextRequest (protobuf) message");
}

TEST(CheckedRequestParserTest, MessagesOutsideTheApiFileAreAnInternalError) {
  hallmark::config::v1::Policy policy;
  EXPECT_EQ(Api().Parse("", policy).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace hallmark::sidecar
