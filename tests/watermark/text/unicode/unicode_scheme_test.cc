#include "watermark/text/unicode/unicode_scheme.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/watermark/text/unicode/test_corpus.h"
#include "watermark/text/unicode/carrier_scanner.h"
#include "watermark/text/unicode/frame_detector.h"
#include "watermark/text/unicode/frame_layout.h"
#include "watermark/text/unicode/symbol_alphabet.h"

namespace hallmark::watermark {
namespace {

using ::hallmark::watermark::testing::MarkableCorpus;
using ::hallmark::watermark::testing::ReadCorpusFile;
using ::hallmark::watermark::testing::SpacelessCorpus;
using ::hallmark::watermark::testing::TestFields;
using ::hallmark::watermark::testing::TestKey;
using unicode_text::Carrier;
using unicode_text::FindCarriers;
using unicode_text::kFragmentCarriers;
using unicode_text::kFrameSymbols;
using unicode_text::kSymbolUtf8;

// The three non-ASCII spaces mapped back to U+0020, as NFKC would.
std::string Normalize(absl::string_view text) {
  return absl::StrReplaceAll(text,
                             {{kSymbolUtf8[1], " "}, {kSymbolUtf8[2], " "}, {kSymbolUtf8[3], " "}});
}

class UnicodeSchemeTest : public ::testing::Test {
 protected:
  UnicodeScheme scheme_;
  std::shared_ptr<const WatermarkKey> key_a_ = TestKey("key-a");
  std::shared_ptr<const WatermarkKey> key_b_ = TestKey("key-b");
  std::shared_ptr<const WatermarkKey> key_c_ = TestKey("other.key_c");
  KeySet only_a_{{key_a_}};
  KeySet only_b_{{key_b_}};
  KeySet all_{{key_b_, key_c_, key_a_}};

  std::string MarkOrDie(absl::string_view text, const PayloadFields& fields,
                        const WatermarkKey& key) {
    TextMarkResult result = scheme_.Mark(text, fields, key);
    EXPECT_TRUE(result.marked);
    return std::move(result.text);
  }

  void ExpectVerified(absl::string_view text, const PayloadFields& fields,
                      const std::string& context) {
    const TextDetection d = scheme_.Detect(text, only_a_);
    EXPECT_TRUE(d.detected) << context;
    ASSERT_TRUE(d.verified) << context << " carriers=" << d.carriers << " syncs=" << d.syncs;
    EXPECT_EQ(d.key, key_a_.get()) << context;
    ASSERT_TRUE(d.payload.has_value()) << context;
    EXPECT_EQ(*d.payload, fields) << context;
  }
};

TEST_F(UnicodeSchemeTest, NameAndMinimum) {
  EXPECT_EQ(scheme_.name(), "unicode");
  EXPECT_EQ(scheme_.min_carriers(), 79u);
}

TEST_F(UnicodeSchemeTest, RoundTripOnCorpus) {
  uint32_t seed = 0;
  for (const auto& doc : MarkableCorpus()) {
    const PayloadFields fields = TestFields(*key_a_, ++seed);
    const TextMarkResult result = scheme_.Mark(doc.text, fields, *key_a_);
    ASSERT_TRUE(result.marked) << doc.name;
    EXPECT_EQ(result.carriers, FindCarriers(doc.text).size()) << doc.name;
    EXPECT_EQ(result.carriers_needed, 79u);
    EXPECT_NE(result.text, doc.text) << doc.name;

    ExpectVerified(result.text, fields, doc.name);

    // With every key loaded, the right one is found.
    const TextDetection all = scheme_.Detect(result.text, all_);
    EXPECT_TRUE(all.verified) << doc.name;
    EXPECT_EQ(all.key, key_a_.get()) << doc.name;

    // Without the key: the mark is found but cannot be verified.
    const TextDetection other = scheme_.Detect(result.text, only_b_);
    EXPECT_TRUE(other.detected) << doc.name;
    EXPECT_FALSE(other.verified) << doc.name;
    EXPECT_EQ(other.key, nullptr);
    EXPECT_LT(other.false_positive_probability, 1e-6) << doc.name;
    ASSERT_TRUE(other.payload.has_value()) << doc.name;
    EXPECT_EQ(*other.payload, fields) << doc.name;  // decoded, just not verified
  }
}

TEST_F(UnicodeSchemeTest, OnlyCarriersChange) {
  for (const auto& doc : MarkableCorpus()) {
    const std::string marked = MarkOrDie(doc.text, TestFields(*key_a_, 3), *key_a_);
    EXPECT_EQ(Normalize(marked), doc.text) << doc.name;
    const std::vector<Carrier> before = FindCarriers(doc.text);
    const std::vector<Carrier> after = FindCarriers(marked);
    ASSERT_EQ(before.size(), after.size()) << doc.name;
    // Byte-identical between carriers.
    size_t pos_in = 0, pos_out = 0;
    for (size_t i = 0; i < before.size(); ++i) {
      ASSERT_EQ(absl::string_view(doc.text).substr(pos_in, before[i].offset - pos_in),
                absl::string_view(marked).substr(pos_out, after[i].offset - pos_out))
          << doc.name << " carrier " << i;
      EXPECT_EQ(after[i].symbol, after[i % kFrameSymbols].symbol);  // the frame repeats
      pos_in = before[i].offset + before[i].length;
      pos_out = after[i].offset + after[i].length;
    }
    EXPECT_EQ(absl::string_view(doc.text).substr(pos_in),
              absl::string_view(marked).substr(pos_out));
  }
}

TEST_F(UnicodeSchemeTest, MarkingIsDeterministic) {
  const std::string text = ReadCorpusFile("prose_en.txt");
  const PayloadFields fields = TestFields(*key_a_, 9);
  EXPECT_EQ(scheme_.Mark(text, fields, *key_a_).text, scheme_.Mark(text, fields, *key_a_).text);
}

TEST_F(UnicodeSchemeTest, RemarkingOverwrites) {
  const std::string text = ReadCorpusFile("european_de_fr.txt");
  const PayloadFields first = TestFields(*key_b_, 1);
  const PayloadFields second = TestFields(*key_a_, 2);
  const std::string once = MarkOrDie(text, first, *key_b_);
  const std::string twice = MarkOrDie(once, second, *key_a_);
  EXPECT_EQ(Normalize(twice), text);
  EXPECT_EQ(twice, MarkOrDie(text, second, *key_a_));
  ExpectVerified(twice, second, "re-marked");
}

TEST_F(UnicodeSchemeTest, TooShortTextsAreLeftAlone) {
  std::vector<std::string> texts = {
      "",
      "Yes.",
      "The answer is 42.",
      "Sure! Here is a short answer that has far fewer than seventy-nine spaces between its "
      "words, so it cannot carry a whole payload and must come back unchanged.",
      "```\nonly code in here, with many spaces but none of them count as carriers at all, "
      "no matter how long the block goes on and on and on and on and on and on and on\n```",
  };
  for (const auto& doc : SpacelessCorpus()) texts.push_back(doc.text);
  for (const std::string& text : texts) {
    const TextMarkResult result = scheme_.Mark(text, TestFields(*key_a_, 1), *key_a_);
    EXPECT_FALSE(result.marked) << text;
    EXPECT_EQ(result.text, text);
    EXPECT_LT(result.carriers, 79u);
    EXPECT_EQ(result.carriers_needed, 79u);
    const TextDetection d = scheme_.Detect(text, all_);
    EXPECT_FALSE(d.detected);
    EXPECT_EQ(d.false_positive_probability, 1.0);
  }
}

// "w0 w1 ... w{n-1}": n - 1 carriers.
std::string Words(int n, absl::string_view sep = " ") {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, i == 0 ? "" : sep, "w", i);
  return out;
}

TEST_F(UnicodeSchemeTest, MinimumCarriersBoundary) {
  const PayloadFields fields = TestFields(*key_a_, 5);
  const TextMarkResult short_by_one = scheme_.Mark(Words(79), fields, *key_a_);
  EXPECT_EQ(short_by_one.carriers, 78u);
  EXPECT_FALSE(short_by_one.marked);
  EXPECT_EQ(short_by_one.text, Words(79));

  const TextMarkResult exact = scheme_.Mark(Words(80), fields, *key_a_);
  EXPECT_EQ(exact.carriers, 79u);
  ASSERT_TRUE(exact.marked);
  ExpectVerified(exact.text, fields, "exactly one frame");
  // One frame is enough to see a mark made with an unknown key.
  const TextDetection other = scheme_.Detect(exact.text, only_b_);
  EXPECT_TRUE(other.detected);
  EXPECT_FALSE(other.verified);
}

TEST_F(UnicodeSchemeTest, FragmentsVerify) {
  std::mt19937 rng(2024);
  int verified_fragments = 0;
  for (const auto& doc : MarkableCorpus()) {
    const PayloadFields fields = TestFields(*key_a_, 77);
    const std::string marked = MarkOrDie(doc.text, fields, *key_a_);
    const std::vector<Carrier> carriers = FindCarriers(marked);
    if (carriers.size() < static_cast<size_t>(kFragmentCarriers) + 2) continue;
    for (int seed = 0; seed < 150; ++seed) {
      // Windows of 86..(86 + 120) carriers, cut just after a carrier (a
      // token boundary) or inside the word next to it.
      const size_t want = kFragmentCarriers + rng() % 121;
      const size_t count = std::min(want, carriers.size() - 1);
      const size_t first = rng() % (carriers.size() - count);
      const Carrier& a = carriers[first];
      const Carrier& b = carriers[first + count - 1];
      size_t begin = a.offset;  // starts with the carrier: its token is cut off
      size_t end = b.offset + b.length;
      if (seed % 2 == 1) {
        // Mid-word: keep a piece of the word before, cut inside the word after.
        begin = a.offset - std::min<size_t>(2, a.offset);
        while (begin > 0 && (static_cast<uint8_t>(marked[begin]) & 0xC0) == 0x80) --begin;
        end = std::min(marked.size(), end + 2);
        while (end < marked.size() && (static_cast<uint8_t>(marked[end]) & 0xC0) == 0x80) ++end;
      }
      const std::string fragment = marked.substr(begin, end - begin);
      const size_t fragment_carriers = FindCarriers(fragment).size();
      if (fragment_carriers < static_cast<size_t>(kFragmentCarriers)) continue;
      ExpectVerified(fragment, fields,
                     absl::StrCat(doc.name, " seed ", seed, " carriers ", fragment_carriers));
      ++verified_fragments;
    }
  }
  EXPECT_GT(verified_fragments, 500);
}

TEST_F(UnicodeSchemeTest, ShortFragmentsDoNotVerifyByAccident) {
  // Fewer than a frame's worth of carriers: may or may not decode, but a
  // MAC match would mean the decoder invented the payload.
  const PayloadFields fields = TestFields(*key_a_, 8);
  const std::string marked = MarkOrDie(ReadCorpusFile("prose_en.txt"), fields, *key_a_);
  const std::vector<Carrier> carriers = FindCarriers(marked);
  for (size_t first = 0; first + 60 < carriers.size(); first += 37) {
    const std::string fragment =
        marked.substr(carriers[first].offset, carriers[first + 40].offset - carriers[first].offset);
    const TextDetection d = scheme_.Detect(fragment, only_a_);
    if (d.verified) {
      EXPECT_EQ(*d.payload, fields);
    }
  }
}

// Edits a marked text at word granularity.
class Editor {
 public:
  Editor(std::string text, uint32_t seed) : text_(std::move(text)), rng_(seed) {}

  // Applies one random edit whose bytes lie in [0, limit * size).
  void RandomEdit(double limit) {
    const std::vector<Carrier> carriers = FindCarriers(text_);
    const size_t usable =
        std::max<size_t>(2, static_cast<size_t>(static_cast<double>(carriers.size()) * limit) - 2);
    const size_t i = rng_() % usable;
    const size_t at = carriers[i].offset;
    const size_t next = carriers[i + 1].offset;
    switch (rng_() % 5) {
      case 0:  // delete a word
        text_.erase(at, next - at);
        break;
      case 1:  // insert words
        text_.insert(at, " and some inserted words");
        break;
      case 2:  // replace a word
        text_.replace(at + carriers[i].length, next - at - carriers[i].length, "replaced");
        break;
      case 3:  // insert a paragraph
        text_.insert(at, "\n\nA brand new paragraph goes right here, written by an editor.\n\n");
        break;
      default: {  // delete a sentence
        const size_t stop = text_.find(". ", at);
        const size_t next_stop = stop == std::string::npos ? stop : text_.find(". ", stop + 2);
        if (next_stop != std::string::npos &&
            next_stop < static_cast<size_t>(static_cast<double>(text_.size()) * limit)) {
          text_.erase(stop + 1, next_stop - stop);
        } else {
          text_.erase(at, next - at);
        }
        break;
      }
    }
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::mt19937 rng_;
};

TEST_F(UnicodeSchemeTest, EditsElsewhereLeaveTheMark) {
  const PayloadFields fields = TestFields(*key_a_, 31);
  for (const char* name : {"prose_en.txt", "markdown_answer.md", "cjk_mixed.txt"}) {
    const std::string marked = MarkOrDie(ReadCorpusFile(name), fields, *key_a_);
    for (uint32_t seed = 0; seed < 60; ++seed) {
      // Up to five edits in the first 35%: the rest (well over 86
      // carriers) is an untouched run.
      Editor editor(marked, seed);
      const int edits = 1 + static_cast<int>(seed % 5);
      for (int e = 0; e < edits; ++e) editor.RandomEdit(0.35);
      ExpectVerified(editor.text(), fields, absl::StrCat(name, " seed ", seed));
    }
  }
}

TEST_F(UnicodeSchemeTest, SingleEditAnywhere) {
  const PayloadFields fields = TestFields(*key_a_, 32);
  const std::string marked = MarkOrDie(ReadCorpusFile("prose_en.txt"), fields, *key_a_);
  for (uint32_t seed = 0; seed < 80; ++seed) {
    Editor editor(marked, 1000 + seed);
    editor.RandomEdit(1.0);
    ExpectVerified(editor.text(), fields, absl::StrCat("seed ", seed));
  }
}

TEST_F(UnicodeSchemeTest, ConcatenatedMarkedTextsVerify) {
  const std::string one =
      MarkOrDie(ReadCorpusFile("european_de_fr.txt"), TestFields(*key_a_, 1), *key_a_);
  const std::string two = MarkOrDie(ReadCorpusFile("emoji.txt"), TestFields(*key_a_, 2), *key_a_);
  const TextDetection d = scheme_.Detect(absl::StrCat(one, "\n\n", two), only_a_);
  ASSERT_TRUE(d.verified);
  EXPECT_TRUE(*d.payload == TestFields(*key_a_, 1) || *d.payload == TestFields(*key_a_, 2));
}

// Random prose-like words joined by spaces chosen by `space`.
template <typename SpaceFn>
std::string RandomText(std::mt19937& rng, int words, SpaceFn space) {
  static const char* kWords[] = {"the",  "model", "answer", "of",    "a",     "question",
                                 "and",  "time",  "light",  "keeps", "house", "résumé",
                                 "über", "数据",  "📝",      "it's",  "(see",  "below),"};
  std::string out;
  for (int i = 0; i < words; ++i) {
    if (i > 0) out += (i % 97 == 0) ? std::string("\n\n") : std::string(space());
    out += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
  }
  return out;
}

TEST_F(UnicodeSchemeTest, UnmarkedTextsAreNeverDetected) {
  std::mt19937 rng(99);
  for (int seed = 0; seed < 300; ++seed) {
    const std::string text = RandomText(rng, 80 + seed * 5, [] { return " "; });
    const TextDetection d = scheme_.Detect(text, all_);
    ASSERT_FALSE(d.detected);
    ASSERT_FALSE(d.verified);
    EXPECT_EQ(d.syncs, 0u);
    EXPECT_EQ(d.false_positive_probability, 1.0);
  }
  for (const auto& doc : MarkableCorpus()) {
    const TextDetection d = scheme_.Detect(doc.text, all_);
    EXPECT_FALSE(d.detected) << doc.name;
    EXPECT_EQ(d.carriers, FindCarriers(doc.text).size());
  }
}

TEST_F(UnicodeSchemeTest, RandomSymbolNoiseNeverVerifies) {
  std::mt19937 rng(4242);
  int with_syncs = 0;
  int total_mac_checks = 0;
  for (int seed = 0; seed < 3000; ++seed) {
    const int words = 90 + static_cast<int>(rng() % 900);
    const std::string text =
        RandomText(rng, words, [&rng] { return kSymbolUtf8[rng() % kSymbolUtf8.size()]; });
    const TextDetection d = scheme_.Detect(text, all_);
    ASSERT_FALSE(d.verified) << "seed " << seed;
    ASSERT_FALSE(d.detected) << "seed " << seed << " p=" << d.false_positive_probability;
    ASSERT_GT(d.false_positive_probability, 0.0);
    ASSERT_LE(d.false_positive_probability, 1.0);
    if (d.syncs > 0) ++with_syncs;
    total_mac_checks += d.mac_checks;
  }
  // Sync candidates do occur in noise, so the decoder and MAC check ran.
  EXPECT_GT(with_syncs, 100);
  EXPECT_GT(total_mac_checks, 0);
}

TEST_F(UnicodeSchemeTest, FalsePositiveProbabilityOfAVerifiedMark) {
  const std::string marked =
      MarkOrDie(ReadCorpusFile("prose_en.txt"), TestFields(*key_a_, 4), *key_a_);
  const TextDetection d = scheme_.Detect(marked, all_);
  ASSERT_TRUE(d.verified);
  EXPECT_GE(d.mac_checks, 1);
  EXPECT_DOUBLE_EQ(d.false_positive_probability, d.mac_checks * std::exp2(-32));
  EXPECT_GT(d.syncs, 10u);  // a sync per frame copy
  EXPECT_EQ(d.carriers, FindCarriers(marked).size());
}

TEST_F(UnicodeSchemeTest, NormalizationRemovesTheMark) {
  // The honest limit: NFKC maps U+2004, U+2005 and U+2008 to U+0020.
  for (const auto& doc : MarkableCorpus()) {
    const std::string marked = MarkOrDie(doc.text, TestFields(*key_a_, 6), *key_a_);
    const TextDetection d = scheme_.Detect(Normalize(marked), all_);
    EXPECT_FALSE(d.detected) << doc.name;
    EXPECT_FALSE(d.verified) << doc.name;
  }
}

TEST_F(UnicodeSchemeTest, CopiedWhitespaceTransfersTheMark) {
  // The other honest limit: the MAC covers the payload, not the words, so
  // the space pattern of a marked text verifies on any other text.
  const std::string marked =
      MarkOrDie(ReadCorpusFile("prose_en.txt"), TestFields(*key_a_, 12), *key_a_);
  const std::vector<Carrier> carriers = FindCarriers(marked);
  std::string forged;
  for (size_t i = 0; i <= carriers.size(); ++i) {
    forged += "word";
    if (i < carriers.size()) absl::StrAppend(&forged, kSymbolUtf8[carriers[i].symbol]);
  }
  ExpectVerified(forged, TestFields(*key_a_, 12), "forged");
}

TEST(SyncPValueTest, Values) {
  using unicode_text::SyncPValue;
  EXPECT_EQ(SyncPValue(1000, 0), 1.0);
  // One sync in ~13 trials per phase is expected by chance somewhere.
  EXPECT_GT(SyncPValue(1000, 1), 0.1);
  // Three syncs in one phase are not chance.
  EXPECT_LT(SyncPValue(1000, 3), 1e-6);
  EXPECT_LT(SyncPValue(100000, 10), SyncPValue(100000, 5));
  EXPECT_EQ(SyncPValue(79, 2), 0.0);  // two syncs cannot share one trial
}

TEST(CodewordPValueTest, Values) {
  using unicode_text::CodewordPValue;
  EXPECT_DOUBLE_EQ(CodewordPValue(141, 0), std::exp2(88 - 141));
  EXPECT_NEAR(CodewordPValue(141, 1) / (std::exp2(88 - 141) * 142), 1.0, 1e-9);
  EXPECT_EQ(CodewordPValue(88, 0), 1.0);
  EXPECT_EQ(CodewordPValue(141, 60), 1.0);
  EXPECT_LT(CodewordPValue(141, 3), CodewordPValue(141, 4));
}

}  // namespace
}  // namespace hallmark::watermark
