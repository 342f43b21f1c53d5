// A CLI profile: the folder where one user of this machine keeps their session with a
// Hippocrate server, so that several users (or one user with several accounts) can live
// side by side with `--profile DIR`.
//
// Folder: `--profile DIR`, else $HIPPOCRATE_PROFILE, else $XDG_CONFIG_HOME/hippocrate, else
// ~/.config/hippocrate; created 0700. It holds:
//   session      the session token (43 base64url characters), mode 0600, written atomically;
//   config.json  {"server","ca_file","email"}: the server URL, the absolute path of the CA
//                file to trust, the last e-mail used — so that after
//                `login --server X --ca-file Y` later commands need no flags. Mode 0600.
//
// Contract: the token is read straight into SecretBytes and never lives in a std::string.
// A session file that other users could read or write (any of the mode bits 077), that is
// not a regular file, or that belongs to someone else is refused ("session_file_insecure",
// the message gives the chmod to run). A profile folder or config.json that others can
// write is refused too ("profile_insecure"), since it decides which server and CA to trust.
// Not thread-safe; the files are the synchronisation between processes (atomic renames).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::cli {

struct ProfileConfig {
  std::string server_url;         // "https://host:port"; empty when never set
  std::filesystem::path ca_file;  // absolute; empty: the system trust store
  std::string email;              // the last e-mail that logged in or accepted an invitation
};

class Profile {
 public:
  // The folder to use: `flag` when not empty, else the environment, else the default.
  // Errors: "profile_unknown" when neither HOME nor XDG_CONFIG_HOME is set.
  static Result<std::filesystem::path> resolve_dir(std::string_view flag);

  // Uses `dir`, creating it (and its parents) 0700 when missing. Errors:
  // "directory_create_failed", "profile_insecure".
  static Result<Profile> open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path session_path() const { return dir_ / "session"; }
  std::filesystem::path config_path() const { return dir_ / "config.json"; }

  // A missing config.json is an empty config. Errors: "profile_insecure",
  // "profile_config_invalid" (not the JSON object this class writes), "file_read_failed".
  Result<ProfileConfig> load_config() const;
  Status save_config(const ProfileConfig& config) const;

  // std::nullopt when there is no session file. Errors: "session_file_insecure",
  // "session_file_invalid" (empty or oversized), "file_read_failed".
  Result<std::optional<SecretBytes>> load_session() const;
  // Replaces the session file atomically (mode 0600 from the first byte).
  Status save_session(const SecretBytes& token) const;
  // Deletes the session file; succeeds when it is already gone.
  Status remove_session() const;

 private:
  explicit Profile(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace hippocrate::cli
