#include "cli/output.h"

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <ctime>

namespace hippocrate::cli {
namespace {

constexpr std::string_view kUsageCode = "usage_error";

}  // namespace

Error usage_error(std::string message) {
  return Error::invalid_argument(std::string(kUsageCode), std::move(message));
}

bool is_usage_error(const Error& error) {
  // Bad flags or configuration, as opposed to a refusal or a failure.
  return error.code() == kUsageCode || error.code() == "invalid_config" ||
         error.code() == "invalid_server_url" || error.code() == "ca_file_not_found";
}

int report_error(const Error& error, bool json) {
  std::fprintf(stderr, "hippocrate: %s\n", error.message().c_str());
  if (json) {
    boost::json::object body;
    body["error"] = boost::json::object{{"code", error.code()}, {"message", error.message()}};
    print_json(body);
  }
  return is_usage_error(error) ? kExitUsage : kExitError;
}

void print_json(const boost::json::value& value) {
  const std::string text = boost::json::serialize(value);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string format_time(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return "never";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (::localtime_r(&t, &tm) == nullptr) return std::to_string(unix_seconds);
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return n == 0 ? std::to_string(unix_seconds) : std::string(buffer, n);
}

}  // namespace hippocrate::cli
