#include "sidecar/config/config_snapshot.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "sidecar/policy/policy_engine.h"
#include "watermark/base/status_macros.h"
#include "watermark/payload/payload.h"

namespace hallmark::sidecar {
namespace {

using ::hallmark::config::v1::Mode;

constexpr MarkOutcome kAllOutcomes[] = {MarkOutcome::kMarked,   MarkOutcome::kTooShort,
                                        MarkOutcome::kBudget,   MarkOutcome::kUnsupported,
                                        MarkOutcome::kOverload, MarkOutcome::kInternal};

SpaceRuntime MakeRuntime(const hallmark::config::v1::SpacePolicy& resolved, std::string label,
                         bool named, const watermark::TextSchemeRegistry& text_schemes,
                         telemetry::Metrics& metrics) {
  SpaceRuntime runtime;
  runtime.policy = resolved;
  runtime.label = std::move(label);
  runtime.named = named;
  runtime.budget = absl::Milliseconds(resolved.budget_ms());
  runtime.text_scheme = text_schemes.Find(resolved.text().scheme());
  runtime.text_counters =
      std::make_unique<RequestCounters>(metrics, runtime.label, "text", resolved.mode());
  runtime.text_latency = &metrics.AddedLatency("text", resolved.text().scheme());
  runtime.image_counters =
      std::make_unique<RequestCounters>(metrics, runtime.label, "image", resolved.mode());
  runtime.image_latency = &metrics.AddedLatency("image", resolved.image().scheme());
  return runtime;
}

}  // namespace

RequestCounters::RequestCounters(telemetry::Metrics& metrics, absl::string_view space_label,
                                 absl::string_view modality, Mode mode)
    : budget_exhausted_(&metrics.BudgetExhausted(space_label, modality)) {
  for (MarkOutcome outcome : kAllOutcomes) {
    const Verdict verdict = Decide(mode, outcome);
    prometheus::Counter*& slot = requests_[verdict.decision][verdict.reason];
    if (slot == nullptr) {
      slot = &metrics.Requests(space_label, modality, ModeLabel(mode),
                               DecisionLabel(verdict.decision), ReasonLabel(verdict.reason));
    }
  }
}

void RequestCounters::Count(hallmark::v1::Decision decision, hallmark::v1::Reason reason) const {
  if (decision < 0 || decision >= kDecisions || reason < 0 || reason >= kReasons) return;
  prometheus::Counter* counter = requests_[decision][reason];
  // Every pair the mode rules produce was created above; anything else would
  // be a bug, and is dropped rather than creating a series on the hot path.
  if (counter != nullptr) counter->Increment();
}

ConfigSnapshot::ConfigSnapshot(LoadedPolicy policy, std::shared_ptr<const KeyRing> keys,
                               std::shared_ptr<const watermark::WatermarkKey> active_key,
                               const watermark::TextSchemeRegistry& text_schemes)
    : policy_(std::move(policy)),
      keys_(std::move(keys)),
      active_key_(std::move(active_key)),
      text_schemes_(text_schemes) {}

absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> ConfigSnapshot::Build(
    LoadedPolicy policy, std::shared_ptr<const KeyRing> keys,
    const watermark::TextSchemeRegistry& text_schemes, telemetry::Metrics& metrics) {
  auto active = keys->ActiveKey(policy.policy.keys().active());
  if (!active.ok()) {
    return absl::Status(active.status().code(),
                        absl::StrCat(policy.source, ": ", active.status().message()));
  }
  std::shared_ptr<ConfigSnapshot> snapshot(
      new ConfigSnapshot(std::move(policy), std::move(keys), *std::move(active), text_schemes));
  const auto& proto = snapshot->policy_.policy;
  snapshot->other_ = MakeRuntime(ResolveSpacePolicy(proto.default_(), nullptr),
                                 std::string(kOtherSpaceLabel), false, text_schemes, metrics);
  for (const auto& [name, overrides] : proto.spaces()) {
    snapshot->named_.emplace(name, MakeRuntime(ResolveSpacePolicy(proto.default_(), &overrides),
                                               name, true, text_schemes, metrics));
    // 16-bit tags can collide; the smallest name wins, whatever the order.
    auto [it, inserted] = snapshot->space_by_tag_.try_emplace(watermark::SpaceTag(name), name);
    if (!inserted && name < it->second) it->second = name;
  }
  metrics.KeysLoaded().Set(static_cast<double>(snapshot->keys_->keys().size()));
  return std::shared_ptr<const ConfigSnapshot>(std::move(snapshot));
}

const SpaceRuntime& ConfigSnapshot::Resolve(absl::string_view space) const {
  auto it = named_.find(space);
  return it == named_.end() ? other_ : it->second;
}

std::string ConfigSnapshot::SpaceForTag(uint16_t space_tag) const {
  auto it = space_by_tag_.find(space_tag);
  return it == space_by_tag_.end() ? std::string() : it->second;
}

}  // namespace hallmark::sidecar
