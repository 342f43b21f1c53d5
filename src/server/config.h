// Server configuration: defaults < TOML file < HIPPOCRATE_* environment < command-line flags.
//
// Every setting has a dotted key ("server.listen"); its environment variable is the key in
// upper case with dots as underscores and the HIPPOCRATE_ prefix (HIPPOCRATE_SERVER_LISTEN).
// docs/configuration.md lists them all. A bad value stops start-up with an
// "invalid_config" error naming the key, where it came from, and what is wrong.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hippocrate::server {

struct Config {
  // [server]
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8443;
  std::filesystem::path data_dir = "var";
  unsigned threads = 0;  // 0: one per core
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  std::size_t max_connections_per_address = 256;
  // Normalized origins (server/allowed_origins.h); empty: the server's own origin.
  std::vector<std::string> allowed_origins;
  // [tls] — both empty: a self-signed certificate in <data_dir>/tls/
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_private_key;
  // [database] — empty: sqlite://<data_dir>/hippocrate.db
  std::string database_url;
  // How the database writer thread gives way to the network threads: true = "idle"
  // (SCHED_IDLE), false = "nice" (database_writer_nice steps lower). docs/storage.md.
  bool database_writer_idle = true;
  std::int64_t database_writer_nice = 10;
  // [messaging] — envelopes never acknowledged are deleted after this many days
  // (docs/messaging.md, "Expiry").
  std::int64_t undelivered_retention_days = 90;
  // [log] — "stdout", "stderr", "off", or a file path (appended)
  std::string access_log = "stdout";
  // [web] — the folder of the built web app (web_app.h); empty: the default.
  std::string web_root;
  std::string effective_web_root() const;
  // [auth] — SECURITY-REQUIREMENTS defaults
  std::int64_t invitation_lifetime_hours = 72;
  std::int64_t staff_idle_minutes = 30;
  std::int64_t staff_absolute_hours = 12;
  std::int64_t patient_idle_minutes = 60;
  std::int64_t patient_absolute_hours = 24;
  std::int64_t argon2_memory_mib = 64;
  std::int64_t argon2_iterations = 3;
  // Per source address, sign-ins and invitation acceptances (a token bucket): how many at
  // once, and how many more per minute.
  std::int64_t attempts_per_address_burst = 20;
  std::int64_t attempts_per_address_per_minute = 30;
  // Passkeys: the WebAuthn RP ID (a domain; browsers refuse IP addresses). Empty: the host
  // of the first of allowed_origins when it is a name, else "localhost".
  std::string webauthn_rp_id;
  std::string effective_webauthn_rp_id() const;

  std::string listen() const;  // "127.0.0.1:8443" / "[::1]:8443"
  std::string effective_database_url() const;
};

// Where a value came from, for error messages: "config.toml", "HIPPOCRATE_SERVER_LISTEN",
// "--listen".
struct SettingSource {
  std::string description;
};

// Sets one key from text (environment variables and flags). Errors: "invalid_config".
Status set_config_value(Config& config, std::string_view key, std::string_view value,
                        const SettingSource& source);

// Applies a TOML file. Unknown keys and wrong types are errors: a typo must not silently
// fall back to a default.
Status apply_config_file(Config& config, const std::filesystem::path& file);

// Applies HIPPOCRATE_* variables from `environment` (name → value). Unknown variables with a
// known section prefix (HIPPOCRATE_SERVER_..., _TLS_, _DATABASE_, _LOG_) are errors.
Status apply_config_environment(Config& config,
                                const std::map<std::string, std::string>& environment);

// Checks relations between settings (e.g. certificate and key go together).
Status validate_config(const Config& config);

// The process environment as a map (HIPPOCRATE_* only).
std::map<std::string, std::string> hippocrate_environment();

// Every key, in documentation order.
std::vector<std::string_view> config_keys();

}  // namespace hippocrate::server
