#include "server/config.h"

#include <charconv>
#include <functional>

#include <toml++/toml.h>

#include "auth/passkeys.h"
#include "server/allowed_origins.h"

extern char** environ;

namespace hippocrate::server {
namespace {

Error invalid(std::string_view key, const SettingSource& source, std::string_view what) {
  return Error::invalid_argument(
      "invalid_config",
      std::string(key) + " (from " + source.description + "): " + std::string(what));
}

Result<std::uint64_t> parse_uint(std::string_view key, std::string_view text,
                                 const SettingSource& source, std::uint64_t min,
                                 std::uint64_t max) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return invalid(key, source, "'" + std::string(text) + "' is not a whole number");
  }
  if (v < min || v > max) {
    return invalid(key, source,
                   std::to_string(v) + " is out of range (" + std::to_string(min) + " to " +
                       std::to_string(max) + ")");
  }
  return v;
}

Status parse_listen(Config& c, std::string_view key, std::string_view text,
                    const SettingSource& source) {
  const auto bad = [&] {
    return invalid(
        key, source,
        "'" + std::string(text) + "' is not ADDRESS:PORT (e.g. 127.0.0.1:8443 or [::1]:8443)");
  };
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return bad();
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return bad();
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return bad();
  for (char ch : host) {
    const bool ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                    (ch >= 'A' && ch <= 'F') || ch == '.' || ch == ':';
    if (!ok) return bad();  // IP addresses only: no name resolution at start-up
  }
  HIPPO_ASSIGN_OR_RETURN(auto p, parse_uint(key, port, source, 0, 65535));
  c.listen_address = std::string(host);
  c.listen_port = static_cast<std::uint16_t>(p);
  return ok_status();
}

using Setter = std::function<Status(Config&, std::string_view key, std::string_view value,
                                    const SettingSource&)>;
// kList: a TOML array of strings; in the environment, the items separated by commas.
enum class Kind { kText, kNumber, kList };
struct KeySpec {
  std::string_view key;
  Kind kind;
  Setter set;
};

Setter millis(std::chrono::milliseconds Config::*field) {
  return [field](Config& c, std::string_view key, std::string_view v,
                 const SettingSource& s) -> Status {
    HIPPO_ASSIGN_OR_RETURN(auto n, parse_uint(key, v, s, 100, 3'600'000));
    c.*field = std::chrono::milliseconds(n);
    return ok_status();
  };
}

Setter size_value(std::size_t Config::*field, std::uint64_t min, std::uint64_t max) {
  return
      [=](Config& c, std::string_view key, std::string_view v, const SettingSource& s) -> Status {
        HIPPO_ASSIGN_OR_RETURN(auto n, parse_uint(key, v, s, min, max));
        c.*field = static_cast<std::size_t>(n);
        return ok_status();
      };
}

template <typename T>
Setter text(T Config::*field) {
  return [field](Config& c, std::string_view key, std::string_view v,
                 const SettingSource& s) -> Status {
    if (v.empty()) return invalid(key, s, "must not be empty");
    c.*field = T(std::string(v));
    return ok_status();
  };
}

Setter whole(std::int64_t Config::*field, std::uint64_t min, std::uint64_t max) {
  return
      [=](Config& c, std::string_view key, std::string_view v, const SettingSource& s) -> Status {
        HIPPO_ASSIGN_OR_RETURN(auto n, parse_uint(key, v, s, min, max));
        c.*field = static_cast<std::int64_t>(n);
        return ok_status();
      };
}

// A list of origins, comma-separated (origins hold no comma). Each is normalized.
Status parse_origins(Config& c, std::string_view key, std::string_view text,
                     const SettingSource& source) {
  std::vector<std::string> out;
  std::string_view rest = text;
  while (true) {
    const auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) {
      auto origin = normalize_origin(item);
      if (!origin) return invalid(key, source, origin.error().message());
      out.push_back(std::move(*origin));
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (out.empty()) {
    return invalid(key, source,
                   "list at least one origin, e.g. \"https://care.example.org\" (leave the "
                   "setting out for the server's own origin)");
  }
  c.allowed_origins = std::move(out);
  return ok_status();
}

const std::vector<KeySpec>& key_specs() {
  static const std::vector<KeySpec> specs = {
      {"server.listen", Kind::kText, parse_listen},
      {"server.data_dir", Kind::kText, text(&Config::data_dir)},
      {"server.threads", Kind::kNumber,
       [](Config& c, std::string_view key, std::string_view v, const SettingSource& s) -> Status {
         HIPPO_ASSIGN_OR_RETURN(auto n, parse_uint(key, v, s, 0, 256));
         c.threads = static_cast<unsigned>(n);
         return ok_status();
       }},
      {"server.max_body_bytes", Kind::kNumber,
       size_value(&Config::max_body_bytes, 1024, 1024ull * 1024 * 1024)},
      {"server.max_header_bytes", Kind::kNumber,
       size_value(&Config::max_header_bytes, 1024, 1024 * 1024)},
      {"server.request_timeout_ms", Kind::kNumber, millis(&Config::request_timeout)},
      {"server.header_timeout_ms", Kind::kNumber, millis(&Config::header_timeout)},
      {"server.idle_timeout_ms", Kind::kNumber, millis(&Config::idle_timeout)},
      {"server.shutdown_grace_ms", Kind::kNumber, millis(&Config::shutdown_grace)},
      {"server.max_connections_per_address", Kind::kNumber,
       size_value(&Config::max_connections_per_address, 1, 1'000'000)},
      {"server.allowed_origins", Kind::kList, parse_origins},
      {"tls.certificate", Kind::kText, text(&Config::tls_certificate)},
      {"tls.private_key", Kind::kText, text(&Config::tls_private_key)},
      {"database.url", Kind::kText, text(&Config::database_url)},
      {"database.writer_scheduling", Kind::kText,
       [](Config& c, std::string_view key, std::string_view v, const SettingSource& s) -> Status {
         if (v != "idle" && v != "nice") {
           return invalid(key, s, "'" + std::string(v) + "' is neither \"idle\" nor \"nice\"");
         }
         c.database_writer_idle = v == "idle";
         return ok_status();
       }},
      {"database.writer_nice", Kind::kNumber, whole(&Config::database_writer_nice, 0, 19)},
      {"messaging.undelivered_retention_days", Kind::kNumber,
       whole(&Config::undelivered_retention_days, 1, 3650)},
      {"log.access", Kind::kText, text(&Config::access_log)},
      {"web.root", Kind::kText, text(&Config::web_root)},
      {"auth.invitation_lifetime_hours", Kind::kNumber,
       whole(&Config::invitation_lifetime_hours, 1, 24 * 30)},
      {"auth.staff_idle_minutes", Kind::kNumber, whole(&Config::staff_idle_minutes, 1, 24 * 60)},
      {"auth.staff_absolute_hours", Kind::kNumber, whole(&Config::staff_absolute_hours, 1, 24 * 7)},
      {"auth.patient_idle_minutes", Kind::kNumber,
       whole(&Config::patient_idle_minutes, 1, 24 * 60)},
      {"auth.patient_absolute_hours", Kind::kNumber,
       whole(&Config::patient_absolute_hours, 1, 24 * 30)},
      // OWASP minimum m = 19 MiB, t = 2: lower values are refused.
      {"auth.argon2_memory_mib", Kind::kNumber, whole(&Config::argon2_memory_mib, 19, 1024)},
      {"auth.argon2_iterations", Kind::kNumber, whole(&Config::argon2_iterations, 2, 16)},
      {"auth.attempts_per_address_burst", Kind::kNumber,
       whole(&Config::attempts_per_address_burst, 1, 10000)},
      {"auth.attempts_per_address_per_minute", Kind::kNumber,
       whole(&Config::attempts_per_address_per_minute, 1, 6000)},
      {"auth.webauthn_rp_id", Kind::kText,
       [](Config& c, std::string_view key, std::string_view v, const SettingSource& s) -> Status {
         if (!auth::valid_rp_id(v)) {
           return invalid(key, s,
                          "'" + std::string(v) +
                              "' is not a domain name in lower case (browsers refuse an IP "
                              "address as a passkey's RP ID; use e.g. \"care.example.org\" or "
                              "\"localhost\")");
         }
         c.webauthn_rp_id = std::string(v);
         return ok_status();
       }},
  };
  return specs;
}

const KeySpec* find_spec(std::string_view key) {
  for (const auto& spec : key_specs()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

std::string env_name(std::string_view key) {
  std::string out = "HIPPOCRATE_";
  for (char ch : key) out.push_back(ch == '.' ? '_' : static_cast<char>(std::toupper(ch)));
  return out;
}

}  // namespace

std::string Config::effective_web_root() const {
#ifdef HIPPOCRATE_DEFAULT_WEB_ROOT
  if (web_root.empty()) return HIPPOCRATE_DEFAULT_WEB_ROOT;
#endif
  return web_root;
}

std::string Config::effective_webauthn_rp_id() const {
  if (!webauthn_rp_id.empty()) return webauthn_rp_id;
  // The host of the first configured origin when it is a name; otherwise (the server's own
  // origin, an IP address) "localhost", the one name browsers accept for a local server.
  if (!allowed_origins.empty()) {
    std::string_view host = allowed_origins.front();
    host.remove_prefix(std::string_view("https://").size());
    if (!host.starts_with('[')) host = host.substr(0, host.find(':'));
    if (auth::valid_rp_id(host)) return std::string(host);
  }
  return "localhost";
}

std::string Config::listen() const {
  const bool v6 = listen_address.find(':') != std::string::npos;
  return (v6 ? "[" + listen_address + "]" : listen_address) + ":" + std::to_string(listen_port);
}

std::string Config::effective_database_url() const {
  if (!database_url.empty()) return database_url;
  return "sqlite://" + (data_dir / "hippocrate.db").string();
}

std::vector<std::string_view> config_keys() {
  std::vector<std::string_view> keys;
  for (const auto& spec : key_specs()) keys.push_back(spec.key);
  return keys;
}

Status set_config_value(Config& config, std::string_view key, std::string_view value,
                        const SettingSource& source) {
  const KeySpec* spec = find_spec(key);
  if (spec == nullptr) return invalid(key, source, "unknown setting");
  return spec->set(config, key, value, source);
}

Status apply_config_file(Config& config, const std::filesystem::path& file) {
  const SettingSource source{file.filename().string()};
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Error::invalid_argument(
        "invalid_config", file.filename().string() + ":" + std::to_string(where.line) + ":" +
                              std::to_string(where.column) + ": " + std::string(e.description()));
  }
  for (const auto& [section_name, section] : table) {
    const auto* inner = section.as_table();
    if (inner == nullptr) {
      return invalid(section_name.str(), source,
                     "expected a [section]; settings are grouped as [server], [tls], "
                     "[database], [messaging], [log], [auth], [web]");
    }
    for (const auto& [name, node] : *inner) {
      const std::string key = std::string(section_name.str()) + "." + std::string(name.str());
      const KeySpec* spec = find_spec(key);
      if (spec == nullptr) return invalid(key, source, "unknown setting");
      std::string value;
      if (spec->kind == Kind::kList) {
        const auto* array = node.as_array();
        if (array == nullptr) return invalid(key, source, "expected a list of quoted strings");
        for (const auto& item : *array) {
          const auto* s = item.as_string();
          if (s == nullptr) return invalid(key, source, "expected a list of quoted strings");
          if (s->get().find(',') != std::string::npos) {
            return invalid(key, source, "'" + s->get() + "' is not one origin");
          }
          if (!value.empty()) value += ',';
          value += s->get();
        }
      } else if (spec->kind == Kind::kText) {
        const auto* s = node.as_string();
        if (s == nullptr) return invalid(key, source, "expected a quoted string");
        value = s->get();
      } else {
        const auto* n = node.as_integer();
        if (n == nullptr) return invalid(key, source, "expected a whole number");
        if (n->get() < 0) return invalid(key, source, "must not be negative");
        value = std::to_string(n->get());
      }
      HIPPO_RETURN_IF_ERROR(spec->set(config, key, value, source));
    }
  }
  return ok_status();
}

Status apply_config_environment(Config& config,
                                const std::map<std::string, std::string>& environment) {
  for (const auto& spec : key_specs()) {
    const std::string name = env_name(spec.key);
    auto it = environment.find(name);
    if (it == environment.end()) continue;
    HIPPO_RETURN_IF_ERROR(spec.set(config, spec.key, it->second, SettingSource{name}));
  }
  for (const auto& [name, value] : environment) {
    bool known = false;
    for (const auto& spec : key_specs()) known = known || env_name(spec.key) == name;
    const bool config_section =
        name.starts_with("HIPPOCRATE_SERVER_") || name.starts_with("HIPPOCRATE_TLS_") ||
        name.starts_with("HIPPOCRATE_DATABASE_") || name.starts_with("HIPPOCRATE_MESSAGING_") ||
        name.starts_with("HIPPOCRATE_LOG_") || name.starts_with("HIPPOCRATE_AUTH_");
    // HIPPOCRATE_SERVER_URL belongs to the client commands (the server they talk to).
    const bool client_setting = name == "HIPPOCRATE_SERVER_URL";
    if (config_section && !known && !client_setting) {
      return Error::invalid_argument("invalid_config",
                                     name + ": unknown setting (see docs/configuration.md)");
    }
  }
  return ok_status();
}

Status validate_config(const Config& config) {
  if (config.tls_certificate.empty() != config.tls_private_key.empty()) {
    return Error::invalid_argument(
        "invalid_config",
        "tls.certificate and tls.private_key: set both (your own certificate) or neither "
        "(a self-signed development certificate)");
  }
  if (!config.webauthn_rp_id.empty() && !config.allowed_origins.empty() &&
      auth::passkey_origins(config.allowed_origins, config.effective_webauthn_rp_id()).empty()) {
    return Error::invalid_argument(
        "invalid_config",
        "auth.webauthn_rp_id: '" + config.effective_webauthn_rp_id() +
            "' is not the host of any of server.allowed_origins, nor a parent domain of one: "
            "no page could use passkeys");
  }
  return ok_status();
}

std::map<std::string, std::string> hippocrate_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with("HIPPOCRATE_")) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

}  // namespace hippocrate::server
