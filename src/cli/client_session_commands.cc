// login, logout, sessions, sessions revoke ID.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_context.h"
#include "cli/client_views.h"
#include "cli/output.h"
#include "cli/terminal_input.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

struct LoginFlags {
  ClientFlags client;
  std::string email;
  std::string totp;
  std::string recovery_code;
};

Status run_login(ClientContext& context, const LoginFlags& flags) {
  std::string email = flags.email.empty() ? context.config().email : flags.email;
  if (email.empty()) return usage_error("which account? run: hippocrate login EMAIL");

  PasswordSource source(flags.client.password_stdin);
  HIPPO_ASSIGN_OR_RETURN(SecretBytes password, source.password("Password for " + email + ": "));
  const auto send = [&](const SecondFactorAnswer& factor) {
    SecretJsonBody body;
    body.add("email", email).add("password", password.view());
    factor.add_to(body);
    return context.call("POST", "/api/v1/sessions", body.serialise());
  };
  SecondFactorAnswer factor{flags.totp, flags.recovery_code};
  auto answer = send(factor);
  if (!answer && answer.error().code() == "second_factor_required" && factor.empty() &&
      is_interactive()) {
    HIPPO_ASSIGN_OR_RETURN(factor, ask_second_factor());
    answer = send(factor);
  }
  password.wipe();
  if (!answer) {
    const Error& e = answer.error();
    if (e.code() == "second_factor_required") {
      return Error(e.kind(), e.code(), e.message() + " (pass --totp CODE or --recovery-code CODE)");
    }
    return e;
  }
  SecretBytes token = take_secret(*answer, "token");
  take_secret(*answer, "csrf_token").wipe();  // browsers only
  if (token.empty()) {
    return Error::internal("unexpected_response", "the server's answer holds no session token");
  }
  HIPPO_RETURN_IF_ERROR(replace_session(context, token));
  const auto& account = json_object(*answer, "account");
  HIPPO_RETURN_IF_ERROR(context.remember(json_string(account, "email", email)));

  if (context.json()) {
    print_json(public_session_view(*answer));
    return ok_status();
  }
  std::printf("Logged in as %s.\n", describe_account(account).c_str());
  print_session_state(json_object(*answer, "session"), "");
  if (!factor.recovery_code.empty()) {
    std::printf("You used a recovery code: it will not work again.\n");
  }
  return ok_status();
}

Status run_logout(ClientContext& context) {
  auto token = context.profile().load_session();
  if (!token) return token.error();
  if (!*token) {
    if (context.json())
      print_json(json::object{{"logged_out", false}, {"reason", "not_logged_in"}});
    else
      std::printf("Not logged in (no session in %s).\n", context.profile().dir().c_str());
    return ok_status();
  }
  auto answer = context.call("DELETE", "/api/v1/sessions/current", {}, &**token);
  // A session nothing says which server issued can be sent nowhere: only removed here.
  if (!answer && answer.error().code() == "session_server_unknown") {
    HIPPO_RETURN_IF_ERROR(context.profile().remove_session());
    if (context.json()) {
      print_json(json::object{{"logged_out", true}, {"ended_on_server", false}});
    } else {
      std::printf(
          "Removed the session from this profile; no server could be told (nothing "
          "says which one issued it), it expires by itself.\n");
    }
    return ok_status();
  }
  // A session the server no longer knows is as good as ended; anything else (server
  // unreachable, internal error, another server than its own) keeps the token so that
  // logout can be tried again.
  const bool gone = !answer && answer.error().kind() == ErrorKind::kUnauthenticated;
  if (!answer && !gone) {
    const Error& e = answer.error();
    return Error(e.kind(), e.code(),
                 e.message() + "; the session is still valid, run logout again (or delete " +
                     context.profile().session_path().string() + ")");
  }
  HIPPO_RETURN_IF_ERROR(context.profile().remove_session());
  if (context.json()) {
    print_json(json::object{{"logged_out", true}, {"already_ended", gone}});
  } else if (gone) {
    std::printf("The session had already ended on the server; removed it from this profile.\n");
  } else {
    std::printf("Logged out.\n");
  }
  return ok_status();
}

Status run_sessions(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("GET", "/api/v1/me/sessions", {}, &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  const auto* list = answer.if_contains("sessions");
  if (list == nullptr || !list->is_array() || list->get_array().empty()) {
    std::printf("No active sessions.\n");
    return ok_status();
  }
  std::size_t id_width = 2;
  for (const auto& item : list->get_array()) {
    if (item.is_object())
      id_width = std::max(id_width, json_string(item.get_object(), "id").size());
  }
  const int w = static_cast<int>(id_width);
  std::printf("%-*s  %-23s  %-23s  %-15s  %s\n", w, "ID", "STARTED", "LAST SEEN", "FROM", "CLIENT");
  for (const auto& item : list->get_array()) {
    if (!item.is_object()) continue;
    const auto& s = item.get_object();
    std::string client = json_string(s, "user_agent", "-");
    if (json_bool(s, "current")) client += "  <- this session";
    std::printf("%-*s  %-23s  %-23s  %-15s  %s\n", w, json_string(s, "id").c_str(),
                format_time(json_int(s, "created_at")).c_str(),
                format_time(json_int(s, "last_seen_at")).c_str(),
                json_string(s, "source_address", "-").c_str(), client.c_str());
  }
  std::printf("\nEnd one with: hippocrate sessions revoke ID\n");
  return ok_status();
}

Status run_revoke(ClientContext& context, const std::string& id) {
  if (!is_plain_id(id)) return usage_error("'" + id + "' is not a session id");
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  // Which session is this one, so that revoking it also logs this profile out.
  std::string current_id;
  if (auto me = context.call("GET", "/api/v1/me", {}, &token)) {
    current_id = json_string(json_object(*me, "session"), "id");
  }
  HIPPO_RETURN_IF_ERROR(context.call("DELETE", "/api/v1/me/sessions/" + id, {}, &token));
  const bool was_current = !current_id.empty() && current_id == id;
  if (was_current) HIPPO_RETURN_IF_ERROR(context.profile().remove_session());
  if (context.json()) {
    print_json(json::object{{"revoked", id}, {"was_current", was_current}});
  } else if (was_current) {
    std::printf("Session %s ended; it was this one, so you are now logged out.\n", id.c_str());
  } else {
    std::printf("Session %s ended.\n", id.c_str());
  }
  return ok_status();
}

}  // namespace

void add_login_commands(CLI::App& app) {
  auto login = std::make_shared<LoginFlags>();
  auto* login_cmd = app.add_subcommand("login", "Log in and keep the session in the profile");
  login_cmd->add_option("email", login->email, "Your e-mail (default: the last one used)");
  auto* totp = login_cmd->add_option("--totp", login->totp, "Code from your authenticator app");
  auto* recovery =
      login_cmd->add_option("--recovery-code", login->recovery_code, "One of your recovery codes");
  totp->excludes(recovery);
  add_client_flags(login_cmd, login->client, true);
  login_cmd->callback([login] {
    throw CLI::RuntimeError(run_client_command(
        login->client, [login](ClientContext& c) { return run_login(c, *login); }));
  });

  auto logout = std::make_shared<ClientFlags>();
  auto* logout_cmd = app.add_subcommand("logout", "End the session on the server and here");
  add_client_flags(logout_cmd, *logout, false);
  logout_cmd->callback(
      [logout] { throw CLI::RuntimeError(run_client_command(*logout, run_logout)); });
}

void add_sessions_command(CLI::App& app) {
  // `sessions` and `sessions revoke` share their flags, so both orders work.
  auto sessions = std::make_shared<ClientFlags>();
  auto revoke_id = std::make_shared<std::string>();
  auto* sessions_cmd = app.add_subcommand("sessions", "List your sessions (devices)");
  sessions_cmd->require_subcommand(0, 1);
  add_client_flags(sessions_cmd, *sessions, false);
  auto* revoke_cmd = sessions_cmd->add_subcommand("revoke", "End one of your sessions");
  revoke_cmd->add_option("id", *revoke_id, "The session id (from `hippocrate sessions`)")
      ->required();
  add_client_flags(revoke_cmd, *sessions, false);
  revoke_cmd->callback([sessions, revoke_id] {
    throw CLI::RuntimeError(run_client_command(
        *sessions, [revoke_id](ClientContext& c) { return run_revoke(c, *revoke_id); }));
  });
  sessions_cmd->callback([sessions, revoke_cmd] {
    if (revoke_cmd->parsed()) return;
    throw CLI::RuntimeError(run_client_command(*sessions, run_sessions));
  });
}

void add_client_commands(CLI::App& app) {
  // In the order `hippocrate --help` lists them: a newcomer's path first.
  add_accept_invite_command(app);
  add_login_commands(app);
  add_account_commands(app);
  add_sessions_command(app);
  add_mfa_commands(app);
  add_invite_commands(app);
  add_care_commands(app);
  add_delegate_commands(app);
  add_account_admin_commands(app);
  add_security_events_command(app);
  add_device_commands(app);
  add_message_commands(app);
  add_listen_command(app);
  add_history_commands(app);
  add_safety_commands(app);
  add_recovery_commands(app);
}

}  // namespace hippocrate::cli
