#include "sidecar/text/utf8.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hallmark::sidecar {
namespace {

// What a lead byte allows: the sequence length and the range of the second
// byte (the later ones are always 0x80..0xBF). Length 0: not a lead byte.
struct LeadRule {
  size_t length = 0;
  uint8_t second_low = 0x80;
  uint8_t second_high = 0xBF;
};

LeadRule RuleFor(uint8_t lead) {
  if (lead < 0x80) return {1};
  if (lead >= 0xC2 && lead <= 0xDF) return {2};
  // E0: no overlong forms (below U+0800); ED: no surrogates (U+D800..DFFF).
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF) return {3};
  // F0: no overlong forms (below U+10000); F4: nothing past U+10FFFF.
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};
  if (lead >= 0xF1 && lead <= 0xF3) return {4};
  return {};  // a continuation byte, C0, C1 or F5..FF
}

// How many bytes from bytes[i] on follow the rule of the lead byte there
// (at most the rule's length; the lead byte itself counts).
size_t MatchingBytes(absl::string_view bytes, size_t i, const LeadRule& rule) {
  size_t k = 1;
  for (; k < rule.length && i + k < bytes.size(); ++k) {
    const uint8_t b = static_cast<uint8_t>(bytes[i + k]);
    const uint8_t low = k == 1 ? rule.second_low : 0x80;
    const uint8_t high = k == 1 ? rule.second_high : 0xBF;
    if (b < low || b > high) break;
  }
  return k;
}

}  // namespace

absl::optional<size_t> FindInvalidUtf8(absl::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    // Generated text is mostly ASCII: skip it eight bytes at a time.
    if (bytes.size() - i >= 8) {
      uint64_t word;
      std::memcpy(&word, bytes.data() + i, sizeof(word));
      if ((word & 0x8080808080808080u) == 0) {
        i += 8;
        continue;
      }
    }
    const LeadRule rule = RuleFor(static_cast<uint8_t>(bytes[i]));
    if (rule.length == 0 || MatchingBytes(bytes, i, rule) != rule.length) return i;
    i += rule.length;
  }
  return absl::nullopt;
}

absl::Status CheckUtf8(absl::string_view what, absl::string_view bytes) {
  const absl::optional<size_t> offset = FindInvalidUtf8(bytes);
  if (!offset.has_value()) return absl::OkStatus();
  // Up to four bytes from the offending one: enough to see the sequence.
  std::string shown;
  for (size_t k = *offset; k < bytes.size() && k < *offset + 4; ++k) {
    absl::StrAppendFormat(&shown, "%s0x%02x", shown.empty() ? "" : " ",
                          static_cast<uint8_t>(bytes[k]));
  }
  // A well-begun sequence that the end of the bytes cuts short.
  const LeadRule rule = RuleFor(static_cast<uint8_t>(bytes[*offset]));
  const bool cut_off =
      rule.length > 1 && MatchingBytes(bytes, *offset, rule) == bytes.size() - *offset;
  return absl::InvalidArgumentError(
      absl::StrCat(what, " is not valid UTF-8: at byte ", *offset, ": ", shown,
                   cut_off ? " (a character cut off at the end)" : ""));
}

}  // namespace hallmark::sidecar
