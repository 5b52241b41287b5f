#include "sidecar/policy/admission_gate.h"

#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace hallmark::sidecar {
namespace {

// Polls until `condition` holds, for at most 10 s (a loaded machine may be
// slow to schedule the waiting thread; no fixed sleeps).
template <typename Condition>
bool Eventually(Condition condition) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return condition();
}

TEST(AdmissionGateTest, AdmitsUpToTheLimitThenShedsWithoutAQueue) {
  AdmissionGate gate({.max_in_flight = 2, .max_queued = 0}, nullptr, nullptr);
  AdmissionGate::Permit a = gate.Enter(absl::Seconds(1));
  AdmissionGate::Permit b = gate.Enter(absl::Seconds(1));
  EXPECT_TRUE(a.admitted());
  EXPECT_TRUE(b.admitted());
  EXPECT_EQ(gate.in_flight(), 2);
  const absl::Time before = absl::Now();
  AdmissionGate::Permit c = gate.Enter(absl::Seconds(30));
  EXPECT_FALSE(c.admitted());
  // Refused at once, not after the 30 s it was allowed to wait.
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
  a = AdmissionGate::Permit();  // releases
  EXPECT_EQ(gate.in_flight(), 1);
  EXPECT_TRUE(gate.Enter(absl::ZeroDuration()).admitted());
  EXPECT_EQ(gate.in_flight(), 1);  // the temporary permit was released
}

TEST(AdmissionGateTest, QueuedRequestGetsTheNextSlotAndAFullQueueSheds) {
  AdmissionGate gate({.max_in_flight = 1, .max_queued = 1}, nullptr, nullptr);
  auto holder = std::make_unique<AdmissionGate::Permit>(gate.Enter(absl::Seconds(1)));
  ASSERT_TRUE(holder->admitted());

  bool waiter_admitted = false;
  std::thread waiter([&] { waiter_admitted = gate.Enter(absl::Seconds(60)).admitted(); });
  ASSERT_TRUE(Eventually([&] { return gate.queued() == 1; }));
  // The queue is full: the next caller is refused at once.
  EXPECT_FALSE(gate.Enter(absl::Seconds(60)).admitted());

  holder.reset();  // frees the slot for the waiter
  waiter.join();
  EXPECT_TRUE(waiter_admitted);
  EXPECT_EQ(gate.queued(), 0);
  EXPECT_EQ(gate.in_flight(), 0);
}

TEST(AdmissionGateTest, QueuedRequestGivesUpWhenItsWaitRunsOut) {
  AdmissionGate gate({.max_in_flight = 1, .max_queued = 4}, nullptr, nullptr);
  AdmissionGate::Permit holder = gate.Enter(absl::Seconds(1));
  EXPECT_FALSE(gate.Enter(absl::Milliseconds(2)).admitted());
  EXPECT_EQ(gate.queued(), 0);
}

TEST(AdmissionGateTest, LimitsAreClampedToSaneValues) {
  AdmissionGate gate({.max_in_flight = 0, .max_queued = -3}, nullptr, nullptr);
  EXPECT_EQ(gate.limits().max_in_flight, 1);
  EXPECT_EQ(gate.limits().max_queued, 0);
}

TEST(AdmissionGateTest, SlotsFullStatusIsToldApartFromOtherResourceErrors) {
  const absl::Status full = SlotsFullStatus("text", {.max_in_flight = 32, .max_queued = 256});
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(full.message(), "text work is at its limit (32 in flight, 256 queued); retry later");
  EXPECT_TRUE(IsSlotsFull(full));
  EXPECT_FALSE(IsSlotsFull(absl::ResourceExhaustedError("image is 9000x9000; the limit is ...")));
  EXPECT_FALSE(IsSlotsFull(absl::OkStatus()));
}

}  // namespace
}  // namespace hallmark::sidecar
