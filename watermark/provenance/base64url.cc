#include "watermark/provenance/base64url.h"

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace hallmark::provenance {
namespace {

constexpr int8_t kInvalid = -1;

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> table{};
  for (int8_t& entry : table) entry = kInvalid;
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}

constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

std::string Base64UrlEncode(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  if (text.size() % 4 == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("base64url of length ", text.size(), " cannot occur (4k+1 characters)"));
  }
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t accumulator = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int8_t value = kDecode[static_cast<uint8_t>(text[i])];
    if (value == kInvalid) {
      return absl::InvalidArgumentError(
          absl::StrCat("not base64url: character ", i, " is 0x",
                       absl::Hex(static_cast<uint8_t>(text[i]), absl::kZeroPad2)));
    }
    accumulator = (accumulator << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xff));
    }
  }
  // 2 or 4 bits are left over after a partial group; they must be zero.
  if (bits > 0 && (accumulator & ((1u << bits) - 1)) != 0) {
    return absl::InvalidArgumentError("not canonical base64url: the unused last bits are not zero");
  }
  return out;
}

}  // namespace hallmark::provenance
