// A small streaming JSON writer for hallmark-eval's report (the CLI's
// JsonLine lives with the server-side tools, which this program must not
// need). Pretty-printed with two-space indentation; non-finite numbers are
// written as null.
//
// Not thread-safe.
#ifndef HALLMARK_BENCH_EVAL_JSON_WRITER_H_
#define HALLMARK_BENCH_EVAL_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "watermark/base/json_string.h"

namespace hallmark::eval {

// Example:
//   JsonWriter j;
//   j.BeginObject().Key("n").Int(3).Key("names").BeginArray();
//   j.String("a").EndArray().EndObject();
//   std::string text = j.str();
class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // The next value belongs to `key` (inside an object only).
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // The document so far, followed by a newline.
  std::string str() const { return out_ + "\n"; }

 private:
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);
  // Comma and indentation before a value or key.
  void BeforeValue();
  void Newline();

  std::string out_;
  // Per open container: whether anything was written into it yet.
  std::vector<bool> has_items_;
  bool after_key_ = false;
};

using ::hallmark::JsonQuote;

}  // namespace hallmark::eval

#endif  // HALLMARK_BENCH_EVAL_JSON_WRITER_H_
