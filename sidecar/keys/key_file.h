// Reads a small secret or certificate file (a Kubernetes Secret's key)
// with a size cap, naming the file and the problem in errors.
#ifndef HALLMARK_SIDECAR_KEYS_KEY_FILE_H_
#define HALLMARK_SIDECAR_KEYS_KEY_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hallmark::sidecar {

// `what` names the file in messages ("receipt key file"). NOT_FOUND when it
// cannot be opened, INVALID_ARGUMENT when larger than `max_bytes`.
absl::StatusOr<std::string> ReadKeyFile(const std::string& path, size_t max_bytes,
                                        absl::string_view what);

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_KEYS_KEY_FILE_H_
