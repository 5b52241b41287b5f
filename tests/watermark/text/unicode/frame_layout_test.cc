#include "watermark/text/unicode/frame_layout.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "watermark/ecc/convolutional_code.h"

namespace hallmark::watermark::unicode_text {
namespace {

std::vector<uint8_t> SyncSymbols() {
  std::vector<uint8_t> out;
  for (int k = 0; k < kSyncSymbols; ++k) out.push_back((kSyncPattern >> (14 - 2 * k)) & 3);
  return out;
}

TEST(FrameLayoutTest, Sizes) {
  EXPECT_EQ(ConvolutionalEncodedLength(kPayloadBits), static_cast<size_t>(kCodedBits));
  EXPECT_EQ(kFrameCodeBits, 142);
  EXPECT_EQ(kCodeSymbols, 71);
  EXPECT_EQ(kFrameSymbols, 79);
  EXPECT_EQ(kFragmentCarriers, 86);
}

TEST(FrameLayoutTest, SyncPatternProperties) {
  EXPECT_EQ(__builtin_popcount(kSyncPattern), 8);  // balanced
  // Every symbol appears twice.
  std::vector<int> count(4);
  for (uint8_t s : SyncSymbols()) ++count[s];
  EXPECT_EQ(count, std::vector<int>({2, 2, 2, 2}));
  // Shifted by 1..7 symbols, the overlap with itself differs in >= 2 bits, so
  // a window next to a true sync is never within one bit of the pattern.
  for (int k = 1; k < kSyncSymbols; ++k) {
    const uint32_t mask = (0xFFFFu << (2 * k)) & 0xFFFF;
    const int distance = __builtin_popcount(((kSyncPattern << (2 * k)) ^ kSyncPattern) & mask);
    EXPECT_GE(distance, 2) << "shift " << k;
  }
  // An unmarked text (all symbol 0) and texts of one repeated symbol are far.
  for (uint32_t constant : {0x0000u, 0x5555u, 0xAAAAu, 0xFFFFu}) {
    EXPECT_GE(__builtin_popcount(kSyncPattern ^ constant), 8);
  }
}

TEST(FrameLayoutTest, WhiteningIsPn9) {
  const auto& w = WhiteningBits();
  // a[n+9] = a[n] ^ a[n+5], starting from nine ones.
  for (int i = 0; i < 9; ++i) EXPECT_EQ(w[i], 1) << i;
  for (int i = 0; i + 9 < kFrameCodeBits; ++i) EXPECT_EQ(w[i + 9], w[i] ^ w[i + 5]) << i;
  int ones = 0;
  for (uint8_t b : w) ones += b;
  EXPECT_GT(ones, 50);
  EXPECT_LT(ones, 92);
}

TEST(FrameLayoutTest, FrameStartsWithSyncAndRoundTrips) {
  std::mt19937 rng(1);
  for (int round = 0; round < 200; ++round) {
    PayloadBits payload;
    for (auto& byte : payload) byte = static_cast<uint8_t>(rng());
    const FrameSymbols frame = BuildFrame(payload);
    for (int k = 0; k < kSyncSymbols; ++k) EXPECT_EQ(frame[k], SyncSymbols()[k]);
    CodeVotes votes;
    for (int k = 0; k < kCodeSymbols; ++k) votes.Add(k, frame[kSyncSymbols + k]);
    const DecodedFrame decoded = DecodeVotes(votes);
    EXPECT_EQ(decoded.payload, payload);
    EXPECT_EQ(decoded.observed_bits, kCodedBits);
    EXPECT_EQ(decoded.disagreements, 0);
  }
}

TEST(FrameLayoutTest, DecodingCorrectsSymbolErrors) {
  std::mt19937 rng(2);
  int corrected = 0;
  for (int round = 0; round < 200; ++round) {
    PayloadBits payload;
    for (auto& byte : payload) byte = static_cast<uint8_t>(rng());
    const FrameSymbols frame = BuildFrame(payload);
    CodeVotes votes;
    // Three copies, each with a few symbols replaced at random.
    for (int copy = 0; copy < 3; ++copy) {
      for (int k = 0; k < kCodeSymbols; ++k) {
        const uint8_t s = rng() % 10 == 0 ? rng() % 4 : frame[kSyncSymbols + k];
        votes.Add(k, s);
      }
    }
    if (DecodeVotes(votes).payload == payload) ++corrected;
  }
  EXPECT_GE(corrected, 195);
}

TEST(FrameLayoutTest, FindSyncsToleratesOneBit) {
  std::vector<uint8_t> symbols(40, 0);
  const std::vector<uint8_t> sync = SyncSymbols();
  std::copy(sync.begin(), sync.end(), symbols.begin() + 5);
  std::copy(sync.begin(), sync.end(), symbols.begin() + 25);
  symbols[27] ^= 1;  // one bit off
  EXPECT_EQ(FindSyncs(symbols), std::vector<size_t>({5, 25}));
  symbols[28] ^= 2;  // two bits off
  EXPECT_EQ(FindSyncs(symbols), std::vector<size_t>({5}));
  EXPECT_TRUE(FindSyncs(std::vector<uint8_t>(7, 1)).empty());
}

}  // namespace
}  // namespace hallmark::watermark::unicode_text
