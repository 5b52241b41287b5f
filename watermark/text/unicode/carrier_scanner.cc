#include "watermark/text/unicode/carrier_scanner.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "watermark/text/unicode/symbol_alphabet.h"

namespace hallmark::watermark::unicode_text {
namespace {

// Per-byte facts, looked up once per byte.
enum : uint8_t {
  kAlnum = 1 << 0,      // a letter or digit (non-ASCII counts as one)
  kForbidden = 1 << 1,  // a Markdown-active character: ` * _ ~ < > [ ] | \ $ { } # &
  kAt = 1 << 2,         // '@': e-mail addresses
  kUrlChar = 1 << 3,    // ':' or '/': may be part of "://"
  kNonRule = 1 << 4,    // not one of - = * _ (setext underlines, rules)
  kSpace = 1 << 5,      // ASCII whitespace that does not break the line
  kBreak = 1 << 6,      // LF or CR
};
// kAlnum | kNonRule for every non-ASCII code point in a token.
constexpr uint8_t kNonAsciiFlags = kAlnum | kNonRule;

constexpr std::array<uint8_t, 128> MakeByteFlags() {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    uint8_t f = kNonRule;
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) f |= kAlnum;
    switch (c) {
      case '`':
      case '*':
      case '_':
      case '~':
      case '<':
      case '>':
      case '[':
      case ']':
      case '|':
      case '\\':
      case '$':
      case '{':
      case '}':
      case '#':
      case '&':
        f |= kForbidden;
        break;
      case '@':
        f |= kAt;
        break;
      case ':':
      case '/':
        f |= kUrlChar;
        break;
      case ' ':
      case '\t':
      case '\v':
      case '\f':
        f = kSpace;
        break;
      case '\n':
      case '\r':
        f = kBreak;
        break;
      default:
        break;
    }
    if (c == '-' || c == '=' || c == '*' || c == '_') f &= static_cast<uint8_t>(~kNonRule);
    t[c] = f;
  }
  return t;
}
constexpr std::array<uint8_t, 128> kByteFlags = MakeByteFlags();

// Bytes that change the inline state in each mode, one bit per Mode value.
constexpr uint8_t ModeBit(int mode) { return static_cast<uint8_t>(1u << mode); }
constexpr std::array<uint8_t, 128> MakeRelevant() {
  std::array<uint8_t, 128> t{};
  auto add = [&t](const char* chars, int mode) {
    for (const char* c = chars; *c != 0; ++c) t[static_cast<uint8_t>(*c)] |= ModeBit(mode);
  };
  add("`$\\<]", 0);  // kNormal
  add("`", 1);       // kCode
  add("$\\", 2);     // kMath
  add("\\", 3);      // kMathParen
  add("\\", 4);      // kMathBracket
  add("\"'>", 5);    // kHtmlTag
  add("\\()", 6);    // kLinkDest
  return t;
}
constexpr std::array<uint8_t, 128> kRelevant = MakeRelevant();

// Token bytes that need nothing but counting, per inline mode: ASCII, not
// whitespace, not part of "://" or "www.", not meaningful to the inline
// state. The
// entry is the byte's kByteFlags plus kBoring; 0 means "look closer".
constexpr uint8_t kBoring = 1 << 7;
using BoringTable = std::array<std::array<uint8_t, 256>, 8>;
constexpr BoringTable MakeBoring() {
  BoringTable t{};
  for (int mode = 0; mode < 8; ++mode) {
    for (int c = 0; c < 128; ++c) {
      const uint8_t f = kByteFlags[c];
      if ((f & (kSpace | kBreak | kUrlChar)) != 0 || (kRelevant[c] & ModeBit(mode)) != 0) continue;
      if (c == 'w' || c == 'W') continue;  // may start "www.
      t[mode][c] = static_cast<uint8_t>(f | kBoring);
    }
  }
  return t;
}
constexpr BoringTable kBoringTable = MakeBoring();

// InlineState::pending bits.
enum : uint8_t {
  kPendingEscape = 1 << 0,    // after a backslash
  kPendingLt = 1 << 1,        // after '<'
  kPendingRbracket = 1 << 2,  // after ']'
  kPendingRun = 1 << 3,       // counting a ` or $ run
};

constexpr bool IsAsciiAlpha(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
constexpr bool IsAsciiDigit(uint8_t c) { return c >= '0' && c <= '9'; }
constexpr uint8_t AsciiLower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

// Whitespace other than ASCII, by UTF-8 bytes (the sequence is complete).
// Returns true for whitespace; `symbol` is its alphabet symbol or -1.
bool NonAsciiWhitespace(uint32_t bytes, uint8_t len, int* symbol) {
  *symbol = -1;
  if (len == 2) return bytes == 0xC285 || bytes == 0xC2A0;  // U+0085, U+00A0
  if (len != 3) return false;
  if ((bytes & 0xFFFF00) == 0xE28000) {
    const uint8_t last = bytes & 0xFF;
    if (last <= 0x8A) {  // U+2000..U+200A
      *symbol = SymbolForE280(last);
      return true;
    }
    return last == 0xA8 || last == 0xA9 || last == 0xAF;  // U+2028, U+2029, U+202F
  }
  return bytes == 0xE2819F      // U+205F
         || bytes == 0xE19A80   // U+1680
         || bytes == 0xE38080;  // U+3000
}

bool StartsWithLower(const uint8_t* s, size_t n, absl::string_view prefix) {
  if (n < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[i]) != static_cast<uint8_t>(prefix[i])) return false;
  }
  return true;
}

// HTML block start conditions 1 (raw text to the end tag); the end tags.
constexpr std::array<absl::string_view, 4> kRawHtmlNames = {"pre", "script", "style", "textarea"};
constexpr std::array<absl::string_view, 4> kRawHtmlEnds = {"</pre>", "</script>", "</style>",
                                                           "</textarea>"};

bool EndsWithRawHtmlEnd(const uint8_t* s, size_t n) {
  for (absl::string_view end : kRawHtmlEnds) {
    if (n >= end.size() && StartsWithLower(s + n - end.size(), end.size(), end)) return true;
  }
  return false;
}

}  // namespace

CarrierScanner::CarrierScanner() { StartLine(); }

uint64_t CarrierScanner::decided() const {
  uint64_t d = consumed_;
  if (u8_need_ != 0) d = u8_start_;
  if (!in_token_ && ws_count_ == 1 && ws_symbol_ >= 0) d = std::min(d, ws_start_);
  if (cand_) d = std::min(d, cand_carrier_.offset);
  return d;
}

void CarrierScanner::Feed(absl::string_view bytes, std::vector<Carrier>* out) {
  out_ = out;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = data[i];
    const uint64_t offset = consumed_ + i;
    if (u8_need_ != 0) {
      if ((b & 0xC0) == 0x80) {
        u8_bytes_ = (u8_bytes_ << 8) | b;
        ++u8_len_;
        if (--u8_need_ == 0) OnMultiByte();
        continue;
      }
      // A truncated sequence: one non-whitespace character, then `b` anew.
      u8_need_ = 0;
      OnNonAscii(u8_len_);
    }
    if (b < 0x80) {
      const uint8_t f = kByteFlags[b];
      if ((f & (kSpace | kBreak)) == 0) {
        if (!in_token_) {
          StartToken();
        }
        if (!slow_ && (url_state_ | www_state_ | inline_.pending) == 0) {
          const size_t j = WordRun(data, i, n);
          if (j > i) {
            i = j - 1;
            continue;
          }
        }
        TokenByte(b);
      } else if (b == ' ' && in_token_) {
        // The common case, a space after a word: OnWhitespace in short.
        EndToken();
        ws_start_ = offset;
        ws_len_ = 1;
        ws_symbol_ = 0;
        ws_count_ = 1;
        ws_cols_ = 1;
        if (inline_.pending != 0) InlineBreak();
      } else if (f & kSpace) {
        OnAsciiSpace(b, offset);
      } else {
        OnLineBreak(b, offset);
      }
    } else if (b >= 0xC2 && b <= 0xF4) {
      u8_start_ = offset;
      u8_bytes_ = b;
      u8_len_ = 1;
      u8_need_ = b < 0xE0 ? 1 : (b < 0xF0 ? 2 : 3);
      // A sequence wholly inside this piece is read at once.
      while (u8_need_ != 0 && i + 1 < n && (data[i + 1] & 0xC0) == 0x80) {
        u8_bytes_ = (u8_bytes_ << 8) | data[++i];
        ++u8_len_;
        --u8_need_;
      }
      if (u8_need_ == 0) OnMultiByte();
    } else {
      OnNonAscii(1);  // a byte that cannot start UTF-8
    }
  }
  consumed_ += n;
  out_ = nullptr;
}

// The common case, prose: words of bytes that need nothing but counting,
// separated by single alphabet spaces. Consumes data[i..) while that lasts and
// returns where it stopped; what EndToken, OnWhitespace and StartToken do
// for such bytes is done here in short, on locals.
size_t CarrierScanner::WordRun(const uint8_t* data, size_t i, size_t n) {
  const std::array<uint8_t, 256>& boring =
      kBoringTable[line_inline_ ? static_cast<int>(inline_.mode)
                                : static_cast<int>(Mode::kUntilBlank)];
  // Lines whose token ends need more than this (fence closers, raw HTML and
  // math end markers) take the general path.
  const bool simple = block_ != Block::kFence && block_ != Block::kHtmlRaw &&
                      block_ != Block::kMath && !fence_open_line_;
  // Boring bytes leave the inline state as it is, so this holds throughout.
  const bool can_carry = !line_protected_ && inline_.mode == Mode::kNormal;
  uint32_t len = token_len_;
  uint8_t acc = token_flags_;
  for (;;) {
    const size_t start = i;
    for (uint8_t e; i < n && (e = boring[data[i]]) != 0; ++i) acc |= e;
    len += static_cast<uint32_t>(i - start);
    if (!simple || i + 1 >= n) break;
    // A single alphabet space (U+0020, or a marked text's E2 80 xx) and a
    // boring byte after it.
    int symbol = 0;
    uint8_t space_len = 1;
    if (data[i] != ' ') {
      if (data[i] != 0xE2 || i + 3 >= n || data[i + 1] != 0x80) break;
      symbol = SymbolForE280(data[i + 2]);
      if (symbol < 0) break;
      space_len = 3;
    }
    if (boring[data[i + space_len]] == 0) break;
    // The token ends at the space and the next one starts after it.
    const bool plain =
        (acc & kAlnum) != 0 && (acc & (kForbidden | kAt)) == 0 && len <= kMaxPlainTokenBytes;
    if (acc & kNonRule) line_rule_only_ = false;
    if (cand_ && plain) out_->push_back(cand_carrier_);
    prev_plain_ = plain;
    cand_ = can_carry && plain;
    if (cand_) {
      cand_carrier_.offset = consumed_ + i;
      cand_carrier_.length = space_len;
      cand_carrier_.symbol = static_cast<uint8_t>(symbol);
    }
    i += space_len;
    len = 0;
    acc = 0;
  }
  token_len_ = len;
  token_flags_ = static_cast<uint8_t>(acc & ~kBoring);
  if (cand_ && len > kMaxPlainTokenBytes) cand_ = false;
  return i;
}

void CarrierScanner::Finish(std::vector<Carrier>* out) {
  out_ = out;
  if (u8_need_ != 0) {
    u8_need_ = 0;
    OnNonAscii(u8_len_);
  }
  EndLine();
  out_ = nullptr;
}

void CarrierScanner::OnMultiByte() {
  int symbol;
  if (NonAsciiWhitespace(u8_bytes_, u8_len_, &symbol)) {
    OnWhitespace(u8_start_, u8_len_, symbol, 1);
  } else {
    OnNonAscii(u8_len_);
  }
}

void CarrierScanner::OnAsciiSpace(uint8_t b, uint64_t offset) {
  uint32_t cols = 1;
  if (b == '\t') {
    // At the line start a tab advances to the next multiple of 4; after a
    // block marker it counts 4, which can only make a line look more
    // indented (more protected).
    cols = line_has_token_ ? 4 : 4 - (lead_cols_ % 4);
  }
  OnWhitespace(offset, 1, b == ' ' ? 0 : -1, cols);
}

void CarrierScanner::OnWhitespace(uint64_t offset, uint8_t length, int symbol, uint32_t cols) {
  if (in_token_) EndToken();
  if (line_has_token_) {
    if (ws_count_ == 0) {
      ws_start_ = offset;
      ws_len_ = length;
      ws_symbol_ = symbol;
    } else {
      ws_symbol_ = -1;
    }
    ++ws_count_;
    ws_cols_ += cols;
  } else {
    lead_cols_ += cols;
  }
  if (inline_.pending != 0) InlineBreak();
}

void CarrierScanner::OnLineBreak(uint8_t b, uint64_t offset) {
  if (b == '\n' && offset == lf_after_cr_) return;  // the LF of a CRLF
  if (b == '\r') lf_after_cr_ = offset + 1;
  EndLine();
}

void CarrierScanner::OnNonAscii(uint8_t length) {
  if (!in_token_) StartToken();
  www_state_ = 0;
  token_len_ += length;
  token_flags_ |= kNonAsciiFlags;
  url_state_ = 0;
  if (slow_) {
    SlowTokenByte(0x80);
  } else if (line_inline_ && inline_.pending != 0) {
    InlineByte(0x80);
  }
  if (cand_ && token_len_ > kMaxPlainTokenBytes) cand_ = false;
}

void CarrierScanner::StartLine() {
  line_has_token_ = false;
  line_blank_ = true;
  in_prefix_ = block_ == Block::kNone;
  after_marker_ = false;
  line_protected_ = block_ != Block::kNone;
  line_inline_ = block_ == Block::kNone;
  line_quote_ = false;
  line_link_def_ = false;
  line_indented_code_ = false;
  line_rule_only_ = true;
  line_dollar2_ = false;
  reset_after_line_ = false;
  fence_open_line_ = false;
  block_end_found_ = false;
  closer_state_ = 0;
  lead_cols_ = 0;
  tail_len_ = 0;
  ws_count_ = 0;
  ws_symbol_ = -1;
  ws_cols_ = 0;
  prev_plain_ = false;
  cand_ = false;
}

void CarrierScanner::EndLine() {
  if (in_token_) EndToken();
  if (inline_.pending != 0) InlineBreak();
  cand_ = false;
  switch (block_) {
    case Block::kNone:
      if (line_blank_) {
        ResetInline();
      } else if (line_dollar2_ && inline_.mode == Mode::kMath && inline_.open_run == 2) {
        // A line opening $$ display math without closing it.
        block_ = Block::kMath;
        ResetInline();
      } else if (line_rule_only_ || reset_after_line_) {
        // A thematic break or setext underline ends the paragraph; so do a
        // heading line and a table row.
        ResetInline();
      }
      break;
    case Block::kFence:
      if (!fence_open_line_ && closer_state_ == 1) {
        block_ = Block::kNone;
        ResetInline();
      }
      break;
    case Block::kHtmlRaw:
    case Block::kMath:
      if (block_end_found_) {
        block_ = Block::kNone;
        ResetInline();
      }
      break;
    case Block::kHtmlUntilBlank:
      if (line_blank_) {
        block_ = Block::kNone;
        ResetInline();
      }
      break;
  }
  prev_line_blank_ = line_blank_;
  prev_line_quote_ = line_quote_;
  prev_line_link_def_ = line_link_def_;
  prev_line_indented_code_ = line_indented_code_;
  StartLine();
}

void CarrierScanner::SetIndented() {
  line_protected_ = true;
  if (prev_line_blank_ || prev_line_indented_code_) {
    // Indented code: its bytes are not Markdown.
    line_indented_code_ = true;
    line_inline_ = false;
    in_prefix_ = false;
    ResetInline();
  }
  // Otherwise a paragraph continuation (or list content): nothing on it is
  // a carrier, but its inline constructs still count.
}

void CarrierScanner::StartToken() {
  if (line_has_token_) {
    // The whitespace before this token is a carrier if it is one alphabet
    // character after a plain token, outside protected regions, and this
    // token turns out plain.
    if (ws_count_ == 1 && ws_symbol_ >= 0 && prev_plain_ && !line_protected_ &&
        inline_.mode == Mode::kNormal) {
      cand_ = true;
      cand_carrier_.offset = ws_start_;
      cand_carrier_.length = ws_len_;
      cand_carrier_.symbol = static_cast<uint8_t>(ws_symbol_);
    }
    if (in_prefix_ && after_marker_ && ws_cols_ >= 5) SetIndented();
  } else {
    line_blank_ = false;
    if (block_ == Block::kNone && lead_cols_ >= 4) SetIndented();
  }
  line_has_token_ = true;
  ws_count_ = 0;
  ws_symbol_ = -1;
  ws_cols_ = 0;

  in_token_ = true;
  token_len_ = 0;
  token_flags_ = 0;
  url_state_ = 0;
  www_state_ = 0;
  capture_ = in_prefix_ || (block_ == Block::kFence && closer_state_ == 0);
  slow_ = capture_ || fence_open_line_ || block_ == Block::kHtmlRaw || block_ == Block::kMath;
  if (slow_) {
    first_len_ = 0;
    first_all_gt_ = true;
    prev_byte_ = 0;
    tail_len_ = 0;
    if (in_prefix_) saved_inline_ = inline_;
  }
}

inline void CarrierScanner::TokenByte(uint8_t b) {
  ++token_len_;
  const uint8_t f = kByteFlags[b];
  token_flags_ |= f;
  if ((www_state_ | ((b | 0x20) == 'w')) != 0) {
    // Progress through "www." anywhere in the token: GFM links "www." after
    // '(' too, and such a link runs to the next ASCII whitespace.
    if ((b | 0x20) == 'w') {
      www_state_ = www_state_ < 3 ? www_state_ + 1 : 3;
    } else {
      if (b == '.' && www_state_ == 3) token_flags_ |= kAt;  // never plain
      www_state_ = 0;
    }
  }
  if (((f & kUrlChar) | url_state_) != 0) {
    // Progress through "://".
    if (b == ':') {
      url_state_ = 1;
    } else if (b == '/' && url_state_ == 1) {
      url_state_ = 2;
    } else if (b == '/' && url_state_ == 2) {
      url_state_ = 0;
      token_flags_ |= kAt;  // same verdict as '@': never plain
    } else {
      url_state_ = 0;
    }
  }
  if (slow_) {
    SlowTokenByte(b);
  } else if (line_inline_ &&
             (inline_.pending != 0 || (kRelevant[b] & ModeBit(static_cast<int>(inline_.mode))))) {
    InlineByte(b);
  }
  if (cand_ && token_len_ > kMaxPlainTokenBytes) cand_ = false;
}

// Bytes of the first tokens of a line and of block lines: the line-level
// decisions. Runs the inline state machine too (after those decisions).
void CarrierScanner::SlowTokenByte(uint8_t b) {
  if (capture_) {
    if (first_len_ < kCapture) first_[first_len_] = b;
    ++first_len_;
    const bool first_content_byte = first_all_gt_ && b != '>';
    if (first_content_byte) first_all_gt_ = false;
    if (first_content_byte && in_prefix_) {
      // The first byte of the line's content (after any '>' markers). The
      // token may still turn out to be a list or heading marker, but these
      // bytes cannot be part of one.
      switch (b) {
        case '|':
          // A table row: cells are parsed on their own, so no inline
          // construct continues into or out of the row.
          ResetInline();
          reset_after_line_ = true;
          break;
        case '<':  // HTML
        case '[':  // possibly a link reference definition
          line_protected_ = true;
          break;
        case '"':
        case '\'':
        case '(':
          // The title of a link reference definition may follow it on the
          // next line.
          if (prev_line_link_def_) line_protected_ = true;
          break;
        default:
          break;
      }
    }
  }
  if (fence_open_line_ && b == fence_char_ && b == '`') {
    // A backtick in the info string: not a fence after all, but inline
    // code of unknown extent.
    fence_open_line_ = false;
    block_ = Block::kNone;
    inline_ = InlineState();
    inline_.mode = Mode::kUntilBlank;
  }
  if (block_ == Block::kHtmlRaw) {
    if (tail_len_ == sizeof(tail_)) {
      std::memmove(tail_, tail_ + 1, sizeof(tail_) - 1);
      --tail_len_;
    }
    tail_[tail_len_++] = b;
    if (b == '>' && EndsWithRawHtmlEnd(tail_, tail_len_)) block_end_found_ = true;
  } else if (block_ == Block::kMath) {
    if (b == '$' && prev_byte_ == '$') block_end_found_ = true;
  }
  prev_byte_ = b;
  if (line_inline_ && (inline_.pending != 0 ||
                       (b < 0x80 && (kRelevant[b] & ModeBit(static_cast<int>(inline_.mode)))))) {
    InlineByte(b);
  }
}

void CarrierScanner::EndToken() {
  in_token_ = false;
  bool plain = (token_flags_ & kAlnum) != 0 && (token_flags_ & (kForbidden | kAt)) == 0 &&
               token_len_ <= kMaxPlainTokenBytes;
  if (token_flags_ & kNonRule) line_rule_only_ = false;
  if (in_prefix_) {
    ClassifyPrefixToken(&plain);
  } else if (block_ == Block::kFence) {
    FenceLineToken();
  }
  if (cand_) {
    if (plain) out_->push_back(cand_carrier_);
    cand_ = false;
  }
  prev_plain_ = plain;
}

void CarrierScanner::ClassifyPrefixToken(bool* plain) {
  // first_ holds one entry per ASCII byte and one 0x80 per other
  // character, which no marker contains.
  const uint8_t* s = first_;
  const uint32_t n = first_len_;
  bool quote = false, bullet = false, ordered = false, atx = false;
  if (n <= kCapture) {
    quote = first_all_gt_;
    bullet = n == 1 && (s[0] == '-' || s[0] == '+' || s[0] == '*');
    ordered = n >= 2 && n <= 10 && (s[n - 1] == '.' || s[n - 1] == ')') &&
              std::all_of(s, s + n - 1, IsAsciiDigit);
    atx = n <= 6 && std::all_of(s, s + n, [](uint8_t c) { return c == '#'; });
  }
  if (!(quote || bullet || ordered || atx)) {
    in_prefix_ = false;
    FirstContentToken();
    return;
  }
  // A block marker: never plain, and its bytes are not inline content.
  *plain = false;
  inline_ = saved_inline_;
  after_marker_ = true;
  if (quote) {
    line_quote_ = true;
    if (!prev_line_quote_) ResetInline();  // a new block quote starts
  } else if (atx) {
    // Heading text also names the heading's anchor (its slug drops the
    // alphabet spaces), so headings carry nothing.
    line_protected_ = true;
    ResetInline();
    reset_after_line_ = true;
  } else {
    ResetInline();  // a new list item
  }
}

void CarrierScanner::FirstContentToken() {
  // Look past '>' markers written without a space (">```", "><div>").
  const uint32_t captured = std::min<uint32_t>(first_len_, kCapture);
  uint32_t start = 0;
  while (start < captured && first_[start] == '>') ++start;
  const uint8_t* s = first_ + start;
  const uint32_t n = captured - start;
  if (n == 0) return;

  if (n >= 3 && (s[0] == '`' || s[0] == '~')) {
    uint32_t run = 0;
    while (run < n && s[run] == s[0]) ++run;
    const bool backtick_in_info = s[0] == '`' && std::find(s + run, s + n, '`') != s + n;
    if (run >= 3 && !backtick_in_info) {
      block_ = Block::kFence;
      fence_char_ = s[0];
      fence_len_ = run;
      fence_indent_ = lead_cols_;
      fence_open_line_ = true;
      line_protected_ = true;
      line_inline_ = false;
      ResetInline();
      // Later tokens of this line are info string: watch for backticks.
      slow_ = true;
      return;
    }
  }
  if (n >= 2 && s[0] == '$' && s[1] == '$') {
    line_protected_ = true;
    line_dollar2_ = true;
    return;
  }
  if (s[0] == '<') {
    if (n >= 2 && (IsAsciiAlpha(s[1]) || s[1] == '/' || s[1] == '!' || s[1] == '?')) {
      block_ = Block::kHtmlUntilBlank;
      for (absl::string_view name : kRawHtmlNames) {
        const uint32_t after = 1 + static_cast<uint32_t>(name.size());
        if (StartsWithLower(s + 1, n - 1, name) &&
            (after == n ||
             !(IsAsciiAlpha(s[after]) || IsAsciiDigit(s[after]) || s[after] == '-'))) {
          block_ = Block::kHtmlRaw;
          // The end tag may be in this very token.
          for (uint32_t i = after; i < n; ++i) {
            if (s[i] == '>' && EndsWithRawHtmlEnd(s, i + 1)) block_end_found_ = true;
          }
          break;
        }
      }
      line_inline_ = false;
      ResetInline();
    }
    return;
  }
  if (s[0] == '[') line_link_def_ = true;
}

void CarrierScanner::FenceLineToken() {
  // Inside a fence: is this line a bare closing fence?
  const uint32_t n = first_len_;
  const bool captured = n <= kCapture;
  if (closer_state_ == 0) {
    if (captured && first_all_gt_) return;  // '>' markers before the fence
    const bool closer =
        captured && n >= fence_len_ && lead_cols_ <= fence_indent_ + 3 &&
        std::all_of(first_, first_ + n, [this](uint8_t c) { return c == fence_char_; });
    closer_state_ = closer ? 1 : 2;
  } else {
    closer_state_ = 2;  // a closing fence has nothing after it
  }
}

void CarrierScanner::InlineByte(uint8_t c) {
  InlineState& s = inline_;
  if (s.pending & kPendingRun) {
    if (c == s.run_char) {
      if (s.run_len < UINT32_MAX) ++s.run_len;
      return;
    }
    EndRun();
  }
  if (s.pending & kPendingEscape) {
    s.pending = 0;
    // The escaped byte is literal, except for the \( \[ math delimiters.
    if (s.mode == Mode::kNormal) {
      if (c == '(') s.mode = Mode::kMathParen;
      if (c == '[') s.mode = Mode::kMathBracket;
    } else if (s.mode == Mode::kMathParen) {
      if (c == ')') s.mode = Mode::kNormal;
    } else if (s.mode == Mode::kMathBracket) {
      if (c == ']') s.mode = Mode::kNormal;
    }
    return;
  }
  if (s.pending & kPendingLt) {
    s.pending = 0;
    if (s.mode == Mode::kNormal && (IsAsciiAlpha(c) || c == '/' || c == '!' || c == '?')) {
      s.mode = Mode::kHtmlTag;
      s.quote = 0;
      return;
    }
  }
  if (s.pending & kPendingRbracket) {
    s.pending = 0;
    if (s.mode == Mode::kNormal && c == '(') {
      s.mode = Mode::kLinkDest;
      s.depth = 1;
      return;
    }
  }
  switch (s.mode) {
    case Mode::kNormal:
      switch (c) {
        case '`':
        case '$':
          s.run_char = c;
          s.run_len = 1;
          s.pending = kPendingRun;
          break;
        case '\\':
          s.pending = kPendingEscape;
          break;
        case '<':
          s.pending = kPendingLt;
          break;
        case ']':
          s.pending = kPendingRbracket;
          break;
        default:
          break;
      }
      break;
    case Mode::kCode:
      if (c == '`') {
        s.run_char = c;
        s.run_len = 1;
        s.pending = kPendingRun;
      }
      break;
    case Mode::kMath:
      if (c == '$') {
        s.run_char = c;
        s.run_len = 1;
        s.pending = kPendingRun;
      } else if (c == '\\') {
        s.pending = kPendingEscape;
      }
      break;
    case Mode::kMathParen:
    case Mode::kMathBracket:
      if (c == '\\') s.pending = kPendingEscape;
      break;
    case Mode::kHtmlTag:
      if (s.quote != 0) {
        if (c == s.quote) s.quote = 0;
      } else if (c == '"' || c == '\'') {
        s.quote = c;
      } else if (c == '>') {
        s.mode = Mode::kNormal;
      }
      break;
    case Mode::kLinkDest:
      if (c == '\\') {
        s.pending = kPendingEscape;
      } else if (c == '(') {
        ++s.depth;
      } else if (c == ')' && --s.depth == 0) {
        s.mode = Mode::kNormal;
      }
      break;
    case Mode::kUntilBlank:
      break;
  }
}

void CarrierScanner::InlineBreak() {
  if (inline_.pending & kPendingRun) EndRun();
  inline_.pending = 0;
}

void CarrierScanner::EndRun() {
  InlineState& s = inline_;
  s.pending = 0;
  const Mode opened = s.run_char == '`' ? Mode::kCode : Mode::kMath;
  if (s.mode == Mode::kNormal) {
    s.mode = opened;
    s.open_run = s.run_len;
  } else if (s.mode == opened && s.run_len == s.open_run) {
    s.mode = Mode::kNormal;
  }
  s.run_len = 0;
}

std::vector<Carrier> FindCarriers(absl::string_view text) {
  std::vector<Carrier> out;
  out.reserve(text.size() / 6 + 1);
  CarrierScanner scanner;
  scanner.Feed(text, &out);
  scanner.Finish(&out);
  return out;
}

}  // namespace hallmark::watermark::unicode_text
