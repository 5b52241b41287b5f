#include "watermark/text/unicode/stream_marker.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/watermark/text/unicode/test_corpus.h"
#include "watermark/text/unicode/carrier_scanner.h"
#include "watermark/text/unicode/frame_layout.h"
#include "watermark/text/unicode/unicode_scheme.h"

namespace hallmark::watermark {
namespace {

using ::hallmark::watermark::testing::MarkableCorpus;
using ::hallmark::watermark::testing::SpacelessCorpus;
using ::hallmark::watermark::testing::TestFields;
using ::hallmark::watermark::testing::TestKey;
using unicode_text::FindCarriers;
using unicode_text::kFrameSymbols;
using unicode_text::kMaxUndecidedBytes;

class StreamMarkerTest : public ::testing::Test {
 protected:
  // Streams `text` in random chunks of 0..40 bytes (splitting UTF-8
  // characters freely) and checks the hold-back bound after every Append.
  std::string Stream(absl::string_view text, const PayloadFields& fields, uint32_t seed,
                     bool* marked, size_t* carriers) {
    std::mt19937 rng(seed);
    std::unique_ptr<TextStreamMarker> marker = scheme_.NewStreamMarker(fields, *key_);
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t len = std::min<size_t>(rng() % 41, text.size() - pos);
      out += marker->Append(text.substr(pos, len));
      pos += len;
      // Everything received is either released (with only its spaces
      // changed) or held.
      EXPECT_LE(marker->held_bytes(), pos);
      EXPECT_EQ(Normalize(out), Normalize(text.substr(0, pos - marker->held_bytes())))
          << "seed " << seed;
      if (marker->carriers() >= kFrameSymbols) {
        EXPECT_LE(marker->held_bytes(), kMaxUndecidedBytes) << "seed " << seed;
      } else {
        EXPECT_TRUE(out.empty());  // nothing leaves before the decision
      }
    }
    out += marker->Finish();
    EXPECT_EQ(marker->held_bytes(), 0u);
    EXPECT_EQ(marker->Append("late"), "");  // Finish ends the stream
    *marked = marker->marked();
    *carriers = marker->carriers();
    return out;
  }

  static std::string Normalize(absl::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text.substr(i, 3) == "\xE2\x80\x84" || text.substr(i, 3) == "\xE2\x80\x85" ||
          text.substr(i, 3) == "\xE2\x80\x88") {
        out += ' ';
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  }

  UnicodeScheme scheme_;
  std::shared_ptr<const WatermarkKey> key_ = TestKey("stream-key");
};

TEST_F(StreamMarkerTest, AnyChunkingEqualsMark) {
  std::vector<std::string> texts;
  for (const auto& doc : MarkableCorpus()) texts.push_back(doc.text);
  // Already-marked input and a CRLF text too.
  texts.push_back(scheme_.Mark(texts[0], TestFields(*key_, 99), *key_).text);
  std::string crlf;
  for (char c : texts[1]) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  texts.push_back(crlf);

  int runs = 0;
  for (size_t t = 0; t < texts.size(); ++t) {
    const PayloadFields fields = TestFields(*key_, static_cast<uint32_t>(t));
    const TextMarkResult expected = scheme_.Mark(texts[t], fields, *key_);
    ASSERT_TRUE(expected.marked);
    for (uint32_t seed = 0; seed < 70; ++seed) {
      bool marked = false;
      size_t carriers = 0;
      const std::string out = Stream(texts[t], fields, seed * 31 + t, &marked, &carriers);
      ASSERT_EQ(out, expected.text) << "text " << t << " seed " << seed;
      EXPECT_TRUE(marked);
      EXPECT_EQ(carriers, expected.carriers);
      ++runs;
    }
  }
  EXPECT_GE(runs, 500);
}

TEST_F(StreamMarkerTest, ByteByByteEqualsMark) {
  for (const auto& doc : MarkableCorpus()) {
    const PayloadFields fields = TestFields(*key_, 5);
    std::unique_ptr<TextStreamMarker> marker = scheme_.NewStreamMarker(fields, *key_);
    std::string out;
    for (char c : doc.text) {
      out += marker->Append(absl::string_view(&c, 1));
      if (marker->carriers() >= kFrameSymbols) {
        ASSERT_LE(marker->held_bytes(), kMaxUndecidedBytes);
      }
    }
    out += marker->Finish();
    EXPECT_EQ(out, scheme_.Mark(doc.text, fields, *key_).text) << doc.name;
  }
}

TEST_F(StreamMarkerTest, ShortStreamsAreReleasedUnchanged) {
  std::vector<std::string> texts = {"", "Short answer.", "Yes", std::string(500, 'x')};
  for (const auto& doc : SpacelessCorpus()) texts.push_back(doc.text);
  std::string words;
  for (int i = 0; i < 79; ++i) absl::StrAppend(&words, i ? " " : "", "word");  // 78 carriers
  texts.push_back(words);
  for (const std::string& text : texts) {
    for (uint32_t seed = 0; seed < 20; ++seed) {
      bool marked = true;
      size_t carriers = 0;
      EXPECT_EQ(Stream(text, TestFields(*key_, 1), seed, &marked, &carriers), text);
      EXPECT_FALSE(marked);
      EXPECT_EQ(carriers, FindCarriers(text).size());
    }
  }
}

TEST_F(StreamMarkerTest, EmptyChunksChangeNothing) {
  const std::string text = MarkableCorpus()[0].text;
  const PayloadFields fields = TestFields(*key_, 2);
  std::unique_ptr<TextStreamMarker> marker = scheme_.NewStreamMarker(fields, *key_);
  std::string out;
  for (size_t pos = 0; pos < text.size(); pos += 7) {
    out += marker->Append("");
    out += marker->Append(absl::string_view(text).substr(pos, 7));
    out += marker->Append("");
  }
  out += marker->Finish();
  EXPECT_EQ(out, scheme_.Mark(text, fields, *key_).text);
}

TEST_F(StreamMarkerTest, ReleasesAsSoonAsTheMinimumIsReached) {
  // 200 short words: once 79 carriers are decided everything decided goes
  // out, and later only the word in progress is held.
  std::string text;
  for (int i = 0; i < 200; ++i) absl::StrAppend(&text, i ? " " : "", "w", i);
  std::unique_ptr<TextStreamMarker> marker = scheme_.NewStreamMarker(TestFields(*key_, 3), *key_);
  size_t released = 0;
  bool started = false;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    released += marker->Append(absl::string_view(text).substr(pos, 1)).size();
    if (marker->carriers() >= kFrameSymbols) {
      started = true;
      EXPECT_GT(released, 0u);
      EXPECT_LE(marker->held_bytes(), 6u);  // " w123" at most, plus a byte
    }
  }
  EXPECT_TRUE(started);
  marker->Finish();
  EXPECT_TRUE(marker->marked());
}

}  // namespace
}  // namespace hallmark::watermark
