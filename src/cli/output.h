// What the client commands print: human text by default, JSON with --json, and errors as
// `hippocrate: MESSAGE` on stderr (plus the error JSON on stdout in --json mode).
//
// Exit codes of the client commands: 0 success, 1 an error (the server's or a local one),
// 2 a usage error (missing or contradictory arguments, no terminal to prompt on).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "client/engine/json_fields.h"

namespace hippocrate::cli {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// Errors the CLI itself raises for bad usage; report_error() exits 2 for them.
Error usage_error(std::string message);
bool is_usage_error(const Error& error);

// Prints `hippocrate: MESSAGE` on stderr and, when `json`, {"error":{"code","message"}} on
// stdout. Returns the exit code (2 for usage errors, 1 otherwise).
int report_error(const Error& error, bool json);

// One JSON document on stdout, followed by a newline.
void print_json(const boost::json::value& value);

// Lenient accessors for server answers (client/engine/json_fields.h).
using client::json_bool;
using client::json_int;
using client::json_object;
using client::json_string;

// Unix seconds as local time, "2026-11-28 19:44:05 CET"; "never" for 0.
std::string format_time(std::int64_t unix_seconds);

}  // namespace hippocrate::cli
