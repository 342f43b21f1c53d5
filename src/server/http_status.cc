#include "server/http_status.h"

#include <boost/json.hpp>

#include "http/status.h"

namespace hippocrate::server {

HttpResponse error_response(const Error& error) {
  HttpResponse response;
  response.status = http::status_for(error);
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
