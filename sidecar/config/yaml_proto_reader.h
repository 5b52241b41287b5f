// Maps a YAML document onto a protobuf message through reflection, so that
// every setting added to proto/hallmark/v1/config.proto is readable from the
// policy file without new parsing code. Errors name the file, line, column
// and field path, e.g.
//   policy.yaml:4:9: spaces."acme/chat".mode: unknown value "enforse";
//   expected one of off, shadow, mark, enforce
#ifndef HALLMARK_SIDECAR_CONFIG_YAML_PROTO_READER_H_
#define HALLMARK_SIDECAR_CONFIG_YAML_PROTO_READER_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace hallmark::sidecar {

struct SourceLocation {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// Where each field was set, by field path (`default.mode`,
// `spaces."acme/chat".budget_ms`), for errors found after parsing.
using FieldLocations = absl::flat_hash_map<std::string, SourceLocation>;

// Rules: a message is a YAML mapping whose keys are field names; a
// map<string, M> field is a mapping; enums are written as their value names
// in lowercase without the enum's prefix (`enforce` for MODE_ENFORCE; the
// UNSPECIFIED value is not writable); integers must fit their field; an
// empty document yields an empty message. Unknown keys are errors.
// `source` names the document in errors. Fills `locations` when non-null.
absl::Status ReadYamlIntoProto(absl::string_view yaml, absl::string_view source,
                               google::protobuf::Message& message, FieldLocations* locations);

// "policy.yaml:4:9: " for a known path, "policy.yaml: " otherwise.
std::string LocationPrefix(absl::string_view source, const FieldLocations& locations,
                           absl::string_view path);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_CONFIG_YAML_PROTO_READER_H_
