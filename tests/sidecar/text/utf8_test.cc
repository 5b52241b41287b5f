#include "sidecar/text/utf8.h"

#include <random>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/stubs/common.h"
#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

using ::testing::HasSubstr;

struct Utf8Case {
  const char* name;
  std::string bytes;
  absl::optional<size_t> invalid_at;
};

class Utf8CaseTest : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(Utf8CaseTest, FindsTheFirstInvalidByte) {
  EXPECT_EQ(FindInvalidUtf8(GetParam().bytes), GetParam().invalid_at);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Utf8CaseTest,
    ::testing::Values(
        Utf8Case{"empty", "", absl::nullopt}, Utf8Case{"ascii", "plain text", absl::nullopt},
        Utf8Case{"nul", std::string("a\0b", 3), absl::nullopt},
        Utf8Case{"two_byte", "h\xC3\xA9llo", absl::nullopt},
        Utf8Case{"three_byte", "\xE4\xB8\xAD\xE6\x96\x87", absl::nullopt},
        Utf8Case{"four_byte", "\xF0\x9F\x98\x80", absl::nullopt},
        Utf8Case{"max_code_point", "\xF4\x8F\xBF\xBF", absl::nullopt},
        Utf8Case{"last_before_surrogates", "\xED\x9F\xBF", absl::nullopt},
        Utf8Case{"ff", "\xFF", 0}, Utf8Case{"lone_continuation", "ab\x80", 2},
        Utf8Case{"overlong_c0", "\xC0\xAF", 0}, Utf8Case{"overlong_c1", "\xC1\xBF", 0},
        Utf8Case{"overlong_e0", "\xE0\x80\xAF", 0}, Utf8Case{"overlong_f0", "\xF0\x8F\xBF\xBF", 0},
        Utf8Case{"surrogate", "x\xED\xA0\x80", 1}, Utf8Case{"past_max", "\xF4\x90\x80\x80", 0},
        Utf8Case{"f5", "\xF5\x80\x80\x80", 0}, Utf8Case{"cut_off_at_end", "abc\xE2\x82", 3},
        Utf8Case{"bad_continuation", "\xE2\x28\xA1", 0},
        // Past the eight-byte ASCII fast path, and inside a word it skips.
        Utf8Case{"after_long_ascii", std::string(20, 'a') + "\xFF", 20},
        Utf8Case{"in_first_word", "abcdefg\xFF", 7},
        Utf8Case{"after_multibyte_in_word",
                 "ab\xC3\xA9"
                 "cd\xFF"
                 "efgh",
                 6}),
    [](const ::testing::TestParamInfo<Utf8Case>& info) { return info.param.name; });

// The same rule as protobuf's, which decides what a `string` field may hold:
// every string of up to three bytes, and random longer ones.
TEST(Utf8Test, AgreesWithProtobufOnEveryShortString) {
  std::string bytes;
  for (int length = 1; length <= 3; ++length) {
    bytes.assign(length, '\0');
    const int count = 1 << (8 * length);
    for (int value = 0; value < count; ++value) {
      for (int k = 0; k < length; ++k) bytes[k] = static_cast<char>((value >> (8 * k)) & 0xFF);
      ASSERT_EQ(!FindInvalidUtf8(bytes).has_value(),
                google::protobuf::internal::IsStructurallyValidUTF8(bytes))
          << "length " << length << " value " << value;
    }
  }
}

TEST(Utf8Test, AgreesWithProtobufOnRandomStrings) {
  std::mt19937 rng(7);
  // Bytes drawn mostly from lead and continuation ranges, so that many
  // strings are valid and the rest fail in every way.
  const std::string alphabet =
      "a \x80\x8F\x90\x9F\xA0\xBF\xC2\xDF\xE0\xE1\xED\xEF\xF0\xF1\xF4\xF5\xFF";
  std::string bytes;
  for (int i = 0; i < 200000; ++i) {
    bytes.resize(rng() % 24);
    for (char& c : bytes) c = alphabet[rng() % alphabet.size()];
    ASSERT_EQ(!FindInvalidUtf8(bytes).has_value(),
              google::protobuf::internal::IsStructurallyValidUTF8(bytes))
        << ::testing::PrintToString(bytes);
  }
}

TEST(Utf8Test, CheckNamesTheFieldOffsetAndBytes) {
  EXPECT_TRUE(CheckUtf8("text", "fine \xE2\x80\x83 text").ok());
  const absl::Status status = CheckUtf8("text", "ok \xFF\xFE");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "text is not valid UTF-8: at byte 3: 0xff 0xfe");
}

TEST(Utf8Test, CheckSaysWhenACharacterIsCutOff) {
  const absl::Status status = CheckUtf8("delta", "abc\xE2\x82");
  EXPECT_EQ(status.message(),
            "delta is not valid UTF-8: at byte 3: 0xe2 0x82 (a character cut off at the end)");
  // A bad continuation is not a cut-off character.
  EXPECT_THAT(CheckUtf8("delta", "\xE2\x28").message(), ::testing::Not(HasSubstr("cut off")));
}

}  // namespace
}  // namespace hallmark::sidecar
