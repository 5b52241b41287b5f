// The sidecar's own work per request, without gRPC: the mode decision, the
// Space lookup, the metric updates, and the whole text pipeline on 4 KiB.
// The difference between the pipeline and the scheme alone
// (text_scheme_benchmark) is what policy, payload and metrics cost.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "sidecar/clock/clock.h"
#include "sidecar/config/config_snapshot.h"
#include "sidecar/config/policy_loader.h"
#include "sidecar/keys/key_ring.h"
#include "sidecar/policy/policy_engine.h"
#include "sidecar/text/text_mark_pipeline.h"
#include "telemetry/metrics.h"

namespace hallmark::sidecar {
namespace {

struct Fixture {
  Fixture() : metrics({"bench", "bench"}) {
    watermark::RegisterBuiltinTextSchemes(schemes);
    std::string yaml = "spaces:\n";
    for (int i = 0; i < 1000; ++i)
      yaml += "  \"org/app" + std::to_string(i) + "\": { mode: mark }\n";
    auto policy = ParsePolicy(yaml, "bench.yaml", schemes);
    snapshot = *ConfigSnapshot::Build(*policy, *KeyRing::Ephemeral(), schemes, metrics);
  }
  telemetry::Metrics metrics;
  watermark::TextSchemeRegistry schemes;
  std::shared_ptr<const ConfigSnapshot> snapshot;
  SystemClock clock;
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

std::string Prose(size_t size) {
  const std::string sentence =
      "The committee met on a grey morning to review the plans for the new library, and "
      "several members argued that the reading rooms should face the park. ";
  std::string text;
  while (text.size() < size) text += sentence;
  text.resize(size);
  return text;
}

void BM_Decide(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Decide(config::v1::MODE_ENFORCE, MarkOutcome::kTooShort));
  }
}
BENCHMARK(BM_Decide);

// A hash lookup among 1,000 named Spaces, or the default.
void BM_ResolveSpace(benchmark::State& state) {
  const ConfigSnapshot& snapshot = *Shared().snapshot;
  const std::string name = state.range(0) ? "org/app517" : "someone/else";
  for (auto _ : state) benchmark::DoNotOptimize(&snapshot.Resolve(name));
}
BENCHMARK(BM_ResolveSpace)->Arg(1)->Arg(0);

void BM_CountRequest(benchmark::State& state) {
  const SpaceRuntime& space = Shared().snapshot->Resolve("org/app1");
  for (auto _ : state) {
    space.text_counters->Count(hallmark::v1::DECISION_MARKED, hallmark::v1::REASON_UNSPECIFIED);
  }
}
BENCHMARK(BM_CountRequest)->ThreadRange(1, 2);

void BM_ObserveLatency(benchmark::State& state) {
  prometheus::Histogram& histogram = *Shared().snapshot->Resolve("org/app1").text_latency;
  for (auto _ : state) histogram.Observe(0.00004);
}
BENCHMARK(BM_ObserveLatency)->ThreadRange(1, 2);

void BM_TextMarkPipeline(benchmark::State& state) {
  Fixture& f = Shared();
  TextMarkPipeline pipeline(f.clock, f.metrics);
  const std::string text = Prose(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(pipeline.Mark(*f.snapshot, TextMarkCall{"org/app1", text, "", ""}));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TextMarkPipeline)->Arg(1024)->Arg(4096)->Arg(16384);

}  // namespace
}  // namespace hallmark::sidecar

BENCHMARK_MAIN();
