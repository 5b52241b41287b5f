// The cost a signed receipt adds to each marked text (issue 7 target:
// ≤ 50 µs): SHA-256 of the marked text, the claims JSON, base64url and one
// Ed25519 signature. Verification is for auditors, off the hot path.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "watermark/provenance/text_receipt.h"

namespace hallmark::provenance {
namespace {

std::string Text(size_t bytes) {
  const std::string sentence = "The sidecar marks every generated text on its way out. ";
  std::string text;
  while (text.size() < bytes) text += sentence;
  text.resize(bytes);
  return text;
}

TextReceiptClaims Claims(const std::string& text) {
  TextReceiptClaims claims;
  claims.sha256 = TextSha256Hex(text);
  claims.payload_id = "3a00c29d7e41f2";
  claims.space = "org/app";
  claims.model = "llama-3-8b-instruct";
  claims.iat = 1767225600;
  claims.kid = "k20260101-1a2b";
  claims.scheme = "unicode";
  claims.request_id = "7f1c9a52-8c1e-4b5e-9d8e-2f0c6f3f4a11";
  return claims;
}

std::unique_ptr<ReceiptSigner> Signer() { return *ReceiptSigner::Generate(); }

// One receipt: claims JSON, base64url, Ed25519 signature.
void BM_SignTextReceipt(benchmark::State& state) {
  const auto signer = Signer();
  const TextReceiptClaims claims = Claims(Text(2048));
  for (auto _ : state) benchmark::DoNotOptimize(signer->Sign(claims));
}
BENCHMARK(BM_SignTextReceipt);

// What the pipeline adds per marked text: the hash of the text, then Sign.
void BM_HashAndSignTextReceipt(benchmark::State& state) {
  const auto signer = Signer();
  const std::string text = Text(static_cast<size_t>(state.range(0)));
  TextReceiptClaims claims = Claims(text);
  for (auto _ : state) {
    claims.sha256 = TextSha256Hex(text);
    benchmark::DoNotOptimize(signer->Sign(claims));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HashAndSignTextReceipt)->Arg(512)->Arg(4096)->Arg(65536);

void BM_VerifyTextReceipt(benchmark::State& state) {
  const auto signer = Signer();
  const auto verifier = *ReceiptVerifier::FromPublicKeyPem(signer->public_key_pem());
  const std::string text = Text(2048);
  const std::string receipt = *signer->Sign(Claims(text));
  for (auto _ : state) benchmark::DoNotOptimize(verifier->Verify(receipt, text));
}
BENCHMARK(BM_VerifyTextReceipt);

}  // namespace
}  // namespace hallmark::provenance

BENCHMARK_MAIN();
