// The sidecar's pipelines in-process, for `hallmark mark` and `detect`: the
// same policy, keys and schemes as hallmarkd, with no daemon and no network.
#ifndef HALLMARK_TOOLS_HALLMARK_OFFLINE_SIDECAR_H_
#define HALLMARK_TOOLS_HALLMARK_OFFLINE_SIDECAR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sidecar/clock/clock.h"
#include "sidecar/config/config_store.h"
#include "telemetry/metrics.h"
#include "watermark/image/image_scheme_registry.h"
#include "watermark/text/text_scheme_registry.h"

namespace hallmark::cli {

struct OfflineSidecar {
  OfflineSidecar();
  telemetry::Metrics metrics;  // kept in-process, never exposed
  watermark::TextSchemeRegistry text_schemes;
  image::ImageSchemeRegistry image_schemes = image::BuiltinImageSchemeRegistry();
  sidecar::SystemClock clock;
  std::unique_ptr<sidecar::ConfigStore> config;
};

// `policy_path` and `keys_dir` may be empty (embedded defaults, ephemeral
// key). Prints the ephemeral-key warning to stderr when `warn_ephemeral`.
absl::StatusOr<std::unique_ptr<OfflineSidecar>> MakeOfflineSidecar(const std::string& policy_path,
                                                                   const std::string& keys_dir,
                                                                   bool warn_ephemeral);

// Reads a whole file; "-" reads stdin.
absl::StatusOr<std::string> ReadInput(const std::string& path);

}  // namespace hallmark::cli

#endif  // HALLMARK_TOOLS_HALLMARK_OFFLINE_SIDECAR_H_
