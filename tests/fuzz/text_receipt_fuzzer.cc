// Receipt verification on arbitrary input (hallmark verify and, later, the
// public detection endpoint take receipts from anyone): the compact JWS
// splitter, the strict base64url decoder, the flat JSON reader behind the
// header and the claims, and the claims checks after a valid signature.
//
// Each input is used four ways: as a receipt verified with a fixed key; as
// base64url (what decodes must re-encode to the input); as a JSON object
// (what parses must parse the same once rewritten); and as claims signed
// with the fixed key, so the claims reader is reached behind a valid
// signature (which must then never be reported bad).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/fuzz/fuzz_keys.h"
#include "watermark/provenance/base64url.h"
#include "watermark/provenance/flat_json.h"
#include "watermark/provenance/text_receipt.h"

namespace {

namespace pv = hallmark::provenance;
using hallmark::fuzz::FuzzCheck;

// A fixed Ed25519 key (RFC 8037 A.1), so that a crashing input reproduces.
const pv::ReceiptSigner& FixedSigner() {
  static const pv::ReceiptSigner* signer = [] {
    const std::string der = absl::StrCat(
        absl::HexStringToBytes("302e020100300506032b657004220420"),
        absl::HexStringToBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    const std::string pem = absl::StrCat("-----BEGIN PRIVATE KEY-----\n", absl::Base64Escape(der),
                                         "\n-----END PRIVATE KEY-----\n");
    auto loaded = pv::ReceiptSigner::FromPrivateKeyPem(pem);
    if (!loaded.ok()) std::abort();
    return loaded->release();
  }();
  return *signer;
}

const pv::ReceiptVerifier& FixedVerifier() {
  static const pv::ReceiptVerifier* verifier = [] {
    auto loaded = pv::ReceiptVerifier::FromPublicKeyPem(FixedSigner().public_key_pem());
    if (!loaded.ok()) std::abort();
    return loaded->release();
  }();
  return *verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  // 1. Any bytes as a receipt: an error of a known kind, or (never, short of
  // a forgery) valid claims for the empty text.
  const auto verified = FixedVerifier().Verify(input, "");
  if (!verified.ok()) {
    FuzzCheck(pv::ReceiptErrorOf(verified.status()) != pv::ReceiptError::kNone ||
              verified.status().code() == absl::StatusCode::kInternal);
  }

  // 2. Base64url is canonical: one encoding per byte string.
  const auto decoded = pv::Base64UrlDecode(input);
  if (decoded.ok()) FuzzCheck(pv::Base64UrlEncode(*decoded) == input);

  // 3. What parses, written again, parses to the same members.
  const auto object = pv::FlatJsonObject::Parse(input);
  if (object.ok()) {
    pv::FlatJsonWriter writer;
    for (const auto& [name, value] : object->members()) {
      FuzzCheck(pv::IsValidUtf8(name));
      if (const auto* s = std::get_if<std::string>(&value)) {
        FuzzCheck(pv::IsValidUtf8(*s));
        writer.Add(name, *s);
      } else {
        writer.Add(name, std::get<int64_t>(value));
      }
    }
    const auto again = pv::FlatJsonObject::Parse(writer.Finish());
    FuzzCheck(again.ok() && again->members() == object->members());
  }

  // 4. The same bytes as signed claims: the signature holds, so the verdict
  // is valid, malformed claims, or a hash mismatch (the text is "").
  const auto receipt = FixedSigner().SignPayloadForTesting(input);
  FuzzCheck(receipt.ok());
  const auto claims = FixedVerifier().VerifySignature(*receipt);
  const auto parsed = pv::ParseTextReceiptClaims(input);
  FuzzCheck(claims.ok() == parsed.ok());
  if (claims.ok()) {
    FuzzCheck(*claims == *parsed);
    // Claims written by the serializer read back the same.
    const auto json = pv::SerializeTextReceiptClaims(*claims);
    FuzzCheck(json.ok());
    const auto reparsed = pv::ParseTextReceiptClaims(*json);
    FuzzCheck(reparsed.ok() && *reparsed == *claims);
    const auto with_text = FixedVerifier().Verify(*receipt, "");
    FuzzCheck(with_text.ok() ||
              pv::ReceiptErrorOf(with_text.status()) == pv::ReceiptError::kHashMismatch);
  } else {
    FuzzCheck(pv::ReceiptErrorOf(claims.status()) == pv::ReceiptError::kMalformed);
  }
  return 0;
}
