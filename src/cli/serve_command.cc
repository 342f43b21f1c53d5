#include "cli/serve_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "access/care_relationships.h"
#include "audit/audit_key.h"
#include "audit/audit_log.h"
#include "auth/key_files.h"
#include "auth/passkeys.h"
#include "base/files.h"
#include "cli/key_audit.h"
#include "server/config.h"
#include "server/data_dir_lock.h"
#include "server/http_server.h"
#include "server/routes/account_admin_routes.h"
#include "server/routes/audit_routes.h"
#include "server/routes/auth_routes.h"
#include "server/routes/care_routes.h"
#include "server/routes/delegation_routes.h"
#include "server/routes/key_backup_routes.h"
#include "server/routes/messaging_routes.h"
#include "server/routes/passkey_routes.h"
#include "server/routes/system_routes.h"
#include "server/self_signed_cert.h"
#include "server/web_app.h"
#include "store/store.h"

namespace hippocrate::cli {
namespace {

int fail(const Error& error, int code) {
  std::fprintf(stderr, "hippocrate: %s\n", error.message().c_str());
  return code;
}

Result<server::Config> load(const ServeFlags& flags) {
  server::Config config;
  const auto env = server::hippocrate_environment();
  std::string file = flags.config_file;
  if (file.empty()) {
    if (auto it = env.find("HIPPOCRATE_CONFIG"); it != env.end()) file = it->second;
  }
  if (!file.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      return Error::invalid_argument("invalid_config", "config file not found: " + file);
    }
    HIPPO_RETURN_IF_ERROR(server::apply_config_file(config, file));
  }
  HIPPO_RETURN_IF_ERROR(server::apply_config_environment(config, env));
  if (!flags.listen.empty()) {
    HIPPO_RETURN_IF_ERROR(
        server::set_config_value(config, "server.listen", flags.listen, {"--listen"}));
  }
  if (!flags.data_dir.empty()) {
    HIPPO_RETURN_IF_ERROR(
        server::set_config_value(config, "server.data_dir", flags.data_dir, {"--data-dir"}));
  }
  HIPPO_RETURN_IF_ERROR(server::validate_config(config));
  return config;
}

std::FILE* open_access_log(const std::string& target) {
  if (target == "off") return nullptr;
  if (target == "stdout") return stdout;
  if (target == "stderr") return stderr;
  return std::fopen(target.c_str(), "a");
}

// Reopens the access log file (log rotation moved it away; SIGHUP): the new file first, so
// a failure keeps the old one. "" when there is nothing to reopen, else what happened.
std::string reopen_access_log(server::AccessLog& log, const std::string& target) {
  if (target == "off" || target == "stdout" || target == "stderr") return "";
  std::FILE* fresh = std::fopen(target.c_str(), "a");
  if (fresh == nullptr) return "; cannot reopen the access log " + target + ", kept the old one";
  std::fclose(log.replace(fresh));
  return "; reopened the access log " + target;
}

void print_banner(const server::Config& config, std::uint16_t port,
                  const std::filesystem::path& ca_file, bool self_signed, bool generated,
                  const std::vector<std::string>& origins) {
  const std::string host = config.listen_address == "0.0.0.0" ? "127.0.0.1"
                           : config.listen_address == "::"    ? "[::1]"
                           : config.listen_address.find(':') != std::string::npos
                               ? "[" + config.listen_address + "]"
                               : config.listen_address;
  const std::string url = "https://" + host + ":" + std::to_string(port);
  std::fprintf(stderr, "\nHippocrate is running at %s\n", url.c_str());
  std::fprintf(stderr, "  data folder: %s (database %s)\n",
               std::filesystem::absolute(config.data_dir).c_str(),
               config.effective_database_url().c_str());
  if (self_signed) {
    std::fprintf(stderr, "  TLS: self-signed development certificate %s%s\n", ca_file.c_str(),
                 generated ? " (just generated)" : "");
    std::fprintf(stderr, "\nTry it:\n  curl --cacert %s %s/healthz\n", ca_file.c_str(),
                 url.c_str());
    std::fprintf(stderr, "  curl --cacert %s %s/api/v1/version\n", ca_file.c_str(), url.c_str());
  } else {
    std::fprintf(stderr, "\nTry it:\n  curl %s/healthz\n", url.c_str());
  }
  std::string listed;
  for (const auto& o : origins) listed += (listed.empty() ? "" : ", ") + o;
  std::fprintf(stderr, "  browser sessions accepted from: %s (server.allowed_origins)\n",
               listed.c_str());
  const std::string rp_id = config.effective_webauthn_rp_id();
  std::string passkey_listed;
  for (const auto& o : auth::passkey_origins(origins, rp_id)) {
    passkey_listed += (passkey_listed.empty() ? "" : ", ") + o;
  }
  std::fprintf(stderr, "  passkeys (RP ID %s) from: %s\n", rp_id.c_str(),
               passkey_listed.empty()
                   ? "none of them (browsers refuse an IP address; list https://localhost:PORT "
                     "in server.allowed_origins, or set auth.webauthn_rp_id)"
                   : passkey_listed.c_str());
  std::fprintf(stderr,
               "\nPress Ctrl-C to stop, SIGHUP reloads the certificate. Access log "
               "(JSON lines) on %s.\n\n",
               config.access_log.c_str());
}

void print_bootstrap(const auth::IssuedInvitation& invitation, std::uint16_t port,
                     const std::filesystem::path& ca_file, bool self_signed) {
  std::fprintf(stderr,
               "No account exists yet. Create the first administrator with this one-time "
               "invitation\n(valid 72 hours; a new one is printed at each start until it is "
               "used):\n\n  hippocrate accept-invite %.*s --name \"Your Name\" --email "
               "you@example.org --server https://127.0.0.1:%u%s%s\n\n",
               static_cast<int>(invitation.token.text.size()),
               reinterpret_cast<const char*>(invitation.token.text.data()),
               static_cast<unsigned>(port), self_signed ? " --ca-file " : "",
               self_signed ? std::filesystem::absolute(ca_file).c_str() : "");
}

}  // namespace

int run_serve(const ServeFlags& flags) {
  auto loaded = load(flags);
  if (!loaded) return fail(loaded.error(), 2);
  const server::Config& config = *loaded;

  if (auto s = ensure_directory(config.data_dir, 0700); !s) return fail(s.error(), 1);
  // One server per data folder, held until the process ends (data_dir_lock.h).
  auto lock = server::DataDirLock::acquire(config.data_dir);
  if (!lock) return fail(lock.error(), 1);

  store::StoreOptions store_options;
  store_options.url = config.effective_database_url();
  store_options.writer_scheduling = config.database_writer_idle
                                        ? store::StoreOptions::WriterScheduling::kIdle
                                        : store::StoreOptions::WriterScheduling::kNice;
  store_options.writer_nice = static_cast<int>(config.database_writer_nice);
  auto opened = store::open_store(store_options);
  if (!opened) return fail(opened.error(), 1);
  std::unique_ptr<store::Store> db = std::move(*opened);

  auth::AuthConfig auth_config;
  auth_config.invitation_lifetime = std::chrono::hours(config.invitation_lifetime_hours);
  auth_config.staff_idle = std::chrono::minutes(config.staff_idle_minutes);
  auth_config.staff_absolute = std::chrono::hours(config.staff_absolute_hours);
  auth_config.patient_idle = std::chrono::minutes(config.patient_idle_minutes);
  auth_config.patient_absolute = std::chrono::hours(config.patient_absolute_hours);
  auth_config.source_burst = static_cast<double>(config.attempts_per_address_burst);
  auth_config.source_refill_per_second =
      static_cast<double>(config.attempts_per_address_per_minute) / 60.0;
  auth_config.webauthn_rp_id = config.effective_webauthn_rp_id();
  const crypto::Argon2Params argon2{static_cast<std::uint64_t>(config.argon2_iterations),
                                    static_cast<std::size_t>(config.argon2_memory_mib) << 20};
  // Which keys this start creates: each creation is a key change for the audit trail.
  const std::vector<std::string> new_keys = cli::missing_server_keys(config.data_dir);
  auto audit_key = audit::load_or_create_audit_key(config.data_dir);
  if (!audit_key) return fail(audit_key.error(), 1);
  audit::AuditLog audit_log(SystemClock::instance(), std::move(*audit_key));
  auto auth_service = auth::open_auth_service(config.data_dir, *db, SystemClock::instance(),
                                              audit_log, auth_config, argon2);
  if (!auth_service) return fail(auth_service.error(), 1);
  auth::AuthService& auth = **auth_service;
  if (auto s = cli::record_new_keys(*db, audit_log, new_keys); !s) return fail(s.error(), 1);

  server::ServerOptions options;
  options.address = config.listen_address;
  options.port = config.listen_port;
  options.threads = config.threads;
  options.body_limit = config.max_body_bytes;
  options.header_limit = config.max_header_bytes;
  options.request_timeout = config.request_timeout;
  options.header_timeout = config.header_timeout;
  options.idle_timeout = config.idle_timeout;
  options.max_connections_per_address = config.max_connections_per_address;
  options.allowed_origins = config.allowed_origins;
  options.shutdown_grace = config.shutdown_grace;
  options.handle_signals = true;
  const bool self_signed = config.tls_certificate.empty();
  bool generated = false;
  if (self_signed) {
    auto paths = server::ensure_self_signed_certificate(config.data_dir / "tls", &generated);
    if (!paths) return fail(paths.error(), 1);
    options.certificate = paths->certificate;
    options.private_key = paths->private_key;
  } else {
    options.certificate = config.tls_certificate;
    options.private_key = config.tls_private_key;
  }

  std::FILE* log_file = open_access_log(config.access_log);
  if (log_file == nullptr && config.access_log != "off") {
    return fail(
        Error::invalid_argument("invalid_config", "log.access: cannot open " + config.access_log),
        2);
  }
  server::AccessLog access_log(log_file);
  server::Router router;
  server::add_system_routes(router, *db);
  server::add_auth_routes(router, auth);
  auth::PasskeyService passkeys(auth);
  server::add_passkey_routes(router, auth, passkeys);
  access::CareRelationships care(*db, SystemClock::instance(), audit_log);
  access::PatientRecords patients(*db, SystemClock::instance(), audit_log);
  server::add_care_routes(router, auth, care, patients, *db);
  // Messaging (docs/messaging.md); outlives the server, whose sockets it pushes to.
  messaging::MessagingService messaging_service(
      *db, SystemClock::instance(), audit_log, messaging::MessagingService::kExpirySweep,
      messaging::MessagingService::kRetentionSweep,
      std::chrono::hours(24) * config.undelivered_retention_days);
  server::add_messaging_routes(router, auth, messaging_service);
  messaging::KeyBackups key_backups(*db, SystemClock::instance(), audit_log);
  server::add_key_backup_routes(router, auth, key_backups);
  access::Delegations delegations(*db, SystemClock::instance(), audit_log);
  server::add_delegation_routes(router, auth, delegations);
  access::OrganisationAccounts accounts(*db, SystemClock::instance(), audit_log);
  server::add_account_admin_routes(router, auth, accounts);
  server::add_audit_routes(router, auth, *db, audit_log);
  // The web app (docs/web.md) from its build output, at every path outside /api/ that no
  // route takes; without it the API still serves, and / answers 404.
  std::optional<server::WebApp> web_app;
  if (auto loaded = server::WebApp::load(config.effective_web_root())) {
    web_app.emplace(std::move(*loaded));
    router.set_fallback(
        {"GET",
         "/{app}",
         std::string(server::kPublicAction),
         [&app = *web_app](const server::RequestContext& ctx) { return app.serve(ctx.request); },
         {}});
    std::fprintf(stderr, "Web app: %zu files from %s\n", web_app->file_count(),
                 config.effective_web_root().c_str());
  } else {
    std::fprintf(stderr, "hippocrate: no web app: %s\n", loaded.error().message().c_str());
  }

  server::HttpServer http(options, router, access_log);
  // SIGHUP: the certificate (certbot renewals) for new connections, and the access log file.
  http.on_reload([&access_log, &config, cert = options.certificate](const Status& tls) {
    const std::string log = reopen_access_log(access_log, config.access_log);
    if (tls) {
      std::fprintf(stderr,
                   "hippocrate: SIGHUP: reloaded the TLS certificate %s for new connections%s\n",
                   cert.c_str(), log.c_str());
    } else {
      std::fprintf(stderr, "hippocrate: SIGHUP: kept the current TLS certificate: %s%s\n",
                   tls.error().message().c_str(), log.c_str());
    }
  });
  http.on_shutdown(
      [] { std::fprintf(stderr, "hippocrate: shutting down (finishing requests in flight)\n"); });
  if (auto s = http.start(); !s) return fail(s.error(), 1);
  print_banner(config, http.port(), options.certificate, self_signed, generated,
               http.allowed_origins());
  if (auto has = auth.has_accounts(); has && !*has) {
    auto invitation = auth.bootstrap("Hippocrate", "");
    if (invitation) {
      print_bootstrap(*invitation, http.port(), options.certificate, self_signed);
    } else {
      std::fprintf(stderr, "No account exists yet: %s.\n\n", invitation.error().message().c_str());
    }
  }
  http.wait();
  // Seal the tail of the audit log with a signed checkpoint before exiting.
  (void)db->write([&](store::Transaction& tx) { return audit_log.checkpoint(tx); });
  log_file = access_log.replace(nullptr);  // the file open now (SIGHUP may have reopened it)
  if (log_file != nullptr && log_file != stdout && log_file != stderr) std::fclose(log_file);
  std::fprintf(stderr, "hippocrate: stopped\n");
  return 0;
}

void add_serve_command(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  auto* serve = app.add_subcommand("serve", "Run the Hippocrate server (HTTPS)");
  serve->add_option("--config", flags->config_file, "TOML configuration file")
      ->envname("HIPPOCRATE_CONFIG");
  serve->add_option("--listen", flags->listen, "Address and port, e.g. 127.0.0.1:8443");
  serve->add_option("--data-dir", flags->data_dir,
                    "Folder for the database, keys and certificate (default ./var)");
  serve->callback([flags] { throw CLI::RuntimeError(run_serve(*flags)); });
}

}  // namespace hippocrate::cli
