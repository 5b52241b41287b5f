#include "watermark/crypto/hmac_sha256.h"

#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::watermark {
namespace {

using ::testing::HasSubstr;

std::vector<uint8_t> Bytes(absl::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::vector<uint8_t> Repeat(uint8_t byte, size_t n) { return std::vector<uint8_t>(n, byte); }

std::string Hex(const Sha256Digest& digest) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string HmacHex(absl::Span<const uint8_t> key, absl::Span<const uint8_t> message) {
  absl::StatusOr<HmacSha256> mac = HmacSha256::Create(key);
  EXPECT_TRUE(mac.ok()) << mac.status();
  if (!mac.ok()) return "";
  return Hex(mac->Compute(message));
}

// RFC 4231 §4.2: key = 0x0b * 20, data = "Hi There".
TEST(HmacSha256Test, Rfc4231Case1) {
  EXPECT_EQ(HmacHex(Repeat(0x0b, 20), Bytes("Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// RFC 4231 §4.3: a key shorter than the output.
TEST(HmacSha256Test, Rfc4231Case2) {
  EXPECT_EQ(HmacHex(Bytes("Jefe"), Bytes("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 §4.4: combined length of key and data larger than 64 bytes.
TEST(HmacSha256Test, Rfc4231Case3) {
  EXPECT_EQ(HmacHex(Repeat(0xaa, 20), Repeat(0xdd, 50)),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

// RFC 4231 §4.5: key = 0x01..0x19.
TEST(HmacSha256Test, Rfc4231Case4) {
  std::vector<uint8_t> key;
  for (uint8_t b = 0x01; b <= 0x19; ++b) key.push_back(b);
  EXPECT_EQ(HmacHex(key, Repeat(0xcd, 50)),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

// RFC 4231 §4.7: a key larger than the block size is hashed first.
TEST(HmacSha256Test, Rfc4231Case6) {
  EXPECT_EQ(
      HmacHex(Repeat(0xaa, 131), Bytes("Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// RFC 4231 §4.8: key and data both larger than the block size.
TEST(HmacSha256Test, Rfc4231Case7) {
  EXPECT_EQ(HmacHex(Repeat(0xaa, 131),
                    Bytes("This is a test using a larger than block-size key and a larger than "
                          "block-size data. The key needs to be hashed before being used by the "
                          "HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256Test, EmptyKeyIsRejected) {
  absl::StatusOr<HmacSha256> mac = HmacSha256::Create({});
  ASSERT_FALSE(mac.ok());
  EXPECT_EQ(mac.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mac.status().message(), HasSubstr("empty"));
}

TEST(HmacSha256Test, ComputeDoesNotDisturbThePreparedKey) {
  // Each Compute starts from the keyed template: repeating a message, or
  // computing another one in between, must not change its MAC.
  absl::StatusOr<HmacSha256> mac = HmacSha256::Create(Bytes("Jefe"));
  ASSERT_TRUE(mac.ok()) << mac.status();
  const std::vector<uint8_t> message = Bytes("what do ya want for nothing?");
  const Sha256Digest first = mac->Compute(message);
  const Sha256Digest other = mac->Compute(Bytes("something else"));
  EXPECT_NE(first, other);
  EXPECT_EQ(mac->Compute(message), first);
  EXPECT_EQ(Hex(first), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Test, EmptyMessage) {
  // HMAC-SHA256 with key "key" over the empty message (cross-checked with
  // Python's hmac module).
  EXPECT_EQ(HmacHex(Bytes("key"), {}),
            "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0");
}

TEST(HmacSha256Test, MovedObjectKeepsItsKey) {
  absl::StatusOr<HmacSha256> mac = HmacSha256::Create(Repeat(0x0b, 20));
  ASSERT_TRUE(mac.ok()) << mac.status();
  HmacSha256 moved = std::move(mac).value();
  EXPECT_EQ(Hex(moved.Compute(Bytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  absl::StatusOr<HmacSha256> other = HmacSha256::Create(Bytes("Jefe"));
  ASSERT_TRUE(other.ok()) << other.status();
  moved = std::move(other).value();
  EXPECT_EQ(Hex(moved.Compute(Bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Test, ConcurrentComputeGivesIdenticalResults) {
  absl::StatusOr<HmacSha256> created = HmacSha256::Create(Repeat(0x5a, 32));
  ASSERT_TRUE(created.ok()) << created.status();
  const HmacSha256& mac = *created;

  constexpr int kThreads = 8;
  constexpr int kIterations = 2000;
  constexpr int kMessages = 16;
  std::vector<std::vector<uint8_t>> messages;
  std::vector<Sha256Digest> expected;
  for (int i = 0; i < kMessages; ++i) {
    messages.push_back(Repeat(static_cast<uint8_t>(i), 27 + i));
    expected.push_back(mac.Compute(messages.back()));
  }

  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIterations; ++i) {
        const int m = (i + t) % kMessages;
        if (mac.Compute(messages[m]) != expected[m]) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  // The digests differ per message, so a mismatch count of 0 is meaningful.
  EXPECT_NE(expected[0], expected[1]);
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // FIPS 180-2 two-block message.
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, HandlesEmbeddedZeroBytes) {
  const std::string with_zero("a\0b", 3);
  EXPECT_NE(Sha256(with_zero), Sha256("a"));
  EXPECT_NE(Sha256(with_zero), Sha256("ab"));
}

TEST(FillRandomTest, FillsTheWholeBuffer) {
  std::vector<uint8_t> a(64, 0);
  std::vector<uint8_t> b(64, 0);
  ASSERT_TRUE(FillRandom(absl::MakeSpan(a)).ok());
  ASSERT_TRUE(FillRandom(absl::MakeSpan(b)).ok());
  // Two 512-bit draws colliding, or either staying all zero, has
  // probability around 2^-512.
  EXPECT_NE(a, b);
  EXPECT_NE(a, std::vector<uint8_t>(64, 0));
  EXPECT_NE(b, std::vector<uint8_t>(64, 0));
  // The last byte is written too (no off-by-one): over 4 draws of a 2-byte
  // buffer, the second byte stays zero with probability 2^-32.
  bool last_byte_written = false;
  for (int i = 0; i < 4; ++i) {
    uint8_t small[2] = {0, 0};
    ASSERT_TRUE(FillRandom(absl::MakeSpan(small)).ok());
    last_byte_written |= small[1] != 0;
  }
  EXPECT_TRUE(last_byte_written);
  EXPECT_TRUE(FillRandom({}).ok());
}

TEST(ConstantTimeEqualsTest, ComparesContentsAndLength) {
  const std::vector<uint8_t> a = {1, 2, 3, 4};
  std::vector<uint8_t> b = a;
  EXPECT_TRUE(ConstantTimeEquals(a, b));
  for (size_t i = 0; i < b.size(); ++i) {
    b = a;
    b[i] ^= 0x80;
    EXPECT_FALSE(ConstantTimeEquals(a, b)) << "differing byte " << i;
  }
  const std::vector<uint8_t> prefix = {1, 2, 3};
  EXPECT_FALSE(ConstantTimeEquals(a, prefix));
  EXPECT_FALSE(ConstantTimeEquals(prefix, a));
  EXPECT_FALSE(ConstantTimeEquals(a, {}));
  EXPECT_TRUE(ConstantTimeEquals({}, {}));
}

}  // namespace
}  // namespace hallmark::watermark
