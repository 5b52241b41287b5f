#include "sidecar/config/yaml_proto_reader.h"

#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "watermark/base/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace hallmark::sidecar {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::EnumDescriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

// Reads one document; holds what every error message needs.
class Reader {
 public:
  Reader(absl::string_view source, FieldLocations* locations)
      : source_(source), locations_(locations) {}

  absl::Status ReadMessage(const YAML::Node& node, const std::string& path, Message& message) {
    if (node.IsNull()) return absl::OkStatus();
    if (!node.IsMap()) {
      return Error(node, path,
                   absl::StrCat("expected a mapping of ", FieldList(*message.GetDescriptor())));
    }
    const Descriptor& descriptor = *message.GetDescriptor();
    for (const auto& entry : node) {
      std::string key;
      HM_RETURN_IF_ERROR(ScalarKey(entry.first, path, key));
      const std::string field_path = path.empty() ? key : absl::StrCat(path, ".", key);
      const FieldDescriptor* field = descriptor.FindFieldByName(key);
      if (field == nullptr) {
        return Error(entry.first, field_path,
                     absl::StrCat("unknown field; expected one of ", FieldList(descriptor)));
      }
      Remember(entry.first, field_path);
      HM_RETURN_IF_ERROR(ReadField(entry.second, field_path, *field, message));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ReadField(const YAML::Node& node, const std::string& path,
                         const FieldDescriptor& field, Message& message) {
    const Reflection& reflection = *message.GetReflection();
    if (field.is_map()) {
      if (node.IsNull()) return absl::OkStatus();
      if (!node.IsMap()) return Error(node, path, "expected a mapping");
      const Descriptor& entry_type = *field.message_type();
      const FieldDescriptor& key_field = *entry_type.FindFieldByName("key");
      const FieldDescriptor& value_field = *entry_type.FindFieldByName("value");
      if (key_field.cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
        return Error(node, path, "only string-keyed maps are supported");
      }
      for (const auto& entry : node) {
        std::string key;
        HM_RETURN_IF_ERROR(ScalarKey(entry.first, path, key));
        const std::string entry_path = absl::StrCat(path, ".\"", key, "\"");
        Remember(entry.first, entry_path);
        Message* map_entry = reflection.AddMessage(&message, &field);
        map_entry->GetReflection()->SetString(map_entry, &key_field, key);
        HM_RETURN_IF_ERROR(ReadValue(entry.second, entry_path, value_field, *map_entry));
      }
      return absl::OkStatus();
    }
    if (field.is_repeated()) {
      return Error(node, path, "lists are not supported in this schema");
    }
    return ReadValue(node, path, field, message);
  }

  // Reads a singular value (or a map entry's value) into `field` of `message`.
  absl::Status ReadValue(const YAML::Node& node, const std::string& path,
                         const FieldDescriptor& field, Message& message) {
    const Reflection& reflection = *message.GetReflection();
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return ReadMessage(node, path, *reflection.MutableMessage(&message, &field));
    }
    if (!node.IsScalar()) return Error(node, path, "expected a single value");
    const std::string& text = node.Scalar();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection.SetString(&message, &field, text);
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_BOOL: {
        const std::string lower = absl::AsciiStrToLower(text);
        if (lower != "true" && lower != "false") return Error(node, path, "expected true or false");
        reflection.SetBool(&message, &field, lower == "true");
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t value = 0;
        const uint64_t max = field.cpp_type() == FieldDescriptor::CPPTYPE_UINT32
                                 ? std::numeric_limits<uint32_t>::max()
                                 : std::numeric_limits<uint64_t>::max();
        if (!absl::SimpleAtoi(text, &value) || value > max) {
          return Error(
              node, path,
              absl::StrCat("expected a whole number from 0 to ", max, ", got \"", text, "\""));
        }
        if (field.cpp_type() == FieldDescriptor::CPPTYPE_UINT32) {
          reflection.SetUInt32(&message, &field, static_cast<uint32_t>(value));
        } else {
          reflection.SetUInt64(&message, &field, value);
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t value = 0;
        const bool is32 = field.cpp_type() == FieldDescriptor::CPPTYPE_INT32;
        if (!absl::SimpleAtoi(text, &value) ||
            (is32 && (value < std::numeric_limits<int32_t>::min() ||
                      value > std::numeric_limits<int32_t>::max()))) {
          return Error(node, path, absl::StrCat("expected a whole number, got \"", text, "\""));
        }
        if (is32) {
          reflection.SetInt32(&message, &field, static_cast<int32_t>(value));
        } else {
          reflection.SetInt64(&message, &field, value);
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double value = 0;
        if (!absl::SimpleAtod(text, &value)) {
          return Error(node, path, absl::StrCat("expected a number, got \"", text, "\""));
        }
        if (field.cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          reflection.SetDouble(&message, &field, value);
        } else {
          reflection.SetFloat(&message, &field, static_cast<float>(value));
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM:
        return ReadEnum(node, path, text, field, message);
      default:
        return Error(node, path, "unsupported field type");
    }
  }

  absl::Status ReadEnum(const YAML::Node& node, const std::string& path, const std::string& text,
                        const FieldDescriptor& field, Message& message) {
    const EnumDescriptor& type = *field.enum_type();
    const std::string prefix = EnumPrefix(type);
    const std::string wanted = absl::StrCat(prefix, absl::AsciiStrToUpper(text));
    const auto* value = type.FindValueByName(wanted);
    std::vector<std::string> allowed;
    for (int i = 0; i < type.value_count(); ++i) {
      const std::string& name = type.value(i)->name();
      if (type.value(i)->number() == 0) continue;  // UNSPECIFIED
      allowed.push_back(absl::AsciiStrToLower(name.substr(prefix.size())));
    }
    if (value == nullptr || value->number() == 0 || text != absl::AsciiStrToLower(text)) {
      return Error(node, path,
                   absl::StrCat("unknown value \"", text, "\"; expected one of ",
                                absl::StrJoin(allowed, ", ")));
    }
    message.GetReflection()->SetEnumValue(&message, &field, value->number());
    return absl::OkStatus();
  }

  // "Mode" → "MODE_", "ImageFormat" → "IMAGE_FORMAT_".
  static std::string EnumPrefix(const EnumDescriptor& type) {
    std::string out;
    for (char c : type.name()) {
      if (absl::ascii_isupper(c) && !out.empty()) out.push_back('_');
      out.push_back(absl::ascii_toupper(c));
    }
    out.push_back('_');
    return out;
  }

  static std::string FieldList(const Descriptor& descriptor) {
    std::vector<std::string> names;
    for (int i = 0; i < descriptor.field_count(); ++i) names.push_back(descriptor.field(i)->name());
    return absl::StrJoin(names, ", ");
  }

  absl::Status ScalarKey(const YAML::Node& key, const std::string& path, std::string& out) {
    if (!key.IsScalar()) return Error(key, path, "keys must be plain strings");
    out = key.Scalar();
    return absl::OkStatus();
  }

  void Remember(const YAML::Node& node, const std::string& path) {
    if (locations_ == nullptr) return;
    const YAML::Mark mark = node.Mark();
    (*locations_)[path] = SourceLocation{mark.line + 1, mark.column + 1};
  }

  absl::Status Error(const YAML::Node& node, const std::string& path, absl::string_view what) {
    const YAML::Mark mark = node.Mark();
    std::string where = absl::StrCat(source_, ":");
    if (!mark.is_null()) absl::StrAppend(&where, mark.line + 1, ":", mark.column + 1, ":");
    return absl::InvalidArgumentError(
        absl::StrCat(where, " ", path.empty() ? "(top level)" : path, ": ", what));
  }

  std::string source_;
  FieldLocations* locations_;
};

}  // namespace

absl::Status ReadYamlIntoProto(absl::string_view yaml, absl::string_view source, Message& message,
                               FieldLocations* locations) {
  YAML::Node root;
  // yaml-cpp reports syntax errors as exceptions; they stop here.
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": YAML syntax error: ", e.msg));
  }
  Reader reader(source, locations);
  // A YAML-level error (e.g. a bad conversion) while walking is reported the
  // same way.
  try {
    return reader.ReadMessage(root, "", message);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": YAML error: ", e.what()));
  }
}

std::string LocationPrefix(absl::string_view source, const FieldLocations& locations,
                           absl::string_view path) {
  auto it = locations.find(path);
  if (it == locations.end()) return absl::StrCat(source, ": ");
  return absl::StrCat(source, ":", it->second.line, ":", it->second.column, ": ");
}

}  // namespace hallmark::sidecar
