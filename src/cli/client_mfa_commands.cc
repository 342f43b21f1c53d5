// mfa enroll, mfa confirm CODE: a TOTP second factor (RFC 6238) and its recovery codes.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_context.h"
#include "cli/output.h"
#include "cli/terminal_qr.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

struct EnrollFlags {
  ClientFlags client;
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
  HIPPO_ASSIGN_OR_RETURN(json::object answer,
                         context.call("POST", "/api/v1/me/mfa/totp", {}, &token));
  if (context.json()) {
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
  return ok_status();
}

struct ConfirmFlags {
  ClientFlags client;
  std::string code;
};

Status run_confirm(ClientContext& context, const ConfirmFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  SecretJsonBody body;
  std::string code;
  for (const char c : flags.code) {
    if (c != ' ') code.push_back(c);
  }
  body.add("code", code);
  HIPPO_ASSIGN_OR_RETURN(json::object answer, context.call("POST", "/api/v1/me/mfa/totp/confirm",
                                                           body.serialise(), &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  std::printf("Second factor enabled: logging in now asks for a code from your app.\n\n");
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
      "enroll", "Start enrolling an authenticator app: shows its key and QR code");
  enroll_cmd->add_flag("--light-background", enroll->light_background,
                       "Draw the QR code for dark text on a light terminal");
  enroll_cmd->add_flag("--no-qr", enroll->no_qr, "Do not draw the QR code");
  add_client_flags(enroll_cmd, enroll->client, false);
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
