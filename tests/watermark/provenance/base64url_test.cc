#include "watermark/provenance/base64url.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hallmark::provenance {
namespace {

using ::testing::HasSubstr;

// RFC 4648 §10 vectors, in the URL-safe alphabet without padding.
TEST(Base64UrlTest, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    absl::StatusOr<std::string> decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64UrlTest, UsesTheUrlSafeAlphabet) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(*Base64UrlDecode("-_-_"), bytes);
}

TEST(Base64UrlTest, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 37) {
    const std::string bytes = all.substr(0, n);
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
  }
}

TEST(Base64UrlTest, RejectsNonCanonicalInput) {
  EXPECT_THAT(Base64UrlDecode("Zg==").status().message(), HasSubstr("character 2 is 0x3d"));
  EXPECT_FALSE(Base64UrlDecode("+/+/").ok());  // the standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zm9v Yg").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9v\n").ok());
  EXPECT_THAT(Base64UrlDecode("Zm9vY").status().message(), HasSubstr("cannot occur"));
  // "QQ" is 0x41; "QR" sets a bit past the last whole byte.
  EXPECT_EQ(*Base64UrlDecode("QQ"), "A");
  EXPECT_THAT(Base64UrlDecode("QR").status().message(), HasSubstr("not canonical"));
  EXPECT_FALSE(Base64UrlDecode("QUF").ok());  // "QUE" is canonical
  EXPECT_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)).ok());
}

}  // namespace
}  // namespace hallmark::provenance
