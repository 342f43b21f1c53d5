#include "server/web_app.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "server/http_status.h"

namespace hippocrate::server {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIndex = "/index.html";

struct Extension {
  std::string_view suffix;
  std::string_view media_type;
};
constexpr std::array<Extension, 17> kMediaTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".wasm", "application/wasm"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/vnd.microsoft.icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".avif", "image/avif"},
    {".gif", "image/gif"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Vite's content-hashed names: /assets/NAME-HASH.EXT, HASH 8 characters of [A-Za-z0-9_-].
bool is_hashed(std::string_view url) {
  if (!url.starts_with("/assets/")) return false;
  const std::string_view name = url.substr(url.rfind('/') + 1);
  const auto dot = name.find('.');
  // The hash's alphabet has '-' too: the 8 characters right before the first '.', after a '-'.
  if (dot == std::string_view::npos || dot < 10 || name[dot - 9] != '-') return false;
  const std::string_view hash = name.substr(dot - 8, 8);
  return std::all_of(hash.begin(), hash.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// A client-side route: its last segment has no '.' ("/", "/sign-in", "/patients/42"), and no
// segment is empty, "." or ".." (such a path is a probe, never a route of the app) nor
// holds a backslash.
bool is_app_route(std::string_view path) {
  if (path.find('\\') != std::string_view::npos) return false;
  if (path == "/") return true;
  std::string_view rest = path.substr(1);
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) return segment.find('.') == std::string_view::npos;
    rest = rest.substr(slash + 1);
  }
}

Result<std::string> read_whole(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::internal("web_app_unreadable", "cannot read " + file.filename().string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::optional<std::string_view> web_media_type(std::string_view file_name) {
  const std::string name = lower(file_name);
  for (const auto& e : kMediaTypes) {
    if (name.size() > e.suffix.size() && name.ends_with(e.suffix)) return e.media_type;
  }
  return std::nullopt;
}

bool accepts_encoding(std::string_view header, std::string_view coding) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const auto semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    std::string_view params =
        semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    auto trim = [](std::string_view v) {
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return v;
    };
    name = trim(name);
    if (lower(name) != coding && name != "*") continue;
    // q=0 (0, 0.0, 0.00, 0.000) refuses it.
    std::string q = lower(trim(params));
    q.erase(std::remove(q.begin(), q.end(), ' '), q.end());
    if (q.starts_with("q=")) {
      const std::string value = q.substr(2);
      if (!value.empty() &&
          std::all_of(value.begin(), value.end(), [](char c) { return c == '0' || c == '.'; })) {
        return false;
      }
    }
    return true;
  }
  return false;
}

Result<WebApp> WebApp::load(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_regular_file(root / "index.html", ec)) {
    return Error::not_found(
        "web_app_missing",
        "no index.html in " + root.string() + " (the web app is not built: make run builds it)");
  }
  WebApp app;
  std::map<std::string, std::string> gzip, brotli;
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(".") || it->is_symlink(ec)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;  // hidden files and links are never served
    }
    if (!it->is_regular_file(ec)) continue;
    if (app.files_.size() + gzip.size() + brotli.size() >= kMaxFiles) {
      return Error::failed_precondition("web_app_too_large",
                                        "more than 2000 files in " + root.string());
    }
    std::string url = "/" + fs::relative(it->path(), root, ec).generic_string();
    HIPPO_ASSIGN_OR_RETURN(std::string body, read_whole(it->path()));
    total += body.size();
    if (total > kMaxTotalBytes) {
      return Error::failed_precondition("web_app_too_large", "over 64 MiB in " + root.string());
    }
    if (url.ends_with(".gz")) {
      gzip[url.substr(0, url.size() - 3)] = std::move(body);
      continue;
    }
    if (url.ends_with(".br")) {
      brotli[url.substr(0, url.size() - 3)] = std::move(body);
      continue;
    }
    const auto media_type = web_media_type(url);
    if (!media_type) continue;  // not a type the app serves
    File file{std::string(*media_type),
              url == kIndex ? "no-store"
                            : (is_hashed(url) ? "public, max-age=31536000, immutable" : "no-cache"),
              std::move(body), std::nullopt, std::nullopt};
    app.files_.emplace(std::move(url), std::move(file));
  }
  if (ec) return Error::internal("web_app_unreadable", "cannot list " + root.string());
  // serve() answers every client-side route with it: an index.html that was skipped (a
  // link) is no app at all.
  if (!app.files_.contains(kIndex)) {
    return Error::not_found("web_app_missing", "index.html in " + root.string() +
                                                   " is not a plain file (links are not served)");
  }
  for (auto& [url, body] : gzip) {
    if (auto it = app.files_.find(url); it != app.files_.end()) it->second.gzip = std::move(body);
  }
  for (auto& [url, body] : brotli) {
    if (auto it = app.files_.find(url); it != app.files_.end()) it->second.brotli = std::move(body);
  }
  return app;
}

HttpResponse WebApp::answer(const File& file, std::string_view accept_encoding) const {
  HttpResponse out;
  out.status = 200;
  if (file.brotli && accepts_encoding(accept_encoding, "br")) {
    out.body = *file.brotli;
    out.headers.set("content-encoding", "br");
  } else if (file.gzip && accepts_encoding(accept_encoding, "gzip")) {
    out.body = *file.gzip;
    out.headers.set("content-encoding", "gzip");
  } else {
    out.body = file.body;
  }
  if (file.gzip || file.brotli) out.headers.set("vary", "Accept-Encoding");
  out.headers.set("content-type", file.media_type);
  out.headers.set("cache-control", file.cache_control);
  out.headers.set("content-security-policy", std::string(kWebAppCsp));
  out.headers.set("cross-origin-opener-policy", "same-origin");
  out.headers.set("cross-origin-resource-policy", "same-origin");
  return out;
}

HttpResponse WebApp::serve(const HttpRequest& request) const {
  const std::string_view path = request.path;
  const std::string_view accept = request.headers.get("accept-encoding").value_or("");
  if (auto it = files_.find(path); it != files_.end() && path != kIndex) {
    return answer(it->second, accept);
  }
  if (is_app_route(path) || path == kIndex) return answer(files_.find(kIndex)->second, accept);
  return error_response(Error::not_found("not_found", "no such resource"));
}

}  // namespace hippocrate::server
