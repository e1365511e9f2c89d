// Early-return helpers for absl::Status and absl::StatusOr.
//
// Abseil 20220623 (Debian 12) ships no status macros, so kyodo keeps these two
// small ones. They evaluate their argument exactly once.
#ifndef KYODO_COMMON_STATUS_MACROS_H_
#define KYODO_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns the status from the enclosing function when `expr` is not OK.
// Not const, so that the return moves it.
#define KYODO_RETURN_IF_ERROR(expr)                \
  do {                                             \
    absl::Status kyodo_status_ = (expr);           \
    if (!kyodo_status_.ok()) return kyodo_status_; \
  } while (false)

#define KYODO_STATUS_CONCAT_INNER_(a, b) a##b
#define KYODO_STATUS_CONCAT_(a, b) KYODO_STATUS_CONCAT_INNER_(a, b)

// `KYODO_ASSIGN_OR_RETURN(auto x, Fn());` declares x from an OK StatusOr, or
// returns its status from the enclosing function.
#define KYODO_ASSIGN_OR_RETURN(lhs, expr) \
  KYODO_ASSIGN_OR_RETURN_IMPL_(           \
      KYODO_STATUS_CONCAT_(kyodo_statusor_, __LINE__), lhs, expr)

// `lhs` is a declaration (`auto x`) or a name and `statusor` a name made
// above: neither can take the parentheses bugprone-macro-parentheses asks for.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define KYODO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)  \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)
// NOLINTEND(bugprone-macro-parentheses)

#endif  // KYODO_COMMON_STATUS_MACROS_H_
