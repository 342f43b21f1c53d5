#include "base/error.h"

namespace hippocrate {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return "invalid_argument";
    case ErrorKind::kUnauthenticated: return "unauthenticated";
    case ErrorKind::kPermissionDenied: return "permission_denied";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kFailedPrecondition: return "failed_precondition";
    case ErrorKind::kResourceExhausted: return "resource_exhausted";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kInternal: return "internal";
    case ErrorKind::kDataLoss: return "data_loss";
  }
  return "internal";
}

std::string Error::to_string() const { return code_ + ": " + message_; }

Error Error::invalid_argument(std::string code, std::string message) {
  return {ErrorKind::kInvalidArgument, std::move(code), std::move(message)};
}
Error Error::unauthenticated(std::string code, std::string message) {
  return {ErrorKind::kUnauthenticated, std::move(code), std::move(message)};
}
Error Error::permission_denied(std::string code, std::string message) {
  return {ErrorKind::kPermissionDenied, std::move(code), std::move(message)};
}
Error Error::not_found(std::string code, std::string message) {
  return {ErrorKind::kNotFound, std::move(code), std::move(message)};
}
Error Error::conflict(std::string code, std::string message) {
  return {ErrorKind::kConflict, std::move(code), std::move(message)};
}
Error Error::failed_precondition(std::string code, std::string message) {
  return {ErrorKind::kFailedPrecondition, std::move(code), std::move(message)};
}
Error Error::resource_exhausted(std::string code, std::string message) {
  return {ErrorKind::kResourceExhausted, std::move(code), std::move(message)};
}
Error Error::unavailable(std::string code, std::string message) {
  return {ErrorKind::kUnavailable, std::move(code), std::move(message)};
}
Error Error::internal(std::string code, std::string message) {
  return {ErrorKind::kInternal, std::move(code), std::move(message)};
}
Error Error::data_loss(std::string code, std::string message) {
  return {ErrorKind::kDataLoss, std::move(code), std::move(message)};
}

}  // namespace hippocrate
