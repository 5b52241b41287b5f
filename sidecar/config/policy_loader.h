// Reading, validating and resolving the policy (PRODUCT §4, §5, §8).
#ifndef HALLMARK_SIDECAR_CONFIG_POLICY_LOADER_H_
#define HALLMARK_SIDECAR_CONFIG_POLICY_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hallmark/v1/config.pb.h"
#include "sidecar/config/yaml_proto_reader.h"
#include "watermark/text/text_scheme_registry.h"

namespace hallmark::sidecar {

inline constexpr uint32_t kDefaultBudgetMs = 200;
inline constexpr uint32_t kMaxBudgetMs = 60'000;
inline constexpr uint64_t kDefaultMaxTextBytes = 1 << 20;
inline constexpr uint64_t kMaxTextBytesLimit = 64 << 20;
inline constexpr uint64_t kDefaultMaxPixels = 50'000'000;
inline constexpr uint64_t kMaxPixelsLimit = 268'435'456;  // 16384 x 16384
inline constexpr uint64_t kDefaultMaxImageBytes = 64 << 20;
inline constexpr uint64_t kMaxImageBytesLimit = 1 << 30;
inline constexpr size_t kMaxSpaceNameBytes = 256;
// The metrics label value of every Space not named in the policy.
inline constexpr absl::string_view kOtherSpaceLabel = "other";

struct LoadedPolicy {
  hallmark::config::v1::Policy policy;
  std::string source;  // file path, or "embedded defaults"
  FieldLocations locations;
};

// Parses and validates a policy document. Errors name source, line and field.
absl::StatusOr<LoadedPolicy> ParsePolicy(absl::string_view yaml, absl::string_view source,
                                         const watermark::TextSchemeRegistry& text_schemes);

// Reads `path` and parses it.
absl::StatusOr<LoadedPolicy> LoadPolicyFile(const std::string& path,
                                            const watermark::TextSchemeRegistry& text_schemes);

// The policy in force with no file: every Space in `mark` mode, 200 ms.
LoadedPolicy EmbeddedDefaultPolicy();

// The effective policy of a Space: `overrides` over `defaults` over the
// built-in defaults; every field is set in the result.
hallmark::config::v1::SpacePolicy ResolveSpacePolicy(
    const hallmark::config::v1::SpacePolicy& defaults,
    const hallmark::config::v1::SpacePolicy* overrides);

// Checks a Space name from a request or the policy.
absl::Status ValidateSpaceName(absl::string_view space);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_CONFIG_POLICY_LOADER_H_
