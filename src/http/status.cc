#include "http/status.h"

#include <boost/json.hpp>

namespace hippocrate::http {
namespace {

namespace json = boost::json;

struct KindStatus {
  ErrorKind kind;
  int status;
};
// Every kind, once. When two kinds share a status, the first one is what the status comes
// back as.
constexpr KindStatus kKindStatuses[] = {
    {ErrorKind::kInvalidArgument, 400},   {ErrorKind::kUnauthenticated, 401},
    {ErrorKind::kPermissionDenied, 403},  {ErrorKind::kNotFound, 404},
    {ErrorKind::kConflict, 409},          {ErrorKind::kFailedPrecondition, 409},
    {ErrorKind::kResourceExhausted, 429}, {ErrorKind::kUnavailable, 503},
    {ErrorKind::kInternal, 500},          {ErrorKind::kDataLoss, 500},
};

// Error codes whose status is more specific than their kind's, with the kind they are
// raised with.
struct CodeStatus {
  std::string_view code;
  int status;
  ErrorKind kind;
};
constexpr CodeStatus kCodeStatuses[] = {
    {"payload_too_large", 413, ErrorKind::kResourceExhausted},
    {"headers_too_large", 431, ErrorKind::kResourceExhausted},
    {"unsupported_media_type", 415, ErrorKind::kInvalidArgument},
    {"method_not_allowed", 405, ErrorKind::kInvalidArgument},
    {"rate_limited", 429, ErrorKind::kResourceExhausted},
    {"request_timeout", 408, ErrorKind::kUnavailable},
};

std::string string_field(const json::object& object, std::string_view key, std::string fallback) {
  const auto* v = object.if_contains(key);
  if (v == nullptr || !v->is_string()) return fallback;
  return std::string(v->get_string());
}

}  // namespace

int status_for(const Error& error) {
  for (const auto& cs : kCodeStatuses) {
    if (cs.code == error.code()) return cs.status;
  }
  for (const auto& ks : kKindStatuses) {
    if (ks.kind == error.kind()) return ks.status;
  }
  return 500;
}

Error error_for_status(int status, std::string code, std::string message) {
  ErrorKind kind = ErrorKind::kInternal;
  bool found = false;
  for (const auto& ks : kKindStatuses) {
    if (ks.status == status) {
      kind = ks.kind;
      found = true;
      break;
    }
  }
  for (const auto& cs : kCodeStatuses) {
    if (found) break;
    if (cs.status == status) {
      kind = cs.kind;
      found = true;
    }
  }
  return Error(kind, std::move(code), std::move(message));
}

Error error_from_response(int status, std::string_view body) {
  std::string code = "http_" + std::to_string(status);
  std::string message = "the server answered HTTP " + std::to_string(status);
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    if (const auto* error = parsed.get_object().if_contains("error");
        error != nullptr && error->is_object()) {
      code = string_field(error->get_object(), "code", std::move(code));
      message = string_field(error->get_object(), "message", std::move(message));
    }
  }
  return error_for_status(status, std::move(code), std::move(message));
}

}  // namespace hippocrate::http
