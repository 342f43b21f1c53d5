// A CLI profile: the folder where one user of this machine keeps their session with a
// Hippocrate server, so that several users (or one user with several accounts) can live
// side by side with `--profile DIR`.
//
// Folder: `--profile DIR`, else $HIPPOCRATE_PROFILE, else $XDG_CONFIG_HOME/hippocrate, else
// ~/.config/hippocrate; created 0700. It holds:
//   session      the session token (43 base64url characters), mode 0600, written atomically;
//   config.json  {"server","ca_file","email","session_server"}: the server URL, the absolute
//                path of the CA file to trust, the last e-mail used — so that after
//                `login --server X --ca-file Y` later commands need no flags — and the
//                server that issued the session (below). Mode 0600.
//
// A session belongs to the server that issued it: "session_server" records that server's URL
// and the SHA-256 of the certificate it presented at login, with a tag of the session it is
// about (a keyed BLAKE2b of the token, which does not reveal it). session_certificate_pin()
// decides whether the token may go to a given server; the client sends it only to a server
// presenting that certificate (client_context.h). Profiles of older versions have no
// "session_server": their session may go only to the "server" and CA file they remembered,
// and is then bound to the certificate seen the first time it is accepted there.
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

// The server a session was issued by.
struct SessionServer {
  std::string url;                 // "https://host:port", as the session was opened with
  std::string certificate_sha256;  // its certificate at login: SHA-256 of the DER, lowercase hex
  std::string session_tag;         // session_tag() of the token it is about
};

struct ProfileConfig {
  std::string server_url;         // "https://host:port"; empty when never set
  std::filesystem::path ca_file;  // absolute; empty: the system trust store
  std::string email;              // the last e-mail that logged in or accepted an invitation
  std::optional<SessionServer> session_server;  // none in profiles of older versions
};

// A tag naming `token` without revealing it: 32 hex characters of a keyed BLAKE2b.
std::string session_tag(const SecretBytes& token);

// "https://Host:443/" and "https://host" are the same server; "https://host:8443" is another.
bool same_server_url(std::string_view a, std::string_view b);

// Whether the profile's session `token` may be sent to `server_url`, trusted through
// `ca_file` (empty: the system store). Returns the certificate the server must present
// (SHA-256 hex), or an empty string for a profile of an older version whose session has no
// recorded certificate yet (the caller records the one it sees once the server accepts the
// token: trust on first use, for the server and CA file the profile already trusted).
// Errors (permission_denied), each message saying what to do:
//   "session_other_server"    the session was issued by another server (or, for an older
//                             profile, another server or CA file than the remembered ones);
//   "session_server_unknown"  nothing says which server issued it, or the recorded server is
//                             about another session (the session file was replaced).
Result<std::string> session_certificate_pin(const ProfileConfig& config, const SecretBytes& token,
                                            std::string_view server_url,
                                            const std::filesystem::path& ca_file);

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
