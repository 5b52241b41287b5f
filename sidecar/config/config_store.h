// Loads the policy and key ring from their sources and holds the snapshot
// in force. A reload builds a complete new snapshot and swaps it in
// atomically between requests; a bad one is rejected and the last good one
// stays (PRODUCT §8).
#ifndef HALLMARK_SIDECAR_CONFIG_CONFIG_STORE_H_
#define HALLMARK_SIDECAR_CONFIG_CONFIG_STORE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "sidecar/config/config_snapshot.h"

namespace hallmark::sidecar {

struct ConfigSources {
  std::string policy_path;  // empty: embedded defaults
  std::string keys_dir;     // empty: one ephemeral key for the process life
};

// Thread-safe.
class ConfigStore {
 public:
  // Loads the first snapshot; fails with an error naming the file and field.
  static absl::StatusOr<std::unique_ptr<ConfigStore>> Create(
      ConfigSources sources, const watermark::TextSchemeRegistry& text_schemes,
      telemetry::Metrics& metrics);

  // The snapshot in force; requests keep it for their whole life.
  std::shared_ptr<const ConfigSnapshot> Current() const ABSL_LOCKS_EXCLUDED(mu_);

  // Re-reads both sources. On success swaps the snapshot in; on failure
  // keeps the current one. Either way counts hallmark_config_reloads_total.
  absl::Status Reload() ABSL_LOCKS_EXCLUDED(mu_);

  // Reload() and one log line saying what happened, for every trigger
  // (SIGHUP, file change): "reloaded policy=... trigger=..." or "reload
  // rejected (trigger), the last good policy and keys stay: <error>".
  absl::Status ReloadAndLog(absl::string_view trigger) ABSL_LOCKS_EXCLUDED(mu_);

  const ConfigSources& sources() const { return sources_; }

 private:
  ConfigStore(ConfigSources sources, const watermark::TextSchemeRegistry& text_schemes,
              telemetry::Metrics& metrics);
  absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> Load();

  const ConfigSources sources_;
  const watermark::TextSchemeRegistry& text_schemes_;
  telemetry::Metrics& metrics_;
  // Made once, so that a reload without a key directory keeps the same key.
  std::shared_ptr<const KeyRing> ephemeral_keys_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const ConfigSnapshot> current_ ABSL_GUARDED_BY(mu_);
  absl::Mutex reload_mu_;  // one reload at a time
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_CONFIG_CONFIG_STORE_H_
