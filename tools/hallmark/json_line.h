// One-line JSON objects for the CLI's machine-readable output.
#ifndef HALLMARK_TOOLS_HALLMARK_JSON_LINE_H_
#define HALLMARK_TOOLS_HALLMARK_JSON_LINE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "watermark/base/json_string.h"

namespace hallmark::cli {

// Builds {"a":1,"b":"x"} in insertion order. Not thread-safe.
class JsonLine {
 public:
  JsonLine& Add(absl::string_view key, absl::string_view value);
  JsonLine& Add(absl::string_view key, const char* value) {
    return Add(key, absl::string_view(value));
  }
  JsonLine& Add(absl::string_view key, int64_t value);
  JsonLine& Add(absl::string_view key, double value);
  JsonLine& Add(absl::string_view key, bool value);
  // The object followed by a newline.
  std::string str() const { return body_ + "}\n"; }

 private:
  void Key(absl::string_view key);
  std::string body_ = "{";
};

using ::hallmark::JsonQuote;

}  // namespace hallmark::cli

#endif  // HALLMARK_TOOLS_HALLMARK_JSON_LINE_H_
