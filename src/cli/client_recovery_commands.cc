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
#include "client/engine/recovery.h"
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
  client::ReplaceKeyBackup replace(m->engine());
  HIPPO_ASSIGN_OR_RETURN(client::NewRecoveryKey made, m->run(replace));
  print_recovery_key(made.recovery_key);
  if (context.json()) {
    print_json(json::object{{"key_backup_version", made.version}});
  } else {
    std::printf(
        "A new recovery key protects your key backup (version %lld); the old one no "
        "longer works.\n",
        static_cast<long long>(made.version));
  }
  return ok_status();
}

Status run_restore(ClientContext& context, const RecoveryFlags& flags) {
  // 1. The key, before anything else (a typo costs no request).
  HIPPO_ASSIGN_OR_RETURN(SecretBytes recovery_key, read_recovery_key(flags));
  // 2. A step-up: the backup is handed out only to a recent password (and code).
  HIPPO_RETURN_IF_ERROR(step_up(context, flags));
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kPairing));
  // 3. The core opens the backup (a wrong key stops there, with nothing changed), stores
  //    the account key, revokes the lost devices and registers this one.
  client::RestoreAccount restore(m->engine(), std::move(recovery_key));
  HIPPO_ASSIGN_OR_RETURN(client::Restored restored, m->run(restore));
  if (context.json()) {
    json::array ids;
    for (const auto& id : restored.revoked_devices) ids.emplace_back(id);
    print_json(json::object{{"restored", true},
                            {"device_id", m->device_id()},
                            {"revoked_devices", std::move(ids)}});
  } else {
    std::printf(
        "Your account key is restored on this device (%s): your contacts see no key "
        "change and your safety numbers stay the same.\n",
        m->device_id().c_str());
    std::printf(
        "Revoked %zu lost device(s). Messages sent to them before now cannot be read "
        "here.\n",
        restored.revoked_devices.size());
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
  client::ReplaceKeyBackup first(messenger.engine(), 1);
  auto key = messenger.run(first);
  if (!key) {
    std::fprintf(stderr,
                 "hippocrate: WARNING: no recovery key was set up (%s); run `hippocrate "
                 "recovery-key show-new` on this device\n",
                 key.error().message().c_str());
    return;
  }
  print_recovery_key(key->recovery_key);
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
    throw CLI::RuntimeError(run_client_command(show_flags->client, [show_flags](ClientContext& c) {
      return run_show_new(c, *show_flags);
    }));
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
    throw CLI::RuntimeError(run_client_command(
        restore_flags->client,
        [restore_flags](ClientContext& c) { return run_restore(c, *restore_flags); }));
  });
}

}  // namespace hippocrate::cli
