#include "sidecar/config/policy_loader.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "watermark/base/status_macros.h"
#include "watermark/image/image_scheme_registry.h"
#include "watermark/key/watermark_key.h"

namespace hallmark::sidecar {
namespace {

using ::hallmark::config::v1::Policy;
using ::hallmark::config::v1::SpacePolicy;

// Validates one SpacePolicy found at `path` ("default" or spaces."x").
absl::Status ValidateSpacePolicy(const SpacePolicy& policy, const std::string& path,
                                 const LoadedPolicy& loaded,
                                 const watermark::TextSchemeRegistry& text_schemes) {
  auto error = [&](absl::string_view field, absl::string_view what) {
    const std::string field_path = absl::StrCat(path, ".", field);
    return absl::InvalidArgumentError(absl::StrCat(
        LocationPrefix(loaded.source, loaded.locations, field_path), field_path, ": ", what));
  };
  if (policy.has_budget_ms() && (policy.budget_ms() == 0 || policy.budget_ms() > kMaxBudgetMs)) {
    return error("budget_ms",
                 absl::StrCat("must be from 1 to ", kMaxBudgetMs, ", got ", policy.budget_ms()));
  }
  if (!policy.text().scheme().empty() && text_schemes.Find(policy.text().scheme()) == nullptr) {
    return error("text.scheme",
                 absl::StrCat("unknown text scheme \"", policy.text().scheme(),
                              "\"; known: ", absl::StrJoin(text_schemes.names(), ", ")));
  }
  if (policy.text().has_max_bytes() &&
      (policy.text().max_bytes() == 0 || policy.text().max_bytes() > kMaxTextBytesLimit)) {
    return error("text.max_bytes", absl::StrCat("must be from 1 to ", kMaxTextBytesLimit, ", got ",
                                                policy.text().max_bytes()));
  }
  if (!policy.image().scheme().empty()) {
    const std::vector<std::string> known = image::BuiltinImageSchemeNames();
    if (std::find(known.begin(), known.end(), policy.image().scheme()) == known.end()) {
      return error("image.scheme", absl::StrCat("unknown image scheme \"", policy.image().scheme(),
                                                "\"; known: ", absl::StrJoin(known, ", ")));
    }
  }
  if (policy.image().has_max_pixels() &&
      (policy.image().max_pixels() == 0 || policy.image().max_pixels() > kMaxPixelsLimit)) {
    return error("image.max_pixels", absl::StrCat("must be from 1 to ", kMaxPixelsLimit, ", got ",
                                                  policy.image().max_pixels()));
  }
  if (policy.image().has_max_bytes() &&
      (policy.image().max_bytes() == 0 || policy.image().max_bytes() > kMaxImageBytesLimit)) {
    return error("image.max_bytes", absl::StrCat("must be from 1 to ", kMaxImageBytesLimit,
                                                 ", got ", policy.image().max_bytes()));
  }
  if (policy.image().has_jpeg_quality() && policy.image().jpeg_quality() > 100) {
    return error("image.jpeg_quality", absl::StrCat("must be from 0 (match the input) to 100, got ",
                                                    policy.image().jpeg_quality()));
  }
  return absl::OkStatus();
}

absl::Status ValidatePolicy(const LoadedPolicy& loaded,
                            const watermark::TextSchemeRegistry& text_schemes) {
  const Policy& policy = loaded.policy;
  HM_RETURN_IF_ERROR(ValidateSpacePolicy(policy.default_(), "default", loaded, text_schemes));
  for (const auto& [name, space_policy] : policy.spaces()) {
    const std::string path = absl::StrCat("spaces.\"", name, "\"");
    absl::Status name_status = ValidateSpaceName(name);
    if (!name_status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(LocationPrefix(loaded.source, loaded.locations, path), path, ": ",
                       name_status.message()));
    }
    if (name == kOtherSpaceLabel) {
      return absl::InvalidArgumentError(
          absl::StrCat(LocationPrefix(loaded.source, loaded.locations, path), path,
                       ": \"other\" is reserved for the metrics of unnamed Spaces"));
    }
    HM_RETURN_IF_ERROR(ValidateSpacePolicy(space_policy, path, loaded, text_schemes));
  }
  if (!policy.keys().active().empty()) {
    absl::Status id_status = watermark::ValidateKeyId(policy.keys().active());
    if (!id_status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(LocationPrefix(loaded.source, loaded.locations, "keys.active"),
                       "keys.active: ", id_status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSpaceName(absl::string_view space) {
  if (space.empty()) return absl::InvalidArgumentError("space must not be empty");
  if (space.size() > kMaxSpaceNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("space is ", space.size(), " bytes; the limit is ", kMaxSpaceNameBytes));
  }
  for (unsigned char c : space) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("space must not contain control characters");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LoadedPolicy> ParsePolicy(absl::string_view yaml, absl::string_view source,
                                         const watermark::TextSchemeRegistry& text_schemes) {
  LoadedPolicy loaded;
  loaded.source = std::string(source);
  HM_RETURN_IF_ERROR(ReadYamlIntoProto(yaml, source, loaded.policy, &loaded.locations));
  HM_RETURN_IF_ERROR(ValidatePolicy(loaded, text_schemes));
  return loaded;
}

absl::StatusOr<LoadedPolicy> LoadPolicyFile(const std::string& path,
                                            const watermark::TextSchemeRegistry& text_schemes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read policy file ", path));
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading policy file ", path));
  return ParsePolicy(content.str(), path, text_schemes);
}

LoadedPolicy EmbeddedDefaultPolicy() {
  LoadedPolicy loaded;
  loaded.source = "embedded defaults";
  loaded.policy.mutable_default_()->set_mode(hallmark::config::v1::MODE_MARK);
  return loaded;
}

SpacePolicy ResolveSpacePolicy(const SpacePolicy& defaults, const SpacePolicy* overrides) {
  SpacePolicy out;
  out.set_mode(hallmark::config::v1::MODE_MARK);
  out.set_budget_ms(kDefaultBudgetMs);
  out.mutable_text()->set_scheme(std::string(watermark::kDefaultTextScheme));
  out.mutable_text()->set_max_bytes(kDefaultMaxTextBytes);
  out.mutable_image()->set_scheme(std::string(image::kDefaultImageScheme));
  out.mutable_image()->set_max_pixels(kDefaultMaxPixels);
  out.mutable_image()->set_max_bytes(kDefaultMaxImageBytes);
  out.mutable_image()->set_jpeg_quality(0);
  out.mutable_image()->set_provenance(hallmark::config::v1::PROVENANCE_C2PA);
  for (const SpacePolicy* layer : {&defaults, overrides}) {
    if (layer == nullptr) continue;
    if (layer->mode() != hallmark::config::v1::MODE_UNSPECIFIED) out.set_mode(layer->mode());
    if (layer->has_budget_ms()) out.set_budget_ms(layer->budget_ms());
    if (!layer->text().scheme().empty()) out.mutable_text()->set_scheme(layer->text().scheme());
    if (layer->text().has_max_bytes()) out.mutable_text()->set_max_bytes(layer->text().max_bytes());
    if (!layer->image().scheme().empty()) {
      out.mutable_image()->set_scheme(layer->image().scheme());
    }
    if (layer->image().has_max_pixels()) {
      out.mutable_image()->set_max_pixels(layer->image().max_pixels());
    }
    if (layer->image().has_max_bytes()) {
      out.mutable_image()->set_max_bytes(layer->image().max_bytes());
    }
    if (layer->image().has_jpeg_quality()) {
      out.mutable_image()->set_jpeg_quality(layer->image().jpeg_quality());
    }
    if (layer->image().provenance() != hallmark::config::v1::PROVENANCE_UNSPECIFIED) {
      out.mutable_image()->set_provenance(layer->image().provenance());
    }
  }
  return out;
}

}  // namespace hallmark::sidecar
