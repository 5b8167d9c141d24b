// Status propagation macros for absl::Status and absl::StatusOr.
//
// Abseil 20220623 has no public RETURN_IF_ERROR / ASSIGN_OR_RETURN, so the
// project carries its own under the FR_ prefix. They are the only sanctioned
// way to propagate errors; exceptions never cross module boundaries.
#ifndef ENGINE_BASE_STATUS_MACROS_H_
#define ENGINE_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// when it is not OK.
#define FR_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status fr_status_ = (expr);      \
    if (!fr_status_.ok()) return fr_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status from
// the enclosing function, otherwise moves the value into `lhs`, which may be
// a declaration (`auto x`) or an existing variable.
#define FR_ASSIGN_OR_RETURN(lhs, rexpr)                                     \
  FR_ASSIGN_OR_RETURN_IMPL_(FR_STATUS_CONCAT_(fr_statusor_, __LINE__), lhs, \
                            rexpr)

#define FR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)    \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#define FR_STATUS_CONCAT_INNER_(x, y) x##y
#define FR_STATUS_CONCAT_(x, y) FR_STATUS_CONCAT_INNER_(x, y)

#endif  // ENGINE_BASE_STATUS_MACROS_H_
