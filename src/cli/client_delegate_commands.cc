// Delegation from the command line (docs/cli.md "Delegation"):
//   delegate list                 a practitioner's assistants / an assistant's practitioners
//   delegate grant EMAIL          a practitioner lets an assistant act for it (administrative
//                                 work only, never medical content)
//   delegate revoke EMAIL         withdraws it; the assistant's access stops at once
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/client_commands.h"
#include "cli/client_views.h"
#include "cli/command_helpers.h"
#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

Result<json::array> current_delegations(ClientContext& context, const SecretBytes& token) {
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("GET", "/api/v1/delegations", {}, &token));
  const auto* list = answer.if_contains("delegations");
  if (list == nullptr || !list->is_array()) return json::array{};
  return list->as_array();
}

std::string person(const json::object& o, std::string_view key) {
  const json::object& who = json_object(o, key);
  std::string out = json_string(who, "display_name");
  const std::string email = json_string(who, "email");
  if (!email.empty()) out += " <" + email + ">";
  return out;
}

Status run_list(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::array list, current_delegations(context, token));
  if (context.json()) {
    print_json(json::object{{"delegations", list}});
    return ok_status();
  }
  if (list.empty()) {
    std::printf("No delegation.\n");
    return ok_status();
  }
  std::printf("%-32s  %-19s  %-30s  %s\n", "DELEGATION", "SINCE", "PRACTITIONER", "ASSISTANT");
  for (const auto& item : list) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    std::printf("%-32s  %-19s  %-30s  %s\n", json_string(o, "id").c_str(),
                format_time(json_int(o, "created_at")).c_str(), person(o, "practitioner").c_str(),
                person(o, "assistant").c_str());
  }
  return ok_status();
}

Status run_grant(ClientContext& context, const std::string& email) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  SecretJsonBody body;
  body.add("assistant_email", email);
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("POST", "/api/v1/delegations", body.serialise(), &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  std::printf(
      "%s now acts for you on scheduling and administrative matters (never medical "
      "content).\nDelegation %s; undo with: hippocrate delegate revoke %s\n",
      person(answer, "assistant").c_str(), json_string(answer, "id").c_str(), email.c_str());
  return ok_status();
}

Status run_revoke(ClientContext& context, const std::string& email) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::array list, current_delegations(context, token));
  std::string id;
  for (const auto& item : list) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    if (json_string(json_object(o, "assistant"), "email") == email) id = json_string(o, "id");
  }
  if (id.empty() || !is_plain_id(id)) {
    return Error::not_found("delegation_not_found", "no current delegation of yours to " + email +
                                                        " (see: hippocrate delegate list)");
  }
  HIPPO_RETURN_IF_ERROR(context.call("POST", "/api/v1/delegations/" + id + "/revoke", {}, &token));
  if (context.json()) {
    print_json(json::object{{"revoked", id}});
    return ok_status();
  }
  std::printf("Delegation to %s revoked; their access stops now.\n", email.c_str());
  return ok_status();
}

}  // namespace

void add_delegate_commands(CLI::App& app) {
  auto* delegate = app.add_subcommand(
      "delegate", "Let an assistant act for you on administrative matters (practitioners)");
  delegate->require_subcommand(1);
  add_plain_command(*delegate, "list", "Current delegations", run_list);
  add_arg_command(*delegate, "grant", "Delegate to an assistant of your organisation", "email",
                  "The assistant's e-mail", run_grant);
  add_arg_command(*delegate, "revoke", "Withdraw a delegation", "email", "The assistant's e-mail",
                  run_revoke);
}

}  // namespace hippocrate::cli
