// Cancels streaming calls that stay silent too long (PRODUCT §8, issue 4:
// "never-ending streams"): a client that opens MarkTextStream and then
// sends nothing would otherwise hold a server thread and its session for
// ever. Each stream registers how to cancel it (ServerContext::TryCancel,
// which makes the handler's blocking Read() return) and touches its
// registration on every message; one thread sweeps the registrations and
// cancels those idle for longer than the limit. Time comes from a Clock, so tests drive sweeps
// without sleeping.
#ifndef HALLMARK_SIDECAR_GRPC_STREAM_IDLE_WATCHDOG_H_
#define HALLMARK_SIDECAR_GRPC_STREAM_IDLE_WATCHDOG_H_

#include <cstdint>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sidecar/clock/clock.h"

namespace hallmark::sidecar {

class StreamIdleWatchdog {
 public:
  // `idle_limit` zero or less turns the watchdog off (Watch returns inert
  // registrations). With `start_thread` false nothing sweeps by itself:
  // tests call Sweep().
  StreamIdleWatchdog(const Clock& clock, absl::Duration idle_limit, bool start_thread = true);
  ~StreamIdleWatchdog();
  StreamIdleWatchdog(const StreamIdleWatchdog&) = delete;
  StreamIdleWatchdog& operator=(const StreamIdleWatchdog&) = delete;

  // One stream's registration; unregisters when destroyed (before its
  // ServerContext goes away). Movable, not copyable.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&& other) noexcept;
    ~Registration();

    // A message arrived: the idle time starts again.
    void Touch();
    // Whether the watchdog cancelled this stream.
    bool timed_out() const;

   private:
    friend class StreamIdleWatchdog;
    Registration(StreamIdleWatchdog* watchdog, uint64_t id) : watchdog_(watchdog), id_(id) {}
    StreamIdleWatchdog* watchdog_ = nullptr;
    uint64_t id_ = 0;
  };

  // `cancel` runs at most once, on the sweeping thread, while the
  // registration is alive.
  Registration Watch(std::function<void()> cancel);

  // Cancels every stream idle for longer than the limit at the clock's now;
  // returns how many it cancelled.
  int Sweep();

  absl::Duration idle_limit() const { return idle_limit_; }

 private:
  struct Entry {
    std::function<void()> cancel;
    absl::Time last_activity;
    bool timed_out = false;
  };

  void Run();

  const Clock& clock_;
  const absl::Duration idle_limit_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_GRPC_STREAM_IDLE_WATCHDOG_H_
