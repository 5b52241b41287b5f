#include "watermark/crypto/hmac_sha256.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hallmark::watermark {
namespace {

// The oldest queued OpenSSL error as text, and the queue cleared, so that a
// failure does not leak into an unrelated later check.
std::string TakeOpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error queued";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

// Compute has no error channel: its only failure modes are allocation
// failures inside OpenSSL once Create succeeded. Returning a made-up digest
// would let a forged MAC match it, so the process stops instead.
[[noreturn]] void DieOpenSsl(const char* what) {
  std::fprintf(stderr, "hallmark: fatal: HMAC-SHA256 %s failed: %s\n", what,
               TakeOpenSslError().c_str());
  std::abort();
}

}  // namespace

// `mac` is the fetched algorithm; `ctx` is keyed and initialized once and is
// never modified afterwards, only duplicated, which is what makes Compute
// safe to call from many threads at once.
struct HmacSha256::State {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

absl::StatusOr<HmacSha256> HmacSha256::Create(absl::Span<const uint8_t> key) {
  if (key.empty()) return absl::InvalidArgumentError("HMAC-SHA256 key is empty");
  auto state = std::make_unique<State>();
  state->mac = EVP_MAC_fetch(/*libctx=*/nullptr, OSSL_MAC_NAME_HMAC, /*properties=*/nullptr);
  if (state->mac == nullptr) {
    return absl::InternalError(absl::StrCat("OpenSSL cannot fetch HMAC: ", TakeOpenSslError()));
  }
  state->ctx = EVP_MAC_CTX_new(state->mac);
  if (state->ctx == nullptr) {
    return absl::InternalError(absl::StrCat("EVP_MAC_CTX_new failed: ", TakeOpenSslError()));
  }
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(state->ctx, key.data(), key.size(), params) != 1) {
    return absl::InternalError(
        absl::StrCat("HMAC-SHA256 initialization failed: ", TakeOpenSslError()));
  }
  return HmacSha256(std::move(state));
}

HmacSha256::HmacSha256(std::unique_ptr<State> state) : state_(std::move(state)) {}
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;
HmacSha256::~HmacSha256() = default;

Sha256Digest HmacSha256::Compute(absl::Span<const uint8_t> message) const {
  if (state_ == nullptr) {
    std::fprintf(stderr, "hallmark: fatal: HmacSha256::Compute on a moved-from object\n");
    std::abort();
  }
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(state_->ctx);
  if (ctx == nullptr) DieOpenSsl("context duplication");
  Sha256Digest out;
  size_t out_len = 0;
  const bool ok = EVP_MAC_update(ctx, message.data(), message.size()) == 1 &&
                  EVP_MAC_final(ctx, out.data(), &out_len, out.size()) == 1 &&
                  out_len == out.size();
  EVP_MAC_CTX_free(ctx);
  if (!ok) DieOpenSsl("computation");
  return out;
}

Sha256Digest Sha256(absl::string_view data) {
  Sha256Digest out;
  unsigned int out_len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &out_len, EVP_sha256(),
                 /*impl=*/nullptr) != 1 ||
      out_len != out.size()) {
    std::fprintf(stderr, "hallmark: fatal: SHA-256 failed: %s\n", TakeOpenSslError().c_str());
    std::abort();
  }
  return out;
}

absl::Status FillRandom(absl::Span<uint8_t> out) {
  // RAND_bytes takes an int length; larger requests go in chunks.
  while (!out.empty()) {
    const size_t chunk = std::min<size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      return absl::InternalError(absl::StrCat("RAND_bytes failed: ", TakeOpenSslError()));
    }
    out.remove_prefix(chunk);
  }
  return absl::OkStatus();
}

bool ConstantTimeEquals(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b) {
  // Lengths are public (MAC sizes are fixed); only the contents are secret.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hallmark::watermark
