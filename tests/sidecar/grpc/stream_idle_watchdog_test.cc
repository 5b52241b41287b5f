// StreamIdleWatchdog on a simulated clock: only streams silent for longer
// than the limit are cancelled, once; touching restarts the idle time;
// finished streams are forgotten; a zero limit does nothing.
#include "sidecar/grpc/stream_idle_watchdog.h"

#include "gtest/gtest.h"
#include "tests/support/simulated_clock.h"

namespace hallmark::sidecar {
namespace {

TEST(StreamIdleWatchdogTest, CancelsOnlyStreamsIdleLongerThanTheLimit) {
  testing::SimulatedClock clock;
  StreamIdleWatchdog watchdog(clock, absl::Seconds(10), /*start_thread=*/false);
  int cancelled_a = 0;
  int cancelled_b = 0;
  StreamIdleWatchdog::Registration a = watchdog.Watch([&] { ++cancelled_a; });
  StreamIdleWatchdog::Registration b = watchdog.Watch([&] { ++cancelled_b; });

  clock.Advance(absl::Seconds(6));
  b.Touch();
  EXPECT_EQ(watchdog.Sweep(), 0);
  clock.Advance(absl::Seconds(5));  // a: 11 s idle, b: 5 s
  EXPECT_EQ(watchdog.Sweep(), 1);
  EXPECT_EQ(cancelled_a, 1);
  EXPECT_EQ(cancelled_b, 0);
  EXPECT_TRUE(a.timed_out());
  EXPECT_FALSE(b.timed_out());
  EXPECT_EQ(watchdog.Sweep(), 0);  // never twice
  EXPECT_EQ(cancelled_a, 1);
}

TEST(StreamIdleWatchdogTest, FinishedStreamsAreForgotten) {
  testing::SimulatedClock clock;
  StreamIdleWatchdog watchdog(clock, absl::Seconds(1), /*start_thread=*/false);
  int cancelled = 0;
  {
    StreamIdleWatchdog::Registration r = watchdog.Watch([&] { ++cancelled; });
    StreamIdleWatchdog::Registration moved = std::move(r);
  }
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(watchdog.Sweep(), 0);
  EXPECT_EQ(cancelled, 0);
}

TEST(StreamIdleWatchdogTest, ZeroLimitIsOff) {
  testing::SimulatedClock clock;
  StreamIdleWatchdog watchdog(clock, absl::ZeroDuration());
  int cancelled = 0;
  StreamIdleWatchdog::Registration r = watchdog.Watch([&] { ++cancelled; });
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(watchdog.Sweep(), 0);
  EXPECT_FALSE(r.timed_out());
  r.Touch();  // harmless
}

TEST(StreamIdleWatchdogTest, TheThreadStartsAndStopsCleanly) {
  testing::SimulatedClock clock;
  // The sweeping thread runs (with the simulated clock standing still,
  // nothing is idle) and the destructor joins it.
  StreamIdleWatchdog watchdog(clock, absl::Milliseconds(40));
  StreamIdleWatchdog::Registration r = watchdog.Watch([] {});
  EXPECT_FALSE(r.timed_out());
}

}  // namespace
}  // namespace hallmark::sidecar
