// Hot reload on file change (PRODUCT §8): watches the directories that hold
// the policy file and the keys with inotify, and once a burst of changes has
// been quiet for the debounce period, calls a reload function.
//
// Directories rather than files are watched, because the ways a file is
// replaced in practice replace the directory entry, not the file:
// - in-place writes (IN_MODIFY / IN_CLOSE_WRITE on the file);
// - editors and `mv new policy.yaml` renaming over the file (IN_MOVED_TO);
// - Kubernetes ConfigMap/Secret volumes, whose files are links through a
//   `..data` link that the kubelet atomically renames over to point at a new
//   `..<timestamp>` directory (IN_MOVED_TO "..data"): the file itself never
//   changes.
#ifndef HALLMARK_SIDECAR_CONFIG_CONFIG_WATCHER_H_
#define HALLMARK_SIDECAR_CONFIG_CONFIG_WATCHER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "sidecar/clock/clock.h"

namespace hallmark::sidecar {

inline constexpr absl::Duration kDefaultConfigDebounce = absl::Milliseconds(200);

// Coalesces a burst of change events into one action, `debounce` after the
// last event. Pure state over injected times. Thread-compatible.
class Debouncer {
 public:
  explicit Debouncer(absl::Duration debounce) : debounce_(debounce) {}

  // A change was seen at `now`: (re)starts the quiet period.
  void OnEvent(absl::Time now) { due_ = now + debounce_; }

  // When the pending action is due, if one is pending.
  absl::optional<absl::Time> due() const { return due_; }

  // True once when the quiet period has passed at `now`; clears the pending action.
  bool TakeIfDue(absl::Time now) {
    if (!due_.has_value() || now < *due_) return false;
    due_.reset();
    return true;
  }

 private:
  const absl::Duration debounce_;
  absl::optional<absl::Time> due_;
};

// What a ConfigWatcher watches: one entry per source.
struct WatchedPath {
  std::string directory;
  // Only changes to this entry of `directory` count; empty: every entry that
  // is not a dot file. Either way, entries starting with ".." (Kubernetes'
  // `..data` link and `..<timestamp>` directories) count.
  std::string file_name;
};

// The policy file's directory (only that file) and the keys directory (every
// entry), for the sources that are set.
std::vector<WatchedPath> WatchedPathsFor(const std::string& policy_path,
                                         const std::string& keys_dir);

// Thread-safe. Either drive it with Poll() from one thread (tests), or call
// Start() once, which runs Poll() on a thread of its own until destruction.
class ConfigWatcher {
 public:
  using ReloadFn = std::function<void()>;

  // Sets up the inotify watches; fails if a directory cannot be watched.
  // `clock` and `reload` must outlive the watcher. `reload` runs on the
  // thread that polls.
  static absl::StatusOr<std::unique_ptr<ConfigWatcher>> Create(std::vector<WatchedPath> paths,
                                                               absl::Duration debounce,
                                                               const Clock& clock, ReloadFn reload);

  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;
  // Stops and joins the thread, if started.
  ~ConfigWatcher();

  // Reads the pending change events, waiting up to `max_wait` for the first
  // one (zero: do not wait), then calls `reload` if the quiet period after
  // the last relevant event has passed on `clock`. Returns whether it did.
  absl::StatusOr<bool> Poll(absl::Duration max_wait) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs the poll loop on a background thread: waits for events, and while
  // a reload is pending, for the rest of its quiet period.
  void Start();

  // Number of events read so far that count as a change (for tests).
  int relevant_events() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Watch {
    int descriptor;
    WatchedPath path;
  };

  ConfigWatcher(int inotify_fd, int stop_fd, std::vector<Watch> watches, absl::Duration debounce,
                const Clock& clock, ReloadFn reload);
  // Reads every queued event; returns how many count as a change.
  absl::StatusOr<int> DrainEvents() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Relevant(int descriptor, uint32_t mask, absl::string_view name) const;
  void Loop();

  const int inotify_fd_;
  const int stop_fd_;  // eventfd, written to stop the loop
  const std::vector<Watch> watches_;
  const Clock& clock_;
  const ReloadFn reload_;

  mutable absl::Mutex mu_;  // one Poll at a time
  Debouncer debouncer_ ABSL_GUARDED_BY(mu_);
  int relevant_events_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_CONFIG_CONFIG_WATCHER_H_
