#include "sidecar/policy/usable_cores.h"

#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

TEST(UsableCoresTest, ReadsCgroupV2CpuMax) {
  EXPECT_EQ(ParseCgroupV2CpuMax("max 100000\n"), absl::nullopt);
  EXPECT_EQ(ParseCgroupV2CpuMax("200000 100000\n"), 2.0);
  EXPECT_EQ(ParseCgroupV2CpuMax("150000 100000"), 1.5);
  EXPECT_EQ(ParseCgroupV2CpuMax("50000 100000"), 0.5);
}

TEST(UsableCoresTest, MalformedQuotasMeanNoQuota) {
  for (const char* content :
       {"", "\n", "100000", "abc 100000", "100000 abc", "100000 0", "-1 100000",
        "100000 100000 100000", "0 100000", "99999999999999999999 1"}) {
    EXPECT_EQ(ParseCgroupV2CpuMax(content), absl::nullopt) << '"' << content << '"';
  }
  EXPECT_EQ(ParseCgroupV1Quota("", "100000"), absl::nullopt);
  EXPECT_EQ(ParseCgroupV1Quota("100000", "x"), absl::nullopt);
}

TEST(UsableCoresTest, ReadsCgroupV1Quota) {
  EXPECT_EQ(ParseCgroupV1Quota("-1\n", "100000\n"), absl::nullopt);
  EXPECT_EQ(ParseCgroupV1Quota("300000\n", "100000\n"), 3.0);
  EXPECT_EQ(ParseCgroupV1Quota("25000", "100000"), 0.25);
}

TEST(UsableCoresTest, TheSmallerOfAffinityAndQuotaRoundedUpAndAtLeastOne) {
  EXPECT_EQ(CoresFor(64, absl::nullopt), 64);
  EXPECT_EQ(CoresFor(64, 2.0), 2);
  EXPECT_EQ(CoresFor(64, 1.5), 2);
  EXPECT_EQ(CoresFor(2, 8.0), 2);
  EXPECT_EQ(CoresFor(1, 0.25), 1);
  EXPECT_EQ(CoresFor(0, absl::nullopt), 1);
}

TEST(UsableCoresTest, ThisProcessHasAtLeastOneCore) {
  const UsableCores usable = DetectUsableCores();
  EXPECT_GE(usable.affinity, 1);
  EXPECT_GE(usable.cores, 1);
  EXPECT_LE(usable.cores, usable.affinity);
}

}  // namespace
}  // namespace hallmark::sidecar
