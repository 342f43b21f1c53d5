// Care relationships from the command line:
//   patients [--all]        a practitioner's patients (active, or all with --all)
//   practitioners [--all]   a patient's practitioners
//   access-log              who accessed my data (the audit records about me)
//   care end ID             either party ends a relationship; the practitioner's access
//                           to the patient's data stops at once
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_context.h"
#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

struct ListFlags {
  ClientFlags client;
  bool all = false;
};

Status run_list(ClientContext& context, const ListFlags& flags, bool patients) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  const std::string key = patients ? "patients" : "practitioners";
  const std::string target = "/api/v1/" + key + (flags.all ? "?include_ended=true" : "");
  HIPPO_ASSIGN_OR_RETURN(json::object answer, context.call("GET", target, {}, &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  const auto* list = answer.if_contains(key);
  if (list == nullptr || !list->is_array() || list->as_array().empty()) {
    std::printf(patients ? "No patients%s.\n" : "No practitioners%s.\n",
                flags.all ? "" : " in an active care relationship");
    return ok_status();
  }
  std::printf("%-32s  %-8s  %-19s  %s\n", "RELATIONSHIP", "STATUS", "SINCE",
              patients ? "PATIENT" : "PRACTITIONER");
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    const auto* who = o.if_contains(patients ? "patient" : "practitioner");
    std::string name;
    if (who != nullptr && who->is_object()) {
      name = json_string(who->as_object(), "display_name");
      const std::string email = json_string(who->as_object(), "email");
      if (!email.empty()) name += name.empty() ? email : " <" + email + ">";
    }
    const std::int64_t since = json_int(o, "activated_at") != 0 ? json_int(o, "activated_at")
                                                                : json_int(o, "created_at");
    std::printf("%-32s  %-8s  %-19s  %s\n", json_string(o, "id").c_str(),
                json_string(o, "status").c_str(), format_time(since).c_str(), name.c_str());
  }
  return ok_status();
}

struct EndFlags {
  ClientFlags client;
  std::string id;
};

Status run_end(ClientContext& context, const EndFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(
      json::object answer,
      context.call("POST", "/api/v1/care-relationships/" + flags.id + "/end", {}, &token));
  if (context.json()) {
    print_json(json::object{{"ended", flags.id}});
    return ok_status();
  }
  std::printf("Care relationship %s ended.\n", flags.id.c_str());
  return ok_status();
}

Status run_access_log(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("GET", "/api/v1/me/access-log", {}, &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  const auto* list = answer.if_contains("entries");
  if (list == nullptr || !list->is_array() || list->as_array().empty()) {
    std::printf("Nobody has accessed your data.\n");
    return ok_status();
  }
  std::printf("%-19s  %-24s  %-12s  %-20s  %s\n", "WHEN", "WHO", "ROLE", "ORGANISATION", "WHAT");
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    std::printf("%-19s  %-24s  %-12s  %-20s  %s\n",
                format_time(json_int(o, "at_ms") / 1000).c_str(), json_string(o, "who").c_str(),
                json_string(o, "role").c_str(), json_string(o, "organisation").c_str(),
                json_string(o, "action").c_str());
  }
  return ok_status();
}

void add_list(CLI::App& app, const char* name, const char* help, bool patients) {
  auto flags = std::make_shared<ListFlags>();
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_flag("--all", flags->all, "Include invited and ended relationships");
  add_client_flags(cmd, flags->client, false);
  cmd->callback([flags, patients] {
    throw CLI::RuntimeError(run_client_command(
        flags->client, [flags, patients](ClientContext& c) { return run_list(c, *flags, patients); }));
  });
}

}  // namespace

void add_care_commands(CLI::App& app) {
  add_list(app, "patients", "A practitioner's patients (active care relationships)", true);
  add_list(app, "practitioners", "A patient's practitioners", false);
  auto log_flags = std::make_shared<ClientFlags>();
  auto* log = app.add_subcommand("access-log", "Who accessed your data, when, and what");
  add_client_flags(log, *log_flags, false);
  log->callback([log_flags] {
    throw CLI::RuntimeError(run_client_command(*log_flags, run_access_log));
  });
  auto* care = app.add_subcommand("care", "Care relationships");
  care->require_subcommand(1);
  auto flags = std::make_shared<EndFlags>();
  auto* end = care->add_subcommand("end", "End a care relationship (either party)");
  end->add_option("id", flags->id, "The relationship id (from `patients` or `practitioners`)")
      ->required();
  add_client_flags(end, flags->client, false);
  end->callback([flags] {
    throw CLI::RuntimeError(
        run_client_command(flags->client, [flags](ClientContext& c) { return run_end(c, *flags); }));
  });
}

}  // namespace hippocrate::cli
