#include "server/http_status.h"

#include <boost/json.hpp>

namespace hippocrate::server {
namespace {

// Error codes whose HTTP status is more specific than their kind's.
struct CodeStatus {
  std::string_view code;
  int status;
};
constexpr CodeStatus kSpecificStatuses[] = {
    {"payload_too_large", 413},       {"headers_too_large", 431},
    {"unsupported_media_type", 415},  {"method_not_allowed", 405},
    {"rate_limited", 429},            {"request_timeout", 408},
};

}  // namespace

int http_status_for(const Error& error) {
  for (const auto& cs : kSpecificStatuses) {
    if (cs.code == error.code()) return cs.status;
  }
  switch (error.kind()) {
    case ErrorKind::kInvalidArgument: return 400;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kPermissionDenied: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kFailedPrecondition: return 409;
    case ErrorKind::kResourceExhausted: return 429;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
    case ErrorKind::kDataLoss: return 500;
  }
  return 500;
}

HttpResponse error_response(const Error& error) {
  HttpResponse response;
  response.status = http_status_for(error);
  boost::json::object inner;
  inner["code"] = error.code();
  inner["message"] = error.message();
  boost::json::object outer;
  outer["error"] = std::move(inner);
  response.body = boost::json::serialize(outer);
  response.headers.set("content-type", "application/json");
  if (response.status == 401) response.headers.set("www-authenticate", "Bearer");
  return response;
}

}  // namespace hippocrate::server
