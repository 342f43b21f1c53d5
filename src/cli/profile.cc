#include "cli/profile.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "base/encoding.h"
#include "base/files.h"

namespace hippocrate::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxSessionFileBytes = 4096;
constexpr std::size_t kMaxConfigFileBytes = 64 * 1024;

std::string octal_mode(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

// Closes a file descriptor on every path.
struct FdCloser {
  void operator()(const int* fd) const {
    if (fd != nullptr && *fd >= 0) ::close(*fd);
    delete fd;
  }
};
using UniqueFd = std::unique_ptr<int, FdCloser>;

Status check_folder(const fs::path& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error::invalid_argument("profile_insecure", dir.string() + " is not a folder");
  }
  if (st.st_uid != ::geteuid()) {
    return Error::permission_denied(
        "profile_insecure",
        "the profile folder " + dir.string() + " belongs to another user; use your own --profile");
  }
  if ((st.st_mode & 022) != 0) {
    return Error::permission_denied(
        "profile_insecure", "the profile folder " + dir.string() +
                                " can be written by other users (mode " + octal_mode(st.st_mode) +
                                "). Run: chmod 700 '" + dir.string() + "'");
  }
  return ok_status();
}

// Lower case, no trailing '/', the port always written (https: 443).
std::string normalise_url(std::string_view url) {
  std::string out;
  for (const char c : url)
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  while (out.ends_with('/')) out.pop_back();
  const std::size_t authority = out.find("://");
  const std::size_t host_start = authority == std::string::npos ? 0 : authority + 3;
  const std::size_t bracket = out.rfind(']');
  const std::size_t colon = out.rfind(':');
  const bool has_port = colon != std::string::npos && colon >= host_start &&
                        (bracket == std::string::npos || colon > bracket);
  if (!has_port) out += ":443";
  return out;
}

Error other_server(std::string_view issuer, std::string_view server_url, std::string_view why) {
  return Error::permission_denied(
      "session_other_server",
      "this profile's session was opened on " + std::string(issuer) + std::string(why) +
          "; it is sent to no other server, so it was not sent to " + std::string(server_url) +
          ". To use " + std::string(server_url) +
          ", log in there (hippocrate login EMAIL --server " + std::string(server_url) +
          " [--ca-file FILE]), or use another --profile for it");
}

}  // namespace

std::string session_tag(const SecretBytes& token) {
  static constexpr char kKey[] = "hippocrate cli session tag v1...";  // 32 bytes, a domain
  static_assert(sizeof kKey - 1 == crypto_generichash_KEYBYTES);
  unsigned char tag[16];
  crypto_generichash(tag, sizeof tag, token.data(), token.size(),
                     reinterpret_cast<const unsigned char*>(kKey), sizeof kKey - 1);
  return hex_encode(std::span<const std::uint8_t>(tag, sizeof tag));
}

bool same_server_url(std::string_view a, std::string_view b) {
  return normalise_url(a) == normalise_url(b);
}

Result<std::string> session_certificate_pin(const ProfileConfig& config, const SecretBytes& token,
                                            std::string_view server_url, const fs::path& ca_file) {
  if (config.session_server) {
    const SessionServer& issuer = *config.session_server;
    if (issuer.session_tag != session_tag(token) || issuer.certificate_sha256.empty()) {
      return Error::permission_denied(
          "session_server_unknown",
          "this profile's session file does not match the server recorded for it (it was "
          "replaced), so it is sent to no server; log in again: hippocrate login EMAIL");
    }
    if (!same_server_url(issuer.url, server_url)) return other_server(issuer.url, server_url, "");
    return issuer.certificate_sha256;
  }
  // A profile of an older version: its session goes where that version sent it.
  if (config.server_url.empty()) {
    return Error::permission_denied(
        "session_server_unknown",
        "this profile's session does not say which server issued it (an older hippocrate wrote "
        "it), so it is sent to no server; log in again: hippocrate login EMAIL --server URL");
  }
  if (!same_server_url(config.server_url, server_url)) {
    return other_server(config.server_url, server_url, "");
  }
  const auto normal = [](const fs::path& p) {
    return p.empty() ? std::string() : fs::absolute(p).lexically_normal().string();
  };
  if (normal(config.ca_file) != normal(ca_file)) {
    const std::string trusted = config.ca_file.empty()
                                    ? std::string(" trusting the system's certificate authorities")
                                    : " trusting " + config.ca_file.string();
    return other_server(config.server_url, std::string(server_url) + " with another --ca-file",
                        trusted);
  }
  return std::string();
}

Result<fs::path> Profile::resolve_dir(std::string_view flag) {
  if (!flag.empty()) return fs::absolute(fs::path(flag));
  if (const char* env = std::getenv("HIPPOCRATE_PROFILE"); env != nullptr && *env != '\0') {
    return fs::absolute(fs::path(env));
  }
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && xdg[0] == '/') {
    return fs::path(xdg) / "hippocrate";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".config" / "hippocrate";
  }
  return Error::invalid_argument("profile_unknown",
                                 "cannot tell where to keep the session: set HOME, "
                                 "HIPPOCRATE_PROFILE or use --profile DIR");
}

Result<Profile> Profile::open(const fs::path& dir) {
  HIPPO_RETURN_IF_ERROR(ensure_directory(dir, 0700));
  HIPPO_RETURN_IF_ERROR(check_folder(dir));
  return Profile(dir);
}

Result<ProfileConfig> Profile::load_config() const {
  const fs::path path = config_path();
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ProfileConfig{};
    return Error::internal("file_read_failed", "cannot read " + path.string());
  }
  if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0) {
    return Error::permission_denied(
        "profile_insecure",
        path.string() + " must be a file of yours that others cannot write (mode " +
            octal_mode(st.st_mode) + "). Run: chmod 600 '" + path.string() + "'");
  }
  HIPPO_ASSIGN_OR_RETURN(const std::string text, read_file(path, kMaxConfigFileBytes));
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(text, ec);
  const auto invalid = [&] {
    return Error::invalid_argument("profile_config_invalid",
                                   path.string() +
                                       " is not a valid profile configuration; "
                                       "delete it and log in again");
  };
  if (ec || !value.is_object()) return invalid();
  ProfileConfig config;
  const auto& object = value.get_object();
  const auto text_field = [&](std::string_view key, std::string& out) {
    const auto* v = object.if_contains(key);
    if (v == nullptr) return true;
    if (!v->is_string()) return false;
    out = std::string(v->get_string());
    return true;
  };
  std::string ca_file;
  if (!text_field("server", config.server_url) || !text_field("ca_file", ca_file) ||
      !text_field("email", config.email)) {
    return invalid();
  }
  config.ca_file = ca_file;
  if (const auto* v = object.if_contains("session_server"); v != nullptr) {
    if (!v->is_object()) return invalid();
    const auto& o = v->get_object();
    SessionServer issuer;
    const auto field = [&](std::string_view key, std::string& out) {
      const auto* f = o.if_contains(key);
      if (f == nullptr || !f->is_string()) return false;
      out = std::string(f->get_string());
      return true;
    };
    if (!field("url", issuer.url) || !field("certificate_sha256", issuer.certificate_sha256) ||
        !field("session_tag", issuer.session_tag)) {
      return invalid();
    }
    config.session_server = std::move(issuer);
  }
  return config;
}

Status Profile::save_config(const ProfileConfig& config) const {
  boost::json::object object;
  if (!config.server_url.empty()) object["server"] = config.server_url;
  if (!config.ca_file.empty()) object["ca_file"] = fs::absolute(config.ca_file).string();
  if (!config.email.empty()) object["email"] = config.email;
  if (config.session_server) {
    object["session_server"] = {{"url", config.session_server->url},
                                {"certificate_sha256", config.session_server->certificate_sha256},
                                {"session_tag", config.session_server->session_tag}};
  }
  const std::string text = boost::json::serialize(object) + "\n";
  return write_file_atomic(config_path(), as_bytes(text), 0600);
}

Result<std::optional<SecretBytes>> Profile::load_session() const {
  const fs::path path = session_path();
  UniqueFd fd(new int(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)));
  if (*fd < 0) {
    if (errno == ENOENT) return std::optional<SecretBytes>();
    if (errno == ELOOP) {
      return Error::permission_denied(
          "session_file_insecure",
          path.string() + " is a symbolic link; delete it and log in again");
    }
    return Error::internal("file_read_failed", "cannot read " + path.string());
  }
  struct stat st {};
  if (::fstat(*fd, &st) != 0)
    return Error::internal("file_read_failed", "cannot read " + path.string());
  if (!S_ISREG(st.st_mode)) {
    return Error::permission_denied(
        "session_file_insecure",
        path.string() + " is not a regular file; delete it and log in again");
  }
  if (st.st_uid != ::geteuid()) {
    return Error::permission_denied(
        "session_file_insecure",
        path.string() + " belongs to another user; use your own --profile");
  }
  if ((st.st_mode & 077) != 0) {
    return Error::permission_denied(
        "session_file_insecure",
        path.string() + " can be read or written by other users (mode " + octal_mode(st.st_mode) +
            "); the session token must stay private. Run: chmod 600 '" + path.string() +
            "' (and log in again if someone may have read it)");
  }
  if (st.st_size <= 0 || static_cast<std::size_t>(st.st_size) > kMaxSessionFileBytes) {
    return Error::invalid_argument("session_file_invalid",
                                   path.string() + " does not hold a session; log in again");
  }
  SecretBytes buffer(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::read(*fd, buffer.data() + done, buffer.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::internal("file_read_failed", "cannot read " + path.string());
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  std::size_t length = done;
  while (length > 0 && (buffer.data()[length - 1] == '\n' || buffer.data()[length - 1] == '\r' ||
                        buffer.data()[length - 1] == ' ')) {
    --length;
  }
  if (length == 0) {
    return Error::invalid_argument("session_file_invalid",
                                   path.string() + " does not hold a session; log in again");
  }
  return std::optional<SecretBytes>(SecretBytes::from(buffer.span().first(length)));
}

Status Profile::save_session(const SecretBytes& token) const {
  return write_file_atomic(session_path(), token.span(), 0600);
}

Status Profile::remove_session() const {
  const fs::path path = session_path();
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Error::internal("file_write_failed", "cannot delete " + path.string());
  }
  return ok_status();
}

}  // namespace hippocrate::cli
