// Signed provenance receipts for marked text: a compact JWS (RFC 7515 §7.1)
// signed with Ed25519 (EdDSA, RFC 8037) over a small JSON claims object that
// binds the exact marked text (its SHA-256) to the watermark payload, the
// Space, the model, the time and the watermark key id. See
// docs/provenance.md.
//
//   BASE64URL(header) "." BASE64URL(claims) "." BASE64URL(signature)
//   header: {"alg":"EdDSA","kid":"<RFC 7638 thumbprint>","typ":"hallmark-text-receipt+jwt"}
//   claims: {"sha256":"<hex>","payload_id":"…","space":"…","model":"…",
//            "iat":1767225600,"kid":"<watermark key id>","scheme":"unicode",
//            "request_id":"…"}
//
// The receipt carries no secret: the watermark key id is a public name, and
// the signing key never leaves ReceiptSigner. Any JOSE library verifies a
// receipt with the signer's public key (it is also a valid JWT).
#ifndef HALLMARK_WATERMARK_PROVENANCE_TEXT_RECEIPT_H_
#define HALLMARK_WATERMARK_PROVENANCE_TEXT_RECEIPT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::provenance {

// The protected header's "typ" (explicit typing, RFC 8725 §3.11).
inline constexpr absl::string_view kTextReceiptType = "hallmark-text-receipt+jwt";
// Longer receipts are refused before any decoding. Receipts grow with the
// request's `model` and `request_id`, which are copied into the claims.
inline constexpr size_t kMaxReceiptBytes = 1 << 20;

struct TextReceiptClaims {
  // Lowercase hex SHA-256 of the exact bytes of the marked text (TextSha256Hex).
  std::string sha256;
  std::string payload_id;
  std::string space;
  std::string model;
  // Issued at: Unix seconds.
  int64_t iat = 0;
  // The watermark key id (a public name, not the key).
  std::string kid;
  std::string scheme;
  std::string request_id;

  friend bool operator==(const TextReceiptClaims&, const TextReceiptClaims&) = default;
};

// The sha256 claim for `text`: lowercase hex of its SHA-256.
std::string TextSha256Hex(absl::string_view text);

// The sha256 claim of a text that arrives in pieces (a stream): the same as
// TextSha256Hex of the concatenation. Not thread-safe; move-only. Like
// watermark::Sha256, aborts the process if OpenSSL fails (out of memory).
class TextSha256Builder {
 public:
  TextSha256Builder();
  ~TextSha256Builder();
  TextSha256Builder(TextSha256Builder&&) noexcept;
  TextSha256Builder& operator=(TextSha256Builder&&) noexcept;

  void Update(absl::string_view piece);
  // The hex digest of everything so far; starts over.
  std::string FinishHex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The claims as the JSON the receipt signs (fixed member order, compact).
// INVALID_ARGUMENT when a string is not valid UTF-8.
absl::StatusOr<std::string> SerializeTextReceiptClaims(const TextReceiptClaims& claims);
// Reads the claims back: every member above must be present with its type
// (sha256 as 64 lowercase hex digits, iat a non-negative integer); unknown
// members are ignored. INVALID_ARGUMENT says what is wrong.
absl::StatusOr<TextReceiptClaims> ParseTextReceiptClaims(absl::string_view json);

// Signs receipts with an Ed25519 private key. Immutable and thread-safe:
// Sign may run concurrently.
class ReceiptSigner {
 public:
  // From a PEM private key (PKCS#8 "BEGIN PRIVATE KEY", as written by
  // `openssl genpkey -algorithm ed25519` or `hallmark keygen --receipt`):
  // the contents of the file, not its path. Encrypted keys and other key
  // types are refused with a message saying so.
  static absl::StatusOr<std::unique_ptr<ReceiptSigner>> FromPrivateKeyPem(absl::string_view pem);
  // A fresh random key, for trying Hallmark out: its receipts can be checked
  // only against the public key this process published.
  static absl::StatusOr<std::unique_ptr<ReceiptSigner>> Generate();

  ~ReceiptSigner();
  ReceiptSigner(const ReceiptSigner&) = delete;
  ReceiptSigner& operator=(const ReceiptSigner&) = delete;

  // The compact JWS. Fails only for claims with invalid UTF-8 or when
  // OpenSSL fails (out of memory).
  absl::StatusOr<std::string> Sign(const TextReceiptClaims& claims) const;

  // RFC 7638 JWK thumbprint of the public key (base64url SHA-256, 43
  // characters): the header's "kid".
  const std::string& key_id() const { return key_id_; }
  // SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), for verifiers.
  const std::string& public_key_pem() const { return public_key_pem_; }
  // The public key as a JWK: {"kty":"OKP","crv":"Ed25519","x":…,"kid":…,…}.
  std::string PublicJwk() const;

  // Signs arbitrary bytes as the claims, under the receipt header. For tests
  // and fuzzing only: real receipts come from Sign.
  absl::StatusOr<std::string> SignPayloadForTesting(absl::string_view payload) const;

 private:
  struct Key;
  static absl::StatusOr<std::unique_ptr<ReceiptSigner>> FromKey(std::unique_ptr<Key> key);
  ReceiptSigner(std::unique_ptr<Key> key, std::string key_id, std::string public_key_x,
                std::string public_key_pem);
  absl::StatusOr<std::string> SignPayload(absl::string_view payload) const;

  std::unique_ptr<Key> key_;
  std::string key_id_;
  std::string public_key_x_;  // base64url of the 32-byte public key
  std::string public_key_pem_;
  std::string encoded_header_;  // BASE64URL(header) "."
};

// A new Ed25519 private key as PKCS#8 PEM, for `hallmark keygen --receipt`.
absl::StatusOr<std::string> GenerateReceiptPrivateKeyPem();

// Why a receipt did not verify.
enum class ReceiptError {
  kNone,
  // Not a receipt: bad form, encoding, JSON, header or claims. Also an "alg"
  // other than EdDSA (never "none").
  kMalformed,
  // Signed (by its header's kid) with another key than the one given.
  kWrongKey,
  // The signature does not verify: header or claims were altered, or it was
  // forged.
  kBadSignature,
  // An authentic receipt for another text: the text was altered.
  kHashMismatch,
};

// The ReceiptError a verification status carries (kNone for OK and for
// statuses from elsewhere).
ReceiptError ReceiptErrorOf(const absl::Status& status);
// "valid", "malformed", "wrong_key", "bad_signature", "hash_mismatch".
absl::string_view ReceiptErrorName(ReceiptError error);

// Verifies receipts against one Ed25519 public key. Immutable and
// thread-safe. Errors: INVALID_ARGUMENT (kMalformed), UNAUTHENTICATED
// (kWrongKey, kBadSignature), DATA_LOSS (kHashMismatch), each with a message
// that says what was found; see ReceiptErrorOf.
class ReceiptVerifier {
 public:
  // From a SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"); the contents, not
  // the path. A private key is refused (verifiers should never hold one).
  static absl::StatusOr<std::unique_ptr<ReceiptVerifier>> FromPublicKeyPem(absl::string_view pem);

  ~ReceiptVerifier();
  ReceiptVerifier(const ReceiptVerifier&) = delete;
  ReceiptVerifier& operator=(const ReceiptVerifier&) = delete;

  // Checks form, header and signature; returns the signed claims.
  absl::StatusOr<TextReceiptClaims> VerifySignature(absl::string_view receipt) const;
  // VerifySignature, then that `text` is the text the receipt was made for.
  absl::StatusOr<TextReceiptClaims> Verify(absl::string_view receipt, absl::string_view text) const;

  const std::string& key_id() const { return key_id_; }

 private:
  struct Key;
  ReceiptVerifier(std::unique_ptr<Key> key, std::string key_id);
  std::unique_ptr<Key> key_;
  std::string key_id_;
};

// DATA_LOSS (kHashMismatch) when the sha256 claim is not the hash of `text`.
absl::Status CheckTextReceiptHash(const TextReceiptClaims& claims, absl::string_view text);

// One-shot: ReceiptVerifier::FromPublicKeyPem(public_key_pem)->Verify(...).
// A bad public key is INVALID_ARGUMENT with ReceiptError kNone.
absl::StatusOr<TextReceiptClaims> VerifyTextReceipt(absl::string_view receipt,
                                                    absl::string_view text,
                                                    absl::string_view public_key_pem);

}  // namespace hallmark::provenance

#endif  // HALLMARK_WATERMARK_PROVENANCE_TEXT_RECEIPT_H_
