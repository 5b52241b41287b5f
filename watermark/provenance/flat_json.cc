#include "watermark/provenance/flat_json.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "watermark/base/json_string.h"

namespace hallmark::provenance {
namespace {

// Length of the well-formed UTF-8 sequence at `s[i]`, 0 when ill-formed
// (Unicode 15, table 3-7).
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  uint8_t low = 0x80;
  uint8_t high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) low = 0xa0;   // overlong
    if (b0 == 0xed) high = 0x9f;  // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) low = 0x90;   // overlong
    if (b0 == 0xf4) high = 0x8f;  // past U+10FFFF
  } else {
    return 0;
  }
  if (s.size() - i < length) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return length;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  }
}

// A cursor over the input. Every method that fails returns an error naming
// the current offset.
class Reader {
 public:
  explicit Reader(absl::string_view json) : json_(json) {}

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("JSON at byte ", pos_, ": ", what));
  }
  bool AtEnd() const { return pos_ >= json_.size(); }
  char Peek() const { return json_[pos_]; }

  void SkipWhitespace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }

  absl::Status Expect(char c) {
    if (AtEnd()) return Error(absl::StrCat("expected '", std::string(1, c), "', found the end"));
    if (Peek() != c) {
      return Error(absl::StrCat("expected '", std::string(1, c), "', found ", Describe()));
    }
    ++pos_;
    return absl::OkStatus();
  }

  std::string Describe() const {
    if (AtEnd()) return "the end";
    const uint8_t c = static_cast<uint8_t>(Peek());
    if (c >= 0x20 && c < 0x7f) return absl::StrCat("'", std::string(1, Peek()), "'");
    return absl::StrFormat("byte 0x%02x", c);
  }

  // At an opening quote.
  absl::StatusOr<std::string> String() {
    if (absl::Status quote = Expect('"'); !quote.ok()) return quote;
    std::string out;
    for (;;) {
      if (AtEnd()) return Error("unterminated string");
      const char c = Peek();
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (static_cast<uint8_t>(c) < 0x20) return Error("control character in a string");
      if (c != '\\') {
        // Multi-byte sequences were validated before parsing started; none
        // of their bytes is '"', '\' or a control character.
        out.push_back(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (AtEnd()) return Error("unterminated escape");
      const char escape = Peek();
      ++pos_;
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out.push_back(escape);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          absl::StatusOr<uint32_t> unit = Hex4();
          if (!unit.ok()) return unit.status();
          uint32_t code_point = *unit;
          if (code_point >= 0xdc00 && code_point <= 0xdfff) {
            return Error("a low surrogate without a high surrogate before it");
          }
          if (code_point >= 0xd800 && code_point <= 0xdbff) {
            if (json_.size() - pos_ < 2 || json_[pos_] != '\\' || json_[pos_ + 1] != 'u') {
              return Error("a high surrogate without a low surrogate after it");
            }
            pos_ += 2;
            absl::StatusOr<uint32_t> low = Hex4();
            if (!low.ok()) return low.status();
            if (*low < 0xdc00 || *low > 0xdfff) {
              return Error("a high surrogate without a low surrogate after it");
            }
            code_point = 0x10000 + ((code_point - 0xd800) << 10) + (*low - 0xdc00);
          }
          AppendUtf8(code_point, out);
          break;
        }
        default:
          --pos_;
          return Error(absl::StrCat("unknown escape \\", Describe()));
      }
    }
  }

  // At '-' or a digit: an integer in int64 range.
  absl::StatusOr<int64_t> Integer() {
    const bool negative = Peek() == '-';
    if (negative) ++pos_;
    if (AtEnd() || Peek() < '0' || Peek() > '9') return Error("expected a digit");
    if (Peek() == '0' && pos_ + 1 < json_.size() && json_[pos_ + 1] >= '0' &&
        json_[pos_ + 1] <= '9') {
      return Error("a number with a leading zero");
    }
    // Accumulated as a negative number, whose range includes INT64_MIN.
    int64_t value = 0;
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
      const int digit = Peek() - '0';
      if (value < (kMin + digit) / 10) return Error("an integer outside the 64-bit range");
      value = value * 10 - digit;
      ++pos_;
    }
    if (!AtEnd() && (Peek() == '.' || Peek() == 'e' || Peek() == 'E')) {
      return Error("only integers are accepted (no fraction or exponent)");
    }
    if (!negative) {
      if (value == kMin) return Error("an integer outside the 64-bit range");
      value = -value;
    }
    return value;
  }

 private:
  absl::StatusOr<uint32_t> Hex4() {
    if (json_.size() - pos_ < 4) return Error("a \\u escape needs 4 hex digits");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = json_[pos_];
      uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Error("a \\u escape needs 4 hex digits");
      }
      value = value * 16 + digit;
      ++pos_;
    }
    return value;
  }

  absl::string_view json_;
  size_t pos_ = 0;
};

}  // namespace

bool IsValidUtf8(absl::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    const size_t length = Utf8SequenceLength(bytes, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

absl::StatusOr<FlatJsonObject> FlatJsonObject::Parse(absl::string_view json) {
  for (size_t i = 0; i < json.size();) {
    const size_t length = Utf8SequenceLength(json, i);
    if (length == 0) {
      return absl::InvalidArgumentError(absl::StrCat("JSON at byte ", i, ": not valid UTF-8"));
    }
    i += length;
  }
  Reader reader(json);
  FlatJsonObject object;
  reader.SkipWhitespace();
  if (absl::Status open = reader.Expect('{'); !open.ok()) return open;
  reader.SkipWhitespace();
  if (!reader.AtEnd() && reader.Peek() == '}') {
    reader.Expect('}').IgnoreError();
  } else {
    for (;;) {
      reader.SkipWhitespace();
      if (reader.AtEnd() || reader.Peek() != '"') {
        return reader.Error(absl::StrCat("expected a member name, found ", reader.Describe()));
      }
      absl::StatusOr<std::string> name = reader.String();
      if (!name.ok()) return name.status();
      if (object.Find(*name) != nullptr) {
        return reader.Error(absl::StrCat("duplicate member \"", *name, "\""));
      }
      if (object.members_.size() == kMaxMembers) {
        return reader.Error(absl::StrCat("more than ", kMaxMembers, " members"));
      }
      reader.SkipWhitespace();
      if (absl::Status colon = reader.Expect(':'); !colon.ok()) return colon;
      reader.SkipWhitespace();
      if (reader.AtEnd()) return reader.Error("expected a value, found the end");
      const char first = reader.Peek();
      if (first == '"') {
        absl::StatusOr<std::string> value = reader.String();
        if (!value.ok()) return value.status();
        object.members_.emplace_back(*std::move(name), *std::move(value));
      } else if (first == '-' || (first >= '0' && first <= '9')) {
        absl::StatusOr<int64_t> value = reader.Integer();
        if (!value.ok()) return value.status();
        object.members_.emplace_back(*std::move(name), *value);
      } else {
        return reader.Error(absl::StrCat("the value of \"", *name,
                                         "\" is not a string or an integer (found ",
                                         reader.Describe(), ")"));
      }
      reader.SkipWhitespace();
      if (!reader.AtEnd() && reader.Peek() == ',') {
        reader.Expect(',').IgnoreError();
        continue;
      }
      if (absl::Status close = reader.Expect('}'); !close.ok()) return close;
      break;
    }
  }
  reader.SkipWhitespace();
  if (!reader.AtEnd()) {
    return reader.Error(absl::StrCat("unexpected ", reader.Describe(), " after the object"));
  }
  return object;
}

const FlatJsonValue* FlatJsonObject::Find(absl::string_view name) const {
  for (const auto& [member, value] : members_) {
    if (member == name) return &value;
  }
  return nullptr;
}

void FlatJsonWriter::Name(absl::string_view name) {
  if (out_.size() > 1) out_.push_back(',');
  AppendJsonString(name, out_);
  out_.push_back(':');
}

FlatJsonWriter& FlatJsonWriter::Add(absl::string_view name, absl::string_view value) {
  Name(name);
  AppendJsonString(value, out_);
  return *this;
}

FlatJsonWriter& FlatJsonWriter::Add(absl::string_view name, int64_t value) {
  Name(name);
  absl::StrAppend(&out_, value);
  return *this;
}

std::string FlatJsonWriter::Finish() {
  out_.push_back('}');
  std::string out(1, '{');
  out.swap(out_);
  return out;
}

}  // namespace hallmark::provenance
