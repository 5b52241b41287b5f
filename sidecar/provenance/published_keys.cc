#include "sidecar/provenance/published_keys.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "watermark/base/json_string.h"

namespace hallmark::sidecar {
namespace {

// RFC 7468 textual encoding: base64 in 64-character lines.
std::string CertificatePem(const std::string& der) {
  const std::string base64 = absl::Base64Escape(der);
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < base64.size(); i += 64) {
    absl::StrAppend(&pem, absl::string_view(base64).substr(i, 64), "\n");
  }
  absl::StrAppend(&pem, "-----END CERTIFICATE-----\n");
  return pem;
}

}  // namespace

std::string PublishedKeysJson(const provenance::ReceiptSigner& receipt_signer,
                              const ContentCredentials& content_credentials) {
  std::string out = absl::StrCat(R"({"receipt_keys":{"keys":[)", receipt_signer.PublicJwk(),
                                 R"(]},"c2pa":{"signer":)");
  AppendJsonString(content_credentials.signer().subject(), out);
  absl::StrAppend(&out, R"(,"development":)", content_credentials.development() ? "true" : "false",
                  R"(,"certificate_chain_pem":[)");
  bool first = true;
  for (const std::string& der : content_credentials.signer().chain_der()) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(CertificatePem(der), out);
  }
  absl::StrAppend(&out, "]}}");
  return out;
}

}  // namespace hallmark::sidecar
