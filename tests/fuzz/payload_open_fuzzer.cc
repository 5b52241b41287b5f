// Payload decoding on arbitrary input: OpenPayload on any 88 bits, and the
// Viterbi decoder on any soft input (what Detect feeds it comes from the
// text under test). Also checks that noiseless decoding inverts encoding.
//
// Input: 11 payload bytes, 1 byte of information length, then the soft
// values as little-endian int32 (missing ones are erasures).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/fuzz/fuzz_keys.h"
#include "watermark/ecc/convolutional_code.h"
#include "watermark/payload/payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using hallmark::fuzz::FuzzCheck;
  namespace wm = hallmark::watermark;
  wm::PayloadBits bits{};
  if (size < bits.size() + 1) return 0;
  std::memcpy(bits.data(), data, bits.size());
  const wm::KeySet& keys = hallmark::fuzz::FixedKeys();
  for (wm::PayloadDomain domain : {wm::PayloadDomain::kTextUnicode, wm::PayloadDomain::kImage}) {
    const wm::OpenedPayload opened = wm::OpenPayload(bits, keys, domain);
    FuzzCheck(opened.fields == wm::UnpackPayloadFields(bits));
    if (opened.verified()) {
      // Only a sealed payload verifies: resealing must give the same bits.
      FuzzCheck(wm::SealPayload(opened.fields, *opened.key, domain) == bits);
    }
    FuzzCheck(wm::PayloadId(opened.fields).size() == 14);
  }

  const size_t info_bits = 1 + data[bits.size()] % 200;
  const size_t coded = wm::ConvolutionalEncodedLength(info_bits);
  std::vector<int32_t> soft(coded, 0);
  const uint8_t* rest = data + bits.size() + 1;
  const size_t available = (size - bits.size() - 1) / sizeof(int32_t);
  for (size_t i = 0; i < coded && i < available; ++i) {
    std::memcpy(&soft[i], rest + i * sizeof(int32_t), sizeof(int32_t));
  }
  const std::vector<uint8_t> decoded = wm::ConvolutionalDecode(soft, info_bits);
  FuzzCheck(decoded.size() == info_bits);
  for (uint8_t bit : decoded) FuzzCheck(bit <= 1);

  // What was decoded, encoded again and decoded from clean soft values,
  // comes back unchanged.
  const std::vector<uint8_t> encoded = wm::ConvolutionalEncode(decoded);
  FuzzCheck(encoded.size() == coded);
  std::vector<int32_t> clean(coded);
  for (size_t i = 0; i < coded; ++i) clean[i] = encoded[i] ? -100 : 100;
  FuzzCheck(wm::ConvolutionalDecode(clean, info_bits) == decoded);
  return 0;
}
