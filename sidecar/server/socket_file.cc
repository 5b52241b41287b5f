#include "sidecar/server/socket_file.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace hallmark::sidecar {

absl::StatusOr<mode_t> ParseSocketMode(absl::string_view text) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != text.npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--unix_socket_mode: \"", text, "\" is not an octal mode such as 0660"));
  }
  return static_cast<mode_t>(std::stoul(std::string(text), nullptr, 8) & 0777);
}

absl::StatusOr<gid_t> ParseSocketGroup(absl::string_view name_or_gid) {
  uint32_t gid = 0;
  if (absl::SimpleAtoi(name_or_gid, &gid)) {
    if (gid == static_cast<uint32_t>(-1)) {
      return absl::InvalidArgumentError("--unix_socket_group: 4294967295 is not a usable gid");
    }
    return static_cast<gid_t>(gid);
  }
  const std::string name(name_or_gid);
  group entry;
  group* found = nullptr;
  std::vector<char> buffer(16384);
  int error = 0;
  while ((error = getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found)) ==
         ERANGE) {
    buffer.resize(buffer.size() * 2);
  }
  if (error != 0) {
    return absl::InvalidArgumentError(absl::StrCat("--unix_socket_group: cannot look up group \"",
                                                   name, "\": ", std::strerror(error)));
  }
  if (found == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("--unix_socket_group: no group named \"", name,
                                                   "\" (a numeric gid works without one)"));
  }
  return found->gr_gid;
}

std::string UnixSocketPath(absl::string_view listen) {
  absl::string_view path = listen;
  absl::ConsumePrefix(&path, "unix:");
  // "unix:///p" is the URI form of the absolute path /p.
  if (absl::StartsWith(path, "//")) path.remove_prefix(2);
  return std::string(path);
}

absl::Status ApplySocketFileAccess(const std::string& path, const SocketFileAccess& access) {
  if (access.group.has_value() && chown(path.c_str(), static_cast<uid_t>(-1), *access.group) != 0) {
    const int error = errno;
    return absl::PermissionDeniedError(absl::StrCat(
        "chown ", path, " to group ", *access.group, ": ", std::strerror(error),
        error == EPERM ? " (the process must belong to the group, or run as root)" : ""));
  }
  if (chmod(path.c_str(), access.mode) != 0) {
    return absl::PermissionDeniedError(absl::StrCat("chmod ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace hallmark::sidecar
