// `hippocrate recovery-key show-new` and `hippocrate restore` (docs/cli.md "Recovery"), and
// the recovery key made at messaging set-up (client_recovery.h). The recovery key is shown
// once and never written to disk, a log or an error; the server holds only the sealed
// backup (docs/messaging.md "Key backup"), which it hands out after a step-up only.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <boost/json.hpp>

#include <cstdio>
#include <memory>

#include "base/encoding.h"
#include "cli/client_commands.h"
#include "cli/client_messaging.h"
#include "cli/client_recovery.h"
#include "cli/client_views.h"
#include "cli/output.h"
#include "cli/terminal_input.h"
#include "e2ee/key_backup.h"

namespace hippocrate::cli {

namespace json = boost::json;

namespace {

struct RecoveryFlags {
  ClientFlags client;
  std::string totp;
  std::string recovery_code;  // the second factor's, not the recovery key
  bool key_stdin = false;
};

void print_recovery_key(const SecretBytes& recovery_key) {
  const SecretBytes shown = e2ee::format_recovery_key(recovery_key);
  std::fprintf(stderr,
               "\nYour messaging RECOVERY KEY (shown only this once):\n\n    %.*s\n\n"
               "Write it down and keep it safe: it is the only way to read new messages on a "
               "new phone\nif you lose all your devices (`hippocrate restore`). Anyone who has "
               "it and your password\ncan take your place in conversations. Hippocrate cannot "
               "show it again; `hippocrate\nrecovery-key show-new` replaces it.\n\n",
               static_cast<int>(shown.size()), reinterpret_cast<const char*>(shown.data()));
}

// Seals the account key under a new recovery key as backup `version` and uploads it.
Result<SecretBytes> upload_new_backup(Messenger& m, std::int64_t version) {
  const auto& data = m.data();
  if (!data.account_key || !data.account_key->secret_key) {
    return Error::failed_precondition(
        "account_key_missing",
        "this device does not hold your account key: run this on your first device (the one "
        "that set up messaging) or on a restored one");
  }
  SecretBytes recovery_key = e2ee::generate_recovery_key();
  HIPPO_ASSIGN_OR_RETURN(Bytes sealed,
                         e2ee::seal_key_backup(recovery_key, *data.account_key,
                                               static_cast<std::uint64_t>(version)));
  json::object body{{"backup", base64url_encode(sealed)}, {"version", version}};
  HIPPO_ASSIGN_OR_RETURN(json::object stored, m.call("PUT", "/api/v1/me/key-backup", &body));
  (void)stored;
  return recovery_key;
}

// The password (and second factor) again: a fresh session token, saved in the profile, for
// the routes that need a recent step-up. Run before opening the Messenger, which then uses
// the fresh token.
Status step_up(ClientContext& context, const RecoveryFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::object me, context.call("GET", "/api/v1/me", {}, &token));
  PasswordSource source(flags.client.password_stdin);
  auto fresh =
      step_up_session(context, token, source, SecondFactorAnswer{flags.totp, flags.recovery_code},
                      json_bool(json_object(me, "account"), "second_factor"));
  if (!fresh) return fresh.error();
  return ok_status();
}

// The recovery key typed (hidden) or one line of stdin, checked here: a typo is refused
// before any request.
Result<SecretBytes> read_recovery_key(const RecoveryFlags& flags) {
  SecretBytes typed;
  if (flags.key_stdin) {
    HIPPO_ASSIGN_OR_RETURN(typed, read_stdin_secret_line("recovery key"));
  } else if (is_interactive()) {
    HIPPO_ASSIGN_OR_RETURN(typed, read_hidden_line("Recovery key: "));
  } else {
    return usage_error("type the recovery key on a terminal, or pass --recovery-key-stdin");
  }
  return e2ee::parse_recovery_key(typed.view());
}

Status run_show_new(ClientContext& context, const RecoveryFlags& flags) {
  HIPPO_RETURN_IF_ERROR(step_up(context, flags));
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  std::int64_t version = 0;
  auto current = m->call("GET", "/api/v1/me/key-backup");
  if (current) {
    version = json_int(*current, "version");
  } else if (current.error().code() != "key_backup_not_found") {
    return current.error();
  }
  HIPPO_ASSIGN_OR_RETURN(SecretBytes recovery_key, upload_new_backup(*m, version + 1));
  print_recovery_key(recovery_key);
  if (context.json()) {
    print_json(json::object{{"key_backup_version", version + 1}});
  } else {
    std::printf("A new recovery key protects your key backup (version %lld); the old one no "
                "longer works.\n",
                static_cast<long long>(version + 1));
  }
  return ok_status();
}

// The account key in the backup must be the one that signed the account's current device
// list: else restoring it would not give the same identity (nothing is changed then).
Result<e2ee::DeviceList> check_against_server(Messenger& m, const e2ee::AccountKey& restored,
                                              const json::object& own) {
  auto published = base64url_decode(json_string(own, "device_list"));
  if (!published || published->size() < 33 || (*published)[0] != 0x01 ||
      !std::equal(restored.public_key.begin(), restored.public_key.end(),
                  published->begin() + 1)) {
    return Error::failed_precondition(
        "key_backup_not_current",
        "the key in your backup is not the one that signs your account's devices: nothing "
        "was changed");
  }
  auto list = e2ee::verify_device_list(std::span(*published).subspan(33), restored.public_key,
                                       m.me().account_id, 0);
  if (!list) {
    return Error::failed_precondition(
        "key_backup_not_current",
        "your account's device list does not verify under the key in your backup: nothing "
        "was changed");
  }
  return std::move(*list);
}

Status run_restore(ClientContext& context, const RecoveryFlags& flags) {
  // 1. The key, before anything else (a typo costs no request).
  HIPPO_ASSIGN_OR_RETURN(SecretBytes recovery_key, read_recovery_key(flags));
  // 2. A step-up: the backup is handed out only to a recent password (and code).
  HIPPO_RETURN_IF_ERROR(step_up(context, flags));
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kPairing));
  if (m->paired()) {
    // A restore interrupted after its keystore write (below) may run again: this device is
    // then not registered yet. A registered one is set up already.
    HIPPO_ASSIGN_OR_RETURN(json::object own, m->listing(m->me().account_id));
    if (const auto* devices = own.if_contains("devices"); devices && devices->is_array()) {
      for (const auto& d : devices->as_array()) {
        if (d.is_object() && json_string(d.as_object(), "device_id") == m->device_id()) {
          return Error::failed_precondition("already_set_up",
                                            "this profile is already one of your messaging "
                                            "devices: restore is for a new profile");
        }
      }
    }
  }
  // 3. Download and open the backup: a wrong key stops here, with nothing changed.
  auto answer = m->call("GET", "/api/v1/me/key-backup");
  if (!answer && answer.error().code() == "key_backup_not_found") {
    return Error::failed_precondition(
        "key_backup_not_found",
        "your account has no key backup, so your account key cannot be restored");
  }
  if (!answer) return answer.error();
  auto blob = base64url_decode(json_string(*answer, "backup"));
  if (!blob) return Error::internal("unexpected_response", "the key backup is not base64url");
  HIPPO_ASSIGN_OR_RETURN(e2ee::KeyBackupHeader header, e2ee::read_key_backup_header(*blob));
  if (static_cast<std::int64_t>(header.version) != json_int(*answer, "version")) {
    return Error::failed_precondition("key_backup_not_current",
                                      "the key backup's version is not the server's: nothing "
                                      "was changed");
  }
  auto opened = e2ee::open_key_backup(*blob, recovery_key, m->me().account_id);
  if (!opened) {
    return Error(opened.error().kind(), opened.error().code(),
                 opened.error().message() + ": nothing was changed");
  }
  e2ee::AccountKey account_key = std::move(*opened);
  HIPPO_ASSIGN_OR_RETURN(json::object own, m->listing(m->me().account_id));
  HIPPO_ASSIGN_OR_RETURN(e2ee::DeviceList list, check_against_server(*m, account_key, own));
  // 4. This device holds the account key (keystore first: no list is signed by a key this
  //    device could lose), then the lost devices are revoked and this one registered.
  if (!m->has_keystore()) HIPPO_RETURN_IF_ERROR(m->create_pending_device());
  client::KeystoreData data = m->data();
  client::ContactRecord self;
  self.account_key = account_key.public_key;
  data.contacts[m->me().account_id] = self;
  data.device_list_versions[m->me().account_id] = list.version;
  data.account_key = std::move(account_key);
  HIPPO_RETURN_IF_ERROR(m->commit(std::move(data)));
  std::vector<std::string> revoked;
  if (const auto* devices = own.if_contains("devices"); devices && devices->is_array()) {
    for (const auto& d : devices->as_array()) {
      if (!d.is_object()) continue;
      const auto& o = d.as_object();
      const std::string id = json_string(o, "device_id");
      if (id == m->device_id() || (o.contains("revoked_at") && !o.at("revoked_at").is_null())) {
        continue;
      }
      auto done = m->call("POST", "/api/v1/devices/" + id + "/revoke");
      if (!done) return done.error();
      revoked.push_back(id);
    }
  }
  HIPPO_RETURN_IF_ERROR(m->publish_own_list({m->data().device.pub}, &m->data().device.pub));
  HIPPO_RETURN_IF_ERROR(m->replenish_prekeys());
  if (context.json()) {
    json::array ids;
    for (const auto& id : revoked) ids.emplace_back(id);
    print_json(json::object{{"restored", true},
                            {"device_id", m->device_id()},
                            {"revoked_devices", std::move(ids)}});
  } else {
    std::printf("Your account key is restored on this device (%s): your contacts see no key "
                "change and your safety numbers stay the same.\n",
                m->device_id().c_str());
    std::printf("Revoked %zu lost device(s). Messages sent to them before now cannot be read "
                "here.\n",
                revoked.size());
  }
  return ok_status();
}

void add_second_factor_flags(CLI::App* cmd, RecoveryFlags& flags) {
  cmd->add_option("--totp", flags.totp, "A current code of your authenticator (step-up)");
  cmd->add_option("--recovery-code", flags.recovery_code,
                  "One of your second factor's recovery codes (step-up)");
}

}  // namespace

void set_up_recovery_key(Messenger& messenger) {
  auto key = upload_new_backup(messenger, 1);
  if (!key) {
    std::fprintf(stderr,
                 "hippocrate: WARNING: no recovery key was set up (%s); run `hippocrate "
                 "recovery-key show-new` on this device\n",
                 key.error().message().c_str());
    return;
  }
  print_recovery_key(*key);
}

void add_recovery_commands(CLI::App& app) {
  auto* recovery = app.add_subcommand("recovery-key", "Your messaging recovery key");
  recovery->require_subcommand(1);
  auto show_flags = std::make_shared<RecoveryFlags>();
  auto* show = recovery->add_subcommand(
      "show-new", "Make a new recovery key (the old one stops working) and show it once");
  add_second_factor_flags(show, *show_flags);
  add_client_flags(show, show_flags->client, true);
  show->callback([show_flags] {
    throw CLI::RuntimeError(run_client_command(
        show_flags->client, [show_flags](ClientContext& c) { return run_show_new(c, *show_flags); }));
  });
  auto restore_flags = std::make_shared<RecoveryFlags>();
  auto* restore = app.add_subcommand(
      "restore",
      "Lost every device? Restore your account key on this new profile with your recovery key");
  add_second_factor_flags(restore, *restore_flags);
  restore->add_flag("--recovery-key-stdin", restore_flags->key_stdin,
                    "Read the recovery key from the first line of standard input (the "
                    "password, with --password-stdin, from the next)");
  add_client_flags(restore, restore_flags->client, true);
  restore->callback([restore_flags] {
    throw CLI::RuntimeError(run_client_command(restore_flags->client, [restore_flags](
                                                                          ClientContext& c) {
      return run_restore(c, *restore_flags);
    }));
  });
}

}  // namespace hippocrate::cli
