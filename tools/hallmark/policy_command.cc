// hallmark policy check: validates a policy file as hallmarkd would load it.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "sidecar/config/config_snapshot.h"
#include "sidecar/config/policy_loader.h"
#include "sidecar/keys/key_ring.h"
#include "sidecar/policy/policy_engine.h"
#include "sidecar/version.h"
#include "telemetry/metrics.h"
#include "tools/hallmark/args.h"
#include "tools/hallmark/commands.h"

namespace hallmark::cli {

int RunPolicy(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] != "check") {
    return UsageError("policy", "usage: hallmark policy check [--keys DIR] FILE");
  }
  auto args = Args::Parse({argv.begin() + 1, argv.end()}, {"keys"});
  if (!args.ok()) return UsageError("policy", std::string(args.status().message()));
  if (args->positional().size() != 1) return UsageError("policy", "expected one FILE");
  watermark::TextSchemeRegistry text_schemes;
  watermark::RegisterBuiltinTextSchemes(text_schemes);
  auto policy = sidecar::LoadPolicyFile(args->positional()[0], text_schemes);
  if (!policy.ok()) {
    std::fprintf(stderr, "%s\n", std::string(policy.status().message()).c_str());
    return kExitUsage;
  }
  std::string keys_note = "keys not checked (no --keys)";
  if (args->Has("keys")) {
    auto keys = sidecar::KeyRing::LoadDirectory(args->Get("keys"));
    if (!keys.ok()) {
      std::fprintf(stderr, "%s\n", std::string(keys.status().message()).c_str());
      return kExitUsage;
    }
    telemetry::Metrics metrics({sidecar::kVersion, sidecar::kGitCommit});
    auto snapshot = sidecar::ConfigSnapshot::Build(*policy, *keys, text_schemes, metrics);
    if (!snapshot.ok()) {
      std::fprintf(stderr, "%s\n", std::string(snapshot.status().message()).c_str());
      return kExitUsage;
    }
    keys_note =
        absl::StrCat((*keys)->keys().size(), " keys, active ", (*snapshot)->active_key().id());
  }
  const auto defaults = sidecar::ResolveSpacePolicy(policy->policy.default_(), nullptr);
  std::printf("%s: ok: default mode %s, budget %u ms, %d named Spaces; %s\n",
              args->positional()[0].c_str(),
              std::string(sidecar::ModeLabel(defaults.mode())).c_str(), defaults.budget_ms(),
              policy->policy.spaces_size(), keys_note.c_str());
  return kExitOk;
}

}  // namespace hallmark::cli
