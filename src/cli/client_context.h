// What every client command shares: its flags (--server, --ca-file, --profile, --json,
// --password-stdin), the profile they resolve to, and the HTTPS calls to the server's JSON
// API (docs/api.md), with the session token as a bearer token.
//
// Resolution: --server (after the command, else before it: `hippocrate --server URL whoami`),
// else $HIPPOCRATE_SERVER_URL, else the profile's config.json, else https://127.0.0.1:8443.
// --ca-file, else $HIPPOCRATE_CA_FILE, else the profile's CA file when the server is the
// profile's server, else the system trust store. --profile and --json likewise.
//
// The session token goes only to the server that issued it (profile.h, "session_server"):
// session_token() refuses another server's URL, and call() sends the token only over a
// connection whose certificate is the one that server presented at login — checked before
// the request is written ("certificate_mismatch" otherwise).
//
// A non-2xx answer becomes an Error with the server's `code` and `message` (its kind from the
// HTTP status), so commands report exactly what the server said.
#pragma once

#include <boost/json/object.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/secret_bytes.h"
#include "cli/profile.h"

namespace CLI {
class App;
}
namespace hippocrate::client {
class HttpsClient;
struct ClientOptions;
}  // namespace hippocrate::client

namespace hippocrate::cli {

inline constexpr std::string_view kDefaultServerUrl = "https://127.0.0.1:8443";

struct ClientFlags {
  std::string server;
  std::string ca_file;
  std::string profile;
  bool json = false;
  bool password_stdin = false;
};

// Adds --server, --ca-file, --profile, --json (and --password-stdin when `reads_password`)
// to `command`, bound to `flags`.
void add_client_flags(CLI::App* command, ClientFlags& flags, bool reads_password);

// The same four options given before the command (`hippocrate --profile P whoami`), on
// `app`; they apply to every client command, whose own options win.
void add_global_client_flags(CLI::App& app);
// What add_global_client_flags() parsed (main's --json also covers the admin commands).
const ClientFlags& global_client_flags();
// `command`'s flags completed with the global ones.
ClientFlags with_global_flags(ClientFlags command);

// A JSON object whose string values may be secrets (passwords, tokens), serialised straight
// into SecretBytes.
class SecretJsonBody {
 public:
  SecretJsonBody& add(std::string_view key, std::string_view value);
  SecretBytes serialise() const;

 private:
  std::vector<std::pair<std::string_view, std::string_view>> fields_;
};

// A second factor given on the command line or typed at a prompt.
struct SecondFactorAnswer {
  std::string totp_code;
  std::string recovery_code;
  bool empty() const { return totp_code.empty() && recovery_code.empty(); }
  void add_to(SecretJsonBody& body) const;
};
// A 6-8 digit answer is a TOTP code, anything else a recovery code.
SecondFactorAnswer classify_second_factor(const std::string& answer);

class ClientContext {
 public:
  static Result<ClientContext> open(const ClientFlags& flags);
  ~ClientContext();
  ClientContext(ClientContext&&) noexcept;
  ClientContext& operator=(ClientContext&&) noexcept;

  const ClientFlags& flags() const { return flags_; }
  bool json() const { return flags_.json; }
  const Profile& profile() const { return profile_; }
  const std::string& server_url() const { return server_url_; }
  const std::filesystem::path& ca_file() const { return ca_file_; }
  const ProfileConfig& config() const { return config_; }

  // The session token of the profile, when it may go to this server. Errors:
  // "not_logged_in", "session_other_server", "session_server_unknown", or the profile's.
  Result<SecretBytes> session_token() const;

  // Keeps `token` as the profile's session, issued by this server: records this server and
  // the certificate it presented in the last call (config.json), then the session file.
  Status save_session(const SecretBytes& token);

  // Options to open another connection (a WebSocket) that carries `token`: this server, its
  // CA file and the certificate the session is bound to. Errors as session_token().
  Result<client::ClientOptions> options_for_session(const SecretBytes& token) const;

  // Sends a request and returns the JSON object of a 2xx answer (empty for 204). `body`
  // is wiped after use; the response body is wiped after parsing. With `token` (the
  // profile's session), only to the server that issued it (see above).
  Result<boost::json::object> call(std::string_view method, std::string_view target,
                                   SecretBytes body = {}, const SecretBytes* token = nullptr);

  // Records the server, CA file and e-mail in the profile's config.json.
  Status remember(std::string_view email);

 private:
  ClientContext(ClientFlags flags, Profile profile);
  ClientFlags flags_;
  Profile profile_;
  ProfileConfig config_;
  std::string server_url_;
  std::filesystem::path ca_file_;
  std::unique_ptr<client::HttpsClient> http_;
};

// Moves the string `key` of `object` into SecretBytes and wipes it in place.
SecretBytes take_secret(boost::json::object& object, std::string_view key);

// Runs `body` for a command: opens the context, prints the error (exit 1, or 2 for usage
// errors) or returns 0.
int run_client_command(const ClientFlags& flags, const std::function<Status(ClientContext&)>& body);

}  // namespace hippocrate::cli
