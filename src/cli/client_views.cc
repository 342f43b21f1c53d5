#include "cli/client_views.h"

#include <cstdio>
#include <optional>

#include "cli/output.h"

namespace hippocrate::cli {

Result<SecondFactorAnswer> ask_second_factor() {
  HIPPO_ASSIGN_OR_RETURN(std::string answer,
                         prompt_line("Code from your authenticator app (or a recovery code): "));
  if (answer.empty()) {
    return Error::invalid_argument("missing_second_factor", "no code given");
  }
  return classify_second_factor(answer);
}

bool is_new_password_refusal(const Error& error) {
  return error.code().starts_with("password_") || error.code() == "passwords_differ" ||
         error.code() == "empty_secret";
}

Status submit_new_password(PasswordSource& source,
                           const std::function<Status(const SecretBytes&)>& submit) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    Status done = [&]() -> Status {
      HIPPO_ASSIGN_OR_RETURN(
          SecretBytes password,
          source.new_password("New password (12 characters or more; a passphrase is best): ",
                              "The same password again: "));
      return submit(password);
    }();
    if (done || source.from_stdin() || attempt == kAttempts ||
        !is_new_password_refusal(done.error())) {
      return done;
    }
    std::fprintf(stderr, "hippocrate: %s\nPlease try again (%d of %d).\n",
                 done.error().message().c_str(), attempt + 1, kAttempts);
  }
}

Status replace_session(ClientContext& context, const SecretBytes& token) {
  // An unreadable old session file is simply replaced.
  auto loaded = context.profile().load_session();
  std::optional<SecretBytes> previous;
  if (loaded && *loaded) previous = std::move(**loaded);
  bool kept = false;
  if (previous && !previous->constant_time_equals(token.span())) {
    if (context.session_token()) {
      (void)context.call("DELETE", "/api/v1/sessions/current", {}, &*previous);
    } else {
      kept = true;
    }
  }
  HIPPO_RETURN_IF_ERROR(context.save_session(token));
  if (kept && !context.json()) {
    std::fprintf(stderr,
                 "hippocrate: the session this profile held before was not ended (it belongs "
                 "to another server, or nothing said which); it expires by itself.\n");
  }
  return ok_status();
}

boost::json::object public_session_view(const boost::json::object& answer) {
  boost::json::object out;
  out["account"] = json_object(answer, "account");
  out["session"] = json_object(answer, "session");
  return out;
}

std::string describe_account(const boost::json::object& account) {
  std::string out = json_string(account, "email", "?");
  out += " (" + json_string(account, "role", "?") + ")";
  const std::string organisation = json_string(json_object(account, "organisation"), "name");
  if (!organisation.empty()) out += " — " + organisation;
  return out;
}

void print_session_state(const boost::json::object& session, const char* indent) {
  const std::int64_t idle = json_int(session, "idle_expires_at");
  const std::int64_t absolute = json_int(session, "absolute_expires_at");
  std::printf("%ssession expires:  %s if idle, %s at the latest\n", indent,
              format_time(idle).c_str(), format_time(absolute).c_str());
  const std::int64_t step_up = json_int(session, "step_up_until");
  if (step_up > 0) {
    std::printf("%srecent password check valid until %s\n", indent, format_time(step_up).c_str());
  }
  if (json_bool(session, "enrolment_only")) {
    std::printf(
        "%sthis session can only enrol a second factor (required for your role): run\n"
        "%s  hippocrate mfa enroll\n",
        indent, indent);
  }
}

bool is_plain_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<SecretBytes> step_up_session(ClientContext& context, const SecretBytes& token,
                                    PasswordSource& source, SecondFactorAnswer factor,
                                    bool has_factor) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes current, source.password("Current password: "));
  if (has_factor && factor.empty()) {
    if (!is_interactive()) {
      return usage_error(
          "this account has a second factor: pass --totp CODE or --recovery-code CODE");
    }
    HIPPO_ASSIGN_OR_RETURN(factor, ask_second_factor());
  }
  SecretJsonBody body;
  body.add("password", current.view());
  factor.add_to(body);
  auto stepped = context.call("POST", "/api/v1/me/step-up", body.serialise(), &token);
  current.wipe();
  if (!stepped) return stepped.error();
  SecretBytes fresh = take_secret(*stepped, "token");
  take_secret(*stepped, "csrf_token").wipe();
  if (fresh.empty()) {
    return Error::internal("unexpected_response", "the server's answer holds no session token");
  }
  // The old token is revoked by now: keep the new one before anything else can fail.
  HIPPO_RETURN_IF_ERROR(context.save_session(fresh));
  return fresh;
}

bool is_id_prefix(std::string_view text) {
  return text.size() >= kMinIdPrefix && text.size() <= 32 &&
         text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Result<std::string> resolve_id_prefix(const std::vector<IdCandidate>& ids, const std::string& given,
                                      const IdLookupErrors& errors) {
  std::vector<std::string> candidates;
  for (const auto& c : ids) {
    if (c.id == given) return c.id;
    if (c.by_prefix && c.id.starts_with(given)) candidates.push_back(c.id);
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) return Error::not_found(errors.not_found_code, errors.not_found_message);
  std::string names;
  for (const auto& id : candidates) names += "\n  " + id;
  return Error::invalid_argument(errors.ambiguous_code,
                                 errors.ambiguous_message + "; give more of the id:" + names);
}

}  // namespace hippocrate::cli
