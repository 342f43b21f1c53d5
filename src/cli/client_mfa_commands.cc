// mfa enroll, mfa confirm CODE: a TOTP second factor (RFC 6238) and its recovery codes.
//
// A new phone: on an account that already has a factor, the server wants a step-up first
// (403 step_up_required). `mfa enroll` then asks for the password (--password-stdin: the
// first line) and a current code or a recovery code (--totp, --recovery-code, or a prompt),
// keeps the step-up's new session token, and asks again: the secret it shows is a
// replacement. The enrolled authenticator and recovery codes keep working until
// `mfa confirm` confirms the replacement (within the step-up's 5 minutes); then only the new
// one works and the new recovery codes replace the old ones.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_context.h"
#include "cli/client_views.h"
#include "cli/output.h"
#include "cli/terminal_qr.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

struct EnrollFlags {
  ClientFlags client;
  std::string totp;           // the current authenticator's code, for a replacement
  std::string recovery_code;  // or one of the current recovery codes
  bool light_background = false;
  bool no_qr = false;
};

// "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", easier to type into an app.
std::string group_by_four(std::string_view secret) {
  std::string out;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back(' ');
    out.push_back(secret[i]);
  }
  return out;
}

Status run_enroll(ClientContext& context, const EnrollFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  // A factor is enrolled: this is a new phone, and the secret a replacement.
  HIPPO_ASSIGN_OR_RETURN(json::object me, context.call("GET", "/api/v1/me", {}, &token));
  const bool replacement = json_bool(json_object(me, "account"), "second_factor");
  auto enrolled = context.call("POST", "/api/v1/me/mfa/totp", {}, &token);
  if (replacement && !enrolled && enrolled.error().code() == "step_up_required") {
    // Prove it is you (no recent step-up), then ask again.
    if (!context.json()) {
      std::fprintf(stderr,
                   "You already have an authenticator. To replace it (a new phone), confirm\n"
                   "your password and a code from your current app, or one of your recovery\n"
                   "codes. Your current app keeps working until you confirm the new one.\n");
    }
    PasswordSource source(flags.client.password_stdin);
    HIPPO_ASSIGN_OR_RETURN(
        token, step_up_session(context, token, source, {flags.totp, flags.recovery_code}, true));
    enrolled = context.call("POST", "/api/v1/me/mfa/totp", {}, &token);
  }
  if (!enrolled) return enrolled.error();
  json::object answer = std::move(*enrolled);
  if (context.json()) {
    answer["replacement"] = replacement;
    print_json(answer);
    take_secret(answer, "secret").wipe();
    take_secret(answer, "otpauth_uri").wipe();
    return ok_status();
  }
  const SecretBytes uri = take_secret(answer, "otpauth_uri");
  const SecretBytes secret = take_secret(answer, "secret");
  if (uri.empty() || secret.empty()) {
    return Error::internal("unexpected_response", "the server's answer holds no TOTP secret");
  }
  std::printf(
      "Add this account to your authenticator app (FreeOTP, Aegis, Google "
      "Authenticator...).\n");
  if (!flags.no_qr) {
    const auto theme =
        flags.light_background ? TerminalTheme::kLightBackground : TerminalTheme::kDarkBackground;
    auto qr = render_terminal_qr(uri.view(), theme);
    if (qr) {
      std::printf("Scan this QR code:\n\n%s\n", qr->c_str());
      sodium_memzero(qr->data(), qr->size());
    } else {
      std::fprintf(stderr, "hippocrate: cannot draw the QR code (%s); type the key instead\n",
                   qr.error().message().c_str());
    }
  }
  std::printf("Or type this key by hand (time-based, SHA-1, 6 digits, 30 seconds):\n  %s\n",
              group_by_four(secret.view()).c_str());
  std::printf("otpauth URI:\n  %.*s\n\n", static_cast<int>(uri.size()),
              reinterpret_cast<const char*>(uri.data()));
  std::printf(
      "Keep these to yourself. Then confirm with the code the app shows now:\n"
      "  hippocrate mfa confirm CODE\n");
  if (replacement) {
    std::printf(
        "\nThis replaces your authenticator. Until you confirm, your OLD app and your old\n"
        "recovery codes keep working and the new one does not. Confirm within 5 minutes;\n"
        "after that, run `hippocrate mfa enroll` again.\n");
  }
  return ok_status();
}

struct ConfirmFlags {
  ClientFlags client;
  std::string code;
};

Status run_confirm(ClientContext& context, const ConfirmFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  // An account that has a factor already is confirming a replacement (a new phone).
  HIPPO_ASSIGN_OR_RETURN(json::object me, context.call("GET", "/api/v1/me", {}, &token));
  const bool replacement = json_bool(json_object(me, "account"), "second_factor");
  SecretJsonBody body;
  std::string code;
  for (const char c : flags.code) {
    if (c != ' ') code.push_back(c);
  }
  body.add("code", code);
  auto confirmed = context.call("POST", "/api/v1/me/mfa/totp/confirm", body.serialise(), &token);
  if (!confirmed && confirmed.error().code() == "step_up_required") {
    return Error::failed_precondition(
        "step_up_required",
        "more than 5 minutes passed since `hippocrate mfa enroll` confirmed your password; run "
        "`hippocrate mfa enroll` again (your current authenticator still works) and confirm "
        "the new key it shows");
  }
  if (!confirmed) return confirmed.error();
  json::object answer = std::move(*confirmed);
  if (context.json()) {
    answer["replacement"] = replacement;
    print_json(answer);
    return ok_status();
  }
  if (replacement) {
    std::printf(
        "New authenticator active: logging in now asks for a code from the NEW app.\n"
        "Your old app's codes and your old recovery codes no longer work.\n\n");
  } else {
    std::printf("Second factor enabled: logging in now asks for a code from your app.\n\n");
  }
  std::printf(
      "Recovery codes — each one works once, if you lose your phone.\n"
      "They are shown ONLY NOW: store them somewhere safe (a password manager, or\n"
      "printed and locked away), not on the phone that holds the app.\n\n");
  if (const auto* codes = answer.if_contains("recovery_codes");
      codes != nullptr && codes->is_array()) {
    int n = 0;
    for (const auto& item : codes->get_array()) {
      if (item.is_string()) {
        std::printf("  %2d. %s\n", ++n, std::string(item.get_string()).c_str());
      }
    }
  }
  std::printf("\nUse one with: hippocrate login EMAIL --recovery-code CODE\n");
  return ok_status();
}

}  // namespace

void add_mfa_commands(CLI::App& app) {
  auto* mfa = app.add_subcommand("mfa", "Second factor (TOTP authenticator app)");
  mfa->require_subcommand(1);

  auto enroll = std::make_shared<EnrollFlags>();
  auto* enroll_cmd = mfa->add_subcommand(
      "enroll",
      "Start enrolling an authenticator app (or replacing it: a new phone; asks for your "
      "password and a current or recovery code): shows its key and QR code");
  enroll_cmd->add_flag("--light-background", enroll->light_background,
                       "Draw the QR code for dark text on a light terminal");
  enroll_cmd->add_flag("--no-qr", enroll->no_qr, "Do not draw the QR code");
  auto* totp = enroll_cmd->add_option("--totp", enroll->totp,
                                      "Replacing an authenticator: a code from the current one");
  auto* recovery =
      enroll_cmd->add_option("--recovery-code", enroll->recovery_code,
                             "Replacing an authenticator (lost phone): one of your recovery codes");
  totp->excludes(recovery);
  add_client_flags(enroll_cmd, enroll->client, true);
  enroll_cmd->callback([enroll] {
    throw CLI::RuntimeError(run_client_command(
        enroll->client, [enroll](ClientContext& c) { return run_enroll(c, *enroll); }));
  });

  auto confirm = std::make_shared<ConfirmFlags>();
  auto* confirm_cmd = mfa->add_subcommand(
      "confirm", "Finish enrolling with a code from the app; prints the recovery codes");
  confirm_cmd->add_option("code", confirm->code, "The 6-digit code the app shows")->required();
  add_client_flags(confirm_cmd, confirm->client, false);
  confirm_cmd->callback([confirm] {
    throw CLI::RuntimeError(run_client_command(
        confirm->client, [confirm](ClientContext& c) { return run_confirm(c, *confirm); }));
  });
}

}  // namespace hippocrate::cli
