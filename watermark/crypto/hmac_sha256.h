// HMAC-SHA256 and SHA-256 through OpenSSL 3 (EVP_MAC / EVP_Digest).
#ifndef HALLMARK_WATERMARK_CRYPTO_HMAC_SHA256_H_
#define HALLMARK_WATERMARK_CRYPTO_HMAC_SHA256_H_

#include <array>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace hallmark::watermark {

using Sha256Digest = std::array<uint8_t, 32>;

// An HMAC-SHA256 key prepared once (the algorithm fetch and key schedule are
// done in Create), so that each Compute only duplicates a ready context.
// Thread-safe: Compute is const and may run concurrently. Move-only.
class HmacSha256 {
 public:
  // Fails when the key is empty or OpenSSL cannot provide HMAC.
  static absl::StatusOr<HmacSha256> Create(absl::Span<const uint8_t> key);

  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;
  ~HmacSha256();

  Sha256Digest Compute(absl::Span<const uint8_t> message) const;

 private:
  struct State;
  explicit HmacSha256(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

Sha256Digest Sha256(absl::string_view data);

// Cryptographically secure random bytes (OpenSSL RAND_bytes).
absl::Status FillRandom(absl::Span<uint8_t> out);

// Compares without an early exit, so timing does not reveal the first
// mismatching byte.
bool ConstantTimeEquals(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b);

}  // namespace hallmark::watermark

#endif  // HALLMARK_WATERMARK_CRYPTO_HMAC_SHA256_H_
