// The file of a unix domain socket listener: who may connect is decided by
// its mode and group (--unix_socket_mode, --unix_socket_group), as nothing
// else authenticates callers on a unix socket.
#ifndef HALLMARK_SIDECAR_SERVER_SOCKET_FILE_H_
#define HALLMARK_SIDECAR_SERVER_SOCKET_FILE_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace hallmark::sidecar {

struct SocketFileAccess {
  mode_t mode = 0660;
  absl::optional<gid_t> group;  // unset: the group the process creates files with
};

// Parses an octal permission string such as "0660" (--unix_socket_mode).
absl::StatusOr<mode_t> ParseSocketMode(absl::string_view text);

// A group name from the group database, or a numeric gid, which need not be
// in it (Kubernetes' fsGroup usually is not). --unix_socket_group.
absl::StatusOr<gid_t> ParseSocketGroup(absl::string_view name_or_gid);

// The file path of a "unix:" gRPC address: "unix:/p" and "unix:///p" are
// /p; "unix:p" is relative to the working directory.
std::string UnixSocketPath(absl::string_view listen);

// Gives the socket file its group (if set), then its mode. Errors name the
// path and say why (a process may only give a file a group it belongs to,
// unless it runs as root).
absl::Status ApplySocketFileAccess(const std::string& path, const SocketFileAccess& access);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_SERVER_SOCKET_FILE_H_
