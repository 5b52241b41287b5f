#include "tools/hallmark/offline_sidecar.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "sidecar/version.h"
#include "watermark/base/status_macros.h"

namespace hallmark::cli {

OfflineSidecar::OfflineSidecar() : metrics({sidecar::kVersion, sidecar::kGitCommit}) {
  watermark::RegisterBuiltinTextSchemes(text_schemes);
}

absl::StatusOr<std::unique_ptr<OfflineSidecar>> MakeOfflineSidecar(const std::string& policy_path,
                                                                   const std::string& keys_dir,
                                                                   bool warn_ephemeral) {
  auto offline = std::make_unique<OfflineSidecar>();
  HM_ASSIGN_OR_RETURN(offline->config,
                      sidecar::ConfigStore::Create({policy_path, keys_dir}, offline->text_schemes,
                                                   offline->metrics));
  if (warn_ephemeral && offline->config->Current()->key_ring().ephemeral()) {
    std::fprintf(stderr,
                 "hallmark: WARNING: no --keys given: marking with an EPHEMERAL key; the mark "
                 "cannot be verified later. Create keys with: hallmark keygen --out DIR\n");
  }
  return offline;
}

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::string content((std::istreambuf_iterator<char>(std::cin)),
                        std::istreambuf_iterator<char>());
    return content;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return content.str();
}

}  // namespace hallmark::cli
