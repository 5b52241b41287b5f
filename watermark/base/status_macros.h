// Status propagation macros. Debian's Abseil (20220623) has no
// status_macros.h, so the project defines its two macros once, here.
#ifndef HALLMARK_WATERMARK_BASE_STATUS_MACROS_H_
#define HALLMARK_WATERMARK_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define HM_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status hm_status_ = (expr);      \
    if (!hm_status_.ok()) return hm_status_; \
  } while (false)

#define HM_STATUS_CONCAT_INNER_(a, b) a##b
#define HM_STATUS_CONCAT_(a, b) HM_STATUS_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, else
// moves the value into `lhs`, which may be a declaration (`auto x`).
#define HM_ASSIGN_OR_RETURN(lhs, rexpr) \
  HM_ASSIGN_OR_RETURN_IMPL_(HM_STATUS_CONCAT_(hm_statusor_, __LINE__), lhs, rexpr)

#define HM_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)    \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // HALLMARK_WATERMARK_BASE_STATUS_MACROS_H_
