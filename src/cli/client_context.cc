#include "cli/client_context.h"

#include <sodium.h>

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/output.h"
#include "client/https_client.h"
#include "http/status.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

// Bytes of `value` once escaped as the inside of a JSON string (RFC 8259 §7).
std::size_t escaped_size(std::string_view value) {
  std::size_t n = 0;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      n += 2;
    else if (u < 0x20)
      n += 6;
    else
      n += 1;
  }
  return n;
}

std::uint8_t* write_escaped(std::uint8_t* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      *out++ = '\\';
      *out++ = static_cast<std::uint8_t>(c);
    } else if (u < 0x20) {
      for (const char e : {'\\', 'u', '0', '0'}) *out++ = static_cast<std::uint8_t>(e);
      *out++ = static_cast<std::uint8_t>(kHex[u >> 4]);
      *out++ = static_cast<std::uint8_t>(kHex[u & 0xf]);
    } else {
      *out++ = u;
    }
  }
  return out;
}

void wipe(std::string& text) {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
  text.clear();
}

ClientFlags& global_flags() {
  static ClientFlags flags;
  return flags;
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The common options; the environment is read by ClientContext::open (so that an option
// given before the command beats it, and one given after beats both).
void add_common_flags(CLI::App* command, ClientFlags& flags) {
  command->add_option("--server", flags.server,
                      "Server URL, https://HOST:PORT (env HIPPOCRATE_SERVER_URL; default: the "
                      "profile's, else " +
                          std::string(kDefaultServerUrl) + ")");
  command->add_option("--ca-file", flags.ca_file,
                      "PEM file of the CA to trust, e.g. the server's development certificate "
                      "(env HIPPOCRATE_CA_FILE)");
  command->add_option("--profile", flags.profile,
                      "Profile folder holding the session (env HIPPOCRATE_PROFILE; default "
                      "~/.config/hippocrate)");
  command->add_flag("--json", flags.json, "Print JSON for scripts");
}

}  // namespace

void add_global_client_flags(CLI::App& app) {
  add_common_flags(&app, global_flags());
  // Let `hippocrate --profile P whoami` not be read as `--profile` of the command.
  for (auto* option : app.get_options()) option->configurable(false);
}

const ClientFlags& global_client_flags() { return global_flags(); }

ClientFlags with_global_flags(ClientFlags command) {
  const ClientFlags& global = global_flags();
  if (command.server.empty()) command.server = global.server;
  if (command.ca_file.empty()) command.ca_file = global.ca_file;
  if (command.profile.empty()) command.profile = global.profile;
  command.json = command.json || global.json;
  return command;
}

void add_client_flags(CLI::App* command, ClientFlags& flags, bool reads_password) {
  add_common_flags(command, flags);
  if (reads_password) {
    command->add_flag("--password-stdin", flags.password_stdin,
                      "Read passwords from standard input, one per line");
  }
}

SecretJsonBody& SecretJsonBody::add(std::string_view key, std::string_view value) {
  fields_.emplace_back(key, value);
  return *this;
}

SecretBytes SecretJsonBody::serialise() const {
  std::size_t size = 2;  // {}
  for (const auto& [key, value] : fields_) size += escaped_size(key) + escaped_size(value) + 6;
  if (!fields_.empty()) size -= 1;  // n fields, n - 1 commas
  SecretBytes out(size);
  std::uint8_t* p = out.data();
  *p++ = '{';
  bool first = true;
  for (const auto& [key, value] : fields_) {
    if (!first) *p++ = ',';
    first = false;
    *p++ = '"';
    p = write_escaped(p, key);
    *p++ = '"';
    *p++ = ':';
    *p++ = '"';
    p = write_escaped(p, value);
    *p++ = '"';
  }
  *p++ = '}';
  return out;
}

void SecondFactorAnswer::add_to(SecretJsonBody& body) const {
  if (!totp_code.empty()) body.add("totp_code", totp_code);
  if (!recovery_code.empty()) body.add("recovery_code", recovery_code);
}

SecondFactorAnswer classify_second_factor(const std::string& answer) {
  std::string compact;
  for (const char c : answer) {
    if (c != ' ') compact.push_back(c);
  }
  SecondFactorAnswer out;
  const bool digits = compact.size() >= 6 && compact.size() <= 8 &&
                      compact.find_first_not_of("0123456789") == std::string::npos;
  if (digits)
    out.totp_code = compact;
  else
    out.recovery_code = answer;
  return out;
}

ClientContext::ClientContext(ClientFlags flags, Profile profile)
    : flags_(std::move(flags)), profile_(std::move(profile)) {}
ClientContext::~ClientContext() = default;
ClientContext::ClientContext(ClientContext&&) noexcept = default;
ClientContext& ClientContext::operator=(ClientContext&&) noexcept = default;

Result<ClientContext> ClientContext::open(const ClientFlags& command_flags) {
  ClientFlags flags = with_global_flags(command_flags);
  if (flags.server.empty()) flags.server = environment("HIPPOCRATE_SERVER_URL");
  if (flags.ca_file.empty()) flags.ca_file = environment("HIPPOCRATE_CA_FILE");
  HIPPO_ASSIGN_OR_RETURN(auto dir, Profile::resolve_dir(flags.profile));
  HIPPO_ASSIGN_OR_RETURN(Profile profile, Profile::open(dir));
  ClientContext context(flags, std::move(profile));
  HIPPO_ASSIGN_OR_RETURN(context.config_, context.profile_.load_config());
  const ProfileConfig& config = context.config_;

  context.server_url_ = !flags.server.empty()        ? flags.server
                        : !config.server_url.empty() ? config.server_url
                                                     : std::string(kDefaultServerUrl);
  while (context.server_url_.ends_with('/')) context.server_url_.pop_back();
  if (!flags.ca_file.empty()) {
    context.ca_file_ = std::filesystem::absolute(flags.ca_file);
  } else if (context.server_url_ == config.server_url) {
    context.ca_file_ = config.ca_file;
  }
  std::error_code ec;
  if (!context.ca_file_.empty() && !std::filesystem::is_regular_file(context.ca_file_, ec)) {
    return Error::invalid_argument("ca_file_not_found",
                                   "cannot find the CA file " + context.ca_file_.string());
  }
  HIPPO_ASSIGN_OR_RETURN(client::ClientOptions options,
                         client::parse_server_url(context.server_url_));
  options.ca_file = context.ca_file_;
  context.http_ = std::make_unique<client::HttpsClient>(std::move(options));
  return context;
}

Result<SecretBytes> ClientContext::session_token() const {
  HIPPO_ASSIGN_OR_RETURN(auto token, profile_.load_session());
  if (!token) {
    return Error::unauthenticated("not_logged_in", "not logged in (no session in " +
                                                       profile_.dir().string() +
                                                       "); run: hippocrate login EMAIL");
  }
  HIPPO_RETURN_IF_ERROR(session_certificate_pin(config_, *token, server_url_, ca_file_));
  return std::move(*token);
}

Status ClientContext::save_session(const SecretBytes& token) {
  const std::string& certificate = http_->certificate_sha256();
  if (certificate.empty()) {
    return Error::internal("certificate_unknown", "no certificate seen from " + server_url_);
  }
  // The record first: should the session file not follow, the tag no longer matches and
  // the old session is sent nowhere, rather than the new one to the old server.
  ProfileConfig config = config_;
  config.session_server = SessionServer{server_url_, certificate, session_tag(token)};
  HIPPO_RETURN_IF_ERROR(profile_.save_config(config));
  config_ = std::move(config);
  return profile_.save_session(token);
}

Result<client::ClientOptions> ClientContext::options_for_session(const SecretBytes& token) const {
  HIPPO_ASSIGN_OR_RETURN(std::string pin,
                         session_certificate_pin(config_, token, server_url_, ca_file_));
  HIPPO_ASSIGN_OR_RETURN(client::ClientOptions options, client::parse_server_url(server_url_));
  options.ca_file = ca_file_;
  options.certificate_sha256 = std::move(pin);
  return options;
}

Result<boost::json::object> ClientContext::call(std::string_view method, std::string_view target,
                                                SecretBytes body, const SecretBytes* token) {
  // The certificate the server must present for the token to be written; none without one.
  std::string pin;
  if (token != nullptr) {
    HIPPO_ASSIGN_OR_RETURN(pin, session_certificate_pin(config_, *token, server_url_, ca_file_));
  }
  http_->require_certificate(pin);
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("Accept", "application/json");
  if (token != nullptr) {
    std::string value = "Bearer ";
    value.append(token->view());
    headers.emplace_back("Authorization", std::move(value));
  }
  // The client takes the body and headers as std::strings: moved in, they are its only
  // copies (see the report on HttpsClient wiping them).
  std::string request_body(body.view());
  body.wipe();
  if (request_body.empty() && (method == "POST" || method == "PUT")) request_body = "{}";
  auto response = http_->request(method, target, std::move(request_body), std::move(headers));
  if (!response) {
    const Error& e = response.error();
    if (e.code() == "certificate_mismatch") {
      return Error(e.kind(), e.code(),
                   "the server at " + server_url_ +
                       " presents another certificate than when this profile's session was "
                       "opened (another server, or a renewed certificate), so the session was "
                       "not sent. If it is the same server, log in again (hippocrate login "
                       "EMAIL); otherwise use another --profile for it");
    }
    if (e.code() == "tls_failed") {
      return Error(e.kind(), e.code(),
                   e.message() + " (server " + server_url_ + "). " +
                       (ca_file_.empty() ? "If the server uses its own certificate (the "
                                           "development one), give a copy of it with "
                                           "--ca-file FILE"
                                         : "Is " + ca_file_.string() +
                                               " the server's certificate (--ca-file)?"));
    }
    return Error(e.kind(), e.code(), e.message() + " (server " + server_url_ + ")");
  }
  std::string text = std::move(response->body);
  const int status = response->status;
  if (status < 200 || status > 299) {
    Error error = http::error_from_response(status, text);
    wipe(text);
    return error;
  }
  if (token != nullptr && pin.empty() && !config_.session_server) {
    // A session of an older version, accepted by the server it remembered: from now on
    // bound to this certificate.
    ProfileConfig config = config_;
    config.session_server =
        SessionServer{server_url_, http_->certificate_sha256(), session_tag(*token)};
    if (profile_.save_config(config)) config_ = std::move(config);
  }
  if (text.empty()) return json::object{};
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  wipe(text);
  if (ec || !parsed.is_object()) {
    return Error::internal(
        "unexpected_response",
        "the server's answer is not the expected JSON (server " + server_url_ + ")");
  }
  return std::move(parsed.get_object());
}

Status ClientContext::remember(std::string_view email) {
  ProfileConfig config = config_;
  config.server_url = server_url_;
  config.ca_file = ca_file_;
  if (!email.empty()) config.email = std::string(email);
  HIPPO_RETURN_IF_ERROR(profile_.save_config(config));
  config_ = std::move(config);
  return ok_status();
}

SecretBytes take_secret(boost::json::object& object, std::string_view key) {
  auto* v = object.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  json::string& text = v->get_string();
  SecretBytes out = SecretBytes::from(std::string_view(text.data(), text.size()));
  if (!text.empty()) sodium_memzero(text.data(), text.size());
  text.clear();
  return out;
}

int run_client_command(const ClientFlags& command_flags,
                       const std::function<Status(ClientContext&)>& body) {
  const ClientFlags flags = with_global_flags(command_flags);
  auto context = ClientContext::open(flags);
  if (!context) return report_error(context.error(), flags.json);
  const Status done = body(*context);
  if (!done) return report_error(done.error(), flags.json);
  return kExitOk;
}

}  // namespace hippocrate::cli
