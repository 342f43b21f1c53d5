#include "cli/profile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
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

}  // namespace

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
  return config;
}

Status Profile::save_config(const ProfileConfig& config) const {
  boost::json::object object;
  if (!config.server_url.empty()) object["server"] = config.server_url;
  if (!config.ca_file.empty()) object["ca_file"] = fs::absolute(config.ca_file).string();
  if (!config.email.empty()) object["email"] = config.email;
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
