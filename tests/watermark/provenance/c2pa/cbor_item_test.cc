// The CBOR layer: preferred (shortest) integer encoding, round trips, and
// refusal of inputs that declare more than they hold.
#include "watermark/provenance/c2pa/cbor_item.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace hallmark::c2pa {
namespace {

std::string Encoded(CborItem item) { return CborEncode(item.get()); }

TEST(CborItemTest, IntegersUseTheirShortestForm) {
  EXPECT_EQ(Encoded(CborUint(23)), std::string("\x17", 1));
  EXPECT_EQ(Encoded(CborUint(24)), std::string("\x18\x18", 2));
  EXPECT_EQ(Encoded(CborUint(65535)), std::string("\x19\xff\xff", 3));
  EXPECT_EQ(Encoded(CborUint(65536)), std::string("\x1a\x00\x01\x00\x00", 5));
  EXPECT_EQ(Encoded(CborInt(-7)), std::string("\x26", 1));  // COSE ES256
  EXPECT_EQ(Encoded(CborInt(-300)), std::string("\x39\x01\x2b", 3));
}

TEST(CborItemTest, MapsRoundTripWithTextAndIntegerKeys) {
  CborItem map = CborMapBuilder()
                     .Add("url", CborText("self#jumbf=c2pa.assertions/c2pa.hash.data"))
                     .Add(33, CborBytes(std::string("\x00\x01\x02", 3)))
                     .Add(1, CborInt(-7))
                     .Build();
  const std::string bytes = CborEncode(map.get());
  absl::StatusOr<CborItem> decoded = CborDecode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(CborAsText(CborMapGet(decoded->get(), "url")),
            "self#jumbf=c2pa.assertions/c2pa.hash.data");
  EXPECT_EQ(CborAsBytes(CborMapGet(decoded->get(), 33)), std::string("\x00\x01\x02", 3));
  EXPECT_EQ(CborAsInt(CborMapGet(decoded->get(), 1)), -7);
  EXPECT_EQ(CborMapGet(decoded->get(), "missing"), nullptr);
  EXPECT_EQ(CborAsText(CborMapGet(decoded->get(), 33)), std::nullopt);  // wrong type
}

TEST(CborItemTest, PropertyRandomArraysOfIntegersRoundTrip) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<CborItem> items;
    std::vector<int64_t> values;
    const int count = static_cast<int>(rng() % 40);
    for (int i = 0; i < count; ++i) {
      const int64_t v = static_cast<int64_t>(rng() >> (rng() % 64)) * ((rng() & 1) ? 1 : -1);
      values.push_back(v);
      items.push_back(CborInt(v));
    }
    const std::string bytes = CborEncode(CborArray(items).get());
    absl::StatusOr<CborItem> decoded = CborDecode(bytes);
    ASSERT_TRUE(decoded.ok()) << "seed " << seed;
    const std::vector<const cbor_item_t*> back = CborArrayItems(decoded->get());
    ASSERT_EQ(back.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(CborAsInt(back[i]), values[i]);
  }
}

TEST(CborItemTest, DeclaredSizesBeyondTheInputAreRefusedBeforeDecoding) {
  // A map header asking for 2^47 entries (libcbor 0.8 would allocate them).
  EXPECT_FALSE(CborDecode(std::string("\xbb\x00\x00\x80\x00\x00\x00\x00\x00", 9)).ok());
  EXPECT_FALSE(CborDecode(std::string("\x9a\xff\xff\xff\xff\x01", 6)).ok());  // array
  EXPECT_FALSE(CborDecode(std::string("\x5a\x00\x01\x00\x00xx", 7)).ok());    // bytes
  EXPECT_FALSE(CborDecode(std::string("\x9f\x01\xff", 3)).ok());              // indefinite array
  EXPECT_FALSE(CborDecode(std::string("\x1c", 1)).ok());                      // reserved
  EXPECT_FALSE(CborDecode(std::string("\x01\x02", 2)).ok());                  // trailing bytes
  EXPECT_FALSE(CborDecode("").ok());
  std::string deep(100, '\x81');  // [[[[...]]]] deeper than allowed
  deep.push_back('\x01');
  EXPECT_FALSE(CborDecode(deep).ok());
}

}  // namespace
}  // namespace hallmark::c2pa
