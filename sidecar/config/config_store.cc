#include "sidecar/config/config_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "sidecar/log/log.h"
#include "watermark/base/status_macros.h"

namespace hallmark::sidecar {

ConfigStore::ConfigStore(ConfigSources sources, const watermark::TextSchemeRegistry& text_schemes,
                         telemetry::Metrics& metrics)
    : sources_(std::move(sources)), text_schemes_(text_schemes), metrics_(metrics) {}

absl::StatusOr<std::unique_ptr<ConfigStore>> ConfigStore::Create(
    ConfigSources sources, const watermark::TextSchemeRegistry& text_schemes,
    telemetry::Metrics& metrics) {
  std::unique_ptr<ConfigStore> store(new ConfigStore(std::move(sources), text_schemes, metrics));
  if (store->sources_.keys_dir.empty()) {
    HM_ASSIGN_OR_RETURN(store->ephemeral_keys_, KeyRing::Ephemeral());
  }
  HM_ASSIGN_OR_RETURN(auto snapshot, store->Load());
  absl::MutexLock lock(&store->mu_);
  store->current_ = std::move(snapshot);
  return store;
}

absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> ConfigStore::Load() {
  LoadedPolicy policy = EmbeddedDefaultPolicy();
  if (!sources_.policy_path.empty()) {
    HM_ASSIGN_OR_RETURN(policy, LoadPolicyFile(sources_.policy_path, text_schemes_));
  }
  std::shared_ptr<const KeyRing> keys = ephemeral_keys_;
  if (!sources_.keys_dir.empty()) {
    HM_ASSIGN_OR_RETURN(keys, KeyRing::LoadDirectory(sources_.keys_dir));
  }
  return ConfigSnapshot::Build(std::move(policy), std::move(keys), text_schemes_, metrics_);
}

std::shared_ptr<const ConfigSnapshot> ConfigStore::Current() const {
  absl::ReaderMutexLock lock(&mu_);
  return current_;
}

absl::Status ConfigStore::Reload() {
  absl::MutexLock reload_lock(&reload_mu_);
  absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> snapshot = Load();
  if (!snapshot.ok()) {
    metrics_.ConfigReloads("rejected").Increment();
    return snapshot.status();
  }
  {
    absl::MutexLock lock(&mu_);
    current_ = *std::move(snapshot);
  }
  metrics_.ConfigReloads("success").Increment();
  return absl::OkStatus();
}

absl::Status ConfigStore::ReloadAndLog(absl::string_view trigger) {
  absl::Status reloaded = Reload();
  if (reloaded.ok()) {
    const auto config = Current();
    LogInfo(absl::StrCat("reloaded policy=\"", config->policy().source,
                         "\" keys=", config->key_ring().keys().size(),
                         " active_key=", config->active_key().id(), " trigger=", trigger));
  } else {
    LogError(absl::StrCat("reload rejected (", trigger,
                          "), the last good policy and keys stay: ", reloaded.message()));
  }
  return reloaded;
}

}  // namespace hallmark::sidecar
