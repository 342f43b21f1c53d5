// Error values for expected failures (bad input, wrong password, forbidden, not found...).
//
// An Error carries three things:
//   - a canonical ErrorKind, which decides the HTTP status in exactly one place
//     (http/status.cc) and separates "unauthenticated" (401) from
//     "permission denied" (403), as in abseil's status codes;
//   - a stable snake_case code (e.g. "malformed_json") that clients and scripts match on;
//   - a human message in plain words. Messages never contain secrets or internal details
//     (paths, SQL, stack traces): they may be shown to end users.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hippocrate {

enum class ErrorKind : std::uint16_t {
  kInvalidArgument = 1,     // the request is malformed or violates a rule (400)
  kUnauthenticated = 2,     // no valid credentials (401)
  kPermissionDenied = 3,    // authenticated but not allowed (403)
  kNotFound = 4,            // no such resource, or not visible to the caller (404)
  kConflict = 5,            // state conflict, duplicate (409)
  kFailedPrecondition = 6,  // the system is not in a state that allows it (409/412)
  kResourceExhausted = 7,   // limits: size, rate, quota (413/429)
  kUnavailable = 8,         // transient: try again (503)
  kInternal = 9,            // a bug or an unexpected failure (500)
  kDataLoss = 10,           // corruption detected (500)
};

// The stable lower-case name of a kind, e.g. "invalid_argument".
std::string_view error_kind_name(ErrorKind kind);

class Error {
 public:
  Error(ErrorKind kind, std::string code, std::string message)
      : kind_(kind), code_(std::move(code)), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  // Stable snake_case identifier; part of the public API contract.
  const std::string& code() const { return code_; }
  // Plain-words explanation, safe to show to the caller.
  const std::string& message() const { return message_; }

  // "code: message", for logs and test failure output.
  std::string to_string() const;

  // Named factories, one per kind (leveldb's Status::NotFound style).
  static Error invalid_argument(std::string code, std::string message);
  static Error unauthenticated(std::string code, std::string message);
  static Error permission_denied(std::string code, std::string message);
  static Error not_found(std::string code, std::string message);
  static Error conflict(std::string code, std::string message);
  static Error failed_precondition(std::string code, std::string message);
  static Error resource_exhausted(std::string code, std::string message);
  static Error unavailable(std::string code, std::string message);
  static Error internal(std::string code, std::string message);
  static Error data_loss(std::string code, std::string message);

 private:
  ErrorKind kind_;
  std::string code_;
  std::string message_;
};

}  // namespace hippocrate
