// accept-invite, whoami, passwd, security-events.
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

struct AcceptFlags {
  ClientFlags client;
  std::string token;
  std::string name;
  std::string email;
};

// Creates the account, then logs in with the same password (no second question): staff get
// an enrolment-only session, for `mfa enroll`. A failed login after the account exists is
// reported as a warning (the account is there; `login` works later).
Status run_accept(ClientContext& context, const AcceptFlags& flags) {
  std::string name = flags.name;
  if (name.empty()) {
    if (!is_interactive()) return usage_error("give your name with --name NAME");
    HIPPO_ASSIGN_OR_RETURN(name, prompt_line("Your name, as others will see it: "));
    if (name.empty()) return usage_error("a name is needed (--name NAME)");
  }
  PasswordSource source(flags.client.password_stdin);
  json::object answer;
  Result<json::object> login = Error::internal("not_attempted", "");
  HIPPO_RETURN_IF_ERROR(submit_new_password(source, [&](const SecretBytes& password) -> Status {
    SecretJsonBody body;
    body.add("token", flags.token).add("display_name", name).add("password", password.view());
    if (!flags.email.empty()) body.add("email", flags.email);
    HIPPO_ASSIGN_OR_RETURN(answer,
                           context.call("POST", "/api/v1/invitations/accept", body.serialise()));
    const std::string email = json_string(json_object(answer, "account"), "email", flags.email);
    SecretJsonBody credentials;
    credentials.add("email", email).add("password", password.view());
    login = context.call("POST", "/api/v1/sessions", credentials.serialise());
    return ok_status();
  }));
  const auto& account = json_object(answer, "account");
  const std::string email = json_string(account, "email", flags.email);
  std::string login_error;
  if (login) {
    SecretBytes token = take_secret(*login, "token");
    take_secret(*login, "csrf_token").wipe();  // browsers only
    if (token.empty()) {
      login_error = "the server's answer holds no session token";
    } else if (Status kept = replace_session(context, token); !kept) {
      login_error = kept.error().message();
    }
  } else {
    login_error = login.error().message();
  }
  HIPPO_RETURN_IF_ERROR(context.remember(email));
  if (!login_error.empty()) {
    std::fprintf(stderr,
                 "hippocrate: your account is ready, but logging in failed (%s); run: "
                 "hippocrate login %s\n",
                 login_error.c_str(), email.c_str());
  }
  const bool logged_in = login_error.empty();
  const bool enrolment_only =
      logged_in && json_bool(json_object(*login, "session"), "enrolment_only");
  if (context.json()) {
    json::object out = answer;
    out["logged_in"] = logged_in;
    if (logged_in) out["session"] = json_object(*login, "session");
    print_json(out);
    return ok_status();
  }
  std::printf("Welcome, %s. Your account %s is ready%s.\n",
              json_string(account, "display_name", name).c_str(), describe_account(account).c_str(),
              logged_in ? " and you are logged in" : "");
  if (!logged_in) std::printf("Log in with:\n  hippocrate login %s\n", email.c_str());
  const std::string role = json_string(account, "role");
  if (enrolment_only || (!logged_in && !role.empty() && role != "patient")) {
    std::printf(
        "Your role requires a second factor: %s, run\n"
        "  hippocrate mfa enroll\n"
        "and scan the QR code it shows with an authenticator app (FreeOTP, Aegis...).\n",
        logged_in ? "now" : "after logging in");
  }
  return ok_status();
}

Status run_whoami(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::object answer, context.call("GET", "/api/v1/me", {}, &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  const auto& account = json_object(answer, "account");
  const auto& session = json_object(answer, "session");
  std::printf("email:            %s\n", json_string(account, "email").c_str());
  std::printf("name:             %s\n", json_string(account, "display_name").c_str());
  std::printf("role:             %s\n", json_string(account, "role").c_str());
  std::printf("organisation:     %s\n",
              json_string(json_object(account, "organisation"), "name").c_str());
  std::printf("second factor:    %s\n", json_bool(account, "second_factor") ? "yes" : "no");
  std::printf("server:           %s\n", context.server_url().c_str());
  print_session_state(session, "");
  return ok_status();
}

struct PasswdFlags {
  ClientFlags client;
  std::string totp;
  std::string recovery_code;
};

Status run_passwd(ClientContext& context, const PasswdFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::object me, context.call("GET", "/api/v1/me", {}, &token));
  const bool has_factor = json_bool(json_object(me, "account"), "second_factor");

  // 1. Step up: the current password (and second factor) again, for a fresh token.
  PasswordSource source(flags.client.password_stdin);
  HIPPO_ASSIGN_OR_RETURN(
      SecretBytes fresh,
      step_up_session(context, token, source, {flags.totp, flags.recovery_code}, has_factor));

  // 2. The new password, within the step-up's validity.
  HIPPO_RETURN_IF_ERROR(submit_new_password(source, [&](const SecretBytes& password) -> Status {
    SecretJsonBody body;
    body.add("new_password", password.view());
    auto changed = context.call("PUT", "/api/v1/me/password", body.serialise(), &fresh);
    if (!changed) return changed.error();
    return ok_status();
  }));
  if (context.json()) {
    print_json(json::object{{"password_changed", true}});
  } else {
    std::printf("Password changed. Your other sessions have been ended; this one goes on.\n");
  }
  return ok_status();
}

Status run_security_events(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("GET", "/api/v1/me/security-events", {}, &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  const auto* list = answer.if_contains("events");
  if (list == nullptr || !list->is_array() || list->get_array().empty()) {
    std::printf("No security events.\n");
    return ok_status();
  }
  std::size_t kind_width = 4;
  for (const auto& item : list->get_array()) {
    if (item.is_object()) {
      kind_width = std::max(kind_width, json_string(item.get_object(), "kind").size());
    }
  }
  const int w = static_cast<int>(kind_width);
  std::printf("%-23s  %-*s  %-15s  %s\n", "WHEN", w, "KIND", "FROM", "DETAIL");
  for (const auto& item : list->get_array()) {
    if (!item.is_object()) continue;
    const auto& e = item.get_object();
    std::printf("%-23s  %-*s  %-15s  %s\n", format_time(json_int(e, "at")).c_str(), w,
                json_string(e, "kind").c_str(), json_string(e, "source_address", "-").c_str(),
                json_string(e, "detail").c_str());
  }
  return ok_status();
}

}  // namespace

void add_accept_invite_command(CLI::App& app) {
  auto accept = std::make_shared<AcceptFlags>();
  auto* accept_cmd =
      app.add_subcommand("accept-invite", "Create your account from an invitation token");
  accept_cmd->add_option("token", accept->token, "The invitation token you received")->required();
  accept_cmd->add_option("--name", accept->name, "Your name, as others will see it");
  accept_cmd->add_option("--email", accept->email,
                         "Your e-mail (only for an invitation issued without one)");
  add_client_flags(accept_cmd, accept->client, true);
  accept_cmd->callback([accept] {
    throw CLI::RuntimeError(run_client_command(
        accept->client, [accept](ClientContext& c) { return run_accept(c, *accept); }));
  });
}

void add_account_commands(CLI::App& app) {
  auto whoami = std::make_shared<ClientFlags>();
  auto* whoami_cmd = app.add_subcommand("whoami", "Show the logged-in account and session");
  add_client_flags(whoami_cmd, *whoami, false);
  whoami_cmd->callback(
      [whoami] { throw CLI::RuntimeError(run_client_command(*whoami, run_whoami)); });

  auto passwd = std::make_shared<PasswdFlags>();
  auto* passwd_cmd = app.add_subcommand(
      "passwd", "Change your password (with --password-stdin: current, then new, one per line)");
  auto* totp = passwd_cmd->add_option("--totp", passwd->totp, "Code from your authenticator app");
  auto* recovery = passwd_cmd->add_option("--recovery-code", passwd->recovery_code,
                                          "One of your recovery codes");
  totp->excludes(recovery);
  add_client_flags(passwd_cmd, passwd->client, true);
  passwd_cmd->callback([passwd] {
    throw CLI::RuntimeError(run_client_command(
        passwd->client, [passwd](ClientContext& c) { return run_passwd(c, *passwd); }));
  });
}

void add_security_events_command(CLI::App& app) {
  auto events = std::make_shared<ClientFlags>();
  auto* events_cmd = app.add_subcommand(
      "security-events", "Recent security events of your account (logins, failures, changes)");
  add_client_flags(events_cmd, *events, false);
  events_cmd->callback(
      [events] { throw CLI::RuntimeError(run_client_command(*events, run_security_events)); });
}

}  // namespace hippocrate::cli
