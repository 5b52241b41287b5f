#include "sidecar/grpc/listener_credentials.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

using ::testing::HasSubstr;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Certificate = std::unique_ptr<X509, X509Free>;

Key NewKey() { return Key(EVP_EC_gen("P-256")); }

// A certificate for `key` named `common_name`, signed by `issuer_key` (as
// `issuer`, or self-signed), valid from now for `valid_seconds` (negative:
// expired since then).
Certificate NewCertificate(EVP_PKEY* key, const std::string& common_name, EVP_PKEY* issuer_key,
                           X509* issuer, long valid_seconds = 3600) {
  Certificate certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()),
                  valid_seconds < 0 ? 2 * valid_seconds : 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), valid_seconds);
  X509_set_pubkey(certificate.get(), key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(certificate.get(), issuer == nullptr ? name : X509_get_subject_name(issuer));
  X509_sign(certificate.get(), issuer_key, EVP_sha256());
  return certificate;
}

class ListenerCredentialsTest : public ::testing::Test {
 protected:
  ListenerCredentialsTest()
      : dir_(std::filesystem::path(::testing::TempDir()) /
             ("listener-credentials-" + std::to_string(getpid()))) {
    std::filesystem::create_directories(dir_);
    ca_key_ = NewKey();
    ca_ = NewCertificate(ca_key_.get(), "test CA", ca_key_.get(), nullptr);
    server_key_ = NewKey();
    server_ = NewCertificate(server_key_.get(), "hallmarkd", ca_key_.get(), ca_.get());
    WritePem("ca.pem", ca_.get());
    WritePem("server.pem", server_.get());
    WriteKey("server.key", server_key_.get());
  }
  ~ListenerCredentialsTest() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  void WritePem(const std::string& name, X509* certificate) {
    FILE* file = std::fopen(Path(name).c_str(), "w");
    ASSERT_NE(file, nullptr);
    PEM_write_X509(file, certificate);
    std::fclose(file);
  }
  void WriteKey(const std::string& name, EVP_PKEY* key) {
    FILE* file = std::fopen(Path(name).c_str(), "w");
    ASSERT_NE(file, nullptr);
    PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(file);
  }
  void WriteText(const std::string& name, const std::string& text) {
    std::ofstream(Path(name)) << text;
  }

  ListenerTlsSettings Tls() const {
    return {Path("server.pem"), Path("server.key"), "", absl::Seconds(1)};
  }
  ListenerTlsSettings MutualTls() const {
    return {Path("server.pem"), Path("server.key"), Path("ca.pem"), absl::Seconds(1)};
  }

  std::filesystem::path dir_;
  Key ca_key_, server_key_;
  Certificate ca_, server_;
};

TEST_F(ListenerCredentialsTest, NoFilesIsPlaintext) {
  for (const char* listen : {"127.0.0.1:50051", "unix:/run/hallmark.sock"}) {
    absl::StatusOr<ListenerCredentials> credentials = MakeListenerCredentials(listen, {});
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    EXPECT_EQ(credentials->security, TransportSecurity::kPlaintext);
    EXPECT_NE(credentials->credentials, nullptr);
  }
}

TEST_F(ListenerCredentialsTest, Tls) {
  absl::StatusOr<ListenerCredentials> credentials = MakeListenerCredentials("127.0.0.1:0", Tls());
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->security, TransportSecurity::kTls);
  EXPECT_NE(credentials->credentials, nullptr);
  EXPECT_THAT(credentials->summary, HasSubstr("subject=\"CN=hallmarkd\""));
  EXPECT_THAT(credentials->summary, HasSubstr("reload_every=1s"));
  EXPECT_EQ(TransportSecurityName(credentials->security), "tls");
}

TEST_F(ListenerCredentialsTest, MutualTls) {
  absl::StatusOr<ListenerCredentials> credentials =
      MakeListenerCredentials("127.0.0.1:0", MutualTls());
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->security, TransportSecurity::kMutualTls);
  EXPECT_THAT(credentials->summary, HasSubstr("client_cas=1"));
  EXPECT_EQ(TransportSecurityName(credentials->security), "mtls");
}

TEST_F(ListenerCredentialsTest, UnixSocketsStayPlaintext) {
  const absl::Status status = MakeListenerCredentials("unix:/run/h.sock", Tls()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unix:/run/h.sock is a unix socket"));
}

TEST_F(ListenerCredentialsTest, CertificateAndKeyGoTogether) {
  ListenerTlsSettings settings = Tls();
  settings.key_path.clear();
  EXPECT_THAT(MakeListenerCredentials("127.0.0.1:0", settings).status().message(),
              HasSubstr("needs --tls_key"));
  settings = Tls();
  settings.cert_path.clear();
  EXPECT_THAT(MakeListenerCredentials("127.0.0.1:0", settings).status().message(),
              HasSubstr("needs --tls_cert"));
  settings = {"", "", Path("ca.pem"), absl::Seconds(1)};
  EXPECT_THAT(MakeListenerCredentials("127.0.0.1:0", settings).status().message(),
              HasSubstr("needs --tls_cert"));
}

TEST_F(ListenerCredentialsTest, MissingFileIsNamed) {
  ListenerTlsSettings settings = MutualTls();
  settings.client_ca_path = Path("nowhere.pem");
  const absl::Status status = MakeListenerCredentials("127.0.0.1:0", settings).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("--tls_client_ca " + Path("nowhere.pem")));
  EXPECT_THAT(status.message(), HasSubstr("No such file"));
}

TEST_F(ListenerCredentialsTest, NotACertificate) {
  WriteText("garbage.pem", "this is not PEM\n");
  ListenerTlsSettings settings = Tls();
  settings.cert_path = Path("garbage.pem");
  const absl::Status status = MakeListenerCredentials("127.0.0.1:0", settings).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("--tls_cert " + Path("garbage.pem") + ": no PEM certificate"));
}

TEST_F(ListenerCredentialsTest, CorruptSecondCertificate) {
  std::ifstream in(Path("server.pem"));
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WriteText("chain.pem", pem +
                             "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n"
                             "-----END CERTIFICATE-----\n");
  ListenerTlsSettings settings = Tls();
  settings.cert_path = Path("chain.pem");
  EXPECT_THAT(MakeListenerCredentials("127.0.0.1:0", settings).status().message(),
              HasSubstr("certificate 2 does not parse"));
}

TEST_F(ListenerCredentialsTest, KeyMustMatchTheCertificate) {
  Key other = NewKey();
  WriteKey("other.key", other.get());
  ListenerTlsSettings settings = Tls();
  settings.key_path = Path("other.key");
  const absl::Status status = MakeListenerCredentials("127.0.0.1:0", settings).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("is not the private key of the certificate in --tls_cert"));
}

TEST_F(ListenerCredentialsTest, KeyFileWithoutAKey) {
  ListenerTlsSettings settings = Tls();
  settings.key_path = Path("server.pem");  // a certificate, not a key
  EXPECT_THAT(MakeListenerCredentials("127.0.0.1:0", settings).status().message(),
              HasSubstr("no usable PEM private key"));
}

TEST_F(ListenerCredentialsTest, ExpiredCertificate) {
  Certificate expired =
      NewCertificate(server_key_.get(), "hallmarkd", ca_key_.get(), ca_.get(), -3600);
  WritePem("expired.pem", expired.get());
  ListenerTlsSettings settings = Tls();
  settings.cert_path = Path("expired.pem");
  EXPECT_THAT(MakeListenerCredentials("127.0.0.1:0", settings).status().message(),
              HasSubstr("the certificate expired on"));
}

TEST_F(ListenerCredentialsTest, ReloadIntervalOfAtLeastASecond) {
  ListenerTlsSettings settings = Tls();
  settings.reload_interval = absl::Milliseconds(100);
  EXPECT_THAT(MakeListenerCredentials("127.0.0.1:0", settings).status().message(),
              HasSubstr("--tls_reload_interval"));
}

}  // namespace
}  // namespace hallmark::sidecar
