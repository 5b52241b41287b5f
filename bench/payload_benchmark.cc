// The fixed costs under every mark and detection: HMAC, payload sealing and
// opening, the convolutional code. They bound how fast short texts can go.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "absl/time/clock.h"
#include "watermark/crypto/hmac_sha256.h"
#include "watermark/ecc/convolutional_code.h"
#include "watermark/key/watermark_key.h"
#include "watermark/payload/payload.h"

namespace hallmark::watermark {
namespace {

std::shared_ptr<const WatermarkKey> BenchKey() {
  const std::string secret = "benchmark secret, not a real one";
  return *WatermarkKey::Create("bench",
                               {reinterpret_cast<const uint8_t*>(secret.data()), secret.size()});
}

void BM_HmacSha256_27Bytes(benchmark::State& state) {
  const auto key = BenchKey();
  std::array<uint8_t, 27> message{};
  for (auto _ : state) benchmark::DoNotOptimize(key->mac().Compute(message));
}
BENCHMARK(BM_HmacSha256_27Bytes);

void BM_SealPayload(benchmark::State& state) {
  const auto key = BenchKey();
  const PayloadFields fields = NewPayloadFields("org/app", *key, absl::Now());
  for (auto _ : state) {
    benchmark::DoNotOptimize(SealPayload(fields, *key, PayloadDomain::kTextUnicode));
  }
}
BENCHMARK(BM_SealPayload);

void BM_OpenPayload(benchmark::State& state) {
  const auto key = BenchKey();
  const KeySet keys({key});
  const PayloadBits bits = SealPayload(NewPayloadFields("org/app", *key, absl::Now()), *key,
                                       PayloadDomain::kTextUnicode);
  for (auto _ : state) {
    benchmark::DoNotOptimize(OpenPayload(bits, keys, PayloadDomain::kTextUnicode));
  }
}
BENCHMARK(BM_OpenPayload);

std::vector<uint8_t> RandomBits(size_t n) {
  std::mt19937 rng(42);
  std::vector<uint8_t> bits(n);
  for (auto& b : bits) b = rng() & 1;
  return bits;
}

void BM_ConvolutionalEncode(benchmark::State& state) {
  const std::vector<uint8_t> info = RandomBits(kPayloadBits);
  for (auto _ : state) benchmark::DoNotOptimize(ConvolutionalEncode(info));
}
BENCHMARK(BM_ConvolutionalEncode);

void BM_ConvolutionalDecode(benchmark::State& state) {
  const std::vector<uint8_t> coded = ConvolutionalEncode(RandomBits(kPayloadBits));
  std::vector<int32_t> soft(coded.size());
  for (size_t i = 0; i < coded.size(); ++i) soft[i] = coded[i] ? -3 : 3;
  for (auto _ : state) benchmark::DoNotOptimize(ConvolutionalDecode(soft, kPayloadBits));
}
BENCHMARK(BM_ConvolutionalDecode);

}  // namespace
}  // namespace hallmark::watermark

BENCHMARK_MAIN();
