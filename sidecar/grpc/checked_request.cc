#include "sidecar/grpc/checked_request.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"
#include "hallmark/v1/hallmark.pb.h"
#include "sidecar/log/log.h"
#include "sidecar/text/utf8.h"
#include "watermark/base/status_macros.h"

namespace hallmark::sidecar {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::DescriptorProto;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::FieldDescriptorProto;
using ::google::protobuf::FileDescriptor;
using ::google::protobuf::FileDescriptorProto;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

// Turns every `string` field of `message` (and of its nested types) into
// `bytes`: the same wire format, without the UTF-8 check. A map's entry type
// becomes an ordinary message (a map is a repeated entry message on the
// wire), as map keys cannot be `bytes`; the entries then also keep the order
// they were sent in, which error messages refer to.
void StringsToBytes(DescriptorProto& message) {
  if (message.options().map_entry()) message.mutable_options()->clear_map_entry();
  for (FieldDescriptorProto& field : *message.mutable_field()) {
    if (field.type() == FieldDescriptorProto::TYPE_STRING) {
      field.set_type(FieldDescriptorProto::TYPE_BYTES);
    }
  }
  for (DescriptorProto& nested : *message.mutable_nested_type()) StringsToBytes(nested);
}

// Adds the twin of `file` to `pool`, after the twins of the files it imports.
absl::Status AddTwinFile(const FileDescriptor& file, google::protobuf::DescriptorPool& pool) {
  if (pool.FindFileByName(file.name()) != nullptr) return absl::OkStatus();
  for (int i = 0; i < file.dependency_count(); ++i) {
    HM_RETURN_IF_ERROR(AddTwinFile(*file.dependency(i), pool));
  }
  FileDescriptorProto proto;
  file.CopyTo(&proto);
  proto.clear_service();  // requests only
  for (DescriptorProto& message : *proto.mutable_message_type()) StringsToBytes(message);
  if (pool.BuildFile(proto) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot build the unchecked twin of ", file.name()));
  }
  return absl::OkStatus();
}

// "raw." + "format", "tags[2]": how errors name a field.
std::string FieldPath(absl::string_view prefix, const FieldDescriptor& field, int index = -1) {
  return index < 0 ? absl::StrCat(prefix, field.name())
                   : absl::StrCat(prefix, field.name(), "[", index, "]");
}

// Takes a string out of a twin without copying: `value` refers to the
// string inside the twin (or to a scratch copy), neither used again.
std::string Take(const std::string& value) { return std::move(const_cast<std::string&>(value)); }

// Moves the fields set in `twin` into `out`, which is empty and of the API
// type `twin` mirrors; checks the UTF-8 of `string` fields of `out`'s type.
absl::Status MoveFields(Message& twin, Message& out, absl::string_view prefix) {
  const Reflection& from = *twin.GetReflection();
  const Reflection& to = *out.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  from.ListFields(twin, &fields);
  for (const FieldDescriptor* field : fields) {
    const FieldDescriptor* target = out.GetDescriptor()->FindFieldByNumber(field->number());
    if (target == nullptr || target->is_repeated() != field->is_repeated() ||
        target->cpp_type() != field->cpp_type()) {
      return absl::InternalError(absl::StrCat("the unchecked twin of ", out.GetTypeName(),
                                              " differs at field ", field->name()));
    }
    const bool check_utf8 = target->type() == FieldDescriptor::TYPE_STRING;
    std::string scratch;
    if (!field->is_repeated()) {
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING: {
          const std::string& value = from.GetStringReference(twin, field, &scratch);
          if (check_utf8) HM_RETURN_IF_ERROR(CheckUtf8(FieldPath(prefix, *target), value));
          to.SetString(&out, target, Take(value));
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          HM_RETURN_IF_ERROR(MoveFields(*from.MutableMessage(&twin, field),
                                        *to.MutableMessage(&out, target),
                                        absl::StrCat(FieldPath(prefix, *target), ".")));
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          to.SetInt32(&out, target, from.GetInt32(twin, field));
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          to.SetInt64(&out, target, from.GetInt64(twin, field));
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          to.SetUInt32(&out, target, from.GetUInt32(twin, field));
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          to.SetUInt64(&out, target, from.GetUInt64(twin, field));
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          to.SetDouble(&out, target, from.GetDouble(twin, field));
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          to.SetFloat(&out, target, from.GetFloat(twin, field));
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          to.SetBool(&out, target, from.GetBool(twin, field));
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          to.SetEnumValue(&out, target, from.GetEnumValue(twin, field));
          break;
      }
      continue;
    }
    const int size = from.FieldSize(twin, field);
    for (int i = 0; i < size; ++i) {
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING: {
          const std::string& value = from.GetRepeatedStringReference(twin, field, i, &scratch);
          if (check_utf8) HM_RETURN_IF_ERROR(CheckUtf8(FieldPath(prefix, *target, i), value));
          to.AddString(&out, target, Take(value));
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          HM_RETURN_IF_ERROR(MoveFields(*from.MutableRepeatedMessage(&twin, field, i),
                                        *to.AddMessage(&out, target),
                                        absl::StrCat(FieldPath(prefix, *target, i), ".")));
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          to.AddInt32(&out, target, from.GetRepeatedInt32(twin, field, i));
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          to.AddInt64(&out, target, from.GetRepeatedInt64(twin, field, i));
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          to.AddUInt32(&out, target, from.GetRepeatedUInt32(twin, field, i));
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          to.AddUInt64(&out, target, from.GetRepeatedUInt64(twin, field, i));
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          to.AddDouble(&out, target, from.GetRepeatedDouble(twin, field, i));
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          to.AddFloat(&out, target, from.GetRepeatedFloat(twin, field, i));
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          to.AddBool(&out, target, from.GetRepeatedBool(twin, field, i));
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          to.AddEnumValue(&out, target, from.GetRepeatedEnumValue(twin, field, i));
          break;
      }
    }
  }
  return absl::OkStatus();
}

void AddTwins(const Descriptor& type, const google::protobuf::DescriptorPool& pool,
              google::protobuf::DynamicMessageFactory& factory,
              absl::flat_hash_map<const Descriptor*, const Message*>& twins) {
  const Descriptor* twin = pool.FindMessageTypeByName(type.full_name());
  if (twin != nullptr) twins[&type] = factory.GetPrototype(twin);
  for (int i = 0; i < type.nested_type_count(); ++i) {
    AddTwins(*type.nested_type(i), pool, factory, twins);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<CheckedRequestParser>> CheckedRequestParser::Create(
    const FileDescriptor& api_file) {
  std::unique_ptr<CheckedRequestParser> parser(new CheckedRequestParser());
  HM_RETURN_IF_ERROR(AddTwinFile(api_file, parser->pool_));
  for (int i = 0; i < api_file.message_type_count(); ++i) {
    AddTwins(*api_file.message_type(i), parser->pool_, parser->factory_, parser->twins_);
  }
  return parser;
}

const CheckedRequestParser& CheckedRequestParser::ForHallmarkApi() {
  static const CheckedRequestParser* const parser = [] {
    absl::StatusOr<std::unique_ptr<CheckedRequestParser>> created =
        Create(*hallmark::v1::MarkTextRequest::descriptor()->file());
    if (!created.ok()) {
      LogError(absl::StrCat("bug: ", created.status().message()));
      std::abort();
    }
    return created->release();
  }();
  return *parser;
}

template <typename ParseTwin>
absl::Status CheckedRequestParser::ParseVia(Message& request, ParseTwin parse_twin) const {
  request.Clear();
  const auto twin_prototype = twins_.find(request.GetDescriptor());
  if (twin_prototype == twins_.end()) {
    return absl::InternalError(absl::StrCat(request.GetTypeName(), " is not a message of the API"));
  }
  std::unique_ptr<Message> twin(twin_prototype->second->New());
  if (!parse_twin(*twin)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request is not a valid ", request.GetTypeName(), " (protobuf) message"));
  }
  return MoveFields(*twin, request, "");
}

absl::Status CheckedRequestParser::Parse(grpc::ByteBuffer& serialized, Message& request) const {
  return ParseVia(request, [&serialized](Message& twin) {
    grpc::ProtoBufferReader reader(&serialized);
    return reader.status().ok() && twin.ParseFromZeroCopyStream(&reader);
  });
}

absl::Status CheckedRequestParser::Parse(absl::string_view serialized, Message& request) const {
  return ParseVia(request, [serialized](Message& twin) {
    return twin.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()));
  });
}

}  // namespace hallmark::sidecar
