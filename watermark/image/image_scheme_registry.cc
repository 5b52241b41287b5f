#include "watermark/image/image_scheme_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "watermark/image/canonical_grid/canonical_grid_scheme.h"

namespace hallmark::image {

absl::Status ImageSchemeRegistry::Register(std::unique_ptr<ImageScheme> scheme) {
  std::string name(scheme->name());
  auto [it, inserted] = schemes_.try_emplace(name, std::move(scheme));
  if (!inserted) {
    return absl::AlreadyExistsError(absl::StrCat("image scheme \"", name, "\" registered twice"));
  }
  return absl::OkStatus();
}

const ImageScheme* ImageSchemeRegistry::Find(absl::string_view name) const {
  auto it = schemes_.find(name);
  return it == schemes_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ImageSchemeRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(schemes_.size());
  for (const auto& [name, scheme] : schemes_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> BuiltinImageSchemeNames() {
  return {std::string(CanonicalGridScheme::kName)};
}

void RegisterBuiltinImageSchemes(ImageSchemeRegistry& registry) {
  // A fresh registry cannot hold the name yet; a second call keeps the first.
  (void)registry.Register(std::make_unique<CanonicalGridScheme>());
}

ImageSchemeRegistry BuiltinImageSchemeRegistry() {
  ImageSchemeRegistry registry;
  RegisterBuiltinImageSchemes(registry);
  return registry;
}

}  // namespace hallmark::image
