// Builds config snapshots from YAML for sidecar tests, with the built-in
// schemes plus a "slow" scheme: the unicode scheme that advances a simulated
// clock while it marks, to drive budget and deadline logic without sleeping.
#ifndef HALLMARK_TESTS_SUPPORT_SIDECAR_FIXTURE_H_
#define HALLMARK_TESTS_SUPPORT_SIDECAR_FIXTURE_H_

#include <atomic>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "sidecar/config/config_snapshot.h"
#include "sidecar/config/policy_loader.h"
#include "sidecar/keys/key_ring.h"
#include "telemetry/metrics.h"
#include "tests/support/metric_reader.h"
#include "tests/support/simulated_clock.h"
#include "watermark/text/text_scheme_registry.h"
#include "watermark/text/unicode/unicode_scheme.h"

namespace hallmark::testing {

class SlowScheme final : public watermark::TextScheme {
 public:
  SlowScheme(SimulatedClock& clock, const absl::Duration& delay) : clock_(clock), delay_(delay) {}
  absl::string_view name() const override { return "slow"; }
  size_t min_carriers() const override { return inner_.min_carriers(); }
  watermark::TextMarkResult Mark(absl::string_view text, const watermark::PayloadFields& payload,
                                 const watermark::WatermarkKey& key) const override {
    ++calls;
    clock_.Advance(delay_);
    return inner_.Mark(text, payload, key);
  }
  std::unique_ptr<watermark::TextStreamMarker> NewStreamMarker(
      const watermark::PayloadFields& payload, const watermark::WatermarkKey& key) const override {
    return inner_.NewStreamMarker(payload, key);
  }
  watermark::TextDetection Detect(absl::string_view text,
                                  const watermark::KeySet& keys) const override {
    return inner_.Detect(text, keys);
  }
  mutable std::atomic<int> calls{0};

 private:
  SimulatedClock& clock_;
  const absl::Duration& delay_;
  watermark::UnicodeScheme inner_;
};

class SidecarFixture : public ::testing::Test {
 protected:
  SidecarFixture() : metrics_({"test", "test"}) {
    watermark::RegisterBuiltinTextSchemes(schemes_);
    auto slow = std::make_unique<SlowScheme>(clock_, slow_delay_);
    slow_ = slow.get();
    EXPECT_TRUE(schemes_.Register(std::move(slow)).ok());
    auto keys = sidecar::KeyRing::Ephemeral();
    EXPECT_TRUE(keys.ok());
    keys_ = *keys;
  }

  std::shared_ptr<const sidecar::ConfigSnapshot> Snapshot(const std::string& yaml) {
    auto policy = sidecar::ParsePolicy(yaml, "test.yaml", schemes_);
    EXPECT_TRUE(policy.ok()) << policy.status();
    auto snapshot = sidecar::ConfigSnapshot::Build(*policy, keys_, schemes_, metrics_);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return *snapshot;
  }

  double Requests(const std::string& space, const std::string& decision,
                  const std::string& reason) {
    return MetricValue(*metrics_.registry(), "hallmark_requests_total",
                       {{"space", space}, {"decision", decision}, {"reason", reason}});
  }

  SimulatedClock clock_;
  absl::Duration slow_delay_ = absl::ZeroDuration();
  SlowScheme* slow_ = nullptr;
  watermark::TextSchemeRegistry schemes_;
  telemetry::Metrics metrics_;
  std::shared_ptr<const sidecar::KeyRing> keys_;
};

}  // namespace hallmark::testing

#endif  // HALLMARK_TESTS_SUPPORT_SIDECAR_FIXTURE_H_
