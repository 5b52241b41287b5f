// Minimal structured logging to stderr (Debian's Abseil has no absl/log).
// One line per call: "<RFC3339 time> <LEVEL> <message>". Thread-safe: each
// line is written with a single call.
#ifndef HALLMARK_SIDECAR_LOG_LOG_H_
#define HALLMARK_SIDECAR_LOG_LOG_H_

#include "absl/strings/string_view.h"

namespace hallmark::sidecar {

enum class LogLevel { kInfo, kWarning, kError };

void Log(LogLevel level, absl::string_view message);
inline void LogInfo(absl::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarning(absl::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogError(absl::string_view m) { Log(LogLevel::kError, m); }

}  // namespace hallmark::sidecar

#endif  // HALLMARK_SIDECAR_LOG_LOG_H_
