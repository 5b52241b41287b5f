#include "watermark/text/unicode/carrier_scanner.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/watermark/text/unicode/test_corpus.h"
#include "watermark/text/unicode/symbol_alphabet.h"

namespace hallmark::watermark::unicode_text {
namespace {

using ::hallmark::watermark::testing::MarkableCorpus;

// The text with every carrier shown as '^'.
std::string Show(absl::string_view text) {
  std::string out;
  size_t pos = 0;
  for (const Carrier& carrier : FindCarriers(text)) {
    out.append(text.data() + pos, carrier.offset - pos);
    out += '^';
    pos = carrier.offset + carrier.length;
  }
  out.append(text.data() + pos, text.size() - pos);
  return out;
}

// Shows carriers and expects exactly the spaces written as '^' in `expected`
// (every other '^'-free space stays).
void ExpectCarriers(absl::string_view expected) {
  const std::string text = absl::StrReplaceAll(expected, {{"^", " "}});
  EXPECT_EQ(Show(text), expected) << "input: " << text;
}

TEST(CarrierScannerTest, PlainProse) {
  ExpectCarriers("The^quick^brown^fox^jumps^over^the^lazy^dog.");
  ExpectCarriers("Commas,^periods.^(Parens)^\"quotes\"^and^'apostrophes'^are^fine!");
  ExpectCarriers("Numbers^like^42^and^3.14^count^as^words.");
}

TEST(CarrierScannerTest, OnlySingleSpacesBetweenTokens) {
  ExpectCarriers("two  spaces^here");
  ExpectCarriers("a\tb^c");
  ExpectCarriers("nbsp\u00A0here^ok");
  ExpectCarriers("mixed \u00A0run^ok");
  ExpectCarriers("  leading^words");
  ExpectCarriers("trailing^words ");
  ExpectCarriers("ideographic\u3000space^ok");
  ExpectCarriers("thin\u2009space^ok");  // U+2009 is whitespace, not alphabet
}

TEST(CarrierScannerTest, EveryAlphabetCodePointIsACarrier) {
  for (absl::string_view symbol : kSymbolUtf8) {
    const std::string text = absl::StrCat("left", symbol, "right");
    const std::vector<Carrier> carriers = FindCarriers(text);
    ASSERT_EQ(carriers.size(), 1u) << text;
    EXPECT_EQ(carriers[0].offset, 4u);
    EXPECT_EQ(carriers[0].length, symbol.size());
    EXPECT_EQ(kSymbolUtf8[carriers[0].symbol], symbol);
  }
}

TEST(CarrierScannerTest, LineBreaks) {
  ExpectCarriers("first^line\nsecond^line");
  ExpectCarriers("crlf^line\r\nnext^line");
  ExpectCarriers("cr^only\rnext^line");
  ExpectCarriers("line^one\n\nparagraph^two");
}

TEST(CarrierScannerTest, MarkdownDelimitersKeepTheirSpaces) {
  ExpectCarriers("**bold words^in here** and^then");
  ExpectCarriers("_em words^in here_ and^then");
  ExpectCarriers("snake_case and^kebab-case^words");
  ExpectCarriers("a - b^c");         // '-' has no letter
  ExpectCarriers("Tom & Jerry^ok");  // '&' starts entities
  ExpectCarriers("{braces here} ok^fine");
  ExpectCarriers("hash #tag here^ok");
}

TEST(CarrierScannerTest, FencedCodeWithBackticks) {
  ExpectCarriers("Some^text^here\n```\ncode with spaces\nmore code here\n```\nmore^text^here");
  ExpectCarriers("Before^it\n```python\nx = 1 if y else 2\n```\nafter^it");
  // Indented fences and fences inside block quotes.
  ExpectCarriers("1. Step^one\n   ```bash\n   pip install foo bar\n   ```\n   then^go");
  ExpectCarriers("> quoted^text\n> ```\n> code in quote\n> ```\n> back^out");
  // A longer fence is not closed by a shorter one.
  ExpectCarriers("````\n```\nstill code here\n```\n````\nout^again");
  // An unclosed fence protects the rest.
  ExpectCarriers("open^fence\n```\ncode here\n\nstill code here");
  // A closing fence has nothing after it.
  ExpectCarriers("```\ncode\n``` not a close\nstill code here\n```\nnow^out");
}

TEST(CarrierScannerTest, FencedCodeWithTildes) {
  ExpectCarriers("Some^text\n~~~ make\nall: build test\n\n\tdo this now\n~~~\nafter^the^fence");
  ExpectCarriers("Some^text\n~~~~\n~~~\ninner code line\n~~~~\nafter^it");
}

TEST(CarrierScannerTest, BacktickInInfoStringIsNotAFence) {
  // "```foo`" opens no fence (CommonMark); its extent is unclear, so the
  // paragraph is protected, and the next paragraph is not.
  ExpectCarriers("```foo` bar baz\nmore words here\n\nnew^paragraph^here");
}

TEST(CarrierScannerTest, IndentedCode) {
  ExpectCarriers("Para^one^here\n\n    code line here\n    more code here\n\nback^to^text");
  ExpectCarriers("Para^one\n\n\tcode with tab here\n\nback^to^text");
  // A paragraph continuation indented by 4 is protected too.
  ExpectCarriers("Para^text^here\n    continuation line text\nnext^line^text");
  // Three spaces are not code.
  ExpectCarriers("Para^text\n   three^spaces^in");
  // List item content indented by 5+ after the marker is code.
  ExpectCarriers("text^here\n\n-     code in item\n- normal^item");
}

TEST(CarrierScannerTest, InlineCode) {
  ExpectCarriers("use `foo bar baz` now^please");
  ExpectCarriers("use ``a ` b c d`` here^and^there");
  ExpectCarriers("`a b c d e` x^y");
  // A span may continue on the next line of its paragraph.
  ExpectCarriers("start `code spans\nacross lines here` and^then");
  // An unclosed span protects to the paragraph end only.
  ExpectCarriers("open `span here and more\nwords here too\n\nnext^paragraph^ok");
  // An escaped backtick opens nothing.
  ExpectCarriers("escaped \\` tick^and^more");
}

TEST(CarrierScannerTest, Urls) {
  ExpectCarriers("see http://example.com/x for^more^info");
  ExpectCarriers("see https://example.com/a?b=c for^more");
  ExpectCarriers("visit www.example.com today^please");
  ExpectCarriers("visit WWW.Example.com today^please");
  ExpectCarriers("see (www.example.com/a more^words");  // GFM links it after '('
  ExpectCarriers("wwww.x.org is^a^link^too");
  ExpectCarriers("www^is^not^a^link,^nor^is^www");
  ExpectCarriers("ftp://host/path and^this");
  ExpectCarriers("Autolink <https://example.com/a> then^text");
}

TEST(CarrierScannerTest, Emails) {
  ExpectCarriers("mail bob@example.com for^help^now");
  ExpectCarriers("write^to <alice@example.org> please^do");
}

TEST(CarrierScannerTest, Lists) {
  ExpectCarriers("- item^one^here");
  ExpectCarriers("* item^one^here");
  ExpectCarriers("+ item^one^here");
  ExpectCarriers("1. first^item^here");
  ExpectCarriers("1) first^item^here");
  ExpectCarriers("10. tenth^item^here");
  ExpectCarriers("  - nested^item^here");
  ExpectCarriers("- 1. nested^ordered^item");
  ExpectCarriers("-dash^not^a^bullet");
  ExpectCarriers("1.5^is^not^a^marker");
}

TEST(CarrierScannerTest, Headings) {
  // Heading text names the heading anchor: headings carry nothing.
  ExpectCarriers("# Heading text here\nbody^text^here");
  ExpectCarriers("### Third level heading\nbody^text");
  ExpectCarriers("#hashtag is^not^a^heading");
  ExpectCarriers("####### seven^is^not^a^heading");
}

TEST(CarrierScannerTest, BlockQuotes) {
  ExpectCarriers("> quoted^text^here");
  ExpectCarriers(">> nested^quote^here");
  ExpectCarriers("> > nested^again");
  ExpectCarriers("> - list^in^quote");
}

TEST(CarrierScannerTest, Tables) {
  ExpectCarriers("| Tool | Lock^file |\n|------|-----------|\n| pip^tools | requirements^file |");
  ExpectCarriers("a^b | c^d\n--- | ---\ne^f | g^h");
  // A backtick left open in one row does not spill into the next.
  ExpectCarriers("| x `y | z |\n| next^row^words | ok |");
}

TEST(CarrierScannerTest, HtmlTags) {
  ExpectCarriers("text <a href=\"x\" title=\"a b c\"> link^text here</a> after^text");
  ExpectCarriers("Use <br/> tags^freely");
  ExpectCarriers("a < b^and^c > d");  // not tags
  ExpectCarriers("quote <span title='x > y z w'> in^it");
}

TEST(CarrierScannerTest, HtmlBlocks) {
  ExpectCarriers("<div>\nsome text inside\n</div>\n\ntext^after^here");
  ExpectCarriers("<pre>\nline with spaces\n\nmore lines here\n</pre>\ntext^after^block");
  ExpectCarriers("<PRE class=\"x\">\nkept as is\n\nstill kept\n</Pre>\nout^now");
  ExpectCarriers("<script>\nlet a = 1;\n\nlet b = 2;\n</script>\nafter^script");
  ExpectCarriers("<pre>one line only</pre>\nafter^it");
  ExpectCarriers("<!-- a comment here -->\n\nafter^the^comment");
  ExpectCarriers("<details>\n<summary>What about it?</summary>\n\nAnswer^text^here\n\n</details>");
  ExpectCarriers("- <b>bold</b> item text\n\nafter^it");
}

TEST(CarrierScannerTest, Links) {
  ExpectCarriers("See [the link^text here](/url \"a title\")^and^more.");
  ExpectCarriers("See [x](https://e.com/a_(b) \"t u v\")^then^this");
  ExpectCarriers("See [x](<a b c>) then^this");
  ExpectCarriers("A [ref link][id] and^more");
  // A line starting with '[' may be a link reference definition.
  ExpectCarriers("[id]: https://example.com \"some title\"\nnext^line");
  ExpectCarriers("[id]: /url\n\"title on next line\"\nnext^line");
  ExpectCarriers("[Link at start](/u) of line\nnext^line");
}

TEST(CarrierScannerTest, Images) {
  ExpectCarriers("![alt text^for image](img.png \"t a\")^and^then^more");
  ExpectCarriers("An ![image](a.png \"x y z\")^in^text");
}

TEST(CarrierScannerTest, Math) {
  ExpectCarriers("let $x y z w$ be^it^ok");
  ExpectCarriers("let $$x y z w$$ be^it^ok");
  ExpectCarriers("so \\( a b c \\) and^then^some");
  ExpectCarriers("so \\[ a b c \\] and^then^some");
  ExpectCarriers("Before^math\n$$\nx y z\n\nw v u\n$$\ntext^after^math");
  ExpectCarriers("Before^math\n$$ a b c $$\ntext^after");
  ExpectCarriers("inline $$\na b c\n$$ done now");
  ExpectCarriers("escaped \\$5 and^more^text");
  // A lone dollar protects to the end of its paragraph (renderers with
  // math may read "$5 ... $10" as math).
  ExpectCarriers("costs $5 and more words\n\nnext^paragraph");
}

TEST(CarrierScannerTest, LongTokens) {
  const std::string t128(128, 'b');
  const std::string t129(129, 'b');
  ExpectCarriers(absl::StrCat("a^", t128, "^c^d"));
  ExpectCarriers(absl::StrCat("a ", t129, " c^d"));
}

TEST(CarrierScannerTest, InvalidUtf8IsPlainText) {
  ExpectCarriers("bad\xFF^byte^ok");
  ExpectCarriers("cut\xE2\x80^seq^ok");
  ExpectCarriers("\xC3^lone^lead");
}

TEST(CarrierScannerTest, NonAsciiTokensArePlain) {
  ExpectCarriers("Grüße^aus^Köln");
  ExpectCarriers("我们^使用^Hallmark");
  ExpectCarriers("👩‍💻^writes^code");
  ExpectCarriers("—^dash^words");
}

// Writes random alphabet symbols onto the carriers of `text`.
std::string Scramble(absl::string_view text, std::mt19937& rng) {
  std::string out;
  size_t pos = 0;
  for (const Carrier& carrier : FindCarriers(text)) {
    out.append(text.data() + pos, carrier.offset - pos);
    out.append(std::string(kSymbolUtf8[rng() % kAlphabetSize]));
    pos = carrier.offset + carrier.length;
  }
  out.append(text.data() + pos, text.size() - pos);
  return out;
}

std::string Unscramble(absl::string_view text) {
  return absl::StrReplaceAll(text,
                             {{kSymbolUtf8[1], " "}, {kSymbolUtf8[2], " "}, {kSymbolUtf8[3], " "}});
}

TEST(CarrierScannerTest, CarriersAreInvariantUnderMarking) {
  std::mt19937 rng(7);
  for (const auto& doc : MarkableCorpus()) {
    const std::string shown = Show(doc.text);
    for (int round = 0; round < 20; ++round) {
      const std::string marked = Scramble(doc.text, rng);
      EXPECT_EQ(FindCarriers(marked).size(), FindCarriers(doc.text).size()) << doc.name;
      // Same positions: showing the marked text and mapping its spaces back
      // gives the same picture.
      EXPECT_EQ(Unscramble(Show(marked)), shown) << doc.name;
    }
  }
}

TEST(CarrierScannerTest, IncrementalEqualsOneShot) {
  std::mt19937 rng(11);
  std::vector<std::string> texts;
  for (const auto& doc : MarkableCorpus()) {
    texts.push_back(doc.text);
    texts.push_back(Scramble(doc.text, rng));
  }
  texts.push_back("a\r\nb c\r\n\r\n```\nx y\n```\n<pre>\n a b\n</pre>\nq r s");
  for (const std::string& text : texts) {
    const std::vector<Carrier> expected = FindCarriers(text);
    for (int seed = 0; seed < 30; ++seed) {
      std::mt19937 chunk_rng(seed);
      CarrierScanner scanner;
      std::vector<Carrier> got;
      size_t pos = 0;
      uint64_t last_decided = 0;
      while (pos < text.size()) {
        const size_t len = std::min<size_t>(chunk_rng() % 41, text.size() - pos);
        scanner.Feed(absl::string_view(text).substr(pos, len), &got);
        pos += len;
        ASSERT_EQ(scanner.consumed(), pos);
        ASSERT_GE(scanner.decided(), last_decided);
        ASSERT_LE(scanner.consumed() - scanner.decided(), kMaxUndecidedBytes);
        for (const Carrier& c : got) ASSERT_LT(c.offset, scanner.decided());
        last_decided = scanner.decided();
      }
      scanner.Finish(&got);
      EXPECT_EQ(scanner.decided(), text.size());
      ASSERT_EQ(got, expected) << "seed " << seed;
    }
  }
}

TEST(CarrierScannerTest, ByteByByteEqualsOneShot) {
  for (const auto& doc : MarkableCorpus()) {
    CarrierScanner scanner;
    std::vector<Carrier> got;
    for (char c : doc.text) scanner.Feed(absl::string_view(&c, 1), &got);
    scanner.Finish(&got);
    EXPECT_EQ(got, FindCarriers(doc.text)) << doc.name;
  }
}

// Random mixtures of words, spaces and Markdown syntax, to reach the
// scanner's corners.
std::string MarkdownSoup(std::mt19937& rng) {
  static const char* kPieces[] = {
      "word",   "alpha",  "beta",   "Gamma",  "x",        "42",      "é",    "数据",  "👩‍💻",
      " ",      " ",      " ",      " ",      "  ",       "\t",      "\n",   "\n\n",  "\r\n",
      "```",    "~~~",    "`",      "``",     "$",        "$$",      "\\(",  "\\)",   "\\[",
      "\\]",    "<",      ">",      "> ",     "[",        "](",      ")",    "(",     "\\",
      "    ",   "- ",     "1. ",    "2) ",    "# ",       "| ",      " |",   "<pre>", "</pre>",
      "<div>",  "<b>",    "</b>",   "<!--",   "-->",      "http://", "www.", "@",     "\u2005",
      "\u2004", "\u2008", "\u00A0", "\u3000", "\xE2\x80", "\xFF",    "'",    "\"",    "---",
      "===",    "*",      "_",      "&amp;",  "[id]: ",   ":",       "/",    ".",     "wWw"};
  std::string out;
  const int n = 20 + static_cast<int>(rng() % 300);
  for (int i = 0; i < n; ++i) {
    // Mostly plain words, so that carriers appear between the constructs.
    if (rng() % 10 < 8) {
      out += rng() % 2 ? "word " : "text ";
    } else {
      out += kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
    }
  }
  if (rng() % 4 == 0) out += std::string(130 + rng() % 10, 'q');
  return out;
}

TEST(CarrierScannerTest, RandomMarkdownSoup) {
  std::mt19937 rng(12345);
  size_t total = 0;
  for (int round = 0; round < 800; ++round) {
    const std::string text = MarkdownSoup(rng);
    const std::vector<Carrier> expected = FindCarriers(text);
    total += expected.size();
    // Pieces of any size give the same carriers, within the hold-back bound.
    CarrierScanner scanner;
    std::vector<Carrier> got;
    for (size_t pos = 0; pos < text.size();) {
      const size_t len = std::min<size_t>(rng() % 9, text.size() - pos);
      scanner.Feed(absl::string_view(text).substr(pos, len), &got);
      pos += len;
      ASSERT_LE(scanner.consumed() - scanner.decided(), kMaxUndecidedBytes);
    }
    scanner.Finish(&got);
    ASSERT_EQ(got, expected) << "round " << round << ": " << text;
    // Marking keeps the carrier set.
    const std::string marked = Scramble(text, rng);
    ASSERT_EQ(Unscramble(Show(marked)), Unscramble(Show(text))) << "round " << round;
  }
  EXPECT_GT(total, 20000u) << total;
}

TEST(CarrierScannerTest, CorpusHasCarriers) {
  for (const auto& doc : MarkableCorpus()) {
    EXPECT_GE(FindCarriers(doc.text).size(), 79u) << doc.name;
  }
}

}  // namespace
}  // namespace hallmark::watermark::unicode_text
