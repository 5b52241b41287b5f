#include "watermark/provenance/c2pa/claim_signature.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "watermark/provenance/c2pa/cbor_item.h"
#include "watermark/provenance/c2pa/openssl_ptr.h"

namespace hallmark::c2pa {
namespace {

// COSE header labels and algorithm ids (RFC 9052/9053, RFC 9360).
constexpr int64_t kHeaderAlg = 1;
constexpr int64_t kHeaderX5Chain = 33;
constexpr int64_t kAlgEs256 = -7;
constexpr uint64_t kCoseSign1Tag = 18;
constexpr size_t kEs256Coordinate = 32;
// A chain longer than this is not one we would accept.
constexpr size_t kMaxChain = 8;

using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EcdsaSigPtr = OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;
using StoreCtxPtr = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using EkuPtr = OpenSslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
void FreeX509Stack(STACK_OF(X509) * stack) { sk_X509_pop_free(stack, X509_free); }
using X509StackPtr = OpenSslPtr<STACK_OF(X509), FreeX509Stack>;

absl::Status Failure(ClaimSignatureError error, absl::string_view detail) {
  switch (error) {
    case ClaimSignatureError::kMalformed:
      return absl::InvalidArgumentError(detail);
    case ClaimSignatureError::kUnsupportedAlgorithm:
      return absl::UnimplementedError(detail);
    case ClaimSignatureError::kBadCredential:
      return absl::FailedPreconditionError(detail);
    case ClaimSignatureError::kMismatch:
      return absl::UnauthenticatedError(detail);
  }
  return absl::InternalError(detail);
}

X509Ptr ParseDer(absl::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string ToDer(X509* cert) {
  unsigned char* out = nullptr;
  const int length = i2d_X509(cert, &out);
  if (length <= 0) return "";
  std::string der(reinterpret_cast<const char*>(out), static_cast<size_t>(length));
  OPENSSL_free(out);
  return der;
}

std::string NameLine(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    return "";
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string NameEntry(const X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) return "";
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

absl::Time NotAfter(X509* cert) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return absl::InfinitePast();
  return absl::FromTM(tm, absl::UTCTimeZone());
}

// The C2PA signing-certificate profile (C2PA 2.1 §14.5.1), the parts a
// well-formed development chain must also meet: X.509 v3, not a CA,
// digitalSignature key usage, an extended key usage that C2PA accepts and
// no anyExtendedKeyUsage, and valid at `now`.
absl::Status CheckSigningProfile(X509* cert, absl::Time now) {
  if (X509_get_version(cert) != 2) {
    return absl::FailedPreconditionError("not an X.509 v3 certificate");
  }
  if (X509_check_ca(cert) != 0) {
    return absl::FailedPreconditionError("the signing certificate is a CA");
  }
  const uint32_t key_usage = X509_get_key_usage(cert);
  if (key_usage == UINT32_MAX || (key_usage & KU_DIGITAL_SIGNATURE) == 0) {
    return absl::FailedPreconditionError(
        "the signing certificate lacks digitalSignature key usage");
  }
  EkuPtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  if (eku == nullptr) {
    return absl::FailedPreconditionError("the signing certificate has no extended key usage");
  }
  bool accepted = false;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    std::array<char, 80> oid{};
    OBJ_obj2txt(oid.data(), oid.size(), sk_ASN1_OBJECT_value(eku.get(), i), /*no_name=*/1);
    const absl::string_view text(oid.data());
    if (text == "2.5.29.37.0") {
      return absl::FailedPreconditionError("the signing certificate allows anyExtendedKeyUsage");
    }
    accepted = accepted || text == "1.3.6.1.5.5.7.3.4" ||  // emailProtection
               text == "1.3.6.1.5.5.7.3.36" ||             // documentSigning
               text == "1.3.6.1.5.5.7.3.8" ||              // timeStamping
               text == "1.3.6.1.5.5.7.3.9" ||              // OCSPSigning
               text == "1.3.6.1.4.1.311.76.59.1.9";        // in c2pa-rs's accepted list
  }
  if (!accepted) {
    return absl::FailedPreconditionError(
        "the signing certificate's extended key usage is none that C2PA accepts");
  }
  const int64_t at = absl::ToUnixSeconds(now);
  time_t check_time = static_cast<time_t>(at);
  if (X509_cmp_time(X509_get0_notBefore(cert), &check_time) > 0) {
    return absl::FailedPreconditionError("the signing certificate is not yet valid");
  }
  if (X509_cmp_time(X509_get0_notAfter(cert), &check_time) < 0) {
    return absl::FailedPreconditionError("the signing certificate has expired");
  }
  return absl::OkStatus();
}

std::string ProtectedHeader(const std::vector<std::string>& chain_der) {
  CborItem chain;
  if (chain_der.size() == 1) {
    chain = CborBytes(chain_der.front());
  } else {
    std::vector<CborItem> items;
    items.reserve(chain_der.size());
    for (const std::string& der : chain_der) items.push_back(CborBytes(der));
    chain = CborArray(items);
  }
  CborItem header = CborMapBuilder()
                        .Add(kHeaderAlg, CborInt(kAlgEs256))
                        .Add(kHeaderX5Chain, std::move(chain))
                        .Build();
  return CborEncode(header.get());
}

// RFC 9052 §4.4: ["Signature1", protected, external_aad, payload].
std::string SigStructure(absl::string_view protected_header, absl::string_view payload) {
  std::vector<CborItem> items;
  items.push_back(CborText("Signature1"));
  items.push_back(CborBytes(protected_header));
  items.push_back(CborBytes(""));
  items.push_back(CborBytes(payload));
  CborItem array = CborArray(items);
  return CborEncode(array.get());
}

}  // namespace

struct ClaimSigner::Key {
  PkeyPtr pkey;
};

ClaimSigner::ClaimSigner(std::unique_ptr<Key> key, std::vector<std::string> chain_der,
                         std::string subject, absl::Time not_after)
    : key_(std::move(key)),
      chain_der_(std::move(chain_der)),
      subject_(std::move(subject)),
      not_after_(not_after),
      protected_header_(ProtectedHeader(chain_der_)) {
  // Tagged [protected, {}, nil, 64-byte signature]: only the protected
  // header's length varies, and only with the chain.
  std::vector<CborItem> items;
  items.push_back(CborBytes(protected_header_));
  items.push_back(CborMapBuilder().Build());
  items.push_back(CborNull());
  items.push_back(CborBytes(std::string(2 * kEs256Coordinate, '\0')));
  signature_size_ = CborEncode(CborTagged(kCoseSign1Tag, CborArray(items)).get()).size();
}

ClaimSigner::~ClaimSigner() = default;

absl::StatusOr<std::vector<std::string>> CertificatesFromPem(absl::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::ResourceExhaustedError("out of memory");
  std::vector<std::string> chain;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) break;
    chain.push_back(ToDer(cert.get()));
    if (chain.size() > kMaxChain) {
      return absl::InvalidArgumentError(absl::StrCat("more than ", kMaxChain, " certificates"));
    }
  }
  if (chain.empty()) return absl::InvalidArgumentError("no PEM certificate found");
  return chain;
}

absl::StatusOr<std::unique_ptr<ClaimSigner>> ClaimSigner::FromPem(absl::string_view private_key_pem,
                                                                  absl::string_view chain_pem) {
  if (absl::StrContains(private_key_pem, "ENCRYPTED")) {
    return absl::InvalidArgumentError("encrypted private keys are not supported");
  }
  BioPtr bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  PkeyPtr pkey(bio == nullptr ? nullptr
                              : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) return absl::InvalidArgumentError("no PEM private key found");
  if (!EVP_PKEY_is_a(pkey.get(), "EC")) {
    return absl::InvalidArgumentError(
        absl::StrCat("the C2PA signing key must be ECDSA P-256 (ES256), not ",
                     EVP_PKEY_get0_type_name(pkey.get())));
  }
  std::array<char, 64> curve{};
  size_t curve_length = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey.get(), "group", curve.data(), curve.size(),
                                     &curve_length) != 1 ||
      absl::string_view(curve.data(), curve_length) != "prime256v1") {
    return absl::InvalidArgumentError("the C2PA signing key must be on curve P-256 (ES256)");
  }
  absl::StatusOr<std::vector<std::string>> chain = CertificatesFromPem(chain_pem);
  if (!chain.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate chain: ", chain.status().message()));
  }
  X509Ptr leaf = ParseDer(chain->front());
  if (leaf == nullptr) return absl::InvalidArgumentError("unreadable signing certificate");
  if (X509_check_private_key(leaf.get(), pkey.get()) != 1) {
    return absl::InvalidArgumentError(
        "the private key does not match the first certificate of the chain");
  }
  std::string subject = NameLine(X509_get_subject_name(leaf.get()));
  const absl::Time not_after = NotAfter(leaf.get());
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  return std::unique_ptr<ClaimSigner>(
      new ClaimSigner(std::move(key), *std::move(chain), std::move(subject), not_after));
}

absl::StatusOr<std::string> ClaimSigner::Sign(absl::string_view claim) const {
  const std::string to_sign = SigStructure(protected_header_, claim);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::array<unsigned char, 80> der{};
  size_t der_length = der.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), der.data(), &der_length,
                     reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size()) != 1) {
    return absl::InternalError("ECDSA signing failed");
  }
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_length)));
  if (sig == nullptr) return absl::InternalError("unreadable ECDSA signature");
  std::string raw(2 * kEs256Coordinate, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kEs256Coordinate) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kEs256Coordinate, kEs256Coordinate) < 0) {
    return absl::InternalError("ECDSA signature does not fit ES256");
  }
  std::vector<CborItem> items;
  items.push_back(CborBytes(protected_header_));
  items.push_back(CborMapBuilder().Build());
  items.push_back(CborNull());
  items.push_back(CborBytes(raw));
  CborItem sign1 = CborTagged(kCoseSign1Tag, CborArray(items));
  return CborEncode(sign1.get());
}

ClaimSignatureError ClaimSignatureErrorOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnimplemented:
      return ClaimSignatureError::kUnsupportedAlgorithm;
    case absl::StatusCode::kFailedPrecondition:
      return ClaimSignatureError::kBadCredential;
    case absl::StatusCode::kUnauthenticated:
      return ClaimSignatureError::kMismatch;
    default:
      return ClaimSignatureError::kMalformed;
  }
}

absl::StatusOr<ClaimSignerInfo> VerifyClaimSignature(
    absl::string_view cose, absl::string_view claim, absl::Time now,
    const std::vector<std::string>& trust_anchors_der) {
  using E = ClaimSignatureError;
  // Debian's libcbor 0.8 cannot load tags 6..23 written in their one-byte
  // form (0xC6..0xD7: "malformed"), and COSE_Sign1's tag 18 is 0xD2: read
  // the tag here and hand libcbor the array.
  if (!cose.empty() && static_cast<uint8_t>(cose.front()) == 0xC0 + kCoseSign1Tag) {
    cose.remove_prefix(1);
  } else if (!cose.empty() && (static_cast<uint8_t>(cose.front()) & 0xE0) == 0xC0) {
    return Failure(E::kMalformed, "not a COSE_Sign1 (another CBOR tag)");
  }
  absl::StatusOr<CborItem> decoded = CborDecode(cose);
  if (!decoded.ok()) return Failure(E::kMalformed, decoded.status().message());
  const cbor_item_t* item = decoded->get();
  const std::vector<const cbor_item_t*> parts = CborArrayItems(item);
  if (parts.size() != 4) return Failure(E::kMalformed, "COSE_Sign1 is not a 4-element array");
  const std::optional<std::string> protected_bytes = CborAsBytes(parts[0]);
  const std::optional<std::string> signature = CborAsBytes(parts[3]);
  if (!protected_bytes || !signature || !cbor_isa_map(parts[1])) {
    return Failure(E::kMalformed, "COSE_Sign1 fields have the wrong types");
  }
  absl::StatusOr<CborItem> header = CborDecode(*protected_bytes);
  if (!header.ok()) return Failure(E::kMalformed, "unreadable protected header");
  if (CborAsInt(CborMapGet(header->get(), kHeaderAlg)) != kAlgEs256) {
    return Failure(E::kUnsupportedAlgorithm, "only ES256 claim signatures are supported");
  }
  const cbor_item_t* x5chain = CborMapGet(header->get(), kHeaderX5Chain);
  if (x5chain == nullptr) x5chain = CborMapGet(parts[1], kHeaderX5Chain);
  std::vector<std::string> chain_der;
  if (std::optional<std::string> single = CborAsBytes(x5chain)) {
    chain_der.push_back(*std::move(single));
  } else {
    for (const cbor_item_t* cert : CborArrayItems(x5chain)) {
      std::optional<std::string> der = CborAsBytes(cert);
      if (!der) return Failure(E::kMalformed, "x5chain holds a non-bytes entry");
      chain_der.push_back(*std::move(der));
    }
  }
  if (chain_der.empty() || chain_der.size() > kMaxChain) {
    return Failure(E::kMalformed, "no usable x5chain in the COSE headers");
  }
  X509StackPtr untrusted(sk_X509_new_null());
  std::vector<X509Ptr> certs;
  for (const std::string& der : chain_der) {
    X509Ptr cert = ParseDer(der);
    if (cert == nullptr) return Failure(E::kMalformed, "unreadable certificate in x5chain");
    certs.push_back(std::move(cert));
  }
  X509* leaf = certs.front().get();
  if (absl::Status profile = CheckSigningProfile(leaf, now); !profile.ok()) {
    return Failure(E::kBadCredential, profile.message());
  }
  // Signature: raw r||s back to DER for OpenSSL.
  if (signature->size() != 2 * kEs256Coordinate) {
    return Failure(E::kMismatch, "ES256 signature is not 64 bytes");
  }
  EcdsaSigPtr sig(ECDSA_SIG_new());
  const auto* raw = reinterpret_cast<const unsigned char*>(signature->data());
  BIGNUM* r = BN_bin2bn(raw, kEs256Coordinate, nullptr);
  BIGNUM* s = BN_bin2bn(raw + kEs256Coordinate, kEs256Coordinate, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return absl::ResourceExhaustedError("out of memory");
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_length <= 0) return absl::ResourceExhaustedError("out of memory");
  const std::string der_signature(reinterpret_cast<const char*>(der),
                                  static_cast<size_t>(der_length));
  OPENSSL_free(der);
  EVP_PKEY* public_key = X509_get0_pubkey(leaf);
  if (public_key == nullptr || !EVP_PKEY_is_a(public_key, "EC")) {
    return Failure(E::kBadCredential, "the signing certificate's key is not ECDSA");
  }
  const std::string to_verify = SigStructure(*protected_bytes, claim);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_key) != 1) {
    return absl::ResourceExhaustedError("out of memory");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der_signature.data()),
                       der_signature.size(),
                       reinterpret_cast<const unsigned char*>(to_verify.data()),
                       to_verify.size()) != 1) {
    return Failure(E::kMismatch, "the claim signature does not match the claim");
  }

  ClaimSignerInfo info;
  const X509_NAME* subject = X509_get_subject_name(leaf);
  info.subject = NameLine(subject);
  info.common_name = NameEntry(subject, NID_commonName);
  info.organization = NameEntry(subject, NID_organizationName);
  info.issuer = NameLine(X509_get_issuer_name(leaf));
  if (trust_anchors_der.empty()) {
    info.trust_detail = "no trust anchors configured";
    return info;
  }
  StorePtr store(X509_STORE_new());
  for (const std::string& anchor_der : trust_anchors_der) {
    X509Ptr anchor = ParseDer(anchor_der);
    if (anchor != nullptr) X509_STORE_add_cert(store.get(), anchor.get());
  }
  for (size_t i = 1; i < certs.size(); ++i) sk_X509_push(untrusted.get(), X509_dup(certs[i].get()));
  StoreCtxPtr store_ctx(X509_STORE_CTX_new());
  if (store == nullptr || store_ctx == nullptr ||
      X509_STORE_CTX_init(store_ctx.get(), store.get(), leaf, untrusted.get()) != 1) {
    return absl::ResourceExhaustedError("out of memory");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(store_ctx.get()),
                             static_cast<time_t>(absl::ToUnixSeconds(now)));
  if (X509_verify_cert(store_ctx.get()) == 1) {
    info.trusted = true;
  } else {
    info.trust_detail = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store_ctx.get()));
  }
  return info;
}

}  // namespace hallmark::c2pa
