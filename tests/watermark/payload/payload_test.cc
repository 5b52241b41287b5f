#include "watermark/payload/payload.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "watermark/crypto/hmac_sha256.h"
#include "watermark/key/watermark_key.h"

namespace hallmark::watermark {
namespace {

using ::testing::MatchesRegex;

std::vector<uint8_t> Secret(uint8_t seed, size_t size = 32) {
  std::vector<uint8_t> secret(size);
  for (size_t i = 0; i < size; ++i) secret[i] = static_cast<uint8_t>(seed * 31 + i * 7 + 1);
  return secret;
}

std::shared_ptr<const WatermarkKey> MakeKey(absl::string_view id, uint8_t seed) {
  absl::StatusOr<std::shared_ptr<const WatermarkKey>> key = WatermarkKey::Create(id, Secret(seed));
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? *key : nullptr;
}

absl::Time Epoch() {
  return absl::FromCivil(absl::CivilSecond(2025, 1, 1, 0, 0, 0), absl::UTCTimeZone());
}

PayloadFields SampleFields(const WatermarkKey& key) {
  PayloadFields fields;
  fields.key_tag = key.tag();
  fields.space_tag = SpaceTag("default");
  fields.hour = 12345;
  fields.nonce = 4321;
  return fields;
}

PayloadBits FlipBit(PayloadBits bits, int bit) {
  bits[bit / 8] ^= static_cast<uint8_t>(0x80u >> (bit % 8));
  return bits;
}

// Two distinct ids whose key tags collide (found by counting up; the 8-bit
// tag collides within a few dozen ids by the birthday bound).
std::pair<std::string, std::string> CollidingIds() {
  absl::flat_hash_map<uint8_t, std::string> seen;
  for (int i = 0;; ++i) {
    std::string id = absl::StrCat("key-", i);
    auto [it, inserted] = seen.emplace(KeyTag(id), id);
    if (!inserted) return {it->second, id};
  }
}

TEST(PayloadTest, SealOpenRoundTripWithSeveralKeys) {
  const std::vector<std::shared_ptr<const WatermarkKey>> keys = {
      MakeKey("alpha", 1), MakeKey("beta", 2), MakeKey("gamma", 3)};
  const KeySet set(keys);
  for (const auto& key : keys) {
    const PayloadFields fields = SampleFields(*key);
    const PayloadBits bits = SealPayload(fields, *key, PayloadDomain::kTextUnicode);
    const OpenedPayload opened = OpenPayload(bits, set, PayloadDomain::kTextUnicode);
    EXPECT_TRUE(opened.verified()) << key->id();
    EXPECT_EQ(opened.key, key.get()) << key->id();
    EXPECT_EQ(opened.fields, fields);
    EXPECT_GE(opened.mac_checks, 1);
    EXPECT_EQ(UnpackPayloadFields(bits), fields);
  }
}

TEST(PayloadTest, MacIsTruncatedHmacOverLabelDomainAndData) {
  // Recompute the MAC independently from the documented layout.
  const std::vector<uint8_t> secret = Secret(9);
  absl::StatusOr<std::shared_ptr<const WatermarkKey>> key = WatermarkKey::Create("k1", secret);
  ASSERT_TRUE(key.ok()) << key.status();
  const PayloadFields fields = SampleFields(**key);
  for (PayloadDomain domain : {PayloadDomain::kTextUnicode, PayloadDomain::kImage}) {
    const PayloadBits bits = SealPayload(fields, **key, domain);
    const std::string label = "hallmark/payload/v1";
    std::vector<uint8_t> input(label.begin(), label.end());
    input.push_back(static_cast<uint8_t>(domain));
    input.insert(input.end(), bits.begin(), bits.begin() + 7);
    ASSERT_EQ(input.size(), 27u);
    absl::StatusOr<HmacSha256> mac = HmacSha256::Create(secret);
    ASSERT_TRUE(mac.ok()) << mac.status();
    const Sha256Digest digest = mac->Compute(input);
    EXPECT_TRUE(std::equal(bits.begin() + 7, bits.end(), digest.begin()));
  }
}

TEST(PayloadTest, WrongKeyDoesNotVerify) {
  const auto signer = MakeKey("signer", 1);
  const PayloadBits bits = SealPayload(SampleFields(*signer), *signer, PayloadDomain::kImage);

  // Same id (so same tag) but a different secret: the MAC is checked and fails.
  const auto impostor = MakeKey("signer", 2);
  const OpenedPayload same_tag = OpenPayload(bits, KeySet({impostor}), PayloadDomain::kImage);
  EXPECT_FALSE(same_tag.verified());
  EXPECT_EQ(same_tag.mac_checks, 1);
  EXPECT_EQ(same_tag.fields, SampleFields(*signer));

  // A set without the signer's tag computes no MAC at all.
  std::vector<std::shared_ptr<const WatermarkKey>> others;
  for (int i = 0; others.size() < 3; ++i) {
    auto key = MakeKey(absl::StrCat("other-", i), 3);
    if (key->tag() != signer->tag()) others.push_back(key);
  }
  const OpenedPayload no_tag = OpenPayload(bits, KeySet(others), PayloadDomain::kImage);
  EXPECT_FALSE(no_tag.verified());
  EXPECT_EQ(no_tag.mac_checks, 0);

  EXPECT_FALSE(OpenPayload(bits, KeySet(), PayloadDomain::kImage).verified());
}

TEST(PayloadTest, AnyFlippedBitFailsVerification) {
  const std::vector<std::shared_ptr<const WatermarkKey>> keys = {
      MakeKey("alpha", 1), MakeKey("beta", 2), MakeKey("gamma", 3)};
  const KeySet set(keys);
  const PayloadBits bits = SealPayload(SampleFields(*keys[1]), *keys[1], PayloadDomain::kImage);
  ASSERT_TRUE(OpenPayload(bits, set, PayloadDomain::kImage).verified());
  for (int bit = 0; bit < kPayloadBits; ++bit) {
    EXPECT_FALSE(OpenPayload(FlipBit(bits, bit), set, PayloadDomain::kImage).verified())
        << "bit " << bit;
  }
}

TEST(PayloadTest, DomainsAreSeparated) {
  const auto key = MakeKey("k1", 4);
  const KeySet set({key});
  const PayloadFields fields = SampleFields(*key);
  const PayloadBits text = SealPayload(fields, *key, PayloadDomain::kTextUnicode);
  const PayloadBits image = SealPayload(fields, *key, PayloadDomain::kImage);
  // Same data bytes, different MACs.
  EXPECT_TRUE(std::equal(text.begin(), text.begin() + 7, image.begin()));
  EXPECT_NE(text, image);
  EXPECT_TRUE(OpenPayload(text, set, PayloadDomain::kTextUnicode).verified());
  EXPECT_TRUE(OpenPayload(image, set, PayloadDomain::kImage).verified());
  const OpenedPayload crossed = OpenPayload(text, set, PayloadDomain::kImage);
  EXPECT_FALSE(crossed.verified());
  EXPECT_EQ(crossed.mac_checks, 1);
  EXPECT_FALSE(OpenPayload(image, set, PayloadDomain::kTextUnicode).verified());
}

TEST(PayloadTest, FieldPackingAtBoundaries) {
  const auto key = MakeKey("k1", 5);
  struct Case {
    PayloadFields fields;
    std::string data_hex;  // bytes 0..6
  };
  const std::vector<Case> cases = {
      {{0, 0, 0, 0}, "00000000000000"},
      {{0xff, 0xffff, kMaxHour, kMaxNonce}, "ffffffffffffff"},
      {{0xa5, 0x1234, 1, 0}, "a5123400004000"},  // hour 1 is bit 41
      {{0, 0, kMaxHour, 0}, "000000ffffc000"},   // bits 24..41
      {{0, 0, 0, kMaxNonce}, "00000000003fff"},  // bits 42..55
      {{0x80, 0, 0, 1}, "80000000000001"},
      {{0, 0x8001, 0, 0}, "00800100000000"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PayloadId(c.fields), c.data_hex);
    const PayloadBits bits = SealPayload(c.fields, *key, PayloadDomain::kTextUnicode);
    EXPECT_EQ(UnpackPayloadFields(bits), c.fields) << c.data_hex;
    std::string hex;
    for (int i = 0; i < 7; ++i) absl::StrAppend(&hex, absl::Hex(bits[i], absl::kZeroPad2));
    EXPECT_EQ(hex, c.data_hex);
  }
}

TEST(PayloadTest, PayloadIdFormat) {
  const auto key = MakeKey("k1", 6);
  for (int i = 0; i < 50; ++i) {
    const PayloadFields fields = NewPayloadFields(absl::StrCat("space-", i), *key, absl::Now());
    EXPECT_THAT(PayloadId(fields), MatchesRegex("[0-9a-f]{14}"));
  }
  EXPECT_EQ(PayloadId({0xab, 0xcdef, 0, 0}), "abcdef00000000");
}

TEST(PayloadTest, PayloadHourAroundEpochAndClamping) {
  const absl::Time epoch = Epoch();
  EXPECT_EQ(PayloadHour(epoch), 0u);
  EXPECT_EQ(PayloadHour(epoch + absl::Minutes(59)), 0u);
  EXPECT_EQ(PayloadHour(epoch + absl::Hours(1)), 1u);
  EXPECT_EQ(PayloadHour(epoch + absl::Hours(1) - absl::Nanoseconds(1)), 0u);
  EXPECT_EQ(PayloadHour(epoch - absl::Seconds(1)), 0u);
  EXPECT_EQ(PayloadHour(epoch - absl::Hours(1000)), 0u);
  for (int h = 1; h <= 48; ++h) {
    EXPECT_EQ(PayloadHour(epoch - absl::Hours(h)), 0u) << h << " hours before";
    EXPECT_EQ(PayloadHour(epoch - absl::Hours(h) + absl::Minutes(30)), 0u) << h;
  }
  EXPECT_EQ(PayloadHour(absl::InfinitePast()), 0u);
  EXPECT_EQ(
      PayloadHour(absl::FromCivil(absl::CivilSecond(2025, 1, 2, 3, 30, 0), absl::UTCTimeZone())),
      27u);
  EXPECT_EQ(PayloadHour(epoch + absl::Hours(kMaxHour)), kMaxHour);
  EXPECT_EQ(PayloadHour(epoch + absl::Hours(kMaxHour) - absl::Seconds(1)), kMaxHour - 1);
  for (uint32_t extra : {1u, 2u, 3u, 1000u, 1u << 20}) {
    EXPECT_EQ(PayloadHour(epoch + absl::Hours(kMaxHour + extra)), kMaxHour) << extra;
  }
  EXPECT_EQ(PayloadHour(absl::InfiniteFuture()), kMaxHour);
}

TEST(PayloadTest, PayloadHourStart) {
  EXPECT_EQ(PayloadHourStart(0), Epoch());
  EXPECT_EQ(PayloadHourStart(0), absl::FromUnixSeconds(1735689600));
  EXPECT_EQ(PayloadHourStart(27),
            absl::FromCivil(absl::CivilSecond(2025, 1, 2, 3, 0, 0), absl::UTCTimeZone()));
  // The 18-bit hour lasts until late 2054.
  EXPECT_EQ(PayloadHourStart(kMaxHour),
            absl::FromCivil(absl::CivilSecond(2054, 11, 27, 15, 0, 0), absl::UTCTimeZone()));
  for (uint32_t hour : {0u, 1u, 23u, 8760u, 100000u, kMaxHour - 1, kMaxHour}) {
    EXPECT_EQ(PayloadHour(PayloadHourStart(hour)), hour);
    EXPECT_EQ(PayloadHour(PayloadHourStart(hour) + absl::Minutes(59)), hour);
  }
}

TEST(PayloadTest, TagsAreDeterministicAndDocumented) {
  // First bytes of SHA-256 of the documented, prefixed strings.
  EXPECT_EQ(SpaceTag("default"), 0xfebb);  // SHA-256("hallmark/space/default")
  EXPECT_EQ(SpaceTag(""), 0xe47a);         // SHA-256("hallmark/space/")
  EXPECT_EQ(KeyTag("k1"), 0x64);           // SHA-256("hallmark/key/k1")
  EXPECT_EQ(SpaceTag("default"), SpaceTag(std::string("default")));
  EXPECT_NE(SpaceTag("default"), SpaceTag("Default"));
  const auto key = MakeKey("k1", 7);
  EXPECT_EQ(key->tag(), KeyTag("k1"));
  // Tags depend on the id only, never on the secret.
  EXPECT_EQ(MakeKey("k1", 8)->tag(), key->tag());
}

TEST(PayloadTest, NewPayloadFields) {
  const auto key = MakeKey("k1", 9);
  const absl::Time now = Epoch() + absl::Hours(500) + absl::Minutes(10);
  std::set<uint16_t> nonces;
  for (int i = 0; i < 64; ++i) {
    const PayloadFields fields = NewPayloadFields("default", *key, now);
    EXPECT_EQ(fields.key_tag, key->tag());
    EXPECT_EQ(fields.space_tag, SpaceTag("default"));
    EXPECT_EQ(fields.hour, 500u);
    EXPECT_LE(fields.nonce, kMaxNonce);
    nonces.insert(fields.nonce);
  }
  // 64 draws of 14 random bits: all equal has probability 2^-882. Expect
  // mostly distinct values (about 0.12 collisions on average).
  EXPECT_GE(nonces.size(), 60u);
}

TEST(PayloadTest, MacChecksCountKeysSharingATag) {
  const auto [id1, id2] = CollidingIds();
  ASSERT_NE(id1, id2);
  const auto key1 = MakeKey(id1, 1);
  const auto key2 = MakeKey(id2, 2);
  ASSERT_EQ(key1->tag(), key2->tag());
  const auto unrelated = MakeKey("unrelated", 3);
  ASSERT_NE(unrelated->tag(), key1->tag());
  const KeySet set({key1, unrelated, key2});
  ASSERT_EQ(set.WithTag(key1->tag()).size(), 2u);

  for (const auto& signer : {key1, key2}) {
    const PayloadBits bits =
        SealPayload(SampleFields(*signer), *signer, PayloadDomain::kTextUnicode);
    const OpenedPayload opened = OpenPayload(bits, set, PayloadDomain::kTextUnicode);
    EXPECT_TRUE(opened.verified());
    EXPECT_EQ(opened.key, signer.get());
    EXPECT_EQ(opened.mac_checks, 2);
  }
  // An unverifiable payload under the shared tag also costs two MAC checks.
  PayloadBits forged = SealPayload(SampleFields(*key1), *key1, PayloadDomain::kTextUnicode);
  forged = FlipBit(forged, 87);
  const OpenedPayload opened = OpenPayload(forged, set, PayloadDomain::kTextUnicode);
  EXPECT_FALSE(opened.verified());
  EXPECT_EQ(opened.mac_checks, 2);
  // Only one of them in the set: one check.
  EXPECT_EQ(OpenPayload(forged, KeySet({key1}), PayloadDomain::kTextUnicode).mac_checks, 1);
}

TEST(WatermarkKeyTest, ValidIds) {
  for (absl::string_view id :
       {"a", "k1", "Key-2025.01_A", "a..b", "-dash", "_under", "9", "x.",
        "0123456789012345678901234567890123456789012345678901234567890123"}) {
    EXPECT_TRUE(ValidateKeyId(id).ok()) << id;
    absl::StatusOr<std::shared_ptr<const WatermarkKey>> key = WatermarkKey::Create(id, Secret(1));
    ASSERT_TRUE(key.ok()) << id << ": " << key.status();
    EXPECT_EQ((*key)->id(), id);
  }
}

TEST(WatermarkKeyTest, InvalidIdsAreRejected) {
  const std::string too_long(65, 'a');
  for (absl::string_view id :
       {absl::string_view("..data"), absl::string_view(".hidden"), absl::string_view("."),
        absl::string_view(""), absl::string_view(too_long), absl::string_view("a/b"),
        absl::string_view("/"), absl::string_view("a b"), absl::string_view(" a"),
        absl::string_view("a "), absl::string_view("a:b"), absl::string_view("a\\b"),
        absl::string_view("a\0b", 3), absl::string_view("caf\xc3\xa9"),
        absl::string_view("a\nb")}) {
    const absl::Status status = ValidateKeyId(id);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "\"" << id << "\"";
    absl::StatusOr<std::shared_ptr<const WatermarkKey>> key = WatermarkKey::Create(id, Secret(1));
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument) << "\"" << id << "\"";
  }
}

TEST(WatermarkKeyTest, ShortSecretsAreRejected) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{15}}) {
    absl::StatusOr<std::shared_ptr<const WatermarkKey>> key =
        WatermarkKey::Create("k1", Secret(1, size));
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument) << size;
  }
  EXPECT_TRUE(WatermarkKey::Create("k1", Secret(1, WatermarkKey::kMinSecretBytes)).ok());
}

TEST(WatermarkKeyTest, ErrorsDoNotContainTheSecret) {
  // A recognizable 15-byte secret must not show up in the message.
  const std::string secret = "SECRETSECRET123";
  absl::StatusOr<std::shared_ptr<const WatermarkKey>> key = WatermarkKey::Create(
      "k1", absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(secret.data()), secret.size()));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message().find("SECRET"), absl::string_view::npos);
}

TEST(KeySetTest, FindAndWithTag) {
  const auto a = MakeKey("alpha", 1);
  const auto b = MakeKey("beta", 2);
  const KeySet set({a, b});
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.Find("alpha"), a.get());
  EXPECT_EQ(set.Find("beta"), b.get());
  EXPECT_EQ(set.Find("gamma"), nullptr);
  EXPECT_EQ(set.Find("alph"), nullptr);
  const std::vector<const WatermarkKey*> with_a = set.WithTag(a->tag());
  EXPECT_NE(std::find(with_a.begin(), with_a.end(), a.get()), with_a.end());
  for (const WatermarkKey* key : with_a) EXPECT_EQ(key->tag(), a->tag());
  int tagless = 0;
  while (tagless == a->tag() || tagless == b->tag()) ++tagless;
  EXPECT_TRUE(set.WithTag(static_cast<uint8_t>(tagless)).empty());
  EXPECT_TRUE(KeySet().WithTag(a->tag()).empty());
  EXPECT_EQ(KeySet().Find("alpha"), nullptr);
}

}  // namespace
}  // namespace hallmark::watermark
