#include "cli/admin_commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "audit/audit_key.h"
#include "audit/audit_log.h"
#include "audit/verify_tool.h"
#include "auth/key_files.h"
#include "auth/role.h"
#include "base/clock.h"
#include "base/files.h"
#include "cli/audit_search.h"
#include "cli/client_context.h"
#include "cli/key_audit.h"
#include "cli/output.h"
#include "server/config.h"
#include "store/store.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

struct BootstrapFlags {
  std::string config_file;
  std::string data_dir;
  std::string organisation;
  std::string email;
  std::string server_url;  // the address to print in the accept-invite command
  bool json = false;
};

// The configuration `serve` would use (file, environment, --data-dir), for the same database.
Result<server::Config> load_config(const BootstrapFlags& flags) {
  server::Config config;
  const auto environment = server::hippocrate_environment();
  std::string file = flags.config_file;
  if (file.empty()) {
    if (auto it = environment.find("HIPPOCRATE_CONFIG"); it != environment.end()) file = it->second;
  }
  if (!file.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      return usage_error("config file not found: " + file);
    }
    HIPPO_RETURN_IF_ERROR(server::apply_config_file(config, file));
  }
  HIPPO_RETURN_IF_ERROR(server::apply_config_environment(config, environment));
  if (!flags.data_dir.empty()) {
    HIPPO_RETURN_IF_ERROR(
        server::set_config_value(config, "server.data_dir", flags.data_dir, {"--data-dir"}));
  }
  HIPPO_RETURN_IF_ERROR(server::validate_config(config));
  return config;
}

// The server's address as its clients reach it: `--server`, else the listen address of the
// configuration (file, environment, --data-dir) `serve` uses.
std::string server_address(const server::Config& config, const BootstrapFlags& flags) {
  if (!flags.server_url.empty()) return flags.server_url;
  const std::string& a = config.listen_address;
  const std::string host = a == "0.0.0.0"                     ? "127.0.0.1"
                           : a == "::"                        ? "[::1]"
                           : a.find(':') != std::string::npos ? "[" + a + "]"
                                                              : a;
  return "https://" + host + ":" + std::to_string(config.listen_port);
}

// Whether anything but the defaults chose the listen address.
bool listen_configured(const BootstrapFlags& flags) {
  const auto environment = server::hippocrate_environment();
  return !flags.server_url.empty() || !flags.config_file.empty() ||
         environment.contains("HIPPOCRATE_CONFIG") ||
         environment.contains("HIPPOCRATE_SERVER_LISTEN");
}

// The command an administrator runs once the server is up.
std::string accept_command(const server::Config& config, const BootstrapFlags& flags,
                           std::string_view token, std::string_view email) {
  std::string out = "hippocrate accept-invite ";
  out.append(token);
  out += " --name \"Your Name\"";
  if (email.empty()) out += " --email you@example.org";
  out += " --server " + server_address(config, flags);
  if (config.tls_certificate.empty()) {
    out +=
        " --ca-file " +
        std::filesystem::absolute(config.data_dir / "tls" / "cert.pem").lexically_normal().string();
  }
  return out;
}

// `new_organisation`: `admin organisation create` (a further tenant) rather than the first
// organisation of an empty deployment.
Status run_bootstrap(const BootstrapFlags& flags, bool new_organisation) {
  HIPPO_ASSIGN_OR_RETURN(server::Config config, load_config(flags));
  HIPPO_RETURN_IF_ERROR(ensure_directory(config.data_dir, 0700));
  store::StoreOptions store_options;
  store_options.url = config.effective_database_url();
  HIPPO_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, store::open_store(store_options));
  // The invitation lifetime is the one `serve` applies (auth.invitation_lifetime_hours).
  auth::AuthConfig auth_config;
  auth_config.invitation_lifetime = std::chrono::hours(config.invitation_lifetime_hours);
  const std::vector<std::string> new_keys = missing_server_keys(config.data_dir);
  // Operator actions are on the audit trail like any other.
  HIPPO_ASSIGN_OR_RETURN(SecretBytes audit_key, audit::load_or_create_audit_key(config.data_dir));
  audit::AuditLog audit_log(SystemClock::instance(), std::move(audit_key));
  HIPPO_ASSIGN_OR_RETURN(auto service,
                         auth::open_auth_service(config.data_dir, *db, SystemClock::instance(),
                                                 audit_log, auth_config));
  HIPPO_RETURN_IF_ERROR(record_new_keys(*db, audit_log, new_keys));
  HIPPO_ASSIGN_OR_RETURN(auth::IssuedInvitation invitation,
                         new_organisation
                             ? service->create_organisation(flags.organisation, flags.email)
                             : service->bootstrap(flags.organisation, flags.email));
  const std::string_view token = invitation.token.text.view();
  if (flags.json) {
    json::object out{{"invitation_id", invitation.invitation_id},
                     {"token", token},
                     {"email", invitation.email},
                     {"role", auth::role_name(invitation.role)},
                     {"organisation", flags.organisation},
                     {"server", server_address(config, flags)},
                     {"expires_at", invitation.expires_at}};
    print_json(out);
    return ok_status();
  }
  std::printf(
      "Organisation \"%s\" created. One-time invitation for its first administrator%s%s,\n"
      "valid until %s:\n\n",
      flags.organisation.c_str(), invitation.email.empty() ? "" : " ", invitation.email.c_str(),
      format_time(invitation.expires_at).c_str());
  std::printf("  %s\n\n", accept_command(config, flags, token, invitation.email).c_str());
  if (!listen_configured(flags)) {
    std::printf(
        "(--server is the default address: if the server listens elsewhere, give its address\n"
        "instead, or run this with the server's --config FILE or --server URL.)\n\n");
  }
  std::printf(
      "Start the server (hippocrate serve), then run that command as the administrator.\n"
      "Whoever holds the token can create the administrator account: keep it private.\n");
  return ok_status();
}

}  // namespace

void add_admin_commands(CLI::App& app) {
  auto* admin = app.add_subcommand("admin", "Operator commands on the data folder (offline)");
  admin->require_subcommand(1);

  // admin audit verify: exit 0 intact, 1 tampered, 2 cannot check.
  auto audit_flags = std::make_shared<BootstrapFlags>();
  auto* audit_cmd = admin->add_subcommand("audit", "The tamper-evident audit log");
  audit_cmd->require_subcommand(1);
  auto* verify = audit_cmd->add_subcommand(
      "verify", "Check the audit log's hash chain and signed checkpoints");
  verify->add_option("--config", audit_flags->config_file, "TOML configuration file of the server");
  verify->add_option("--data-dir", audit_flags->data_dir,
                     "The server's data folder (default: as `serve`, ./var)");
  verify->callback([audit_flags] {
    auto config = load_config(*audit_flags);
    if (!config) {
      (void)report_error(config.error(), false);
      throw CLI::RuntimeError(2);
    }
    throw CLI::RuntimeError(audit::run_audit_verify(config->data_dir, stdout));
  });

  // admin audit search: the operator's view of the whole deployment's trail.
  struct SearchFlags {
    BootstrapFlags base;
    AuditSearchOptions options;
  };
  auto search_flags = std::make_shared<SearchFlags>();
  auto* search = audit_cmd->add_subcommand("search", "Search the audit records (newest first)");
  search->add_option("--config", search_flags->base.config_file,
                     "TOML configuration file of the server");
  search->add_option("--data-dir", search_flags->base.data_dir,
                     "The server's data folder (default: as `serve`, ./var)");
  search->add_flag("--json", search_flags->base.json, "Print JSON for scripts");
  add_audit_search_options(search, search_flags->options);
  search->callback([search_flags] {
    search_flags->base.json = search_flags->base.json || global_client_flags().json;
    auto config = load_config(search_flags->base);
    if (!config) throw CLI::RuntimeError(report_error(config.error(), search_flags->base.json));
    throw CLI::RuntimeError(run_offline_audit_search(
        config->effective_database_url(), search_flags->options, search_flags->base.json));
  });

  auto flags = std::make_shared<BootstrapFlags>();
  auto* bootstrap = admin->add_subcommand(
      "bootstrap", "Create the organisation and an invitation for its first administrator");
  bootstrap->add_option("--config", flags->config_file, "TOML configuration file of the server");
  bootstrap->add_option("--data-dir", flags->data_dir,
                        "The server's data folder (default: as `serve`, ./var)");
  bootstrap->add_option("--org", flags->organisation, "Name of the organisation")->required();
  bootstrap->add_option("--email", flags->email, "E-mail of the first administrator")->required();
  bootstrap->add_option("--server", flags->server_url,
                        "The server's address to print (default: its configured listen address)");
  bootstrap->add_flag("--json", flags->json, "Print JSON for scripts");
  bootstrap->callback([flags] {
    flags->json = flags->json || global_client_flags().json;
    if (flags->server_url.empty()) flags->server_url = global_client_flags().server;
    const Status done = run_bootstrap(*flags, false);
    throw CLI::RuntimeError(done ? kExitOk : report_error(done.error(), flags->json));
  });

  // admin organisation create: a further organisation (tenant) and its first administrator.
  auto org_flags = std::make_shared<BootstrapFlags>();
  auto* organisation = admin->add_subcommand("organisation", "Organisations (tenants)");
  organisation->require_subcommand(1);
  auto* create = organisation->add_subcommand(
      "create", "Create another organisation and an invitation for its first administrator");
  create->add_option("--config", org_flags->config_file, "TOML configuration file of the server");
  create->add_option("--data-dir", org_flags->data_dir,
                     "The server's data folder (default: as `serve`, ./var)");
  create->add_option("--org", org_flags->organisation, "Name of the organisation")->required();
  create->add_option("--email", org_flags->email, "E-mail of its first administrator")->required();
  create->add_option("--server", org_flags->server_url,
                     "The server's address to print (default: its configured listen address)");
  create->add_flag("--json", org_flags->json, "Print JSON for scripts");
  create->callback([org_flags] {
    org_flags->json = org_flags->json || global_client_flags().json;
    if (org_flags->server_url.empty()) org_flags->server_url = global_client_flags().server;
    const Status done = run_bootstrap(*org_flags, true);
    throw CLI::RuntimeError(done ? kExitOk : report_error(done.error(), org_flags->json));
  });
}

}  // namespace hippocrate::cli
