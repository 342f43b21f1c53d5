// invite --role ROLE EMAIL: administrators invite staff, practitioners invite patients.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_context.h"
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
}

}  // namespace hippocrate::cli
