#include "watermark/provenance/flat_json.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::provenance {
namespace {

using ::testing::HasSubstr;

// A string literal with its embedded NULs.
template <size_t N>
std::string Bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

std::string StringOf(const FlatJsonObject& object, absl::string_view name) {
  const FlatJsonValue* value = object.Find(name);
  if (value == nullptr || !std::holds_alternative<std::string>(*value)) return "<missing>";
  return std::get<std::string>(*value);
}

TEST(FlatJsonTest, WritesCompactlyInOrder) {
  FlatJsonWriter json;
  json.Add("b", "x").Add("a", int64_t{-12}).Add("c", "");
  EXPECT_EQ(json.Finish(), R"({"b":"x","a":-12,"c":""})");
  EXPECT_EQ(json.Finish(), "{}");  // the writer starts over
}

TEST(FlatJsonTest, EscapesWhatJsonRequires) {
  FlatJsonWriter json;
  json.Add("s", Bytes("q\" b\\ n\n t\t \x01 \x7f é \xe2\x80\xa8 / \0"));
  EXPECT_EQ(json.Finish(),
            std::string(R"({"s":"q\" b\\ n\n t\t \u0001 )") + "\x7f é \xe2\x80\xa8 / \\u0000\"}");
}

TEST(FlatJsonTest, ParsesWhatItWrites) {
  const std::string tricky = Bytes("q\" b\\ n\n \x01 é 😀 \0 end");
  FlatJsonWriter json;
  json.Add("s", tricky).Add("n", std::numeric_limits<int64_t>::min()).Add("m", int64_t{0});
  absl::StatusOr<FlatJsonObject> parsed = FlatJsonObject::Parse(json.Finish());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->members().size(), 3u);
  EXPECT_EQ(StringOf(*parsed, "s"), tricky);
  EXPECT_EQ(std::get<int64_t>(*parsed->Find("n")), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<int64_t>(*parsed->Find("m")), 0);
  EXPECT_EQ(parsed->Find("absent"), nullptr);
}

TEST(FlatJsonTest, AcceptsWhitespaceAndEveryEscape) {
  absl::StatusOr<FlatJsonObject> parsed = FlatJsonObject::Parse(
      " \t\r\n{ \"a\" : \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\" "
      ",\n\"b\":9223372036854775807 } ");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(StringOf(*parsed, "a"), "\"\\/\b\f\n\r\té😀");
  EXPECT_EQ(std::get<int64_t>(*parsed->Find("b")), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(FlatJsonObject::Parse("{}").ok());
}

TEST(FlatJsonTest, RejectsEverythingElse) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "expected '{'"},
      {"[]", "expected '{'"},
      {"{", "expected a member name"},
      {R"({"a":1,})", "expected a member name"},
      {R"({"a":1 "b":2})", "expected '}'"},
      {R"({"a" 1})", "expected ':'"},
      {R"({"a":1,"a":2})", "duplicate member \"a\""},
      {R"({"a":{}})", "not a string or an integer"},
      {R"({"a":[1]})", "not a string or an integer"},
      {R"({"a":true})", "not a string or an integer"},
      {R"({"a":null})", "not a string or an integer"},
      {R"({"a":1.5})", "only integers"},
      {R"({"a":1e3})", "only integers"},
      {R"({"a":-})", "expected a digit"},
      {R"({"a":+1})", "not a string or an integer"},
      {R"({"a":01})", "leading zero"},
      {R"({"a":9223372036854775808})", "64-bit range"},
      {R"({"a":-9223372036854775809})", "64-bit range"},
      {R"({"a":"x)", "unterminated string"},
      {R"({"a":"\x"})", "unknown escape"},
      {R"({"a":"\u12"})", "4 hex digits"},
      {R"({"a":"\ud800"})", "high surrogate"},
      {R"({"a":"\ud800\u0041"})", "high surrogate"},
      {R"({"a":"\udc00"})", "low surrogate"},
      {"{\"a\":\"\n\"}", "control character"},
      {"{\"a\":\"\xff\"}", "not valid UTF-8"},
      {"{\"a\":\"\xc0\xaf\"}", "not valid UTF-8"},      // overlong '/'
      {"{\"a\":\"\xed\xa0\x80\"}", "not valid UTF-8"},  // encoded surrogate
      {R"({"a":1} x)", "after the object"},
      {R"({"a":1}{})", "after the object"},
  };
  for (const auto& [json, message] : cases) {
    absl::StatusOr<FlatJsonObject> parsed = FlatJsonObject::Parse(json);
    EXPECT_FALSE(parsed.ok()) << json;
    EXPECT_THAT(parsed.status().message(), HasSubstr(message)) << json;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << json;
  }
}

TEST(FlatJsonTest, LimitsTheNumberOfMembers) {
  FlatJsonWriter json;
  for (size_t i = 0; i <= FlatJsonObject::kMaxMembers; ++i) {
    json.Add(std::to_string(i), int64_t{1});
  }
  EXPECT_THAT(FlatJsonObject::Parse(json.Finish()).status().message(), HasSubstr("more than 64"));
}

TEST(FlatJsonTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain é 😀 \xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // cut off
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

}  // namespace
}  // namespace hallmark::provenance
