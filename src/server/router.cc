#include "server/router.h"

#include <stdexcept>

namespace hippocrate::server {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool is_capture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool template_matches(std::string_view tmpl, std::string_view path, PathParams* params) {
  const auto t = split_path(tmpl);
  const auto p = split_path(path);
  if (t.size() != p.size()) return false;
  PathParams captured;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (is_capture(t[i])) {
      if (p[i].empty()) return false;
      captured.emplace(std::string(t[i].substr(1, t[i].size() - 2)), std::string(p[i]));
    } else if (t[i] != p[i]) {
      return false;
    }
  }
  if (params != nullptr) *params = std::move(captured);
  return true;
}

void validate(const Route& route) {
  const std::string where = route.method + " " + route.path_template;
  if (route.action.empty()) {
    throw std::logic_error("route " + where + " declares no action");
  }
  if (route.path_template.empty() || route.path_template.front() != '/') {
    throw std::logic_error("route " + where + " has a malformed path template");
  }
  for (auto segment : split_path(route.path_template)) {
    if (segment.empty() && route.path_template != "/") {
      throw std::logic_error("route " + where + " has an empty path segment");
    }
    if (!is_capture(segment) && segment.find_first_of("{}") != std::string_view::npos) {
      throw std::logic_error("route " + where + " has a malformed capture");
    }
  }
  if (static_cast<bool>(route.handler) == static_cast<bool>(route.websocket)) {
    throw std::logic_error("route " + where + " needs exactly one of handler or websocket");
  }
  if (route.websocket && route.method != "GET") {
    throw std::logic_error("websocket route " + where + " must use GET");
  }
}

}  // namespace

void Router::add(Route route) {
  validate(route);
  for (const auto& existing : routes_) {
    if (existing->method == route.method && existing->path_template == route.path_template) {
      throw std::logic_error("duplicate route " + route.method + " " + route.path_template);
    }
  }
  routes_.push_back(std::make_unique<Route>(std::move(route)));
}

Result<Router::Match> Router::match(std::string_view method, std::string_view path) const {
  bool path_known = false;
  for (const auto& route : routes_) {
    PathParams params;
    if (!template_matches(route->path_template, path, &params)) continue;
    if (route->method == method) return Match{route.get(), std::move(params)};
    path_known = true;
  }
  if (path_known) {
    return Error::invalid_argument("method_not_allowed",
                                   "this method is not allowed on this resource");
  }
  if (fallback_ && method == fallback_->method && !path.starts_with("/api/") && path != "/api") {
    return Match{fallback_.get(), {}};
  }
  return Error::not_found("not_found", "no such resource");
}

void Router::set_fallback(Route route) {
  if (route.action != kPublicAction || route.method != "GET" || !route.handler || fallback_) {
    throw std::logic_error("router: the fallback is one public GET route with a handler");
  }
  fallback_ = std::make_unique<Route>(std::move(route));
}

std::string Router::allowed_methods(std::string_view path) const {
  std::string out;
  for (const auto& route : routes_) {
    if (!template_matches(route->path_template, path, nullptr)) continue;
    if (!out.empty()) out += ", ";
    out += route->method;
  }
  return out;
}

}  // namespace hippocrate::server
