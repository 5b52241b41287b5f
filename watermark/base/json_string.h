// JSON string literals (RFC 8259): the one escaper every JSON writer of the
// project uses (the CLI's JSON lines, receipts, the evaluation report).
// Escapes '"', '\\' and every control character below U+0020; other bytes
// are copied as they are, so valid UTF-8 in gives valid JSON out.
#ifndef HALLMARK_WATERMARK_BASE_JSON_STRING_H_
#define HALLMARK_WATERMARK_BASE_JSON_STRING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace hallmark {

// Appends `s` as a quoted JSON string to `out`.
void AppendJsonString(absl::string_view s, std::string& out);

// `s` as a quoted JSON string.
std::string JsonQuote(absl::string_view s);

}  // namespace hallmark

#endif  // HALLMARK_WATERMARK_BASE_JSON_STRING_H_
