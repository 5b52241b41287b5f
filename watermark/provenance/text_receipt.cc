#include "watermark/provenance/text_receipt.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/optional.h"
#include "watermark/crypto/hmac_sha256.h"
#include "watermark/provenance/base64url.h"
#include "watermark/provenance/flat_json.h"

namespace hallmark::provenance {
namespace {

constexpr char kAlgorithm[] = "EdDSA";
constexpr size_t kEd25519KeyBytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;
// Larger PEM inputs are refused before OpenSSL sees them (a key is ~120 bytes).
constexpr size_t kMaxPemBytes = 16 << 10;
constexpr char kErrorPayloadUrl[] = "type.googleapis.com/hallmark.provenance.ReceiptError";

std::string TakeOpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error queued";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

absl::Status ReceiptStatus(ReceiptError error, absl::string_view message) {
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
  switch (error) {
    case ReceiptError::kWrongKey:
    case ReceiptError::kBadSignature:
      code = absl::StatusCode::kUnauthenticated;
      break;
    case ReceiptError::kHashMismatch:
      code = absl::StatusCode::kDataLoss;
      break;
    default:
      break;
  }
  absl::Status status(code, message);
  status.SetPayload(kErrorPayloadUrl, absl::Cord(ReceiptErrorName(error)));
  return status;
}

absl::Status Malformed(absl::string_view message) {
  return ReceiptStatus(ReceiptError::kMalformed, absl::StrCat("malformed receipt: ", message));
}

// Never asks for a passphrase (OpenSSL would prompt on the terminal).
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

BioPtr MemoryBio(absl::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

absl::StatusOr<std::string> RawPublicKey(EVP_PKEY* key) {
  std::array<unsigned char, kEd25519KeyBytes> raw{};
  size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size()) {
    return absl::InternalError(
        absl::StrCat("cannot read the Ed25519 public key: ", TakeOpenSslError()));
  }
  return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

// RFC 7638 §3: SHA-256 over the required members in lexicographic order.
std::string JwkThumbprint(absl::string_view public_key_x) {
  const std::string jwk =
      absl::StrCat(R"({"crv":"Ed25519","kty":"OKP","x":")", public_key_x, R"("})");
  const watermark::Sha256Digest digest = watermark::Sha256(jwk);
  return Base64UrlEncode(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

absl::StatusOr<std::string> PublicKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return absl::InternalError(
        absl::StrCat("cannot write the public key as PEM: ", TakeOpenSslError()));
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

absl::Status CheckEd25519(EVP_PKEY* key, absl::string_view what) {
  if (EVP_PKEY_is_a(key, "ED25519")) return absl::OkStatus();
  const char* type = EVP_PKEY_get0_type_name(key);
  return absl::InvalidArgumentError(
      absl::StrCat(what, " is ", type != nullptr ? type : "of an unknown type",
                   "; receipts need an Ed25519 key (openssl genpkey -algorithm ed25519)"));
}

// Reads one PEM key with `read` (PEM_read_bio_PrivateKey or
// PEM_read_bio_PUBKEY) and checks that it is Ed25519; `what` names it in
// errors ("the receipt key", "the public key").
using PemReader = EVP_PKEY* (*)(BIO*, EVP_PKEY**, pem_password_cb*, void*);
absl::StatusOr<PkeyPtr> ReadEd25519Pem(absl::string_view pem, PemReader read,
                                       absl::string_view what) {
  BioPtr bio = MemoryBio(pem);
  PkeyPtr pkey;
  if (bio != nullptr) pkey.reset(read(bio.get(), nullptr, NoPassphrase, nullptr));
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, ": ", TakeOpenSslError()));
  }
  if (absl::Status type = CheckEd25519(pkey.get(), what); !type.ok()) return type;
  return pkey;
}

const std::string* StringMember(const FlatJsonObject& object, absl::string_view name) {
  const FlatJsonValue* value = object.Find(name);
  return value == nullptr ? nullptr : std::get_if<std::string>(value);
}

bool IsLowerHex(absl::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string TextSha256Hex(absl::string_view text) {
  const watermark::Sha256Digest digest = watermark::Sha256(text);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

[[noreturn]] void DieSha256(const char* what) {
  std::fprintf(stderr, "hallmark: fatal: SHA-256 %s failed: %s\n", what,
               TakeOpenSslError().c_str());
  std::abort();
}

struct TextSha256Builder::State {
  MdCtxPtr ctx{EVP_MD_CTX_new()};
};

TextSha256Builder::TextSha256Builder() : state_(std::make_unique<State>()) {
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx.get(), EVP_sha256(), nullptr) != 1) {
    DieSha256("initialization");
  }
}
TextSha256Builder::~TextSha256Builder() = default;
TextSha256Builder::TextSha256Builder(TextSha256Builder&&) noexcept = default;
TextSha256Builder& TextSha256Builder::operator=(TextSha256Builder&&) noexcept = default;

void TextSha256Builder::Update(absl::string_view piece) {
  if (EVP_DigestUpdate(state_->ctx.get(), piece.data(), piece.size()) != 1) DieSha256("update");
}

std::string TextSha256Builder::FinishHex() {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->ctx.get(), digest.data(), &length) != 1 ||
      length != digest.size() || EVP_DigestInit_ex(state_->ctx.get(), EVP_sha256(), nullptr) != 1) {
    DieSha256("finalization");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

absl::StatusOr<std::string> SerializeTextReceiptClaims(const TextReceiptClaims& claims) {
  const std::pair<absl::string_view, const std::string*> strings[] = {
      {"sha256", &claims.sha256},
      {"payload_id", &claims.payload_id},
      {"space", &claims.space},
      {"model", &claims.model},
      {"kid", &claims.kid},
      {"scheme", &claims.scheme},
      {"request_id", &claims.request_id}};
  for (const auto& [name, value] : strings) {
    if (!IsValidUtf8(*value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("receipt claim ", name, " is not valid UTF-8"));
    }
  }
  FlatJsonWriter json;
  json.Add("sha256", claims.sha256)
      .Add("payload_id", claims.payload_id)
      .Add("space", claims.space)
      .Add("model", claims.model)
      .Add("iat", claims.iat)
      .Add("kid", claims.kid)
      .Add("scheme", claims.scheme)
      .Add("request_id", claims.request_id);
  return json.Finish();
}

absl::StatusOr<TextReceiptClaims> ParseTextReceiptClaims(absl::string_view json) {
  absl::StatusOr<FlatJsonObject> object = FlatJsonObject::Parse(json);
  if (!object.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("claims: ", object.status().message()));
  }
  TextReceiptClaims claims;
  const std::pair<absl::string_view, std::string*> strings[] = {{"sha256", &claims.sha256},
                                                                {"payload_id", &claims.payload_id},
                                                                {"space", &claims.space},
                                                                {"model", &claims.model},
                                                                {"kid", &claims.kid},
                                                                {"scheme", &claims.scheme},
                                                                {"request_id", &claims.request_id}};
  for (const auto& [name, out] : strings) {
    const std::string* value = StringMember(*object, name);
    if (value == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("claims: \"", name, "\" is missing or not a string"));
    }
    *out = *value;
  }
  if (claims.sha256.size() != 64 || !IsLowerHex(claims.sha256)) {
    return absl::InvalidArgumentError("claims: \"sha256\" is not 64 lowercase hex digits");
  }
  const FlatJsonValue* iat = object->Find("iat");
  if (iat == nullptr || !std::holds_alternative<int64_t>(*iat) || std::get<int64_t>(*iat) < 0) {
    return absl::InvalidArgumentError(
        "claims: \"iat\" is missing or not a non-negative integer (Unix seconds)");
  }
  claims.iat = std::get<int64_t>(*iat);
  return claims;
}

// ---------------------------------------------------------------------------
// ReceiptSigner

// Never modified after creation, so concurrent signing needs no lock.
// OpenSSL reads the key (PEM) and derives what is published (public key,
// PEM, key id); libsodium signs: its Ed25519 signature is 17-18 us against
// OpenSSL 3.0's 37-40 us on this project's machines, and Ed25519 signatures
// are deterministic (RFC 8032), so both produce the same bytes.
struct ReceiptSigner::Key {
  PkeyPtr pkey;  // until FromKey has derived the rest; then released
  // libsodium's secret key: the 32-byte seed, then the public key.
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sodium_secret{};

  ~Key() { sodium_memzero(sodium_secret.data(), sodium_secret.size()); }
};

ReceiptSigner::ReceiptSigner(std::unique_ptr<Key> key, std::string key_id, std::string public_key_x,
                             std::string public_key_pem)
    : key_(std::move(key)),
      key_id_(std::move(key_id)),
      public_key_x_(std::move(public_key_x)),
      public_key_pem_(std::move(public_key_pem)) {
  FlatJsonWriter header;
  header.Add("alg", kAlgorithm).Add("kid", key_id_).Add("typ", kTextReceiptType);
  encoded_header_ = absl::StrCat(Base64UrlEncode(header.Finish()), ".");
}

ReceiptSigner::~ReceiptSigner() = default;

absl::StatusOr<std::unique_ptr<ReceiptSigner>> ReceiptSigner::FromKey(std::unique_ptr<Key> key) {
  // libsodium's secret key from the EVP_PKEY's seed. sodium_init is
  // thread-safe and idempotent (0 = initialised now, 1 = already).
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  size_t seed_length = seed.size();
  if (EVP_PKEY_get_raw_private_key(key->pkey.get(), seed.data(), &seed_length) != 1 ||
      seed_length != seed.size()) {
    return absl::InternalError(
        absl::StrCat("cannot read the Ed25519 private key: ", TakeOpenSslError()));
  }
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> sodium_public{};
  const int derived =
      crypto_sign_seed_keypair(sodium_public.data(), key->sodium_secret.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  if (derived != 0) return absl::InternalError("libsodium could not derive the Ed25519 key");
  absl::StatusOr<std::string> raw = RawPublicKey(key->pkey.get());
  if (!raw.ok()) return raw.status();
  if (absl::string_view(reinterpret_cast<const char*>(sodium_public.data()),
                        sodium_public.size()) != *raw) {
    return absl::InternalError("libsodium and OpenSSL derived different Ed25519 public keys");
  }
  absl::StatusOr<std::string> pem = PublicKeyPem(key->pkey.get());
  if (!pem.ok()) return pem.status();
  // Signing needs only libsodium's copy of the private key.
  key->pkey.reset();
  std::string x = Base64UrlEncode(*raw);
  std::string key_id = JwkThumbprint(x);
  return std::unique_ptr<ReceiptSigner>(
      new ReceiptSigner(std::move(key), std::move(key_id), std::move(x), *std::move(pem)));
}

absl::StatusOr<std::unique_ptr<ReceiptSigner>> ReceiptSigner::FromPrivateKeyPem(
    absl::string_view pem) {
  if (pem.size() > kMaxPemBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the receipt key is ", pem.size(), " bytes; a PEM Ed25519 key is about 120"));
  }
  if (absl::StrContains(pem, "ENCRYPTED")) {
    return absl::InvalidArgumentError(
        "the receipt key is encrypted; it must be stored unencrypted (protect the file "
        "instead: mode 0600, a Kubernetes Secret)");
  }
  if (!absl::StrContains(pem, "PRIVATE KEY-----")) {
    return absl::InvalidArgumentError(
        "the receipt key is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  }
  absl::StatusOr<PkeyPtr> pkey = ReadEd25519Pem(pem, PEM_read_bio_PrivateKey, "the receipt key");
  if (!pkey.ok()) return pkey.status();
  auto key = std::make_unique<Key>();
  key->pkey = *std::move(pkey);
  return FromKey(std::move(key));
}

absl::StatusOr<std::unique_ptr<ReceiptSigner>> ReceiptSigner::Generate() {
  auto key = std::make_unique<Key>();
  key->pkey.reset(EVP_PKEY_Q_keygen(/*libctx=*/nullptr, /*propq=*/nullptr, "ED25519"));
  if (key->pkey == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot generate an Ed25519 key: ", TakeOpenSslError()));
  }
  return FromKey(std::move(key));
}

absl::StatusOr<std::string> ReceiptSigner::Sign(const TextReceiptClaims& claims) const {
  absl::StatusOr<std::string> payload = SerializeTextReceiptClaims(claims);
  if (!payload.ok()) return payload.status();
  return SignPayload(*payload);
}

absl::StatusOr<std::string> ReceiptSigner::SignPayloadForTesting(absl::string_view payload) const {
  return SignPayload(payload);
}

absl::StatusOr<std::string> ReceiptSigner::SignPayload(absl::string_view payload) const {
  // JWS Signing Input (RFC 7515 §5.1): ASCII(BASE64URL(header) "." BASE64URL(payload)).
  std::string receipt = encoded_header_;
  receipt.reserve(encoded_header_.size() + payload.size() * 4 / 3 + 4 + 88);
  absl::StrAppend(&receipt, Base64UrlEncode(payload));
  std::array<unsigned char, kEd25519SignatureBytes> signature{};
  // Ed25519 is a one-shot signature over the whole message (PureEdDSA).
  if (crypto_sign_detached(signature.data(), /*siglen_p=*/nullptr,
                           reinterpret_cast<const unsigned char*>(receipt.data()), receipt.size(),
                           key_->sodium_secret.data()) != 0) {
    return absl::InternalError("Ed25519 signing failed (libsodium)");
  }
  absl::StrAppend(&receipt, ".",
                  Base64UrlEncode(absl::string_view(reinterpret_cast<const char*>(signature.data()),
                                                    signature.size())));
  return receipt;
}

std::string ReceiptSigner::PublicJwk() const {
  FlatJsonWriter jwk;
  jwk.Add("kty", "OKP")
      .Add("crv", "Ed25519")
      .Add("x", public_key_x_)
      .Add("kid", key_id_)
      .Add("alg", kAlgorithm)
      .Add("use", "sig");
  return jwk.Finish();
}

absl::StatusOr<std::string> GenerateReceiptPrivateKeyPem() {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(/*libctx=*/nullptr, /*propq=*/nullptr, "ED25519"));
  if (pkey == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot generate an Ed25519 key: ", TakeOpenSslError()));
  }
  // A secure-memory BIO: the buffer holding the private key is cleansed when
  // freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), pkey.get(), /*enc=*/nullptr,
                                                 /*kstr=*/nullptr, 0, /*cb=*/nullptr,
                                                 /*u=*/nullptr) != 1) {
    return absl::InternalError(
        absl::StrCat("cannot write the private key as PEM: ", TakeOpenSslError()));
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

// ---------------------------------------------------------------------------
// Verification

ReceiptError ReceiptErrorOf(const absl::Status& status) {
  const absl::optional<absl::Cord> payload = status.GetPayload(kErrorPayloadUrl);
  if (!payload.has_value()) return ReceiptError::kNone;
  for (ReceiptError error : {ReceiptError::kMalformed, ReceiptError::kWrongKey,
                             ReceiptError::kBadSignature, ReceiptError::kHashMismatch}) {
    if (*payload == ReceiptErrorName(error)) return error;
  }
  return ReceiptError::kNone;
}

absl::string_view ReceiptErrorName(ReceiptError error) {
  switch (error) {
    case ReceiptError::kNone:
      return "valid";
    case ReceiptError::kMalformed:
      return "malformed";
    case ReceiptError::kWrongKey:
      return "wrong_key";
    case ReceiptError::kBadSignature:
      return "bad_signature";
    case ReceiptError::kHashMismatch:
      return "hash_mismatch";
  }
  return "unknown";
}

struct ReceiptVerifier::Key {
  PkeyPtr pkey;
};

ReceiptVerifier::ReceiptVerifier(std::unique_ptr<Key> key, std::string key_id)
    : key_(std::move(key)), key_id_(std::move(key_id)) {}

ReceiptVerifier::~ReceiptVerifier() = default;

absl::StatusOr<std::unique_ptr<ReceiptVerifier>> ReceiptVerifier::FromPublicKeyPem(
    absl::string_view pem) {
  if (pem.size() > kMaxPemBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the public key is ", pem.size(), " bytes; a PEM Ed25519 public key is about 113"));
  }
  if (absl::StrContains(pem, "PRIVATE KEY-----")) {
    return absl::InvalidArgumentError(
        "this is a private key; verifying needs only the public key (openssl pkey -in KEY "
        "-pubout), and private keys should stay with the signer");
  }
  if (!absl::StrContains(pem, "-----BEGIN PUBLIC KEY-----")) {
    return absl::InvalidArgumentError(
        "the public key is not PEM (expected -----BEGIN PUBLIC KEY-----)");
  }
  absl::StatusOr<PkeyPtr> pkey = ReadEd25519Pem(pem, PEM_read_bio_PUBKEY, "the public key");
  if (!pkey.ok()) return pkey.status();
  auto key = std::make_unique<Key>();
  key->pkey = *std::move(pkey);
  absl::StatusOr<std::string> raw = RawPublicKey(key->pkey.get());
  if (!raw.ok()) return raw.status();
  std::string key_id = JwkThumbprint(Base64UrlEncode(*raw));
  return std::unique_ptr<ReceiptVerifier>(new ReceiptVerifier(std::move(key), std::move(key_id)));
}

absl::StatusOr<TextReceiptClaims> ReceiptVerifier::VerifySignature(
    absl::string_view receipt) const {
  if (receipt.size() > kMaxReceiptBytes) {
    return Malformed(absl::StrCat(receipt.size(), " bytes, over the limit of ", kMaxReceiptBytes));
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(receipt, '.');
  if (parts.size() != 3) {
    return Malformed(
        absl::StrCat("a compact JWS has 3 parts separated by '.', this has ", parts.size()));
  }
  // The header first: it says how the rest is to be checked.
  absl::StatusOr<std::string> header_json = Base64UrlDecode(parts[0]);
  if (!header_json.ok()) return Malformed(absl::StrCat("header: ", header_json.status().message()));
  absl::StatusOr<FlatJsonObject> header = FlatJsonObject::Parse(*header_json);
  if (!header.ok()) return Malformed(absl::StrCat("header: ", header.status().message()));
  for (const auto& [name, value] : header->members()) {
    // Unknown parameters (crit, jku, x5u, ...) may change how the receipt
    // must be processed: refuse rather than ignore them.
    if (name != "alg" && name != "kid" && name != "typ") {
      return Malformed(absl::StrCat("header: unsupported parameter \"", name, "\""));
    }
  }
  const std::string* alg = StringMember(*header, "alg");
  if (alg == nullptr || *alg != kAlgorithm) {
    return Malformed(absl::StrCat("header: \"alg\" must be \"", kAlgorithm, "\", found ",
                                  alg == nullptr ? "none" : absl::StrCat("\"", *alg, "\"")));
  }
  const std::string* typ = StringMember(*header, "typ");
  if (typ == nullptr || *typ != kTextReceiptType) {
    return Malformed(absl::StrCat("header: \"typ\" must be \"", kTextReceiptType, "\""));
  }
  const std::string* kid = StringMember(*header, "kid");
  if (kid == nullptr) return Malformed("header: \"kid\" is missing or not a string");
  if (*kid != key_id_) {
    return ReceiptStatus(ReceiptError::kWrongKey,
                         absl::StrCat("the receipt was signed by key ", *kid,
                                      "; the public key given is ", key_id_));
  }
  absl::StatusOr<std::string> signature = Base64UrlDecode(parts[2]);
  if (!signature.ok()) return Malformed(absl::StrCat("signature: ", signature.status().message()));
  if (signature->size() != kEd25519SignatureBytes) {
    return Malformed(absl::StrCat("signature: ", signature->size(), " bytes, Ed25519 needs ",
                                  kEd25519SignatureBytes));
  }
  const absl::string_view signing_input = receipt.substr(0, parts[0].size() + 1 + parts[1].size());
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, /*mdname=*/nullptr, /*libctx=*/nullptr,
                              /*props=*/nullptr, key_->pkey.get(), /*params=*/nullptr) != 1) {
    return absl::InternalError(
        absl::StrCat("Ed25519 verification setup failed: ", TakeOpenSslError()));
  }
  const int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
      reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  ERR_clear_error();  // a failed verification queues an error we report ourselves
  if (verified != 1) {
    return ReceiptStatus(ReceiptError::kBadSignature,
                         "the signature does not verify: the receipt was altered or forged");
  }
  // Only signed bytes reach the claims parser.
  absl::StatusOr<std::string> payload = Base64UrlDecode(parts[1]);
  if (!payload.ok()) return Malformed(absl::StrCat("claims: ", payload.status().message()));
  absl::StatusOr<TextReceiptClaims> claims = ParseTextReceiptClaims(*payload);
  if (!claims.ok()) return Malformed(claims.status().message());
  return claims;
}

absl::StatusOr<TextReceiptClaims> ReceiptVerifier::Verify(absl::string_view receipt,
                                                          absl::string_view text) const {
  absl::StatusOr<TextReceiptClaims> claims = VerifySignature(receipt);
  if (!claims.ok()) return claims;
  if (absl::Status hash = CheckTextReceiptHash(*claims, text); !hash.ok()) return hash;
  return claims;
}

absl::Status CheckTextReceiptHash(const TextReceiptClaims& claims, absl::string_view text) {
  const std::string actual = TextSha256Hex(text);
  if (actual == claims.sha256) return absl::OkStatus();
  return ReceiptStatus(ReceiptError::kHashMismatch,
                       absl::StrCat("the text is not the one the receipt was made for: its "
                                    "SHA-256 is ",
                                    actual, ", the receipt's is ", claims.sha256));
}

absl::StatusOr<TextReceiptClaims> VerifyTextReceipt(absl::string_view receipt,
                                                    absl::string_view text,
                                                    absl::string_view public_key_pem) {
  absl::StatusOr<std::unique_ptr<ReceiptVerifier>> verifier =
      ReceiptVerifier::FromPublicKeyPem(public_key_pem);
  if (!verifier.ok()) return verifier.status();
  return (*verifier)->Verify(receipt, text);
}

}  // namespace hallmark::provenance
