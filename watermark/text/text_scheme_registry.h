// Schemes by name. Built-in schemes are added by an explicit call (static
// registration would be dropped by the linker from a static library).
#ifndef HALLMARK_WATERMARK_TEXT_TEXT_SCHEME_REGISTRY_H_
#define HALLMARK_WATERMARK_TEXT_TEXT_SCHEME_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "watermark/text/text_scheme.h"

namespace hallmark::watermark {

// Filled at start-up, then only read: not thread-safe while being filled,
// thread-safe for Find afterwards.
class TextSchemeRegistry {
 public:
  // Fails if a scheme of the same name is already registered.
  absl::Status Register(std::unique_ptr<TextScheme> scheme);
  const TextScheme* Find(absl::string_view name) const;
  std::vector<std::string> names() const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<TextScheme>> schemes_;
};

// Adds "unicode" (the default text scheme).
void RegisterBuiltinTextSchemes(TextSchemeRegistry& registry);

inline constexpr absl::string_view kDefaultTextScheme = "unicode";

}  // namespace hallmark::watermark

#endif  // HALLMARK_WATERMARK_TEXT_TEXT_SCHEME_REGISTRY_H_
