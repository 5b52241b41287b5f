// The JSON that receipts need, and no more: objects whose member values are
// strings or integers (RFC 8259 otherwise), written compactly and read
// strictly. The reader takes untrusted input: it allocates no more than its
// input's size, recurses nowhere (nested values are refused), and rejects
// duplicate names, invalid UTF-8, lone surrogates, fractions and exponents,
// integers outside int64, and anything after the closing brace.
#ifndef HALLMARK_WATERMARK_PROVENANCE_FLAT_JSON_H_
#define HALLMARK_WATERMARK_PROVENANCE_FLAT_JSON_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::provenance {

using FlatJsonValue = std::variant<std::string, int64_t>;

// A parsed object, members in document order. Immutable once parsed.
class FlatJsonObject {
 public:
  // Objects with more members are refused (receipts have 8).
  static constexpr size_t kMaxMembers = 64;

  // INVALID_ARGUMENT names the byte offset and the problem.
  static absl::StatusOr<FlatJsonObject> Parse(absl::string_view json);

  // Null when there is no member `name`.
  const FlatJsonValue* Find(absl::string_view name) const;
  const std::vector<std::pair<std::string, FlatJsonValue>>& members() const { return members_; }

 private:
  std::vector<std::pair<std::string, FlatJsonValue>> members_;
};

// Builds {"a":"x","b":1} in insertion order, without whitespace. Strings must
// be valid UTF-8 (the caller checks, see IsValidUtf8): they are copied as is
// apart from '"', '\' and control characters, which are escaped. Not
// thread-safe.
class FlatJsonWriter {
 public:
  FlatJsonWriter& Add(absl::string_view name, absl::string_view value);
  FlatJsonWriter& Add(absl::string_view name, int64_t value);
  // The object; the writer is left empty.
  std::string Finish();

 private:
  void Name(absl::string_view name);
  std::string out_ = "{";
};

// Well-formed UTF-8 (no overlong forms, surrogates, or values past U+10FFFF).
bool IsValidUtf8(absl::string_view bytes);

}  // namespace hallmark::provenance

#endif  // HALLMARK_WATERMARK_PROVENANCE_FLAT_JSON_H_
