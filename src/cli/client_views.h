// Small pieces the client commands share: questions asked on the terminal and the
// human-readable rendering of accounts and sessions (docs/api.md `account`, `session`).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/secret_bytes.h"
#include "cli/client_context.h"
#include "cli/terminal_input.h"

namespace hippocrate::cli {

// Asks for a TOTP or recovery code on the terminal. Errors: "no_terminal" (usage),
// "input_cancelled", "missing_second_factor" for an empty answer.
Result<SecondFactorAnswer> ask_second_factor();

// The password policy refused a new password (or the two typed differ): worth asking again.
bool is_new_password_refusal(const Error& error);

// Reads a new password from `source` and gives it to `submit`. On a terminal, a refusal by
// the password policy is shown and the question asked again (3 attempts in all); from
// standard input the first refusal is the answer.
Status submit_new_password(PasswordSource& source,
                           const std::function<Status(const SecretBytes&)>& submit);

// Keeps `token`, a session this server just opened, as the profile's session (with the
// server that issued it, ClientContext::save_session), after ending on the server the
// session it replaces — only when that one belongs to this server: a token goes nowhere
// else. Prints a note on stderr (not with --json) when the replaced one could not be ended.
Status replace_session(ClientContext& context, const SecretBytes& token);

// Steps up the profile's session `token` (POST /api/v1/me/step-up): asks `source` for the
// current password, and, when `has_factor`, uses `factor` or asks for a code on the terminal
// (a usage error without a terminal: pass --totp or --recovery-code). The server revokes
// `token` and answers a new one, valid for sensitive operations for 5 minutes: it is saved
// as the profile's session (ClientContext::save_session) before it is returned.
Result<SecretBytes> step_up_session(ClientContext& context, const SecretBytes& token,
                                    PasswordSource& source, SecondFactorAnswer factor,
                                    bool has_factor);

// {"account","session"} of a login or step-up answer: what may be printed (no token).
boost::json::object public_session_view(const boost::json::object& answer);

// "alice@example.org (admin) — Clinique du Parc"
std::string describe_account(const boost::json::object& account);

// Lines about the session's expiry and state, each starting with `indent`.
void print_session_state(const boost::json::object& session, const char* indent);

// Path-safe ids only (letters, digits, '-', '_'), so an id can go into a URL.
bool is_plain_id(std::string_view id);

// Ids the CLI shows shortened (devices, invitations) may be given as a unique prefix.
inline constexpr std::size_t kMinIdPrefix = 6;

// A full id, or at least kMinIdPrefix and at most 32 lowercase hex characters.
bool is_id_prefix(std::string_view text);

// One id a prefix may name; `by_prefix` false: only its full id names it (a revoked device).
struct IdCandidate {
  std::string id;
  bool by_prefix = true;
};

// How resolve_id_prefix() words its errors: "device_not_found" / "none of your devices is X
// (see: hippocrate devices)"; "device_ambiguous" / "several of your devices start with X"
// followed by "; give more of the id:" and the candidates, one a line.
struct IdLookupErrors {
  std::string not_found_code;
  std::string not_found_message;
  std::string ambiguous_code;
  std::string ambiguous_message;
};

// The id `given` names among `ids`: an exact id, or the one candidate that starts with it.
// Errors (not found, ambiguous) as `errors` says.
Result<std::string> resolve_id_prefix(const std::vector<IdCandidate>& ids, const std::string& given,
                                      const IdLookupErrors& errors);

}  // namespace hippocrate::cli
