// The web app's files, served by `hippocrate serve` itself (docs/web.md): the build output
// of web/ (Vite), read once at start-up into memory — so a request never touches the
// filesystem and no path can reach outside the folder — and answered with:
//   - hashed files (/assets/NAME-HASH.EXT, content-addressed by the build):
//     Cache-Control: public, max-age=31536000, immutable;
//   - index.html, for "/" and for every client-side route (a path whose last segment has no
//     '.'): Cache-Control: no-store, so a new release is picked up at the next visit;
//   - other files (favicon, manifest): Cache-Control: no-cache;
//   - the precompressed variant the client accepts (NAME.br, then NAME.gz, written by the
//     build next to NAME), with Content-Encoding and Vary: Accept-Encoding;
//   - the media type of the extension (files of other types are not served at all);
//   - the app's headers: its Content-Security-Policy (script-src 'self'
//     'wasm-unsafe-eval', no inline script or style, object-src 'none', base-uri 'none',
//     frame-ancestors 'none', require-trusted-types-for 'script'),
//     Cross-Origin-Opener-Policy and Cross-Origin-Resource-Policy same-origin.
// Anything else is 404 `not_found`. Thread-safe once loaded (read-only).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "server/http_types.h"

namespace hippocrate::server {

// The Content-Security-Policy of the app's responses.
inline constexpr std::string_view kWebAppCsp =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'";

class WebApp {
 public:
  // At most this much is loaded (a web app is a few hundred KiB).
  static constexpr std::size_t kMaxFiles = 2000;
  static constexpr std::size_t kMaxTotalBytes = 64 * 1024 * 1024;

  // Reads `root` (symbolic links and dot files are skipped). Errors: "web_app_missing" when
  // `root` has no index.html (the app is not built), "web_app_too_large", "web_app_unreadable".
  static Result<WebApp> load(const std::filesystem::path& root);

  // The answer to a GET of `request.path` (its Accept-Encoding chooses the variant).
  HttpResponse serve(const HttpRequest& request) const;

  std::size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string media_type;
    std::string cache_control;
    std::string body;
    std::optional<std::string> gzip;
    std::optional<std::string> brotli;
  };
  HttpResponse answer(const File& file, std::string_view accept_encoding) const;

  std::map<std::string, File, std::less<>> files_;  // by URL path ("/index.html")
};

// The media type served for a file name's extension, or nullopt (not served).
std::optional<std::string_view> web_media_type(std::string_view file_name);
// Whether `header` (an Accept-Encoding value) accepts `coding` ("gzip", "br"): named (or "*")
// with a q-value other than 0.
bool accepts_encoding(std::string_view header, std::string_view coding);

}  // namespace hippocrate::server
