// invite --role ROLE EMAIL: administrators invite staff, practitioners invite patients.
// invitations: the pending invitations (an administrator: its organisation's; a practitioner:
//   its own), never a token. invitations revoke ID: the token stops working (ID: the id the
//   list shows, or a unique prefix of 6 characters or more).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_context.h"
#include "cli/client_views.h"
#include "cli/command_helpers.h"
#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

struct InviteFlags {
  ClientFlags client;
  std::string role;
  std::string email;
};

Status run_invite(ClientContext& context, const InviteFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  SecretJsonBody body;
  body.add("email", flags.email).add("role", flags.role);
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("POST", "/api/v1/invitations", body.serialise(), &token));
  if (context.json()) {
    print_json(answer);
    take_secret(answer, "token").wipe();
    return ok_status();
  }
  const SecretBytes invitation = take_secret(answer, "token");
  if (invitation.empty()) {
    return Error::internal("unexpected_response", "the server's answer holds no invitation token");
  }
  const std::string email = json_string(answer, "email", flags.email);
  std::printf("Invitation for %s (%s), valid until %s, usable once.\n", email.c_str(),
              json_string(answer, "role", flags.role).c_str(),
              format_time(json_int(answer, "expires_at")).c_str());
  std::printf(
      "Send this command to %s through a channel you trust (whoever has it can\n"
      "create the account):\n\n",
      email.c_str());
  std::printf("  hippocrate accept-invite %.*s --server %s\n\n",
              static_cast<int>(invitation.size()), reinterpret_cast<const char*>(invitation.data()),
              context.server_url().c_str());
  if (!context.ca_file().empty()) {
    std::printf(
        "The server's certificate is not publicly trusted: they also need\n"
        "--ca-file with a copy of %s.\n",
        context.ca_file().c_str());
  }
  return ok_status();
}

Result<json::array> pending_invitations(ClientContext& context, const SecretBytes& token) {
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("GET", "/api/v1/invitations", {}, &token));
  const auto* list = answer.if_contains("invitations");
  if (list == nullptr || !list->is_array()) return json::array{};
  return list->as_array();
}

Status run_list(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::array list, pending_invitations(context, token));
  if (context.json()) {
    print_json(json::object{{"invitations", list}});
    return ok_status();
  }
  if (list.empty()) {
    std::printf("No pending invitations.\n");
    return ok_status();
  }
  std::printf("%-32s  %-30s  %-12s  %-23s  %s\n", "ID", "E-MAIL", "ROLE", "VALID UNTIL",
              "INVITED BY");
  for (const auto& item : list) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    // invited_by: the inviter's name; empty for an invitation the operator printed.
    const std::string by = json_string(o, "invited_by", "");
    std::printf("%-32s  %-30s  %-12s  %-23s  %s\n", json_string(o, "id").c_str(),
                json_string(o, "email").c_str(), json_string(o, "role").c_str(),
                format_time(json_int(o, "expires_at")).c_str(),
                by.empty() ? "(the operator)" : by.c_str());
  }
  std::printf("\nAn invitation is used once. To cancel one: hippocrate invitations revoke ID\n");
  return ok_status();
}

Status run_revoke(ClientContext& context, const std::string& given) {
  if (!is_id_prefix(given)) {
    return usage_error("not an invitation id: " + given +
                       " (the id `hippocrate invitations` shows, or its first " +
                       std::to_string(kMinIdPrefix) + " characters or more)");
  }
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::array list, pending_invitations(context, token));
  std::vector<IdCandidate> ids;
  std::string email;
  for (const auto& item : list) {
    if (item.is_object()) ids.push_back({json_string(item.as_object(), "id")});
  }
  HIPPO_ASSIGN_OR_RETURN(
      const std::string id,
      resolve_id_prefix(
          ids, given,
          {"invitation_not_found",
           "no pending invitation " + given + " (see: hippocrate invitations)",
           "invitation_ambiguous", "several pending invitations start with " + given}));
  for (const auto& item : list) {
    if (item.is_object() && json_string(item.as_object(), "id") == id) {
      email = json_string(item.as_object(), "email");
    }
  }
  HIPPO_RETURN_IF_ERROR(context.call("POST", "/api/v1/invitations/" + id + "/revoke", {}, &token));
  if (context.json()) {
    print_json(json::object{{"revoked", id}, {"email", email}});
    return ok_status();
  }
  std::printf("Invitation %s%s%s revoked: its accept-invite command no longer works.\n", id.c_str(),
              email.empty() ? "" : " for ", email.c_str());
  return ok_status();
}

}  // namespace

void add_invite_commands(CLI::App& app) {
  auto invite = std::make_shared<InviteFlags>();
  auto* cmd = app.add_subcommand(
      "invite", "Invite someone: prints the one-time command they run to create their account");
  cmd->add_option("--role", invite->role, "admin, practitioner, assistant, auditor or patient")
      ->required()
      ->check(CLI::IsMember({"admin", "practitioner", "assistant", "auditor", "patient"}));
  cmd->add_option("email", invite->email, "The invitee's e-mail")->required();
  add_client_flags(cmd, invite->client, false);
  cmd->callback([invite] {
    throw CLI::RuntimeError(run_client_command(
        invite->client, [invite](ClientContext& c) { return run_invite(c, *invite); }));
  });

  auto list_flags = std::make_shared<ClientFlags>();
  auto* invitations =
      app.add_subcommand("invitations",
                         "Pending invitations (administrators: the organisation's; practitioners: "
                         "your own)");
  add_client_flags(invitations, *list_flags, false);
  invitations->require_subcommand(0, 1);
  add_arg_command(*invitations, "revoke", "Cancel a pending invitation: its token stops working",
                  "id", "The invitation id (from `hippocrate invitations`), or a unique prefix",
                  run_revoke);
  invitations->callback([invitations, list_flags] {
    if (invitations->get_subcommands().empty()) {
      throw CLI::RuntimeError(run_client_command(*list_flags, run_list));
    }
  });
}

}  // namespace hippocrate::cli
