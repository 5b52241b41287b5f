#include "sidecar/config/config_watcher.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sidecar/log/log.h"

namespace hallmark::sidecar {
namespace {

// What changes a directory entry: content written, renamed in or out,
// created, deleted, metadata (touch, chmod). IN_MODIFY alone would miss a
// rename-over; IN_CLOSE_WRITE alone would miss writers that keep the file
// open. The debounce merges the resulting bursts.
constexpr uint32_t kWatchMask = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
                                IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                IN_ONLYDIR;

absl::Status ErrnoStatus(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// poll(2) timeout in milliseconds, rounded up so that a wake-up is never
// early; -1 waits for ever.
int PollTimeoutMs(absl::Duration wait) {
  if (wait == absl::InfiniteDuration()) return -1;
  if (wait <= absl::ZeroDuration()) return 0;
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1)));
  return static_cast<int>(std::min<int64_t>(ms, 60'000));
}

}  // namespace

std::vector<WatchedPath> WatchedPathsFor(const std::string& policy_path,
                                         const std::string& keys_dir) {
  std::vector<WatchedPath> paths;
  if (!policy_path.empty()) {
    const std::filesystem::path policy(policy_path);
    const std::filesystem::path parent = policy.parent_path();
    paths.push_back(
        {parent.empty() ? std::string(".") : parent.string(), policy.filename().string()});
  }
  if (!keys_dir.empty()) paths.push_back({keys_dir, ""});
  return paths;
}

absl::StatusOr<std::unique_ptr<ConfigWatcher>> ConfigWatcher::Create(std::vector<WatchedPath> paths,
                                                                     absl::Duration debounce,
                                                                     const Clock& clock,
                                                                     ReloadFn reload) {
  const int inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd < 0) return ErrnoStatus("inotify_init1");
  const int stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd < 0) {
    absl::Status status = ErrnoStatus("eventfd");
    close(inotify_fd);
    return status;
  }
  std::vector<Watch> watches;
  for (WatchedPath& path : paths) {
    const int descriptor = inotify_add_watch(inotify_fd, path.directory.c_str(), kWatchMask);
    if (descriptor < 0) {
      absl::Status status = ErrnoStatus(absl::StrCat("cannot watch ", path.directory));
      close(inotify_fd);
      close(stop_fd);
      return status;
    }
    // The policy file and the keys may share a directory: inotify then
    // returns the same descriptor, and each entry keeps its own filter.
    watches.push_back({descriptor, std::move(path)});
  }
  return std::unique_ptr<ConfigWatcher>(new ConfigWatcher(inotify_fd, stop_fd, std::move(watches),
                                                          debounce, clock, std::move(reload)));
}

ConfigWatcher::ConfigWatcher(int inotify_fd, int stop_fd, std::vector<Watch> watches,
                             absl::Duration debounce, const Clock& clock, ReloadFn reload)
    : inotify_fd_(inotify_fd),
      stop_fd_(stop_fd),
      watches_(std::move(watches)),
      clock_(clock),
      reload_(std::move(reload)),
      debouncer_(debounce) {}

ConfigWatcher::~ConfigWatcher() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    // An eventfd write of 8 bytes cannot be short; failure would only leave
    // the thread waiting, and there is nothing better to do here.
    [[maybe_unused]] ssize_t written = write(stop_fd_, &one, sizeof(one));
    thread_.join();
  }
  close(inotify_fd_);
  close(stop_fd_);
}

bool ConfigWatcher::Relevant(int descriptor, uint32_t mask, absl::string_view name) const {
  // Lost events, or a watched directory itself went away: re-read to find out.
  if (mask & (IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) return true;
  if (absl::StartsWith(name, "..")) return true;  // Kubernetes ..data swap
  for (const Watch& watch : watches_) {
    if (watch.descriptor != descriptor) continue;
    if (watch.path.file_name.empty() ? !absl::StartsWith(name, ".")
                                     : name == watch.path.file_name) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<int> ConfigWatcher::DrainEvents() {
  int relevant = 0;
  alignas(struct inotify_event) char buffer[8192];
  for (;;) {
    const ssize_t length = read(inotify_fd_, buffer, sizeof(buffer));
    if (length < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return relevant;
      if (errno == EINTR) continue;
      return ErrnoStatus("reading inotify events");
    }
    for (ssize_t offset = 0; offset < length;) {
      struct inotify_event event;
      std::memcpy(&event, buffer + offset, sizeof(event));
      const char* name_start = buffer + offset + sizeof(event);
      // The name is NUL-padded to `len` bytes.
      const absl::string_view name =
          event.len > 0 ? absl::string_view(name_start, strnlen(name_start, event.len))
                        : absl::string_view();
      if (Relevant(event.wd, event.mask, name)) ++relevant;
      offset += static_cast<ssize_t>(sizeof(event) + event.len);
    }
  }
}

absl::StatusOr<bool> ConfigWatcher::Poll(absl::Duration max_wait) {
  struct pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  // Waiting happens without the lock, so that another thread may ask for
  // relevant_events() meanwhile.
  if (poll(fds, 2, PollTimeoutMs(max_wait)) < 0 && errno != EINTR) {
    return ErrnoStatus("waiting for inotify events");
  }
  bool due = false;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<int> relevant = DrainEvents();
    if (!relevant.ok()) return relevant.status();
    if (*relevant > 0) {
      relevant_events_ += *relevant;
      debouncer_.OnEvent(clock_.Now());
    }
    due = debouncer_.TakeIfDue(clock_.Now());
  }
  if (due) reload_();
  return due;
}

void ConfigWatcher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void ConfigWatcher::Loop() {
  for (;;) {
    absl::Duration wait = absl::InfiniteDuration();
    {
      absl::MutexLock lock(&mu_);
      if (debouncer_.due().has_value()) {
        wait = std::max(absl::ZeroDuration(), *debouncer_.due() - clock_.Now());
      }
    }
    absl::StatusOr<bool> polled = Poll(wait);
    if (!polled.ok()) {
      LogError(
          absl::StrCat("config watch stopped, SIGHUP still reloads: ", polled.status().message()));
      return;
    }
    struct pollfd stop = {stop_fd_, POLLIN, 0};
    if (poll(&stop, 1, 0) > 0) return;
  }
}

int ConfigWatcher::relevant_events() const {
  absl::MutexLock lock(&mu_);
  return relevant_events_;
}

}  // namespace hallmark::sidecar
