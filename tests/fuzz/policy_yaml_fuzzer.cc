// ParsePolicy on arbitrary text: the policy is operator input, but a typo or
// a truncated ConfigMap must give an error naming the place, never a crash,
// and reload runs it inside the serving process.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "sidecar/config/policy_loader.h"
#include "tests/fuzz/fuzz_keys.h"
#include "watermark/text/text_scheme_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const hallmark::watermark::TextSchemeRegistry* schemes = [] {
    auto* registry = new hallmark::watermark::TextSchemeRegistry;
    hallmark::watermark::RegisterBuiltinTextSchemes(*registry);
    return registry;
  }();
  const auto parsed = hallmark::sidecar::ParsePolicy(
      absl::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml", *schemes);
  if (!parsed.ok()) {
    // Errors name the source.
    hallmark::fuzz::FuzzCheck(absl::string_view(parsed.status().message()).find("fuzz.yaml") !=
                              absl::string_view::npos);
  }
  return 0;
}
