// The key ring (PRODUCT §7): the keys a sidecar marks and detects with.
#ifndef HALLMARK_SIDECAR_KEYS_KEY_RING_H_
#define HALLMARK_SIDECAR_KEYS_KEY_RING_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "watermark/key/watermark_key.h"

namespace hallmark::sidecar {

// Largest key file read; real ones are 65 bytes.
inline constexpr size_t kMaxKeyFileBytes = 4096;

// Immutable and thread-safe.
class KeyRing {
 public:
  // Every regular file (or link to one) in `dir` whose name does not start
  // with '.' is a key: the file name is the key id, the content is the secret
  // in hex (at least 32 hex digits; surrounding whitespace ignored). Dot
  // files are skipped, which also skips Kubernetes' `..data` links inside a
  // Secret mount. Errors name the file.
  static absl::StatusOr<std::shared_ptr<const KeyRing>> LoadDirectory(const std::string& dir);

  // One random key with the id "ephemeral-<8 hex>", for trying Hallmark out:
  // its marks cannot be verified after a restart.
  static absl::StatusOr<std::shared_ptr<const KeyRing>> Ephemeral();

  // Parses the content of a key file.
  static absl::StatusOr<std::string> ParseKeyFile(absl::string_view content);

  // `active_id` when non-empty (it must be in the ring), else the only key.
  absl::StatusOr<std::shared_ptr<const watermark::WatermarkKey>> ActiveKey(
      absl::string_view active_id) const;

  const watermark::KeySet& keys() const { return keys_; }
  bool ephemeral() const { return ephemeral_; }
  const std::string& source() const { return source_; }

 private:
  KeyRing(watermark::KeySet keys, bool ephemeral, std::string source)
      : keys_(std::move(keys)), ephemeral_(ephemeral), source_(std::move(source)) {}
  watermark::KeySet keys_;
  bool ephemeral_;
  std::string source_;
};

// Lowercase hex encoding, for key files.
std::string HexEncode(absl::string_view bytes);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_KEYS_KEY_RING_H_
