// Result<T>: either a value or an Error. Used for every expected failure; exceptions are
// reserved for bugs and start-up failures (see docs/contributing.md).
//
//   Result<Account> r = store.find(id);
//   if (!r) return r.error();
//   use(*r);
//
// HIPPO_RETURN_IF_ERROR(expr) and HIPPO_ASSIGN_OR_RETURN(lhs, expr) shorten propagation.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/error.h"

namespace hippocrate {

template <typename T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<T, Error>, "Result<Error> is meaningless");

  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: ok().
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Precondition: !ok().
  const Error& error() const& {
    assert(!ok());
    return std::get<1>(state_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_{ErrorKind::kInternal, "", ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return Status(); }

}  // namespace hippocrate

#define HIPPO_CONCAT_INNER_(a, b) a##b
#define HIPPO_CONCAT_(a, b) HIPPO_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Result<...>) from the enclosing function, if any.
#define HIPPO_RETURN_IF_ERROR(expr)                                   \
  do {                                                                \
    auto&& hippo_status_ = (expr);                                    \
    if (!hippo_status_.ok()) return std::move(hippo_status_).error(); \
  } while (0)

// Evaluates `expr` (a Result<T>); on error returns it, otherwise moves the value into `lhs`
// (which may be a declaration: `HIPPO_ASSIGN_OR_RETURN(auto x, f());`).
#define HIPPO_ASSIGN_OR_RETURN(lhs, expr) \
  HIPPO_ASSIGN_OR_RETURN_IMPL_(HIPPO_CONCAT_(hippo_result_, __LINE__), lhs, expr)
// `tmp` is a name the macro makes and `lhs` may be a declaration: neither can be
// parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HIPPO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).error();      \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
