// hallmark verify: checks a text's signed provenance receipt offline, with
// the signer's public key only (docs/provenance.md).
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tools/hallmark/args.h"
#include "tools/hallmark/commands.h"
#include "tools/hallmark/json_line.h"
#include "tools/hallmark/offline_sidecar.h"
#include "watermark/provenance/text_receipt.h"

namespace hallmark::cli {
namespace {

// A compact JWS on its own: base64url characters and two dots.
bool LooksLikeReceipt(absl::string_view s) {
  int dots = 0;
  for (const char c : s) {
    if (c == '.') {
      ++dots;
    } else if (!absl::ascii_isalnum(c) && c != '-' && c != '_') {
      return false;
    }
  }
  return dots == 2;
}

// --receipt is a file holding the receipt (surrounding whitespace ignored)
// when such a file exists, else the receipt itself.
absl::StatusOr<std::string> ReadReceipt(const std::string& value) {
  std::error_code error;
  if (value == "-" || std::filesystem::exists(value, error)) {
    absl::StatusOr<std::string> content = ReadInput(value);
    if (!content.ok()) return content.status();
    return std::string(absl::StripAsciiWhitespace(*content));
  }
  if (LooksLikeReceipt(value)) return value;
  return absl::NotFoundError(
      absl::StrCat("--receipt: no file ", value, ", and not a receipt (a compact JWS) either"));
}

}  // namespace

int RunVerify(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"public_key", "receipt"});
  if (!args.ok()) return UsageError("verify", std::string(args.status().message()));
  if (!args->Has("public_key")) return UsageError("verify", "--public_key FILE is required");
  if (!args->Has("receipt")) return UsageError("verify", "--receipt RECEIPT_OR_FILE is required");
  if (args->positional().size() != 1) return UsageError("verify", "expected one TEXT_FILE");
  if (args->Get("receipt") == "-" && args->positional()[0] == "-") {
    return UsageError("verify", "the receipt and the text cannot both come from stdin");
  }
  auto public_key = ReadInput(args->Get("public_key"));
  if (!public_key.ok()) return UsageError("verify", std::string(public_key.status().message()));
  auto verifier = provenance::ReceiptVerifier::FromPublicKeyPem(*public_key);
  if (!verifier.ok()) {
    return UsageError("verify", absl::StrCat("--public_key: ", verifier.status().message()));
  }
  auto receipt = ReadReceipt(args->Get("receipt"));
  if (!receipt.ok()) return UsageError("verify", std::string(receipt.status().message()));
  // The exact bytes: a receipt binds every byte, a final newline included.
  auto text = ReadInput(args->positional()[0]);
  if (!text.ok()) return UsageError("verify", std::string(text.status().message()));

  absl::StatusOr<provenance::TextReceiptClaims> claims = (*verifier)->VerifySignature(*receipt);
  absl::Status status = claims.status();
  if (claims.ok()) status = provenance::CheckTextReceiptHash(*claims, *text);
  const provenance::ReceiptError error = provenance::ReceiptErrorOf(status);

  JsonLine json;
  json.Add("valid", status.ok())
      .Add("result", provenance::ReceiptErrorName(error))
      .Add("error", status.ok() ? "" : status.message())
      .Add("public_key_kid", (*verifier)->key_id())
      .Add("text_sha256", provenance::TextSha256Hex(*text));
  // The claims are shown once the signature holds (they are authentic even
  // when the text does not match).
  if (claims.ok()) {
    json.Add("sha256", claims->sha256)
        .Add("payload_id", claims->payload_id)
        .Add("space", claims->space)
        .Add("model", claims->model)
        .Add("iat", claims->iat)
        .Add("issued_at", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(claims->iat),
                                           absl::UTCTimeZone()))
        .Add("key_id", claims->kid)
        .Add("scheme", claims->scheme)
        .Add("request_id", claims->request_id);
  }
  std::fputs(json.str().c_str(), stdout);
  if (status.ok()) return kExitOk;
  // Anything but a verdict on the receipt (OpenSSL failing) is not a "no".
  return error == provenance::ReceiptError::kNone ? kExitUsage : kExitNegative;
}

}  // namespace hallmark::cli
