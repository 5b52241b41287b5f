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

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= n) return false;
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace hallmark::cli
