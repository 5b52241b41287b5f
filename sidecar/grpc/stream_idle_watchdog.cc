#include "sidecar/grpc/stream_idle_watchdog.h"

#include <algorithm>
#include <utility>

namespace hallmark::sidecar {

StreamIdleWatchdog::StreamIdleWatchdog(const Clock& clock, absl::Duration idle_limit,
                                       bool start_thread)
    : clock_(clock), idle_limit_(idle_limit) {
  if (start_thread && idle_limit_ > absl::ZeroDuration()) thread_ = std::thread([this] { Run(); });
}

StreamIdleWatchdog::~StreamIdleWatchdog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

StreamIdleWatchdog::Registration StreamIdleWatchdog::Watch(std::function<void()> cancel) {
  if (idle_limit_ <= absl::ZeroDuration()) return Registration();
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_id_++;
  entries_.emplace(id, Entry{std::move(cancel), clock_.Now()});
  return Registration(this, id);
}

int StreamIdleWatchdog::Sweep() {
  const absl::Time now = clock_.Now();
  int cancelled = 0;
  absl::MutexLock lock(&mu_);
  for (auto& [id, entry] : entries_) {
    if (entry.timed_out || now - entry.last_activity <= idle_limit_) continue;
    entry.timed_out = true;
    // Under the lock: the registration (and with it the call) cannot go
    // away meanwhile.
    entry.cancel();
    ++cancelled;
  }
  return cancelled;
}

void StreamIdleWatchdog::Run() {
  // A quarter of the limit between sweeps: a stream is cancelled between
  // 1x and 1.25x the limit after its last message.
  const absl::Duration period =
      std::clamp(idle_limit_ / 4, absl::Milliseconds(10), absl::Seconds(5));
  auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), period)) return;
    }
    Sweep();
  }
}

StreamIdleWatchdog::Registration::Registration(Registration&& other) noexcept
    : watchdog_(std::exchange(other.watchdog_, nullptr)), id_(other.id_) {}

StreamIdleWatchdog::Registration& StreamIdleWatchdog::Registration::operator=(
    Registration&& other) noexcept {
  if (this != &other) {
    this->~Registration();
    watchdog_ = std::exchange(other.watchdog_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

StreamIdleWatchdog::Registration::~Registration() {
  if (watchdog_ == nullptr) return;
  absl::MutexLock lock(&watchdog_->mu_);
  watchdog_->entries_.erase(id_);
}

void StreamIdleWatchdog::Registration::Touch() {
  if (watchdog_ == nullptr) return;
  const absl::Time now = watchdog_->clock_.Now();
  absl::MutexLock lock(&watchdog_->mu_);
  auto it = watchdog_->entries_.find(id_);
  if (it != watchdog_->entries_.end()) it->second.last_activity = now;
}

bool StreamIdleWatchdog::Registration::timed_out() const {
  if (watchdog_ == nullptr) return false;
  absl::MutexLock lock(&watchdog_->mu_);
  auto it = watchdog_->entries_.find(id_);
  return it != watchdog_->entries_.end() && it->second.timed_out;
}

}  // namespace hallmark::sidecar
