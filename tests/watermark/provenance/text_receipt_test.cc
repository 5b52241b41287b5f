#include "watermark/provenance/text_receipt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "watermark/provenance/base64url.h"

namespace hallmark::provenance {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// RFC 8037 Appendix A.1: the Ed25519 key used by the JOSE examples.
constexpr char kRfc8037PrivateD[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr char kRfc8037PublicX[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
// RFC 8037 Appendix A.3: its RFC 7638 thumbprint.
constexpr char kRfc8037Thumbprint[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

std::string Pem(absl::string_view label, absl::string_view der) {
  std::string body = absl::Base64Escape(der);
  std::string pem = absl::StrCat("-----BEGIN ", label, "-----\n");
  for (size_t i = 0; i < body.size(); i += 64) absl::StrAppend(&pem, body.substr(i, 64), "\n");
  absl::StrAppend(&pem, "-----END ", label, "-----\n");
  return pem;
}

// PKCS#8 for a raw Ed25519 private key (RFC 8410 §7).
std::string Ed25519PrivatePem(absl::string_view raw) {
  return Pem("PRIVATE KEY",
             absl::StrCat(absl::HexStringToBytes("302e020100300506032b657004220420"), raw));
}

// SubjectPublicKeyInfo for a raw Ed25519 public key (RFC 8410 §4).
std::string Ed25519PublicPem(absl::string_view raw) {
  return Pem("PUBLIC KEY", absl::StrCat(absl::HexStringToBytes("302a300506032b6570032100"), raw));
}

// The raw 32-byte private key inside a PEM, read with OpenSSL directly.
std::string RawPrivateKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::array<unsigned char, 32> raw{};
  size_t length = raw.size();
  const bool ok = key != nullptr && EVP_PKEY_get_raw_private_key(key, raw.data(), &length) == 1;
  EVP_PKEY_free(key);
  EXPECT_TRUE(ok);
  return std::string(reinterpret_cast<const char*>(raw.data()), length);
}

TextReceiptClaims ExampleClaims(absl::string_view text) {
  TextReceiptClaims claims;
  claims.sha256 = TextSha256Hex(text);
  claims.payload_id = "3a00c29d7e41f2";
  claims.space = "org/app";
  claims.model = "llama-3-8b";
  claims.iat = 1767225600;
  claims.kid = "k2026a";
  claims.scheme = "unicode";
  claims.request_id = "req-42";
  return claims;
}

class TextReceiptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> pem = GenerateReceiptPrivateKeyPem();
    ASSERT_TRUE(pem.ok()) << pem.status();
    private_pem_ = *pem;
    absl::StatusOr<std::unique_ptr<ReceiptSigner>> signer =
        ReceiptSigner::FromPrivateKeyPem(private_pem_);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = *std::move(signer);
    absl::StatusOr<std::unique_ptr<ReceiptVerifier>> verifier =
        ReceiptVerifier::FromPublicKeyPem(signer_->public_key_pem());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
  }

  std::string SignOrDie(const TextReceiptClaims& claims) {
    absl::StatusOr<std::string> receipt = signer_->Sign(claims);
    EXPECT_TRUE(receipt.ok()) << receipt.status();
    return receipt.ok() ? *receipt : "";
  }

  const std::string text_ = "The quick brown fox jumps over the lazy dog.";
  std::string private_pem_;
  std::unique_ptr<ReceiptSigner> signer_;
  std::unique_ptr<ReceiptVerifier> verifier_;
};

TEST_F(TextReceiptTest, SignAndVerifyRoundTrip) {
  const TextReceiptClaims claims = ExampleClaims(text_);
  const std::string receipt = SignOrDie(claims);
  absl::StatusOr<TextReceiptClaims> verified = verifier_->Verify(receipt, text_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(*verified, claims);
  EXPECT_EQ(ReceiptErrorOf(verified.status()), ReceiptError::kNone);

  absl::StatusOr<TextReceiptClaims> one_shot =
      VerifyTextReceipt(receipt, text_, signer_->public_key_pem());
  ASSERT_TRUE(one_shot.ok()) << one_shot.status();
  EXPECT_EQ(*one_shot, claims);
}

TEST_F(TextReceiptTest, IsACompactJwsWithTheDocumentedLayout) {
  const std::string receipt = SignOrDie(ExampleClaims(text_));
  const std::vector<std::string> parts = absl::StrSplit(receipt, '.');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(*Base64UrlDecode(parts[0]), absl::StrCat(R"({"alg":"EdDSA","kid":")", signer_->key_id(),
                                                     R"(","typ":"hallmark-text-receipt+jwt"})"));
  EXPECT_EQ(*Base64UrlDecode(parts[1]),
            absl::StrCat(R"({"sha256":")", TextSha256Hex(text_),
                         R"(","payload_id":"3a00c29d7e41f2","space":"org/app",)"
                         R"("model":"llama-3-8b","iat":1767225600,"kid":"k2026a",)"
                         R"("scheme":"unicode","request_id":"req-42"})"));
  EXPECT_EQ(Base64UrlDecode(parts[2])->size(), 64u);
  // SHA-256("The quick brown fox jumps over the lazy dog.")
  EXPECT_EQ(TextSha256Hex(text_),
            "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
}

TEST(TextSha256BuilderTest, EqualsTheHashOfTheConcatenation) {
  const std::string text = "The quick brown fox jumps over the lazy dog.";
  TextSha256Builder builder;
  for (size_t i = 0; i < text.size(); i += 7) builder.Update(absl::string_view(text).substr(i, 7));
  EXPECT_EQ(builder.FinishHex(), TextSha256Hex(text));
  // It starts over.
  EXPECT_EQ(builder.FinishHex(), TextSha256Hex(""));
  EXPECT_EQ(TextSha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(TextReceiptTest, Ed25519IsDeterministic) {
  EXPECT_EQ(SignOrDie(ExampleClaims(text_)), SignOrDie(ExampleClaims(text_)));
}

// The signer uses libsodium; OpenSSL, signing the same JWS signing input
// with the same key, must produce the same bytes (Ed25519 is deterministic,
// RFC 8032), for payloads of every length up to a few KiB.
TEST_F(TextReceiptTest, SignaturesEqualOpenSslsForTheSameKeyAndInput) {
  BIO* bio = BIO_new_mem_buf(private_pem_.data(), static_cast<int>(private_pem_.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  std::mt19937 random(20261127);
  for (int trial = 0; trial < 200; ++trial) {
    std::string payload(std::uniform_int_distribution<size_t>(0, 3000)(random), '\0');
    for (char& c : payload) c = static_cast<char>(random());
    absl::StatusOr<std::string> receipt = signer_->SignPayloadForTesting(payload);
    ASSERT_TRUE(receipt.ok()) << receipt.status();
    const size_t last_dot = receipt->rfind('.');
    const std::string signing_input = receipt->substr(0, last_dot);
    std::array<unsigned char, 64> expected{};
    size_t length = expected.size();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ASSERT_EQ(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key), 1);
    ASSERT_EQ(EVP_DigestSign(ctx, expected.data(), &length,
                             reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()),
              1);
    EVP_MD_CTX_free(ctx);
    EXPECT_EQ(*Base64UrlDecode(receipt->substr(last_dot + 1)),
              std::string(reinterpret_cast<const char*>(expected.data()), length))
        << "payload of " << payload.size() << " bytes";
  }
  EVP_PKEY_free(key);
}

TEST(TextReceiptKeyTest, KeyIdIsTheRfc7638ThumbprintOfRfc8037) {
  const std::string d = *Base64UrlDecode(kRfc8037PrivateD);
  absl::StatusOr<std::unique_ptr<ReceiptSigner>> signer =
      ReceiptSigner::FromPrivateKeyPem(Ed25519PrivatePem(d));
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ((*signer)->key_id(), kRfc8037Thumbprint);
  EXPECT_THAT((*signer)->PublicJwk(), HasSubstr(absl::StrCat(R"("x":")", kRfc8037PublicX, "\"")));
  EXPECT_EQ((*signer)->public_key_pem(), Ed25519PublicPem(*Base64UrlDecode(kRfc8037PublicX)));
  absl::StatusOr<std::unique_ptr<ReceiptVerifier>> verifier =
      ReceiptVerifier::FromPublicKeyPem(Ed25519PublicPem(*Base64UrlDecode(kRfc8037PublicX)));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ((*verifier)->key_id(), kRfc8037Thumbprint);
  const std::string receipt = *(*signer)->Sign(ExampleClaims("x"));
  EXPECT_TRUE((*verifier)->Verify(receipt, "x").ok());
}

// A receipt made by another implementation (Python `cryptography`, with
// the RFC 8037 key; the fuzzer's seed) verifies, claims and all.
TEST(TextReceiptKeyTest, VerifiesAReceiptMadeElsewhere) {
  std::ifstream in(std::string(HALLMARK_SOURCE_DIR) +
                   "/tests/fuzz/corpus/text_receipt_fuzzer/valid_receipt_empty_text");
  std::stringstream receipt;
  receipt << in.rdbuf();
  ASSERT_FALSE(receipt.str().empty());
  absl::StatusOr<std::unique_ptr<ReceiptVerifier>> verifier =
      ReceiptVerifier::FromPublicKeyPem(Ed25519PublicPem(*Base64UrlDecode(kRfc8037PublicX)));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<TextReceiptClaims> claims = (*verifier)->Verify(receipt.str(), "");
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->model, "mé \"x\"");
  EXPECT_EQ(claims->payload_id, "3a00c29d7e41f2");
  EXPECT_EQ(claims->iat, 1767225600);
}

TEST_F(TextReceiptTest, AlteredTextIsAHashMismatch) {
  const std::string receipt = SignOrDie(ExampleClaims(text_));
  for (const std::string& altered :
       {text_ + " ", text_.substr(1), std::string("the") + text_.substr(3), std::string()}) {
    absl::StatusOr<TextReceiptClaims> verified = verifier_->Verify(receipt, altered);
    EXPECT_EQ(ReceiptErrorOf(verified.status()), ReceiptError::kHashMismatch) << altered;
    EXPECT_EQ(verified.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(verified.status().message(), HasSubstr("not the one the receipt was made for"));
  }
  // The signature alone still verifies: the receipt is authentic.
  EXPECT_TRUE(verifier_->VerifySignature(receipt).ok());
}

TEST_F(TextReceiptTest, AlteredClaimsAreABadSignature) {
  const std::string receipt = SignOrDie(ExampleClaims(text_));
  const std::vector<std::string> parts = absl::StrSplit(receipt, '.');
  TextReceiptClaims forged = ExampleClaims(text_);
  forged.space = "org/other";
  const std::string forged_payload = Base64UrlEncode(*SerializeTextReceiptClaims(forged));
  const std::string forged_receipt = absl::StrCat(parts[0], ".", forged_payload, ".", parts[2]);
  absl::StatusOr<TextReceiptClaims> verified = verifier_->Verify(forged_receipt, text_);
  EXPECT_EQ(ReceiptErrorOf(verified.status()), ReceiptError::kBadSignature);
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kUnauthenticated);

  // A claim made for another text, with the signature kept.
  forged = ExampleClaims("another text");
  const std::string swapped = absl::StrCat(
      parts[0], ".", Base64UrlEncode(*SerializeTextReceiptClaims(forged)), ".", parts[2]);
  EXPECT_EQ(ReceiptErrorOf(verifier_->Verify(swapped, "another text").status()),
            ReceiptError::kBadSignature);

  // One flipped bit of the signature.
  std::string signature = *Base64UrlDecode(parts[2]);
  signature[10] ^= 1;
  const std::string flipped =
      absl::StrCat(parts[0], ".", parts[1], ".", Base64UrlEncode(signature));
  EXPECT_EQ(ReceiptErrorOf(verifier_->Verify(flipped, text_).status()),
            ReceiptError::kBadSignature);
}

TEST_F(TextReceiptTest, AnotherKeyIsAWrongKeyAndAForgedKidIsABadSignature) {
  absl::StatusOr<std::unique_ptr<ReceiptSigner>> other = ReceiptSigner::Generate();
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE((*other)->key_id(), signer_->key_id());
  const std::string receipt = *(*other)->Sign(ExampleClaims(text_));
  absl::StatusOr<TextReceiptClaims> verified = verifier_->Verify(receipt, text_);
  EXPECT_EQ(ReceiptErrorOf(verified.status()), ReceiptError::kWrongKey);
  EXPECT_THAT(verified.status().message(), HasSubstr((*other)->key_id()));
  EXPECT_THAT(verified.status().message(), HasSubstr(signer_->key_id()));

  // The other key's receipt under our header (our kid): the signature fails.
  const std::vector<std::string> ours = absl::StrSplit(SignOrDie(ExampleClaims(text_)), '.');
  const std::vector<std::string> theirs = absl::StrSplit(receipt, '.');
  const std::string forged = absl::StrCat(ours[0], ".", theirs[1], ".", theirs[2]);
  EXPECT_EQ(ReceiptErrorOf(verifier_->Verify(forged, text_).status()), ReceiptError::kBadSignature);
}

TEST_F(TextReceiptTest, MalformedReceiptsSayWhy) {
  const std::string receipt = SignOrDie(ExampleClaims(text_));
  const std::vector<std::string> parts = absl::StrSplit(receipt, '.');
  const auto header = [&](absl::string_view json) {
    return absl::StrCat(Base64UrlEncode(json), ".", parts[1], ".", parts[2]);
  };
  const std::string kid = signer_->key_id();
  const std::pair<std::string, std::string> cases[] = {
      {"", "3 parts"},
      {"abc", "3 parts"},
      {"a.b", "3 parts"},
      {receipt + ".x", "3 parts"},
      {absl::StrCat(parts[0], "=.", parts[1], ".", parts[2]), "header: not base64url"},
      {header("not json"), "header: JSON at byte 0"},
      {header(absl::StrCat(R"({"alg":"none","kid":")", kid,
                           R"(","typ":"hallmark-text-receipt+jwt"})")),
       "\"alg\" must be \"EdDSA\", found \"none\""},
      {header(absl::StrCat(R"({"alg":"ES256","kid":")", kid,
                           R"(","typ":"hallmark-text-receipt+jwt"})")),
       "found \"ES256\""},
      {header(R"({"kid":"x","typ":"hallmark-text-receipt+jwt"})"), "found none"},
      {header(absl::StrCat(R"({"alg":"EdDSA","kid":")", kid, R"(","typ":"JWT"})")),
       "\"typ\" must be"},
      {header(R"({"alg":"EdDSA","typ":"hallmark-text-receipt+jwt"})"), "\"kid\" is missing"},
      {header(absl::StrCat(R"({"alg":"EdDSA","kid":")", kid,
                           R"(","typ":"hallmark-text-receipt+jwt","crit":"b64"})")),
       "unsupported parameter \"crit\""},
      {header(absl::StrCat(R"({"alg":"EdDSA","alg":"EdDSA","kid":")", kid,
                           R"(","typ":"hallmark-text-receipt+jwt"})")),
       "duplicate member"},
      {absl::StrCat(parts[0], ".", parts[1], ".", parts[2].substr(0, 40)), "signature: 30 bytes"},
      {absl::StrCat(parts[0], ".", parts[1], ".", parts[2], "A"), "signature: 65 bytes"},
      {absl::StrCat(parts[0], ".", parts[1], ".", parts[2], "="), "signature: not base64url"},
      {absl::StrCat(parts[0], ".", parts[1], ".", ""), "signature: 0 bytes"},
      {std::string(kMaxReceiptBytes + 1, 'a'), "over the limit"},
  };
  for (const auto& [input, message] : cases) {
    absl::StatusOr<TextReceiptClaims> verified = verifier_->Verify(input, text_);
    EXPECT_EQ(ReceiptErrorOf(verified.status()), ReceiptError::kMalformed) << input;
    EXPECT_EQ(verified.status().code(), absl::StatusCode::kInvalidArgument) << input;
    EXPECT_THAT(verified.status().message(), HasSubstr(message)) << input;
  }
}

TEST_F(TextReceiptTest, SignedButMalformedClaimsAreMalformed) {
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "claims: JSON at byte 0"},
      {"{}", "\"sha256\" is missing"},
      {R"({"sha256":"ABC","payload_id":"","space":"","model":"","iat":1,"kid":"","scheme":"",)"
       R"("request_id":""})",
       "64 lowercase hex"},
      {absl::StrCat(R"({"sha256":")", TextSha256Hex(text_),
                    R"(","payload_id":"","space":"","model":"","iat":-1,"kid":"","scheme":"",)"
                    R"("request_id":""})"),
       "\"iat\""},
      {absl::StrCat(R"({"sha256":")", TextSha256Hex(text_),
                    R"(","payload_id":"","space":"","model":"","iat":"1","kid":"","scheme":"",)"
                    R"("request_id":""})"),
       "\"iat\""},
      {absl::StrCat(R"({"sha256":")", TextSha256Hex(text_),
                    R"(","payload_id":7,"space":"","model":"","iat":1,"kid":"","scheme":"",)"
                    R"("request_id":""})"),
       "\"payload_id\" is missing or not a string"},
  };
  for (const auto& [payload, message] : cases) {
    absl::StatusOr<std::string> receipt = signer_->SignPayloadForTesting(payload);
    ASSERT_TRUE(receipt.ok()) << receipt.status();
    absl::StatusOr<TextReceiptClaims> verified = verifier_->Verify(*receipt, text_);
    EXPECT_EQ(ReceiptErrorOf(verified.status()), ReceiptError::kMalformed) << payload;
    EXPECT_THAT(verified.status().message(), HasSubstr(message)) << payload;
  }
  // Unknown claims are ignored (the signature covers them).
  const std::string extended =
      absl::StrCat(R"({"sha256":")", TextSha256Hex(text_),
                   R"(","payload_id":"","space":"","model":"","iat":1,"kid":"","scheme":"",)"
                   R"("request_id":"","future":"x"})");
  EXPECT_TRUE(verifier_->Verify(*signer_->SignPayloadForTesting(extended), text_).ok());
}

TEST_F(TextReceiptTest, ClaimsWithAnyUnicodeRoundTrip) {
  TextReceiptClaims claims = ExampleClaims(text_);
  claims.model = "quote\" backslash\\ newline\n tab\t nul" + std::string(1, '\0') + " é 😀";
  claims.request_id = "";
  absl::StatusOr<TextReceiptClaims> verified = verifier_->Verify(SignOrDie(claims), text_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(*verified, claims);

  claims.model = "\xff";
  EXPECT_EQ(signer_->Sign(claims).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TextReceiptTest, ReceiptCarriesNoSecret) {
  const std::string secret = RawPrivateKey(private_pem_);
  ASSERT_EQ(secret.size(), 32u);
  const std::string receipt = SignOrDie(ExampleClaims(text_));
  std::string decoded;
  for (absl::string_view part : absl::StrSplit(receipt, '.')) {
    absl::StrAppend(&decoded, *Base64UrlDecode(part));
  }
  const std::string forms[] = {secret,
                               absl::BytesToHexString(secret),
                               absl::Base64Escape(secret),
                               Base64UrlEncode(secret),
                               Base64UrlEncode(secret).substr(0, 16),
                               absl::BytesToHexString(secret).substr(0, 16)};
  for (const std::string& form : forms) {
    for (const std::string& haystack :
         {receipt, decoded, signer_->public_key_pem(), signer_->PublicJwk()}) {
      EXPECT_EQ(haystack.find(form), std::string::npos);
    }
  }
}

TEST_F(TextReceiptTest, SignsConcurrently) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        TextReceiptClaims claims = ExampleClaims(text_);
        claims.iat = t * 1000 + i;
        absl::StatusOr<std::string> receipt = signer_->Sign(claims);
        if (!receipt.ok() || !verifier_->Verify(*receipt, text_).ok()) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

TEST(TextReceiptKeyTest, GeneratedKeysArePkcs8Pem) {
  absl::StatusOr<std::string> pem = GenerateReceiptPrivateKeyPem();
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_THAT(*pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  absl::StatusOr<std::unique_ptr<ReceiptSigner>> signer = ReceiptSigner::FromPrivateKeyPem(*pem);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ((*signer)->key_id().size(), 43u);
  EXPECT_THAT((*signer)->public_key_pem(), StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  EXPECT_NE(*GenerateReceiptPrivateKeyPem(), *pem);
}

TEST(TextReceiptKeyTest, BadSigningKeysAreRefusedWithAReason) {
  // An EC key: the wrong type.
  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(ec, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, ec, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const std::string ec_pem(data, static_cast<size_t>(BIO_get_mem_data(bio, &data)));
  // An encrypted Ed25519 key.
  EVP_PKEY* ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(ed, nullptr);
  BIO* encrypted_bio = BIO_new(BIO_s_mem());
  char passphrase[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(encrypted_bio, ed, EVP_aes_256_cbc(), passphrase, 6,
                                          nullptr, nullptr),
            1);
  const std::string encrypted_pem(data,
                                  static_cast<size_t>(BIO_get_mem_data(encrypted_bio, &data)));
  BIO_free(bio);
  BIO_free(encrypted_bio);
  EVP_PKEY_free(ec);
  EVP_PKEY_free(ed);

  absl::StatusOr<std::unique_ptr<ReceiptSigner>> signer = ReceiptSigner::Generate();
  ASSERT_TRUE(signer.ok());
  const std::pair<std::string, std::string> cases[] = {
      {ec_pem, "the receipt key is EC; receipts need an Ed25519 key"},
      {encrypted_pem, "encrypted"},
      {"", "not a PEM private key"},
      {(*signer)->public_key_pem(), "not a PEM private key"},
      {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "cannot read"},
      {std::string(20000, 'x'), "20000 bytes"},
  };
  for (const auto& [pem, message] : cases) {
    absl::StatusOr<std::unique_ptr<ReceiptSigner>> loaded = ReceiptSigner::FromPrivateKeyPem(pem);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument) << pem;
    EXPECT_THAT(loaded.status().message(), HasSubstr(message)) << pem;
  }
}

TEST(TextReceiptKeyTest, BadPublicKeysAreRefusedWithAReason) {
  absl::StatusOr<std::string> private_pem = GenerateReceiptPrivateKeyPem();
  ASSERT_TRUE(private_pem.ok());
  const std::pair<std::string, std::string> cases[] = {
      {*private_pem, "this is a private key"},
      {"", "not PEM"},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "cannot read"},
  };
  for (const auto& [pem, message] : cases) {
    absl::StatusOr<std::unique_ptr<ReceiptVerifier>> loaded =
        ReceiptVerifier::FromPublicKeyPem(pem);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument) << pem;
    EXPECT_THAT(loaded.status().message(), HasSubstr(message)) << pem;
  }
  EXPECT_EQ(ReceiptErrorOf(VerifyTextReceipt("a.b.c", "", "").status()), ReceiptError::kNone);
}

}  // namespace
}  // namespace hallmark::provenance
