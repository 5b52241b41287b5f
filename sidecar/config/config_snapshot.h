// Everything a request reads, resolved once when the policy and keys load:
// the effective policy of each named Space and of all others, the key ring,
// the schemes and the metric series. Requests hold a shared_ptr to one
// snapshot; a reload builds a new one and swaps the pointer (ConfigStore).
#ifndef HALLMARK_SIDECAR_CONFIG_CONFIG_SNAPSHOT_H_
#define HALLMARK_SIDECAR_CONFIG_CONFIG_SNAPSHOT_H_

#include <array>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "hallmark/v1/config.pb.h"
#include "hallmark/v1/hallmark.pb.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "sidecar/config/policy_loader.h"
#include "sidecar/keys/key_ring.h"
#include "telemetry/metrics.h"
#include "watermark/text/text_scheme_registry.h"

namespace hallmark::sidecar {

// The request counters of one Space and modality, for exactly the
// (decision, reason) pairs the Space's mode can produce.
class RequestCounters {
 public:
  RequestCounters(telemetry::Metrics& metrics, absl::string_view space_label,
                  absl::string_view modality, hallmark::config::v1::Mode mode);

  void Count(hallmark::v1::Decision decision, hallmark::v1::Reason reason) const;
  void CountBudgetExhausted() const { budget_exhausted_->Increment(); }

 private:
  static constexpr int kDecisions = 5;
  static constexpr int kReasons = 7;
  std::array<std::array<prometheus::Counter*, kReasons>, kDecisions> requests_{};
  prometheus::Counter* budget_exhausted_;
};

// One Space's resolved settings. Immutable.
struct SpaceRuntime {
  hallmark::config::v1::SpacePolicy policy;  // every field set
  std::string label;                         // metrics label value
  bool named = false;
  absl::Duration budget;
  const watermark::TextScheme* text_scheme = nullptr;
  std::unique_ptr<RequestCounters> text_counters;
  prometheus::Histogram* text_latency = nullptr;  // added latency, this scheme
  std::unique_ptr<RequestCounters> image_counters;
  prometheus::Histogram* image_latency = nullptr;  // added latency, this scheme
};

// Immutable and thread-safe.
class ConfigSnapshot {
 public:
  // Fails when the policy's active key is not in `keys`.
  static absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> Build(
      LoadedPolicy policy, std::shared_ptr<const KeyRing> keys,
      const watermark::TextSchemeRegistry& text_schemes, telemetry::Metrics& metrics);

  // The named Space, or the defaults for any other name.
  const SpaceRuntime& Resolve(absl::string_view space) const;
  // The named Space whose tag is `space_tag`, or "" when none is.
  std::string SpaceForTag(uint16_t space_tag) const;

  const LoadedPolicy& policy() const { return policy_; }
  const KeyRing& key_ring() const { return *keys_; }
  const watermark::WatermarkKey& active_key() const { return *active_key_; }
  const watermark::TextSchemeRegistry& text_schemes() const { return text_schemes_; }

 private:
  ConfigSnapshot(LoadedPolicy policy, std::shared_ptr<const KeyRing> keys,
                 std::shared_ptr<const watermark::WatermarkKey> active_key,
                 const watermark::TextSchemeRegistry& text_schemes);

  LoadedPolicy policy_;
  std::shared_ptr<const KeyRing> keys_;
  std::shared_ptr<const watermark::WatermarkKey> active_key_;
  const watermark::TextSchemeRegistry& text_schemes_;
  absl::flat_hash_map<std::string, SpaceRuntime> named_;
  SpaceRuntime other_;
  absl::flat_hash_map<uint16_t, std::string> space_by_tag_;
};

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_CONFIG_CONFIG_SNAPSHOT_H_
