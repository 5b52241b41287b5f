#include "watermark/text/text_scheme_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "watermark/text/unicode/unicode_scheme.h"

namespace hallmark::watermark {

absl::Status TextSchemeRegistry::Register(std::unique_ptr<TextScheme> scheme) {
  std::string name(scheme->name());
  auto [it, inserted] = schemes_.try_emplace(name, std::move(scheme));
  if (!inserted) {
    return absl::AlreadyExistsError(absl::StrCat("text scheme \"", name, "\" registered twice"));
  }
  return absl::OkStatus();
}

const TextScheme* TextSchemeRegistry::Find(absl::string_view name) const {
  auto it = schemes_.find(name);
  return it == schemes_.end() ? nullptr : it->second.get();
}

std::vector<std::string> TextSchemeRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(schemes_.size());
  for (const auto& [name, scheme] : schemes_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

void RegisterBuiltinTextSchemes(TextSchemeRegistry& registry) {
  // Registering a fixed built-in name into a fresh registry cannot collide
  // unless called twice; a second call keeps the first instance.
  (void)registry.Register(std::make_unique<UnicodeScheme>());
}

}  // namespace hallmark::watermark
