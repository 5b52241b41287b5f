// Finds the carriers of the `unicode` text scheme: the inter-word spaces whose
// code point can be swapped among the symbol alphabet without changing how
// the text (plain or Markdown) renders. The rules and the reasons for each
// are in docs/text-unicode-scheme.md ("Carriers").
//
// The scanner is incremental: it takes the text in pieces of any size (a
// piece may end inside a UTF-8 sequence) and decides each carrier as soon as
// the token after it is complete, so a stream marker never has to hold more
// than kMaxUndecidedBytes once it has started releasing text. Feeding a text
// in pieces yields exactly the carriers of feeding it at once.
//
// Eligibility is invariant under marking: the four alphabet code points are
// treated identically everywhere, so a marked text has the same carriers as
// the text it came from.
#ifndef HALLMARK_WATERMARK_TEXT_UNICODE_CARRIER_SCANNER_H_
#define HALLMARK_WATERMARK_TEXT_UNICODE_CARRIER_SCANNER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace hallmark::watermark::unicode_text {

// One carrier: a single alphabet space between two plain tokens.
struct Carrier {
  uint64_t offset = 0;  // byte offset of the space in the whole text
  uint8_t length = 0;   // its UTF-8 length: 1 (U+0020) or 3
  uint8_t symbol = 0;   // the symbol it carries now (0 for U+0020)

  friend bool operator==(const Carrier&, const Carrier&) = default;
};

// A token longer than this (in bytes) is never plain.
inline constexpr size_t kMaxPlainTokenBytes = 128;

// Bytes after decided() at most: an undecided carrier (3 bytes), the token
// after it (kMaxPlainTokenBytes, one byte more decides it) and the first 3
// bytes of a 4-byte UTF-8 sequence that has not fully arrived.
inline constexpr size_t kMaxUndecidedBytes = 3 + kMaxPlainTokenBytes + 3;

// Not thread-safe: one per text.
class CarrierScanner {
 public:
  CarrierScanner();

  // Consumes the next bytes of the text and appends the carriers decided by
  // them to `out`, in text order.
  void Feed(absl::string_view bytes, std::vector<Carrier>* out);
  // Ends the text: decides whatever is still open. Feed must not follow.
  void Finish(std::vector<Carrier>* out);

  // Bytes consumed so far.
  uint64_t consumed() const { return consumed_; }
  // Every byte before this offset is decided: it is either a carrier already
  // appended or certainly not one. consumed() - decided() is at most
  // kMaxUndecidedBytes.
  uint64_t decided() const;

 private:
  // Inline Markdown regions whose spaces are never carriers.
  enum class Mode : uint8_t {
    kNormal,
    kCode,         // `code`: closed by a backtick run of the opening length
    kMath,         // $math$ / $$math$$: closed by a $ run of the opening length
    kMathParen,    // \( ... \)
    kMathBracket,  // \[ ... \]
    kHtmlTag,      // <tag ...> and <autolink>
    kLinkDest,     // ](destination "title")
    kUntilBlank,   // unsure what the renderer sees: protect to the paragraph end
  };
  struct InlineState {
    Mode mode = Mode::kNormal;
    uint8_t quote = 0;     // kHtmlTag: the quote of an attribute value
    uint8_t run_char = 0;  // '`' or '$' while a run is being counted
    uint8_t pending = 0;   // kPending* bits: what the previous byte started
    uint32_t run_len = 0;
    uint32_t open_run = 0;  // kCode / kMath: length of the opening run
    uint32_t depth = 0;     // kLinkDest: parenthesis depth
  };
  // Multi-line blocks whose lines carry nothing.
  enum class Block : uint8_t {
    kNone,
    kFence,           // ``` or ~~~ fenced code
    kHtmlRaw,         // <pre>, <script>, <style>, <textarea> to the end tag
    kHtmlUntilBlank,  // any other HTML block, to a blank line
    kMath,            // $$ display math, to the closing $$
  };

  void OnAsciiSpace(uint8_t b, uint64_t offset);
  void OnWhitespace(uint64_t offset, uint8_t length, int symbol, uint32_t cols);
  void OnLineBreak(uint8_t b, uint64_t offset);
  void OnNonAscii(uint8_t length);
  void OnMultiByte();
  void StartToken();
  size_t WordRun(const uint8_t* data, size_t i, size_t n);
  void TokenByte(uint8_t b);
  void SlowTokenByte(uint8_t b);
  void EndToken();
  void ClassifyPrefixToken(bool* plain);
  void FirstContentToken();
  void FenceLineToken();
  void SetIndented();
  void StartLine();
  void EndLine();
  void InlineByte(uint8_t c);
  void InlineBreak();
  void EndRun();
  void ResetInline() { inline_ = InlineState(); }

  std::vector<Carrier>* out_ = nullptr;
  uint64_t consumed_ = 0;

  // A UTF-8 sequence being assembled.
  uint64_t u8_start_ = 0;
  uint32_t u8_bytes_ = 0;
  uint8_t u8_need_ = 0;
  uint8_t u8_len_ = 0;
  uint64_t lf_after_cr_ = UINT64_MAX;  // an LF at this offset ends a CRLF

  // The token being read.
  bool in_token_ = false;
  bool slow_ = false;     // bytes need SlowTokenByte
  bool capture_ = false;  // keep the first bytes in first_
  uint8_t token_flags_ = 0;
  uint8_t url_state_ = 0;  // progress through "://"
  uint8_t www_state_ = 0;  // progress through "www."
  uint32_t token_len_ = 0;
  static constexpr size_t kCapture = 64;
  uint8_t first_[kCapture];
  uint32_t first_len_ = 0;
  bool first_all_gt_ = true;  // first_ holds only '>' so far
  uint8_t prev_byte_ = 0;     // previous byte of the token (slow path)

  // Whitespace since the last token of this line.
  uint32_t ws_count_ = 0;
  int ws_symbol_ = -1;  // the symbol when the run is one alphabet character
  uint64_t ws_start_ = 0;
  uint8_t ws_len_ = 0;
  uint32_t ws_cols_ = 0;

  bool prev_plain_ = false;  // the previous token of this line is plain
  bool cand_ = false;        // cand_carrier_ waits for the token being read
  Carrier cand_carrier_;

  // This line.
  bool line_has_token_ = false;
  bool line_blank_ = true;
  bool in_prefix_ = true;  // still reading block markers
  bool after_marker_ = false;
  bool line_protected_ = false;
  bool line_inline_ = true;  // inline state follows this line's bytes
  bool line_quote_ = false;
  bool line_link_def_ = false;
  bool line_indented_code_ = false;
  bool line_rule_only_ = true;  // only tokens of - = * _
  bool line_dollar2_ = false;   // first content token starts with $$
  bool reset_after_line_ = false;
  bool fence_open_line_ = false;
  bool block_end_found_ = false;  // kHtmlRaw / kMath: the end is on this line
  uint8_t closer_state_ = 0;      // kFence: 0 looking, 1 closer seen, 2 not
  uint32_t lead_cols_ = 0;
  uint8_t tail_[12];  // kHtmlRaw: last bytes of the token, for the end tag
  uint32_t tail_len_ = 0;

  // Across lines.
  Block block_ = Block::kNone;
  uint8_t fence_char_ = 0;
  uint32_t fence_len_ = 0;
  uint32_t fence_indent_ = 0;
  bool prev_line_blank_ = true;  // the text start counts as after a blank line
  bool prev_line_quote_ = false;
  bool prev_line_link_def_ = false;
  bool prev_line_indented_code_ = false;

  InlineState inline_;
  InlineState saved_inline_;  // before a possible block-marker token
};

// All carriers of a whole text.
std::vector<Carrier> FindCarriers(absl::string_view text);

}  // namespace hallmark::watermark::unicode_text

#endif  // HALLMARK_WATERMARK_TEXT_UNICODE_CARRIER_SCANNER_H_
