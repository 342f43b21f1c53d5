#include "server/json_body.h"

#include <boost/json.hpp>

namespace hippocrate::server {

Result<boost::json::object> parse_json_body(const HttpRequest& request) {
  const auto content_type = request.headers.get("content-type");
  const std::string_view media = content_type ? content_type->substr(0, content_type->find(';'))
                                              : std::string_view{};
  if (media != "application/json") {
    return Error::invalid_argument("unsupported_media_type",
                                   "the request body must be application/json");
  }
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(request.body, ec, {}, options);
  if (ec || !value.is_object()) {
    return Error::invalid_argument("malformed_json", "the request body is not a valid JSON object");
  }
  return std::move(value.as_object());
}

HttpResponse json_response(int status, const boost::json::value& body) {
  HttpResponse response;
  response.status = status;
  response.body = boost::json::serialize(body);
  response.headers.set("content-type", "application/json");
  return response;
}

}  // namespace hippocrate::server
