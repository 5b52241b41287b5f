#include "sidecar/keys/key_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hallmark::sidecar {

absl::StatusOr<std::string> ReadKeyFile(const std::string& path, size_t max_bytes,
                                        absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", what, " ", path, ": ", std::strerror(errno)));
  }
  std::string content(max_bytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", what, " ", path));
  content.resize(static_cast<size_t>(in.gcount()));
  if (content.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " is larger than ", max_bytes, " bytes"));
  }
  return content;
}

}  // namespace hallmark::sidecar
