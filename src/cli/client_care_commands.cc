// Care relationships from the command line:
//   patients [--all]        a practitioner's patients (active, or all with --all)
//   practitioners [--all]   a patient's practitioners
//   access-log              who accessed my data (the audit records about me)
//   care end ID             either party ends a relationship; the practitioner's access
//                           to the patient's data stops at once
//   care request EMAIL      a practitioner asks to care for an existing patient account
//   care accept ID          the patient accepts (see `practitioners --all` for requests)
//   patient ID|EMAIL        one patient (practitioners with an active relationship, their
//                           assistants, the patient itself); every read is audited. ID is
//                           the patient id or the relationship id `patients` shows
#include <CLI/CLI.hpp>
#include <cctype>
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
  // A practitioner's list leads with the patient id, which `patient ID` takes; the
  // relationship id is what `care end ID` takes.
  if (patients) {
    std::printf("%-32s  %-8s  %-23s  %-40s  %s\n", "PATIENT ID", "STATUS", "SINCE", "PATIENT",
                "RELATIONSHIP");
  } else {
    std::printf("%-32s  %-8s  %-23s  %s\n", "RELATIONSHIP", "STATUS", "SINCE",
                "PRACTITIONER — ORGANISATION");
  }
  bool pending = false;  // a patient has a request to answer
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    const auto* who = o.if_contains(patients ? "patient" : "practitioner");
    std::string name;
    if (who != nullptr && who->is_object()) {
      name = json_string(who->as_object(), "display_name");
      const std::string email = json_string(who->as_object(), "email");
      if (!email.empty()) name += name.empty() ? email : " <" + email + ">";
      // A patient sees whose practice a relationship (a pending request above all) is with.
      const std::string organisation = json_string(who->as_object(), "organisation");
      if (!patients && !organisation.empty()) name += " — " + organisation;
      // And the RPPS number that organisation's administrators attested, if any.
      const std::string rpps = json_string(who->as_object(), "rpps");
      if (!patients && !rpps.empty()) name += " (RPPS " + rpps + ")";
    }
    const std::int64_t since =
        json_int(o, "activated_at") != 0 ? json_int(o, "activated_at") : json_int(o, "created_at");
    if (patients) {
      const std::string patient_id =
          who != nullptr && who->is_object() ? json_string(who->as_object(), "id") : "";
      std::printf("%-32s  %-8s  %-23s  %-40s  %s\n", patient_id.c_str(),
                  json_string(o, "status").c_str(), format_time(since).c_str(), name.c_str(),
                  json_string(o, "id").c_str());
    } else {
      std::printf("%-32s  %-8s  %-23s  %s\n", json_string(o, "id").c_str(),
                  json_string(o, "status").c_str(), format_time(since).c_str(), name.c_str());
      pending = pending || json_string(o, "status") == "invited";
    }
  }
  if (pending) {
    std::printf(
        "\n'invited': a practitioner asks to care for you and sees nothing of your file\n"
        "yet. To accept: hippocrate care accept RELATIONSHIP\n");
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
    std::printf(
        "%-19s  %-24s  %-12s  %-20s  %s\n", format_time(json_int(o, "at_ms") / 1000).c_str(),
        json_string(o, "who").c_str(), json_string(o, "role").c_str(),
        json_string(o, "organisation").c_str(),
        // Plain words (a server older than them sends only the action).
        (o.contains("description") ? json_string(o, "description") : json_string(o, "action"))
            .c_str());
  }
  return ok_status();
}

Status run_request(ClientContext& context, const std::string& email) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  SecretJsonBody body;
  body.add("patient_email", email);
  HIPPO_ASSIGN_OR_RETURN(json::object answer, context.call("POST", "/api/v1/care-relationships",
                                                           body.serialise(), &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  std::printf(
      "Request sent. If %s has a patient account, they will see it with "
      "`hippocrate practitioners --all`\nand accept it with `hippocrate care accept ID`; "
      "otherwise invite them: hippocrate invite --role patient %s\n",
      email.c_str(), email.c_str());
  return ok_status();
}

Status run_accept(ClientContext& context, const std::string& id) {
  if (!is_plain_id(id)) return usage_error("not a relationship id: " + id);
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_RETURN_IF_ERROR(
      context.call("POST", "/api/v1/care-relationships/" + id + "/accept", {}, &token));
  if (context.json()) {
    print_json(json::object{{"accepted", id}});
    return ok_status();
  }
  std::printf(
      "Care relationship %s is active: this practitioner can now see your file.\n"
      "End it at any time with: hippocrate care end %s\n",
      id.c_str(), id.c_str());
  return ok_status();
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The patient id that `who` names in the caller's list (`patients --all`): the patient id,
// the relationship id, or the patient's e-mail; empty when none does. The list read is
// audited like `patients` (one record per patient listed).
Result<std::string> patient_in_list(ClientContext& context, const SecretBytes& token,
                                    const std::string& who) {
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("GET", "/api/v1/patients?include_ended=true", {}, &token));
  const auto* list = answer.if_contains("patients");
  if (list == nullptr || !list->is_array()) return std::string();
  const std::string wanted = lower(who);
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    const auto& patient = json_object(o, "patient");
    const std::string id = json_string(patient, "id");
    if (json_string(o, "id") == who || id == who ||
        lower(json_string(patient, "email")) == wanted) {
      return id;
    }
  }
  return std::string();
}

// `patient WHO`: a patient id is read directly; a relationship id (what `patients` showed
// before it showed patient ids) or an e-mail is looked up in the caller's list first.
Status run_patient(ClientContext& context, const std::string& who) {
  const bool email = who.find('@') != std::string::npos;
  if (!email && !is_plain_id(who)) {
    return usage_error("not a patient id or e-mail: " + who + " (see: hippocrate patients)");
  }
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  const auto read = [&](const std::string& id) {
    return context.call("GET", "/api/v1/patients/" + id, {}, &token);
  };
  Result<json::object> found = Error::not_found("patient_not_found", "");
  if (!email) found = read(who);
  if (!found && found.error().code() == "patient_not_found") {
    // Perhaps an id of a relationship, or an e-mail: look in the list (practitioners and
    // assistants only; anyone else keeps the first answer).
    auto id = patient_in_list(context, token, who);
    if (id && !id->empty() && *id != who) {
      found = read(*id);
    } else if (email || (id && id->empty())) {
      return Error::not_found(
          "patient_not_found",
          "no patient " + who + " in your care (see: hippocrate patients --all)");
    }
  }
  HIPPO_ASSIGN_OR_RETURN(json::object answer, std::move(found));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  std::printf("%s <%s> (%s)\npatient id: %s\n", json_string(answer, "display_name").c_str(),
              json_string(answer, "email").c_str(), json_string(answer, "organisation").c_str(),
              json_string(answer, "id").c_str());
  const auto* care = answer.if_contains("care_relationships");
  if (care != nullptr && care->is_array()) {
    for (const auto& item : care->as_array()) {
      if (!item.is_object()) continue;
      const auto& o = item.as_object();
      std::printf("  %-8s  %-19s  %s\n", json_string(o, "status").c_str(),
                  format_time(json_int(o, "activated_at")).c_str(),
                  json_string(json_object(o, "practitioner"), "display_name").c_str());
    }
  }
  return ok_status();
}

void add_list(CLI::App& app, const char* name, const char* help, bool patients) {
  auto flags = std::make_shared<ListFlags>();
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_flag("--all", flags->all, "Include invited and ended relationships");
  add_client_flags(cmd, flags->client, false);
  cmd->callback([flags, patients] {
    throw CLI::RuntimeError(run_client_command(flags->client, [flags, patients](ClientContext& c) {
      return run_list(c, *flags, patients);
    }));
  });
}

}  // namespace

void add_care_commands(CLI::App& app) {
  add_list(app, "patients", "A practitioner's patients (active care relationships)", true);
  add_list(app, "practitioners", "A patient's practitioners", false);
  auto log_flags = std::make_shared<ClientFlags>();
  auto* log = app.add_subcommand("access-log", "Who accessed your data, when, and what");
  add_client_flags(log, *log_flags, false);
  log->callback(
      [log_flags] { throw CLI::RuntimeError(run_client_command(*log_flags, run_access_log)); });
  auto* care = app.add_subcommand("care", "Care relationships");
  care->require_subcommand(1);
  auto flags = std::make_shared<EndFlags>();
  auto* end = care->add_subcommand("end", "End a care relationship (either party)");
  end->add_option("id", flags->id, "The relationship id (from `patients` or `practitioners`)")
      ->required();
  add_client_flags(end, flags->client, false);
  end->callback([flags] {
    throw CLI::RuntimeError(run_client_command(
        flags->client, [flags](ClientContext& c) { return run_end(c, *flags); }));
  });
  add_arg_command(*care, "request", "Ask to care for an existing patient account (practitioners)",
                  "email", "The patient's e-mail", run_request);
  add_arg_command(*care, "accept", "Accept a practitioner's care request (patients)", "id",
                  "The relationship id (from `practitioners --all`)", run_accept);
  add_arg_command(app, "patient", "Show one patient (every read is audited)", "patient",
                  "The patient id, relationship id or e-mail (from `patients`)", run_patient);
}

}  // namespace hippocrate::cli
