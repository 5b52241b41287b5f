// Watermark keys and the set of keys used for detection.
#ifndef HALLMARK_WATERMARK_KEY_WATERMARK_KEY_H_
#define HALLMARK_WATERMARK_KEY_WATERMARK_KEY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "watermark/crypto/hmac_sha256.h"

namespace hallmark::watermark {

// A secret key with its public id. The secret never leaves this object: only
// MACs computed with it do. Immutable and thread-safe.
class WatermarkKey {
 public:
  static constexpr size_t kMinSecretBytes = 16;

  // `id` must be 1..64 characters of [A-Za-z0-9._-], not starting with '.';
  // `secret` at least kMinSecretBytes.
  static absl::StatusOr<std::shared_ptr<const WatermarkKey>> Create(
      absl::string_view id, absl::Span<const uint8_t> secret);

  const std::string& id() const { return id_; }
  // The 8-bit tag carried in payloads so detection tries only matching keys.
  uint8_t tag() const { return tag_; }
  const HmacSha256& mac() const { return mac_; }

 private:
  WatermarkKey(std::string id, uint8_t tag, HmacSha256 mac);
  std::string id_;
  uint8_t tag_;
  HmacSha256 mac_;
};

// Checks a key id against the rule of WatermarkKey::Create.
absl::Status ValidateKeyId(absl::string_view id);

// An immutable set of keys accepted for detection. Thread-safe.
class KeySet {
 public:
  KeySet() = default;
  explicit KeySet(std::vector<std::shared_ptr<const WatermarkKey>> keys);

  // Keys whose tag equals `tag` (usually zero or one).
  std::vector<const WatermarkKey*> WithTag(uint8_t tag) const;
  const WatermarkKey* Find(absl::string_view id) const;
  size_t size() const { return keys_.size(); }
  const std::vector<std::shared_ptr<const WatermarkKey>>& keys() const { return keys_; }

 private:
  std::vector<std::shared_ptr<const WatermarkKey>> keys_;
};

}  // namespace hallmark::watermark

#endif  // HALLMARK_WATERMARK_KEY_WATERMARK_KEY_H_
