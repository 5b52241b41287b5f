#include "watermark/provenance/c2pa/development_credentials.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "watermark/provenance/c2pa/openssl_ptr.h"

namespace hallmark::c2pa {
namespace {

absl::Status OpenSslError(absl::string_view what) {
  return absl::InternalError(absl::StrCat("generating development credentials: ", what));
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return OpenSslError(absl::StrCat("extension ", OBJ_nid2sn(nid)));
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return added == 1 ? absl::OkStatus() : OpenSslError("X509_add_ext");
}

struct CertSpec {
  std::string common_name;
  std::string organization;
  bool ca = false;
};

absl::StatusOr<X509Ptr> MakeCertificate(const CertSpec& spec, EVP_PKEY* key, X509* issuer,
                                        EVP_PKEY* issuer_key, absl::Time now,
                                        absl::Duration validity) {
  X509Ptr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), 2) != 1) return OpenSslError("X509_new");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return OpenSslError("RAND_bytes");
  serial[0] &= 0x7F;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  if (bn == nullptr || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) == nullptr) {
    BN_free(bn);
    return OpenSslError("serial number");
  }
  BN_free(bn);
  time_t start = static_cast<time_t>(absl::ToUnixSeconds(now - absl::Hours(1)));
  time_t end = static_cast<time_t>(absl::ToUnixSeconds(now + validity));
  if (X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &start) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, 0, &end) == nullptr) {
    return OpenSslError("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(spec.common_name.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>(spec.organization.c_str());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslError("subject");
  }
  X509* signer = issuer == nullptr ? cert.get() : issuer;
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1) {
    return OpenSslError("issuer");
  }
  struct Ext {
    int nid;
    const char* value;
  };
  const Ext ca_exts[] = {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                         {NID_subject_key_identifier, "hash"},
                         {NID_authority_key_identifier, "keyid:always"}};
  const Ext leaf_exts[] = {{NID_basic_constraints, "critical,CA:FALSE"},
                           {NID_key_usage, "critical,digitalSignature"},
                           {NID_ext_key_usage, "1.3.6.1.5.5.7.3.36,emailProtection"},
                           {NID_subject_key_identifier, "hash"},
                           {NID_authority_key_identifier, "keyid:always"}};
  for (const Ext& ext :
       spec.ca ? absl::Span<const Ext>(ca_exts) : absl::Span<const Ext>(leaf_exts)) {
    if (absl::Status added = AddExtension(cert.get(), signer, ext.nid, ext.value); !added.ok()) {
      return added;
    }
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) return OpenSslError("X509_sign");
  return cert;
}

absl::StatusOr<std::string> CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("PEM");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

}  // namespace

absl::StatusOr<SigningCredentialsPem> GenerateDevelopmentCredentials(
    absl::Time now, absl::Duration validity, absl::string_view organization) {
  PkeyPtr ca_key(EVP_EC_gen("P-256"));
  PkeyPtr leaf_key(EVP_EC_gen("P-256"));
  if (ca_key == nullptr || leaf_key == nullptr) return OpenSslError("EC key generation");
  const std::string org(organization);
  absl::StatusOr<X509Ptr> ca =
      MakeCertificate({"Hallmark development CA (untrusted)", org, true}, ca_key.get(), nullptr,
                      ca_key.get(), now, validity + absl::Hours(24));
  if (!ca.ok()) return ca.status();
  absl::StatusOr<X509Ptr> leaf =
      MakeCertificate({"Hallmark development signer (untrusted)", org, false}, leaf_key.get(),
                      ca->get(), ca_key.get(), now, validity);
  if (!leaf.ok()) return leaf.status();

  SigningCredentialsPem out;
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PKCS8PrivateKey(bio.get(), leaf_key.get(), nullptr, nullptr,
                                                      0, nullptr, nullptr) != 1) {
    return OpenSslError("private key PEM");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  out.private_key_pem.assign(data, static_cast<size_t>(length));
  absl::StatusOr<std::string> leaf_pem = CertPem(leaf->get());
  absl::StatusOr<std::string> ca_pem = CertPem(ca->get());
  if (!leaf_pem.ok()) return leaf_pem.status();
  if (!ca_pem.ok()) return ca_pem.status();
  out.chain_pem = *leaf_pem + *ca_pem;
  out.ca_pem = *std::move(ca_pem);
  return out;
}

}  // namespace hallmark::c2pa
