// Account administration for an organisation's administrators (docs/cli.md "Accounts"):
//   accounts list               the organisation's accounts (never another organisation's)
//   accounts show ID|EMAIL      one account
//   accounts disable ID|EMAIL   disable it and end its sessions (someone who left)
//   accounts enable ID|EMAIL    re-enable it
//   accounts unlock EMAIL       re-open an account locked after 25 failed logins in 24 h
//   organisation rename NAME    rename the administrator's own organisation
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/client_commands.h"
#include "cli/client_views.h"
#include "cli/command_helpers.h"
#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

void print_header() {
  std::printf("%-32s  %-30s  %-24s  %-12s  %-8s  %-3s  %s\n", "ID", "E-MAIL", "NAME", "ROLE",
              "STATUS", "2FA", "RPPS");
}

void print_row(const json::object& a) {
  std::printf("%-32s  %-30s  %-24s  %-12s  %-8s  %-3s  %s\n", json_string(a, "id").c_str(),
              json_string(a, "email").c_str(), json_string(a, "display_name").c_str(),
              json_string(a, "role").c_str(), json_string(a, "status").c_str(),
              json_bool(a, "second_factor") ? "yes" : "no", json_string(a, "rpps").c_str());
}

Result<json::array> list_accounts(ClientContext& context, const SecretBytes& token) {
  HIPPO_ASSIGN_OR_RETURN(json::object answer, context.call("GET", "/api/v1/accounts", {}, &token));
  const auto* list = answer.if_contains("accounts");
  if (list == nullptr || !list->is_array()) return json::array{};
  return list->as_array();
}

// An account id, or an e-mail address looked up in the organisation's list.
Result<std::string> account_id(ClientContext& context, const SecretBytes& token,
                               const std::string& who) {
  if (who.find('@') == std::string::npos) {
    if (!is_plain_id(who)) return usage_error("not an account id or e-mail: " + who);
    return who;
  }
  HIPPO_ASSIGN_OR_RETURN(json::array list, list_accounts(context, token));
  for (const auto& item : list) {
    if (item.is_object() && json_string(item.as_object(), "email") == who) {
      return json_string(item.as_object(), "id");
    }
  }
  return Error::not_found("account_not_found", "no account " + who + " in your organisation");
}

Status run_list(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::array list, list_accounts(context, token));
  if (context.json()) {
    print_json(json::object{{"accounts", list}});
    return ok_status();
  }
  print_header();
  for (const auto& item : list) {
    if (item.is_object()) print_row(item.as_object());
  }
  return ok_status();
}

Status run_on_account(ClientContext& context, const std::string& who, const char* method,
                      const char* suffix, const char* done) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(std::string id, account_id(context, token, who));
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call(method, "/api/v1/accounts/" + id + suffix, {}, &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  if (done != nullptr) std::printf("%s\n", done);
  print_header();
  print_row(answer);
  return ok_status();
}

// PUT /api/v1/accounts/{id}/rpps: the administrator attests, after checking it in the
// national directory (Annuaire Santé), a practitioner's RPPS number; patients see it.
Status run_set_rpps(ClientContext& context, const std::string& who, const std::string& rpps) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(std::string id, account_id(context, token, who));
  SecretJsonBody body;
  body.add("rpps", rpps);
  HIPPO_ASSIGN_OR_RETURN(
      json::object answer,
      context.call("PUT", "/api/v1/accounts/" + id + "/rpps", body.serialise(), &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  std::printf(
      "RPPS %s attested for %s: patients see it, with your organisation, before\n"
      "they accept this practitioner's care request.\n",
      json_string(answer, "rpps").c_str(), json_string(answer, "email").c_str());
  return ok_status();
}

// POST /api/v1/accounts/unlock takes the e-mail: an account of the organisation that is not
// locked is left as it is (204 too); an unknown address is 404 account_not_found.
Status run_unlock(ClientContext& context, const std::string& email) {
  if (email.find('@') == std::string::npos) {
    return usage_error("give the account's e-mail address: " + email);
  }
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  SecretJsonBody body;
  body.add("email", email);
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("POST", "/api/v1/accounts/unlock", body.serialise(), &token));
  if (context.json()) {
    print_json(json::object{{"unlocked", email}});
    return ok_status();
  }
  std::printf(
      "%s can log in again (if the account was locked after too many wrong passwords,\n"
      "the lock is lifted; otherwise nothing changed).\n",
      email.c_str());
  return ok_status();
}

Status run_rename(ClientContext& context, const std::string& name) {
  if (name.empty()) return usage_error("the organisation's new name is empty");
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  SecretJsonBody body;
  body.add("name", name);
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("PUT", "/api/v1/organisation", body.serialise(), &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  std::printf(
      "Your organisation is now called \"%s\". Everyone sees the new name from now\n"
      "on (their `whoami`, a patient's list of practitioners, the access log).\n",
      json_string(answer, "name", name).c_str());
  return ok_status();
}

}  // namespace

void add_account_admin_commands(CLI::App& app) {
  auto* accounts = app.add_subcommand("accounts", "Your organisation's accounts (administrators)");
  accounts->require_subcommand(1);
  add_plain_command(*accounts, "list", "List the organisation's accounts", run_list);
  add_arg_command(*accounts, "show", "Show one account", "account", "Account id or e-mail",
                  [](ClientContext& c, const std::string& who) {
                    return run_on_account(c, who, "GET", "", nullptr);
                  });
  add_arg_command(*accounts, "disable", "Disable an account and end its sessions", "account",
                  "Account id or e-mail", [](ClientContext& c, const std::string& who) {
                    return run_on_account(c, who, "POST", "/disable",
                                          "Account disabled; its sessions have ended.");
                  });
  add_arg_command(*accounts, "enable", "Re-enable a disabled account", "account",
                  "Account id or e-mail", [](ClientContext& c, const std::string& who) {
                    return run_on_account(c, who, "POST", "/enable", "Account enabled.");
                  });
  {
    struct RppsFlags {
      ClientFlags client;
      std::string account;
      std::string rpps;
    };
    auto flags = std::make_shared<RppsFlags>();
    auto* cmd = accounts->add_subcommand(
        "set-rpps", "Attest a practitioner's RPPS number (check it in Annuaire Santé first)");
    cmd->add_option("account", flags->account, "The practitioner's account id or e-mail")
        ->required();
    cmd->add_option("rpps", flags->rpps, "The 11-digit RPPS number")->required();
    add_client_flags(cmd, flags->client, false);
    cmd->callback([flags] {
      throw CLI::RuntimeError(run_client_command(flags->client, [flags](ClientContext& c) {
        return run_set_rpps(c, flags->account, flags->rpps);
      }));
    });
  }
  add_arg_command(*accounts, "unlock", "Re-open an account locked after too many failed logins",
                  "email", "The account's e-mail", run_unlock);

  auto* organisation = app.add_subcommand("organisation", "Your organisation (administrators)");
  organisation->require_subcommand(1);
  add_arg_command(*organisation, "rename", "Rename your organisation", "name", "The new name",
                  run_rename);
}

}  // namespace hippocrate::cli
