#include "watermark/key/watermark_key.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "watermark/base/status_macros.h"
#include "watermark/payload/payload.h"

namespace hallmark::watermark {
namespace {

constexpr size_t kMaxKeyIdLength = 64;

bool IsKeyIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

absl::Status ValidateKeyId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("key id is empty");
  if (id.size() > kMaxKeyIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("key id is ", id.size(), " characters long; the limit is ", kMaxKeyIdLength));
  }
  if (id.front() == '.') {
    return absl::InvalidArgumentError(
        absl::StrCat("key id \"", absl::CHexEscape(id), "\" starts with '.'"));
  }
  for (char c : id) {
    if (!IsKeyIdChar(c)) {
      return absl::InvalidArgumentError(absl::StrCat("key id \"", absl::CHexEscape(id),
                                                     "\" has a character outside [A-Za-z0-9._-]"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const WatermarkKey>> WatermarkKey::Create(
    absl::string_view id, absl::Span<const uint8_t> secret) {
  HM_RETURN_IF_ERROR(ValidateKeyId(id));
  if (secret.size() < kMinSecretBytes) {
    // The length of the secret is not secret enough to hide; its bytes are.
    return absl::InvalidArgumentError(absl::StrCat("secret of key \"", id, "\" has ", secret.size(),
                                                   " bytes; at least ", kMinSecretBytes,
                                                   " are required"));
  }
  HM_ASSIGN_OR_RETURN(HmacSha256 mac, HmacSha256::Create(secret));
  return std::shared_ptr<const WatermarkKey>(
      new WatermarkKey(std::string(id), KeyTag(id), std::move(mac)));
}

WatermarkKey::WatermarkKey(std::string id, uint8_t tag, HmacSha256 mac)
    : id_(std::move(id)), tag_(tag), mac_(std::move(mac)) {}

KeySet::KeySet(std::vector<std::shared_ptr<const WatermarkKey>> keys) : keys_(std::move(keys)) {}

std::vector<const WatermarkKey*> KeySet::WithTag(uint8_t tag) const {
  std::vector<const WatermarkKey*> out;
  for (const auto& key : keys_) {
    if (key != nullptr && key->tag() == tag) out.push_back(key.get());
  }
  return out;
}

const WatermarkKey* KeySet::Find(absl::string_view id) const {
  for (const auto& key : keys_) {
    if (key != nullptr && key->id() == id) return key.get();
  }
  return nullptr;
}

}  // namespace hallmark::watermark
