// Image schemes by name. Built-in schemes are added by an explicit call
// (static registration would be dropped by the linker from a static library).
#ifndef HALLMARK_WATERMARK_IMAGE_IMAGE_SCHEME_REGISTRY_H_
#define HALLMARK_WATERMARK_IMAGE_IMAGE_SCHEME_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "watermark/image/image_scheme.h"

namespace hallmark::image {

// Filled at start-up, then only read: not thread-safe while being filled,
// thread-safe for Find afterwards.
class ImageSchemeRegistry {
 public:
  // Fails if a scheme of the same name is already registered.
  absl::Status Register(std::unique_ptr<ImageScheme> scheme);
  const ImageScheme* Find(absl::string_view name) const;
  std::vector<std::string> names() const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<ImageScheme>> schemes_;
};

// The names RegisterBuiltinImageSchemes adds, sorted (for validating a
// policy without building the schemes).
std::vector<std::string> BuiltinImageSchemeNames();

// Adds "canonical-grid" (the default image scheme).
void RegisterBuiltinImageSchemes(ImageSchemeRegistry& registry);

// A registry holding the built-in schemes.
ImageSchemeRegistry BuiltinImageSchemeRegistry();

inline constexpr absl::string_view kDefaultImageScheme = "canonical-grid";

}  // namespace hallmark::image

#endif  // HALLMARK_WATERMARK_IMAGE_IMAGE_SCHEME_REGISTRY_H_
