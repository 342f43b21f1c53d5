// Messaging devices from the command line (docs/cli.md "Messaging"):
//   devices                          this account's devices, this one marked
//   devices register                 set up this profile as the account's first device
//   devices add [--account-key KEY]  pair this profile as another device of the account
//   devices approve CODE             on a device holding the account key: sign the new list
//   devices revoke ID                revoke a device (ID: the id, or a unique prefix of 6+
//                                    characters, as `inbox` shows), then sign a list without it
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>

#include "base/clock.h"
#include "base/ids.h"
#include "cli/client_commands.h"
#include "cli/client_messaging.h"
#include "cli/client_views.h"
#include "cli/command_helpers.h"
#include "cli/output.h"
#include "client/engine/pairing.h"
#include "client/engine/prekeys.h"
#include "e2ee/prekeys.h"
#include "e2ee/wire.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

constexpr std::string_view kPairingPrefix = "hippocrate-pair:";

Status run_list(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kPairing));
  HIPPO_ASSIGN_OR_RETURN(json::object answer, m->listing(m->me().account_id));
  const std::string self = m->has_keystore() ? m->device_id() : "";
  const bool holds_key = m->has_keystore() && m->data().account_key.has_value();
  if (context.json()) {
    answer["this_device"] = self.empty() ? json::value(nullptr) : json::value(self);
    answer["paired"] = m->paired();
    answer["holds_account_key"] = holds_key;
    print_json(answer);
    return ok_status();
  }
  const auto* list = answer.if_contains("devices");
  if (list == nullptr || !list->is_array() || list->as_array().empty()) {
    std::printf(
        "No messaging devices yet. The first `hippocrate send` (or `hippocrate devices "
        "register`) sets up this one.\n");
  } else {
    std::printf("%-32s  %-23s  %-23s  %s\n", "DEVICE", "REGISTERED", "REVOKED", "");
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) continue;
      const auto& d = item.as_object();
      const std::string id = json_string(d, "device_id");
      std::string note;
      if (id == self)
        note = holds_key ? "<- this device (holds the account key)" : "<- this device";
      std::printf(
          "%-32s  %-23s  %-23s  %s\n", id.c_str(),
          format_time(json_int(d, "registered_at")).c_str(),
          json_int(d, "revoked_at") == 0 ? "-" : format_time(json_int(d, "revoked_at")).c_str(),
          note.c_str());
    }
  }
  if (m->has_keystore() && !m->paired()) {
    std::printf("\nThis profile's device %s waits for approval: see `hippocrate devices add`.\n",
                self.c_str());
  }
  return ok_status();
}

Status run_register(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  const bool holds_key = m->data().account_key.has_value();
  if (context.json()) {
    print_json(json::object{{"device_id", m->device_id()}, {"holds_account_key", holds_key}});
    return ok_status();
  }
  std::printf("This device (%s) is ready for end-to-end encrypted messages%s.\n",
              m->device_id().c_str(), holds_key ? "; it holds your account key" : "");
  return ok_status();
}

struct AddFlags {
  ClientFlags client;
  std::string account_key;
};

Status run_add(ClientContext& context, const AddFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kPairing));
  if (m->paired()) {
    client::ReplenishPrekeys prekeys(m->engine());
    HIPPO_RETURN_IF_ERROR(m->run(prekeys));
    if (context.json())
      print_json(json::object{{"device_id", m->device_id()}, {"paired", true}});
    else
      std::printf("This device (%s) is already paired.\n", m->device_id().c_str());
    return ok_status();
  }
  if (!m->has_keystore()) {
    HIPPO_ASSIGN_OR_RETURN(client::KeystoreData pending,
                           client::pending_device_state(m->me().account_id));
    HIPPO_RETURN_IF_ERROR(m->commit(std::move(pending)));  // creates the keystore
  }
  if (!flags.account_key.empty()) {
    auto key = base64url_decode(flags.account_key);
    if (!key || key->size() != e2ee::kKeyBytes) {
      return usage_error("--account-key must be the 43-character key `devices approve` printed");
    }
    e2ee::PublicKey account_key{};
    std::copy(key->begin(), key->end(), account_key.begin());
    client::CompletePairing pairing(m->engine(), account_key);
    auto paired = m->run(pairing);
    if (!paired) {
      if (paired.error().code() != "device_not_approved") return paired.error();
      return Error::failed_precondition(
          "device_not_approved",
          "your device list does not include this device yet: approve it first on your other "
          "device (hippocrate devices approve CODE), and check the account key you typed");
    }
    if (context.json())
      print_json(json::object{{"device_id", m->device_id()}, {"paired", true}});
    else
      std::printf("Paired: this device (%s) now receives your conversations.\n",
                  m->device_id().c_str());
    return ok_status();
  }
  HIPPO_ASSIGN_OR_RETURN(
      client::PairingPayload pairing,
      client::pairing_payload(m->data(), m->engine().now_seconds(), m->engine().keys()));
  // The signed prekey's private half is stored before its public half is handed out.
  if (pairing.next) HIPPO_RETURN_IF_ERROR(m->commit(std::move(*pairing.next)));
  const Bytes& payload = pairing.payload;
  const std::string code = std::string(kPairingPrefix) + base64url_encode(payload);
  if (context.json()) {
    print_json(
        json::object{{"device_id", m->device_id()}, {"paired", false}, {"pairing_code", code}});
    return ok_status();
  }
  std::printf(
      "This device is %s. To add it to your account:\n"
      "  1. on a device that holds your account key (your first one), run:\n"
      "       hippocrate devices approve %s\n"
      "  2. then run here the `hippocrate devices add --account-key KEY` it prints.\n",
      m->device_id().c_str(), code.c_str());
  return ok_status();
}

Status run_approve(ClientContext& context, const std::string& code) {
  if (!code.starts_with(kPairingPrefix)) return usage_error("not a pairing code: " + code);
  auto bytes = base64url_decode(code.substr(kPairingPrefix.size()));
  if (!bytes) return usage_error("not a pairing code: " + code);
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  HIPPO_ASSIGN_OR_RETURN(
      client::PairingRequest request,
      client::read_pairing_payload(*bytes, m->me().account_id, m->engine().now_seconds()));
  client::ApproveDevice approve(m->engine(), std::move(request));
  auto approved = m->run(approve);
  print_warnings(m->key_changes_met());
  if (!approved) return approved.error();
  if (approved->prekey_not_published) {
    print_warnings({"the new device's prekey could not be published yet (" +
                    approved->prekey_not_published->code() +
                    "): messages can reach it once it has completed the pairing"});
  }
  const std::string key = base64url_encode(approved->account_key);
  if (context.json()) {
    print_json(json::object{{"approved", approved->device_id}, {"account_key", key}});
    return ok_status();
  }
  std::printf(
      "Device %s is now one of yours. On it, run:\n"
      "  hippocrate devices add --account-key=%s\n",
      approved->device_id.c_str(), key.c_str());
  return ok_status();
}

// The device `given` names among the account's devices: its full id, or a unique prefix (of
// at least kMinIdPrefix characters; `inbox` shows 8) of a device not yet revoked.
// Errors: "device_not_found", "device_ambiguous" (the message lists the candidates).
Result<std::string> resolve_device(const json::object& listing, const std::string& given) {
  std::vector<IdCandidate> ids;
  if (const auto* list = listing.if_contains("devices"); list != nullptr && list->is_array()) {
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) continue;
      ids.push_back({json_string(item.as_object(), "device_id"),
                     json_int(item.as_object(), "revoked_at") == 0});
    }
  }
  return resolve_id_prefix(
      ids, given,
      {"device_not_found", "none of your devices is " + given + " (see: hippocrate devices)",
       "device_ambiguous", "several of your devices start with " + given});
}

Status run_revoke(ClientContext& context, const std::string& given) {
  if (!is_valid_id(given) && !is_id_prefix(given)) {
    return usage_error("not a device id: " + given + " (the id `hippocrate devices` shows, or " +
                       "its first " + std::to_string(kMinIdPrefix) + " characters or more)");
  }
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  HIPPO_ASSIGN_OR_RETURN(json::object listing, m->listing(m->me().account_id));
  HIPPO_ASSIGN_OR_RETURN(const std::string id, resolve_device(listing, given));
  if (id == m->device_id()) {
    return usage_error("this is this device: revoke it from another of your devices");
  }
  client::RevokeDevice revoke(m->engine(), id);
  auto revoked = m->run(revoke);
  print_warnings(m->key_changes_met());
  if (!revoked) {
    if (revoked.error().code() != "account_key_missing") return revoked.error();
    return Error::failed_precondition(
        "account_key_missing",
        "this device does not hold your account key, which must sign your device list "
        "without the revoked device: run `hippocrate devices revoke` on your first device");
  }
  if (context.json()) {
    print_json(json::object{{"revoked", id}});
    return ok_status();
  }
  std::printf(
      "Device %s revoked: it receives nothing new, and your device list no longer "
      "names it.\n",
      id.c_str());
  return ok_status();
}

}  // namespace

void add_device_commands(CLI::App& app) {
  auto list_flags = std::make_shared<ClientFlags>();
  auto* devices = app.add_subcommand("devices", "Your messaging devices (list, add, revoke)");
  devices->require_subcommand(0, 1);
  add_client_flags(devices, *list_flags, false);
  add_plain_command(*devices, "register", "Set up this profile as your first messaging device",
                    run_register);
  auto add_flags = std::make_shared<AddFlags>();
  auto* add = devices->add_subcommand("add", "Pair this profile as another of your devices");
  add->add_option("--account-key", add_flags->account_key,
                  "The account key printed by `devices approve` on your other device");
  add_client_flags(add, add_flags->client, false);
  add->callback([add_flags] {
    throw CLI::RuntimeError(run_client_command(
        add_flags->client, [add_flags](ClientContext& c) { return run_add(c, *add_flags); }));
  });
  add_arg_command(*devices, "approve", "Approve a new device of yours (needs the account key)",
                  "code", "The pairing code printed by `devices add` on the new device",
                  run_approve);
  add_arg_command(*devices, "revoke", "Revoke one of your devices (needs the account key)", "id",
                  "The device id (from `hippocrate devices`), or its first characters", run_revoke);
  devices->callback([list_flags, devices] {
    if (!devices->get_subcommands().empty()) return;
    throw CLI::RuntimeError(run_client_command(*list_flags, run_list));
  });
}

}  // namespace hippocrate::cli
