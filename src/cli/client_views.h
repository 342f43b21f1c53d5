// Small pieces the client commands share: questions asked on the terminal and the
// human-readable rendering of accounts and sessions (docs/api.md `account`, `session`).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>

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

// {"account","session"} of a login or step-up answer: what may be printed (no token).
boost::json::object public_session_view(const boost::json::object& answer);

// "alice@example.org (admin) — Clinique du Parc"
std::string describe_account(const boost::json::object& account);

// Lines about the session's expiry and state, each starting with `indent`.
void print_session_state(const boost::json::object& session, const char* indent);

// Path-safe ids only (letters, digits, '-', '_'), so an id can go into a URL.
bool is_plain_id(std::string_view id);

}  // namespace hippocrate::cli
