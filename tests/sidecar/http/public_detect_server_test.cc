// The public endpoint itself is tested end to end
// (tests/integration/test_public_detect.py); here, its client key.
#include "sidecar/http/public_detect_server.h"

#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

TEST(RateLimitKeyTest, Ipv4IsTheAddress) {
  EXPECT_EQ(RateLimitKey("192.0.2.7"), "192.0.2.7");
  EXPECT_NE(RateLimitKey("192.0.2.7"), RateLimitKey("192.0.2.8"));
}

TEST(RateLimitKeyTest, Ipv6IsItsSlash64) {
  EXPECT_EQ(RateLimitKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimitKey("2001:db8:1:2:aaaa::1"), RateLimitKey("2001:db8:1:2:ffff:1:2:3"));
  EXPECT_NE(RateLimitKey("2001:db8:1:2::1"), RateLimitKey("2001:db8:1:3::1"));
  EXPECT_EQ(RateLimitKey("::1"), "::/64");
}

TEST(RateLimitKeyTest, Ipv4MappedIpv6IsTheIpv4Address) {
  EXPECT_EQ(RateLimitKey("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_NE(RateLimitKey("::ffff:192.0.2.7"), RateLimitKey("::ffff:192.0.2.8"));
}

TEST(RateLimitKeyTest, AnythingElseIsKeptAsIs) {
  EXPECT_EQ(RateLimitKey(""), "");
  EXPECT_EQ(RateLimitKey("not an address"), "not an address");
}

}  // namespace
}  // namespace hallmark::sidecar
