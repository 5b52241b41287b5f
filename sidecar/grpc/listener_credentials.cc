#include "sidecar/grpc/listener_credentials.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hallmark::sidecar {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// "--tls_cert /etc/tls/tls.crt": how errors name a file.
std::string Named(absl::string_view flag, absl::string_view path) {
  return absl::StrCat("--", flag, " ", path);
}

// The reason of OpenSSL's latest error; the error queue is emptied.
std::string TakeOpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  const char* reason = code == 0 ? nullptr : ERR_reason_error_string(code);
  ERR_clear_error();
  return reason != nullptr ? reason : absl::StrCat("OpenSSL error ", code);
}

absl::StatusOr<std::string> ReadFile(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(Named(flag, path), ": cannot read: ", std::strerror(errno)));
  }
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// Every certificate of a PEM file, in order; at least one.
absl::StatusOr<std::vector<X509Ptr>> ParseCertificates(absl::string_view flag,
                                                       const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(flag, path);
  if (!pem.ok()) return pem.status();
  BioPtr bio = MemoryBio(*pem);
  std::vector<X509Ptr> certificates;
  ERR_clear_error();
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  // The loop ends at the end of the input (no further "BEGIN" line) or at a
  // block that does not parse.
  const unsigned long end = ERR_peek_last_error();
  const bool clean_end =
      ERR_GET_LIB(end) == ERR_LIB_PEM && ERR_GET_REASON(end) == PEM_R_NO_START_LINE;
  if (!clean_end) {
    return absl::InvalidArgumentError(absl::StrCat(Named(flag, path), ": certificate ",
                                                   certificates.size() + 1,
                                                   " does not parse: ", TakeOpenSslError()));
  }
  ERR_clear_error();
  if (certificates.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Named(flag, path), ": no PEM certificate (-----BEGIN CERTIFICATE-----)"));
  }
  return certificates;
}

// A passphrase callback that offers none: an encrypted key fails to load
// instead of OpenSSL prompting on a terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::StatusOr<PkeyPtr> ParsePrivateKey(absl::string_view flag, const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(flag, path);
  if (!pem.ok()) return pem.status();
  BioPtr bio = MemoryBio(*pem);
  ERR_clear_error();
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(Named(flag, path), ": no usable PEM private key (", TakeOpenSslError(),
                     "; encrypted keys are not supported)"));
  }
  return key;
}

std::string Subject(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string Time(const ASN1_TIME* time) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), time);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

absl::string_view TransportSecurityName(TransportSecurity security) {
  switch (security) {
    case TransportSecurity::kPlaintext:
      return "plaintext";
    case TransportSecurity::kTls:
      return "tls";
    case TransportSecurity::kMutualTls:
      return "mtls";
  }
  return "unknown";
}

absl::StatusOr<ListenerCredentials> MakeListenerCredentials(absl::string_view listen,
                                                            const ListenerTlsSettings& settings) {
  const bool any_tls =
      !settings.cert_path.empty() || !settings.key_path.empty() || !settings.client_ca_path.empty();
  if (!any_tls) {
    return ListenerCredentials{TransportSecurity::kPlaintext, grpc::InsecureServerCredentials(),
                               ""};
  }
  if (absl::StartsWith(listen, "unix:")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_cert, --tls_key and --tls_client_ca apply to TCP listeners only; ", listen,
        " is a unix socket, which stays plaintext (its file mode and group control access)"));
  }
  if (settings.cert_path.empty() || settings.key_path.empty()) {
    return absl::InvalidArgumentError(
        settings.cert_path.empty()
            ? "TLS needs --tls_cert (the server's certificate chain) as well as --tls_key"
            : "TLS needs --tls_key (the private key of --tls_cert) as well as --tls_cert");
  }
  if (settings.reload_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--tls_reload_interval must be at least 1s");
  }

  absl::StatusOr<std::vector<X509Ptr>> chain = ParseCertificates("tls_cert", settings.cert_path);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<PkeyPtr> key = ParsePrivateKey("tls_key", settings.key_path);
  if (!key.ok()) return key.status();
  X509* leaf = chain->front().get();
  if (X509_check_private_key(leaf, key->get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(Named("tls_key", settings.key_path),
                                                   " is not the private key of the certificate in ",
                                                   Named("tls_cert", settings.cert_path)));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(Named("tls_cert", settings.cert_path),
                                                   ": the certificate expired on ",
                                                   Time(X509_get0_notAfter(leaf))));
  }
  std::string summary = absl::StrCat("certificate subject=\"", Subject(leaf), "\" not_after=\"",
                                     Time(X509_get0_notAfter(leaf)), "\"");

  size_t client_cas = 0;
  if (!settings.client_ca_path.empty()) {
    absl::StatusOr<std::vector<X509Ptr>> cas =
        ParseCertificates("tls_client_ca", settings.client_ca_path);
    if (!cas.ok()) return cas.status();
    client_cas = cas->size();
    absl::StrAppend(&summary, " client_cas=", client_cas);
  }
  const auto interval_seconds = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(settings.reload_interval)));
  absl::StrAppend(&summary, " reload_every=", interval_seconds, "s");

  const bool mutual = client_cas > 0;
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      settings.key_path, settings.cert_path, mutual ? settings.client_ca_path : "",
      interval_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (mutual) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return ListenerCredentials{mutual ? TransportSecurity::kMutualTls : TransportSecurity::kTls,
                             grpc::experimental::TlsServerCredentials(options), summary};
}

}  // namespace hallmark::sidecar
