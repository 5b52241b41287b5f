#include "sidecar/policy/request_budget.h"

#include "gtest/gtest.h"
#include "tests/support/simulated_clock.h"

namespace hallmark::sidecar {
namespace {

TEST(RequestBudgetTest, PolicyBudgetBindsWithoutCallerDeadline) {
  testing::SimulatedClock clock;
  const absl::Time start = clock.Now();
  RequestBudget budget(clock, start, absl::Milliseconds(200), absl::InfiniteFuture());
  EXPECT_EQ(budget.deadline(), start + absl::Milliseconds(200));
  clock.Advance(absl::Milliseconds(199));
  EXPECT_FALSE(budget.Expired());
  clock.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(budget.Expired());
  EXPECT_EQ(budget.Elapsed(), absl::Milliseconds(200));
}

TEST(RequestBudgetTest, EarlierCallerDeadlineWins) {
  testing::SimulatedClock clock;
  const absl::Time start = clock.Now();
  RequestBudget budget(clock, start, absl::Milliseconds(200), start + absl::Milliseconds(30));
  EXPECT_EQ(budget.deadline(), start + absl::Milliseconds(30));
  clock.Advance(absl::Milliseconds(30));
  EXPECT_TRUE(budget.Expired());
}

TEST(RequestBudgetTest, LaterCallerDeadlineDoesNotExtendTheBudget) {
  testing::SimulatedClock clock;
  const absl::Time start = clock.Now();
  RequestBudget budget(clock, start, absl::Milliseconds(150), start + absl::Seconds(10));
  EXPECT_EQ(budget.deadline(), start + absl::Milliseconds(150));
}

TEST(RequestBudgetTest, DeadlineAlreadyPassedIsExpiredAtOnce) {
  testing::SimulatedClock clock;
  const absl::Time start = clock.Now();
  RequestBudget budget(clock, start, absl::Milliseconds(200), start - absl::Milliseconds(1));
  EXPECT_TRUE(budget.Expired());
}

}  // namespace
}  // namespace hallmark::sidecar
