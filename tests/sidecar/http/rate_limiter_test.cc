#include "sidecar/http/rate_limiter.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/simulated_clock.h"

namespace hallmark::sidecar {
namespace {

using Limit = RateLimiter::Limit;

double Millis(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

RateLimiter::Options Options(double rate, double burst, double global_rate, double global_burst,
                             size_t max_clients = 100) {
  RateLimiter::Options options;
  options.per_client = {rate, burst};
  options.global = {global_rate, global_burst};
  options.max_clients = max_clients;
  return options;
}

// Admits `client` until refused; returns how many got through.
int AdmitUntilRefused(RateLimiter& limiter, const std::string& client, int at_most = 1000) {
  for (int i = 0; i < at_most; ++i) {
    if (!limiter.Admit(client).allowed) return i;
  }
  return at_most;
}

TEST(RateLimiterTest, BurstThenRefusedWithRetryAfter) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, Options(5, 10, 0, 1));
  EXPECT_EQ(AdmitUntilRefused(limiter, "10.0.0.1"), 10);
  const RateLimiter::Decision refused = limiter.Admit("10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.limited_by, Limit::kClient);
  EXPECT_NEAR(Millis(refused.retry_after), 200, 1e-6);  // one token at 5/s
}

TEST(RateLimiterTest, RefillsAtTheRateUpToTheBurst) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, Options(5, 10, 0, 1));
  EXPECT_EQ(AdmitUntilRefused(limiter, "a"), 10);
  clock.Advance(absl::Milliseconds(199));
  EXPECT_FALSE(limiter.Admit("a").allowed);
  EXPECT_NEAR(Millis(limiter.Admit("a").retry_after), 1, 1e-6);
  clock.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_FALSE(limiter.Admit("a").allowed);
  clock.Advance(absl::Seconds(1));  // 5 tokens
  EXPECT_EQ(AdmitUntilRefused(limiter, "a"), 5);
  clock.Advance(absl::Hours(1));  // capped at the burst
  EXPECT_EQ(AdmitUntilRefused(limiter, "a"), 10);
}

TEST(RateLimiterTest, ClientsHaveSeparateBuckets) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, Options(1, 2, 0, 1));
  EXPECT_EQ(AdmitUntilRefused(limiter, "a"), 2);
  EXPECT_EQ(AdmitUntilRefused(limiter, "b"), 2);
  EXPECT_FALSE(limiter.Admit("a").allowed);
}

TEST(RateLimiterTest, GlobalBucketBoundsAllClientsTogether) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, Options(100, 100, 10, 5));
  EXPECT_EQ(AdmitUntilRefused(limiter, "a", 3), 3);
  EXPECT_EQ(AdmitUntilRefused(limiter, "b"), 2);
  const RateLimiter::Decision refused = limiter.Admit("c");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.limited_by, Limit::kGlobal);
  EXPECT_NEAR(Millis(refused.retry_after), 100, 1e-6);
  clock.Advance(absl::Milliseconds(100));
  EXPECT_TRUE(limiter.Admit("c").allowed);
}

TEST(RateLimiterTest, RefusedRequestsCostNoTokens) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, Options(1, 1, 1, 3));
  EXPECT_TRUE(limiter.Admit("a").allowed);
  // "a" is refused by its own bucket: the global bucket keeps its tokens.
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(limiter.Admit("a").allowed);
  EXPECT_TRUE(limiter.Admit("b").allowed);
  EXPECT_TRUE(limiter.Admit("c").allowed);
  // The global bucket is empty now; "d" is refused and keeps its own token.
  EXPECT_EQ(limiter.Admit("d").limited_by, Limit::kGlobal);
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Admit("d").allowed);
}

TEST(RateLimiterTest, ZeroRateTurnsABucketOff) {
  testing::SimulatedClock clock;
  RateLimiter unlimited(clock, Options(0, 1, 0, 1));
  EXPECT_EQ(AdmitUntilRefused(unlimited, "a", 10000), 10000);
  EXPECT_EQ(unlimited.tracked_clients(), 0u);

  RateLimiter global_only(clock, Options(0, 1, 1, 4));
  EXPECT_EQ(AdmitUntilRefused(global_only, "a"), 4);
}

TEST(RateLimiterTest, TableIsBoundedAndForgetsTheLeastRecentlySeen) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, Options(1, 1, 0, 1, /*max_clients=*/3));
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_TRUE(limiter.Admit("b").allowed);
  EXPECT_TRUE(limiter.Admit("c").allowed);
  EXPECT_FALSE(limiter.Admit("a").allowed);  // "a" is now the most recent
  EXPECT_TRUE(limiter.Admit("d").allowed);   // evicts "b"
  EXPECT_EQ(limiter.tracked_clients(), 3u);
  EXPECT_FALSE(limiter.Admit("a").allowed);  // still remembered
  EXPECT_FALSE(limiter.Admit("c").allowed);
  EXPECT_TRUE(limiter.Admit("b").allowed);  // forgotten: a full bucket again
  for (int i = 0; i < 1000; ++i) limiter.Admit(absl::StrCat("client-", i));
  EXPECT_EQ(limiter.tracked_clients(), 3u);
}

TEST(RateLimiterTest, FractionalRates) {
  testing::SimulatedClock clock;
  RateLimiter limiter(clock, Options(0.5, 1, 0, 1));
  EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_NEAR(Millis(limiter.Admit("a").retry_after), 2000, 1e-6);
  clock.Advance(absl::Seconds(1));
  EXPECT_NEAR(Millis(limiter.Admit("a").retry_after), 1000, 1e-6);
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Admit("a").allowed);
}

}  // namespace
}  // namespace hallmark::sidecar
