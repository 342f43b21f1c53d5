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
#include "e2ee/prekeys.h"
#include "e2ee/wire.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

constexpr std::string_view kPairingPrefix = "hippocrate-pair:";

std::string account_key_text(const client::KeystoreData& data, const std::string& account_id) {
  auto it = data.contacts.find(account_id);
  return it == data.contacts.end() ? std::string() : base64url_encode(it->second.account_key);
}

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
    std::printf("No messaging devices yet. The first `hippocrate send` (or `hippocrate devices "
                "register`) sets up this one.\n");
  } else {
    std::printf("%-32s  %-23s  %-23s  %s\n", "DEVICE", "REGISTERED", "REVOKED", "");
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) continue;
      const auto& d = item.as_object();
      const std::string id = json_string(d, "device_id");
      std::string note;
      if (id == self) note = holds_key ? "<- this device (holds the account key)" : "<- this device";
      std::printf("%-32s  %-23s  %-23s  %s\n", id.c_str(),
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
    HIPPO_RETURN_IF_ERROR(m->replenish_prekeys());
    if (context.json()) print_json(json::object{{"device_id", m->device_id()}, {"paired", true}});
    else std::printf("This device (%s) is already paired.\n", m->device_id().c_str());
    return ok_status();
  }
  if (!m->has_keystore()) HIPPO_RETURN_IF_ERROR(m->create_pending_device());
  if (!flags.account_key.empty()) {
    auto key = base64url_decode(flags.account_key);
    if (!key || key->size() != e2ee::kKeyBytes) {
      return usage_error("--account-key must be the 43-character key `devices approve` printed");
    }
    e2ee::PublicKey account_key{};
    std::copy(key->begin(), key->end(), account_key.begin());
    HIPPO_RETURN_IF_ERROR(m->complete_pairing(account_key));
    if (context.json()) print_json(json::object{{"device_id", m->device_id()}, {"paired", true}});
    else std::printf("Paired: this device (%s) now receives your conversations.\n", m->device_id().c_str());
    return ok_status();
  }
  HIPPO_ASSIGN_OR_RETURN(Bytes payload, m->pairing_payload());
  const std::string code = std::string(kPairingPrefix) + base64url_encode(payload);
  if (context.json()) {
    print_json(json::object{{"device_id", m->device_id()}, {"paired", false}, {"pairing_code", code}});
    return ok_status();
  }
  std::printf("This device is %s. To add it to your account:\n"
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
  // The new device's identity, then (codes since the pairing prekey) its signed prekey.
  e2ee::Reader reader(*bytes, "pairing code");
  e2ee::DevicePublicIdentity added = e2ee::read_device_identity(reader);
  std::optional<e2ee::SignedPrekeyPublic> prekey;
  if (reader.remaining() > 0) prekey = e2ee::read_signed_prekey(reader);
  HIPPO_RETURN_IF_ERROR(reader.finish());
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  HIPPO_RETURN_IF_ERROR(e2ee::verify_device_identity(added));
  if (prekey) {
    HIPPO_RETURN_IF_ERROR(e2ee::verify_signed_prekey(
        added, *prekey, static_cast<std::uint64_t>(unix_seconds(SystemClock().now()))));
  }
  if (added.account_id != m->me().account_id) {
    return Error::invalid_argument("pairing_other_account",
                                   "this pairing code is for a device of another account");
  }
  std::vector<std::string> warnings;
  client::KeystoreData data = m->data();
  HIPPO_ASSIGN_OR_RETURN(VerifiedDevices own, m->verified_devices(m->me().account_id, data, warnings));
  HIPPO_RETURN_IF_ERROR(m->commit(std::move(data)));
  if (e2ee::find_device(own.current, added.device_id) != nullptr) {
    return Error::conflict("device_already_listed", "this device is already one of yours");
  }
  std::vector<e2ee::DevicePublicIdentity> devices = own.current.devices;
  devices.push_back(added);
  HIPPO_RETURN_IF_ERROR(m->publish_own_list(devices, &added));
  if (prekey) {
    // Published now, with the registration: senders can reach the new device at once,
    // before it completes the pairing (its one-time prekeys come then). The device is
    // approved whatever happens here, so a failure is a warning, not an error that would
    // hide the account key the new device needs: it publishes its prekey itself when it
    // completes the pairing.
    e2ee::Writer w;
    e2ee::write_signed_prekey(w, *prekey);
    json::object body{{"signed_prekey", base64url_encode(w.bytes())}};
    auto uploaded = m->call("PUT", "/api/v1/devices/" + added.device_id + "/prekeys", &body);
    if (!uploaded) {
      print_warnings({"the new device's prekey could not be published yet (" +
                      uploaded.error().code() +
                      "): messages can reach it once it has completed the pairing"});
    }
  }
  const std::string key = account_key_text(m->data(), m->me().account_id);
  if (context.json()) {
    print_json(json::object{{"approved", added.device_id}, {"account_key", key}});
    return ok_status();
  }
  std::printf("Device %s is now one of yours. On it, run:\n"
              "  hippocrate devices add --account-key=%s\n",
              added.device_id.c_str(), key.c_str());
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
  if (!m->data().account_key) {
    return Error::failed_precondition(
        "account_key_missing",
        "this device does not hold your account key, which must sign your device list "
        "without the revoked device: run `hippocrate devices revoke` on your first device");
  }
  HIPPO_RETURN_IF_ERROR(m->call("POST", "/api/v1/devices/" + id + "/revoke"));
  std::vector<std::string> warnings;
  client::KeystoreData data = m->data();
  HIPPO_ASSIGN_OR_RETURN(VerifiedDevices own, m->verified_devices(m->me().account_id, data, warnings));
  std::erase_if(data.sessions, [&](const auto& s) { return s.first.device_id == id; });
  HIPPO_RETURN_IF_ERROR(m->commit(std::move(data)));
  std::vector<e2ee::DevicePublicIdentity> devices = own.current.devices;
  std::erase_if(devices, [&](const auto& d) { return d.device_id == id; });
  HIPPO_RETURN_IF_ERROR(m->publish_own_list(devices, nullptr));
  if (context.json()) {
    print_json(json::object{{"revoked", id}});
    return ok_status();
  }
  std::printf("Device %s revoked: it receives nothing new, and your device list no longer "
              "names it.\n", id.c_str());
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
                  "The device id (from `hippocrate devices`), or its first characters",
                  run_revoke);
  devices->callback([list_flags, devices] {
    if (devices->get_subcommands().size() > 0) return;
    throw CLI::RuntimeError(run_client_command(*list_flags, run_list));
  });
}

}  // namespace hippocrate::cli
