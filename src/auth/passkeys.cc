// Passkeys: the ceremonies, storage and management around auth/webauthn/ (passkeys.h).
#include "auth/passkeys.h"

#include <algorithm>

#include "auth/auth_service_impl.h"
#include "auth/webauthn/assertion.h"
#include "auth/webauthn/client_data.h"
#include "auth/webauthn/errors.h"
#include "auth/webauthn/registration.h"
#include "base/ids.h"
#include "crypto/hmac.h"
#include "crypto/random.h"
#include "store/row_decode.h"

namespace hippocrate::auth {
namespace {

constexpr std::size_t kChallengeBytes = 32;
constexpr std::size_t kUserHandleBytes = 32;
constexpr std::size_t kMaxNameBytes = 100;
constexpr std::string_view kRegistration = "registration";
constexpr std::string_view kAuthentication = "authentication";
// The account-side subjects of a passkey sign-in are the login's own (kPasswordScope, the
// e-mail): a passkey cannot be tried faster than a password. Failures whose account is
// unknown are counted on the source address under this name.
constexpr std::string_view kUnknownPasskey = "passkey:unknown";

Error step_up_required() {
  return Error::permission_denied("step_up_required",
                                  "confirm your password (and code) first: adding or removing "
                                  "a passkey needs a recent confirmation");
}

Error passkeys_unavailable() {
  return Error::failed_precondition("passkeys_unavailable",
                                    "passkeys are not configured on this server "
                                    "(auth.webauthn_rp_id)");
}

Error not_found() { return Error::not_found("passkey_not_found", "no such passkey"); }

Status check_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return Error::invalid_argument("invalid_passkey_name",
                                   "give the passkey a name of 1 to 100 characters");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Error::invalid_argument("invalid_passkey_name",
                                     "a passkey's name may not hold control characters");
    }
  }
  return ok_status();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& t : items) {
    if (!out.empty()) out += ",";
    out += t;
  }
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// The transports a browser may report (WebAuthn §5.8.4); others are dropped, not stored.
std::vector<std::string> known_transports(const std::vector<std::string>& in) {
  static const std::vector<std::string_view> known = {"ble", "hybrid",     "internal",
                                                      "nfc", "smart-card", "usb"};
  std::vector<std::string> out;
  for (const auto& t : in) {
    if (std::find(known.begin(), known.end(), t) != known.end() &&
        std::find(out.begin(), out.end(), t) == out.end()) {
      out.push_back(t);
    }
  }
  return out;
}

// The challenge a response's clientDataJSON names, decoded; nullopt when it names none.
std::optional<Bytes> presented_challenge(const Bytes& client_data_json) {
  auto parsed = webauthn::parse_client_data(client_data_json);
  if (!parsed || parsed->challenge.kind != webauthn::ClientDataMember::Kind::kString) {
    return std::nullopt;
  }
  auto bytes = base64url_decode(parsed->challenge.text);
  if (!bytes || bytes->size() != kChallengeBytes) return std::nullopt;
  return std::move(*bytes);
}

struct Challenge {
  std::string ceremony;
  std::optional<std::string> account_id;
  std::int64_t created_at = 0;
};

Error refusal(std::string_view code, bool sign_in) {
  // The same words as the verification's for these two steps (errors.h).
  if (sign_in) {
    return Error::unauthenticated(std::string(code),
                                  "this passkey request is not valid or has expired; try again");
  }
  return Error::invalid_argument(std::string(code),
                                 "this passkey request is not valid or has expired; try again");
}

std::string summary_detail(std::string_view id) { return "passkey " + std::string(id); }

}  // namespace

std::vector<std::string> passkey_origins(const std::vector<std::string>& allowed,
                                         std::string_view rp_id) {
  std::vector<std::string> out;
  for (const auto& origin : allowed) {
    std::string_view rest = origin;
    if (!rest.starts_with("https://")) continue;
    rest.remove_prefix(8);
    std::string_view host = rest.substr(
        0, rest.rfind(':') == std::string_view::npos || rest.starts_with('[') ? rest.size()
                                                                              : rest.rfind(':'));
    if (host == rp_id || (host.size() > rp_id.size() + 1 && host.ends_with(rp_id) &&
                          host[host.size() - rp_id.size() - 1] == '.')) {
      out.push_back(origin);
    }
  }
  return out;
}

bool valid_rp_id(std::string_view rp_id) {
  if (rp_id.empty() || rp_id.size() > 253 || rp_id.front() == '.' || rp_id.back() == '.' ||
      rp_id.front() == '-') {
    return false;
  }
  bool has_letter = false;
  char prev = '.';
  for (char c : rp_id) {
    const bool letter = c >= 'a' && c <= 'z';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !digit && c != '-' && c != '.') return false;
    if (c == '.' && (prev == '.' || prev == '-')) return false;
    if (prev == '.' && c == '-') return false;
    has_letter = has_letter || letter;
    prev = c;
  }
  // All digits and dots: an IPv4 address (IPv6 holds ':' and is refused above).
  return has_letter;
}

PasskeyService::PasskeyService(AuthService& auth) : auth_(auth) {}

const std::string& PasskeyService::rp_id() const { return auth_.impl_->config.webauthn_rp_id; }

namespace {

// Issues a challenge in `tx` (and sweeps the expired ones).
Result<Bytes> issue_challenge(store::Transaction& tx, std::int64_t now, std::int64_t lifetime,
                              std::string_view ceremony, const std::string& account_id) {
  HIPPO_RETURN_IF_ERROR(
      tx.execute("DELETE FROM webauthn_challenges WHERE created_at <= ?", {now - lifetime}));
  Bytes challenge = crypto::random_bytes(kChallengeBytes);
  HIPPO_RETURN_IF_ERROR(
      tx.execute("INSERT INTO webauthn_challenges (challenge, ceremony, account_id, created_at) "
                 "VALUES (?, ?, ?, ?)",
                 {challenge, std::string(ceremony),
                  account_id.empty() ? store::Value(nullptr) : store::Value(account_id), now}));
  return challenge;
}

// Deletes the challenge a response presents, in a transaction of its own that commits
// whatever follows, and returns what it was bound to.
Result<std::optional<Challenge>> consume_challenge(store::Store& store,
                                                   const std::optional<Bytes>& challenge) {
  if (!challenge) return std::optional<Challenge>();
  return store.write([&](store::Transaction& tx) -> Result<std::optional<Challenge>> {
    HIPPO_ASSIGN_OR_RETURN(auto row,
                           tx.query_one("DELETE FROM webauthn_challenges WHERE challenge = ? "
                                        "RETURNING ceremony, account_id, created_at",
                                        {*challenge}));
    if (!row) return std::optional<Challenge>();
    Challenge c;
    HIPPO_RETURN_IF_ERROR(store::read_columns(*row, c.ceremony, c.account_id, c.created_at));
    return std::optional<Challenge>(std::move(c));
  });
}

std::int64_t lifetime(const AuthConfig& config) {
  return config.passkey_challenge_lifetime.count();
}

bool expired(std::int64_t now, std::int64_t lifetime, const Challenge& c) {
  return now >= c.created_at + lifetime;
}

Result<bool> has_any_factor(store::Transaction& tx, const std::string& account_id) {
  HIPPO_ASSIGN_OR_RETURN(
      auto row, tx.query_one("SELECT 1 FROM webauthn_credentials WHERE account_id = ? LIMIT 1",
                             {account_id}));
  return row.has_value();
}

Result<std::vector<PasskeyDescriptor>> descriptors(store::Transaction& tx,
                                                   const std::string& account_id) {
  HIPPO_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT credential_id, transports FROM "
                                             "webauthn_credentials WHERE account_id = ? "
                                             "ORDER BY created_at, id",
                                             {account_id}));
  return store::decode_rows<PasskeyDescriptor>(
      rows, [](const store::Row& row, PasskeyDescriptor& d) -> Status {
        std::string transports;
        HIPPO_RETURN_IF_ERROR(store::read_columns(row, d.credential_id, transports));
        d.transports = split(transports);
        return ok_status();
      });
}

}  // namespace

Result<PasskeyCreationOptions> PasskeyService::begin_registration(const SessionInfo& session) {
  auto& im = *auth_.impl_;
  if (im.config.webauthn_rp_id.empty()) return passkeys_unavailable();
  const std::string& id = session.account.id;
  return im.store.write([&](store::Transaction& tx) -> Result<PasskeyCreationOptions> {
    HIPPO_ASSIGN_OR_RETURN(bool passkey, has_any_factor(tx, id));
    if ((session.account.second_factor || passkey) && session.step_up_until <= im.now()) {
      return step_up_required();
    }
    PasskeyCreationOptions o;
    o.rp_id = im.config.webauthn_rp_id;
    HIPPO_ASSIGN_OR_RETURN(
        auto handle,
        tx.query_one("SELECT user_handle FROM webauthn_users WHERE account_id = ?", {id}));
    if (handle) {
      HIPPO_ASSIGN_OR_RETURN(o.user_handle, handle->blob(0));
    } else {
      o.user_handle = crypto::random_bytes(kUserHandleBytes);
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO webauthn_users (account_id, user_handle, created_at) VALUES (?, ?, ?)",
          {id, o.user_handle, im.now()}));
    }
    o.user_name = session.account.email;
    o.user_display_name = session.account.display_name;
    HIPPO_ASSIGN_OR_RETURN(o.exclude, descriptors(tx, id));
    o.user_verification_required = is_staff(session.account.role);
    o.timeout_ms = im.config.passkey_challenge_lifetime.count() * 1000;
    HIPPO_ASSIGN_OR_RETURN(o.challenge,
                           issue_challenge(tx, im.now(), lifetime(im.config), kRegistration, id));
    return o;
  });
}

Result<PasskeySummary> PasskeyService::finish_registration(
    const SessionInfo& session, std::string_view name, const PasskeyRegistrationResponse& response,
    std::span<const std::string> origins, const RequestOrigin& origin) {
  auto& im = *auth_.impl_;
  if (im.config.webauthn_rp_id.empty()) return passkeys_unavailable();
  HIPPO_RETURN_IF_ERROR(check_name(name));
  const std::string& account_id = session.account.id;
  const std::string resource = "account:" + account_id;
  // 1. The challenge is gone from here on, whatever follows.
  const std::optional<Bytes> presented = presented_challenge(response.client_data_json);
  HIPPO_ASSIGN_OR_RETURN(std::optional<Challenge> challenge,
                         consume_challenge(im.store, presented));

  auto verified = [&]() -> Result<webauthn::Registration> {
    if (!challenge || challenge->ceremony != kRegistration ||
        challenge->account_id.value_or("") != account_id ||
        expired(im.now(), lifetime(im.config), *challenge)) {
      return refusal(webauthn::kChallenge, false);
    }
    webauthn::RegistrationInput in;
    in.client_data_json = response.client_data_json;
    in.attestation_object = response.attestation_object;
    in.expected_challenge = *presented;
    in.allowed_origins = origins;
    in.rp_id = im.config.webauthn_rp_id;
    in.user_verification_required = is_staff(session.account.role);
    HIPPO_ASSIGN_OR_RETURN(webauthn::Registration r, webauthn::verify_registration(in));
    if (r.credential_id != response.raw_id) {
      return Error::invalid_argument(std::string(webauthn::kCredential),
                                     "the credential's id is not the one it was created with");
    }
    return r;
  }();

  auto audit_failure = [&](std::string_view code) -> Status {
    return im.store.write([&](store::Transaction& tx) -> Status {
      return im.audit_action(tx, account_id, "passkey.register", resource, "failed", origin,
                             std::string(code));
    });
  };
  if (!verified) {
    HIPPO_RETURN_IF_ERROR(audit_failure(verified.error().code()));
    return verified.error();
  }
  const webauthn::Registration& r = *verified;

  // 2. The step-up rule again: the state may have changed since the options.
  PasskeySummary out;
  out.id = random_id();
  out.name = std::string(name);
  out.created_at = im.now();
  out.backed_up = r.backup_state;
  auto stored = im.store.write([&](store::Transaction& tx) -> Result<bool> {
    HIPPO_ASSIGN_OR_RETURN(bool passkey, has_any_factor(tx, account_id));
    if ((session.account.second_factor || passkey) && session.step_up_until <= im.now()) {
      return step_up_required();
    }
    // Atomic: a credential id already registered (to anyone) inserts nothing.
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t n,
        tx.execute("INSERT INTO webauthn_credentials (id, credential_id, account_id, public_key, "
                   "algorithm, sign_count, backup_eligible, backup_state, user_verified, aaguid, "
                   "transports, name, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, ?, NULL) ON CONFLICT (credential_id) DO NOTHING",
                   {out.id, r.credential_id, account_id, r.public_key,
                    static_cast<std::int64_t>(r.key.alg), static_cast<std::int64_t>(r.sign_count),
                    std::int64_t{r.backup_eligible ? 1 : 0}, std::int64_t{r.backup_state ? 1 : 0},
                    std::int64_t{r.user_verified ? 1 : 0}, Bytes(r.aaguid.begin(), r.aaguid.end()),
                    join(known_transports(response.transports)), out.name, out.created_at}));
    if (n != 1) return false;
    HIPPO_RETURN_IF_ERROR(im.audit_action(tx, account_id, "passkey.register", resource, "succeeded",
                                          origin,
                                          summary_detail(out.id) + (r.user_verified ? " uv" : "") +
                                              (r.backup_eligible ? " synced" : "")));
    return true;
  });
  if (!stored) {
    if (stored.error().code() == "step_up_required") {
      HIPPO_RETURN_IF_ERROR(audit_failure("step_up_required"));
    }
    return stored.error();
  }
  if (!*stored) {
    HIPPO_RETURN_IF_ERROR(audit_failure("credential_already_registered"));
    return Error::conflict("passkey_already_registered",
                           "this passkey is already registered on this server");
  }
  return out;
}

Result<std::vector<PasskeySummary>> PasskeyService::list(const SessionInfo& session) {
  auto& im = *auth_.impl_;
  return im.store.read([&](store::Transaction& tx) -> Result<std::vector<PasskeySummary>> {
    HIPPO_ASSIGN_OR_RETURN(
        auto rows, tx.query("SELECT id, name, created_at, last_used_at, backup_state FROM "
                            "webauthn_credentials WHERE account_id = ? ORDER BY created_at, id",
                            {session.account.id}));
    return store::decode_rows<PasskeySummary>(
        rows, [](const store::Row& row, PasskeySummary& p) -> Status {
          return store::read_columns(row, p.id, p.name, p.created_at, p.last_used_at, p.backed_up);
        });
  });
}

Status PasskeyService::rename(const SessionInfo& session, std::string_view id,
                              std::string_view name, const RequestOrigin& origin) {
  auto& im = *auth_.impl_;
  HIPPO_RETURN_IF_ERROR(check_name(name));
  return im.store.write([&](store::Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t n,
        tx.execute("UPDATE webauthn_credentials SET name = ? WHERE id = ? AND account_id = ?",
                   {std::string(name), std::string(id), session.account.id}));
    if (n != 1) return not_found();
    return im.audit_action(tx, session.account.id, "passkey.rename",
                           "account:" + session.account.id, "succeeded", origin,
                           summary_detail(id));
  });
}

Status PasskeyService::remove(const SessionInfo& session, std::string_view id,
                              const RequestOrigin& origin) {
  auto& im = *auth_.impl_;
  const std::string resource = "account:" + session.account.id;
  if (session.step_up_until <= im.now()) {
    HIPPO_RETURN_IF_ERROR(im.store.write([&](store::Transaction& tx) -> Status {
      return im.audit_action(tx, session.account.id, "passkey.remove", resource, "denied", origin,
                             "step_up_required");
    }));
    return step_up_required();
  }
  return im.store.write([&](store::Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(std::int64_t n,
                           tx.execute("DELETE FROM webauthn_credentials WHERE id = ? AND "
                                      "account_id = ?",
                                      {std::string(id), session.account.id}));
    if (n != 1) return not_found();
    return im.audit_action(tx, session.account.id, "passkey.remove", resource, "succeeded", origin,
                           summary_detail(id));
  });
}

Result<PasskeyRequestOptions> PasskeyService::begin_sign_in(const std::optional<std::string>& email,
                                                            const RequestOrigin& origin) {
  auto& im = *auth_.impl_;
  if (im.config.webauthn_rp_id.empty()) return passkeys_unavailable();
  if (!im.limiter.allow(origin.source_address, im.clock.now())) {
    return Error::resource_exhausted("rate_limited", "too many requests; wait a moment");
  }
  std::optional<std::string> normalized;
  if (email) {
    auto n = normalize_email(*email);
    // A malformed address is answered like an unknown one: the shape never differs.
    normalized = n ? *n : *email;
  }
  return im.store.write([&](store::Transaction& tx) -> Result<PasskeyRequestOptions> {
    PasskeyRequestOptions o;
    o.rp_id = im.config.webauthn_rp_id;
    o.timeout_ms = im.config.passkey_challenge_lifetime.count() * 1000;
    std::string bound;
    if (normalized) {
      HIPPO_ASSIGN_OR_RETURN(auto account, im.load_account(tx, "email", *normalized));
      if (account && account->status == "active") {
        HIPPO_ASSIGN_OR_RETURN(o.allow, descriptors(tx, account->view.id));
        if (!o.allow.empty()) bound = account->view.id;
      }
      if (o.allow.empty()) {
        // The same answer at every call for this e-mail, and for any e-mail: one id of a
        // credential's usual size, which no authenticator holds.
        static constexpr std::string_view kLabel = "hippocrate passkey decoy v1:";
        const std::string message = std::string(kLabel) + *normalized;
        auto tag = crypto::hmac_sha256(im.pepper.span(), as_bytes(message));
        o.allow.push_back(PasskeyDescriptor{Bytes(tag.begin(), tag.end()), {}});
      }
    }
    HIPPO_ASSIGN_OR_RETURN(
        o.challenge, issue_challenge(tx, im.now(), lifetime(im.config), kAuthentication, bound));
    return o;
  });
}

Result<LoginResult> PasskeyService::sign_in(const PasskeyAssertionResponse& response,
                                            std::span<const std::string> origins,
                                            const RequestOrigin& origin) {
  auto& im = *auth_.impl_;
  if (im.config.webauthn_rp_id.empty()) return passkeys_unavailable();
  if (!im.limiter.allow(origin.source_address, im.clock.now())) {
    return Error::resource_exhausted("rate_limited", "too many requests; wait a moment");
  }
  // 1. The challenge is gone from here on, whatever follows.
  const std::optional<Bytes> presented = presented_challenge(response.client_data_json);
  HIPPO_ASSIGN_OR_RETURN(std::optional<Challenge> challenge,
                         consume_challenge(im.store, presented));

  // 2. The credential and its account, the counters.
  struct Found {
    std::optional<AuthService::Impl::AccountRecord> account;
    std::string credential;  // the server's id
    Bytes public_key;
    std::int64_t sign_count = 0;
    bool backup_eligible = false;
    std::optional<Bytes> user_handle;  // the account's
    std::int64_t source_wait = 0;
  };
  const std::string source_pair = FailureCounter::pair_key(kUnknownPasskey, origin.source_address);
  HIPPO_ASSIGN_OR_RETURN(Found found, im.store.read([&](store::Transaction& tx) -> Result<Found> {
    Found f;
    HIPPO_ASSIGN_OR_RETURN(auto wait, im.failures.wait_for(tx, kPasswordScope, source_pair));
    f.source_wait = wait.count();
    HIPPO_ASSIGN_OR_RETURN(
        auto row, tx.query_one("SELECT c.id, c.account_id, c.public_key, c.sign_count, "
                               "c.backup_eligible, u.user_handle FROM webauthn_credentials c "
                               "LEFT JOIN webauthn_users u ON u.account_id = c.account_id "
                               "WHERE c.credential_id = ?",
                               {response.raw_id}));
    if (!row) return f;
    std::string account_id;
    HIPPO_RETURN_IF_ERROR(store::read_columns(*row, f.credential, account_id, f.public_key,
                                              f.sign_count, f.backup_eligible, f.user_handle));
    HIPPO_ASSIGN_OR_RETURN(f.account, im.load_account(tx, "id", account_id));
    return f;
  }));
  if (found.source_wait > 0) return too_many_attempts(found.source_wait);

  const std::string account_id = found.account ? found.account->view.id : std::string();
  const std::string who = found.account ? found.account->view.email : std::string(kUnknownPasskey);
  const std::string pair = FailureCounter::pair_key(who, origin.source_address);
  const std::string acct = FailureCounter::account_key(who);

  // A refusal: audited with its step, counted on the account (as a wrong password is) and on
  // the source address; a counter that did not grow is a possible clone, told to the owner.
  auto refuse = [&](const Error& error) -> Result<LoginResult> {
    const std::string& code = error.code();
    HIPPO_ASSIGN_OR_RETURN(bool locked, im.store.write([&](store::Transaction& tx) -> Result<bool> {
      HIPPO_RETURN_IF_ERROR(
          im.add_event(tx, account_id, "passkey_login_failed", origin,
                       found.account ? code + " " + summary_detail(found.credential) : code));
      if (code == webauthn::kSignCount) {
        HIPPO_RETURN_IF_ERROR(im.audit_action(tx, account_id, "auth.passkey_clone_suspected",
                                              "account:" + account_id, "failed", origin,
                                              summary_detail(found.credential) +
                                                  ": its signature counter did not grow (a copy "
                                                  "of the passkey may be in use)"));
      }
      HIPPO_ASSIGN_OR_RETURN(
          std::int64_t source_failures,
          im.failures.record_failure(tx, kPasswordScope, source_pair,
                                     FailureCounter::account_key(kUnknownPasskey)));
      (void)source_failures;  // the source's pair delay is what counts (checked above)
      if (!found.account) return false;
      return im.record_failed_attempt(tx, kPasswordScope, pair, acct, account_id, origin,
                                      "too many failed sign-ins in 24 hours (passkey)");
    }));
    if (locked) auth_.notify_sessions_ended({account_id, {}, {}});
    return error;
  };

  if (!challenge || challenge->ceremony != kAuthentication ||
      expired(im.now(), lifetime(im.config), *challenge)) {
    return refuse(refusal(webauthn::kChallenge, true));
  }
  if (!found.account) {
    return refuse(Error::unauthenticated(std::string(webauthn::kCredential),
                                         "this passkey is not registered here"));
  }
  if (challenge->account_id && *challenge->account_id != account_id) {
    // A sign-in started for another account's e-mail (allowCredentials): not this passkey.
    return refuse(Error::unauthenticated(std::string(webauthn::kCredential),
                                         "this passkey is not one of this account's"));
  }
  const AuthService::Impl::AccountRecord& account = *found.account;
  if (account.status == "locked") return too_many_attempts(0);
  {
    auto limits = im.store.read([&](store::Transaction& tx) -> Status {
      return im.check_attempts(tx, kPasswordScope, pair, acct);
    });
    if (!limits) return limits.error();
  }
  if (account.status != "active") return refuse(invalid_credentials());

  webauthn::AssertionInput in;
  in.credential_id = response.raw_id;
  in.client_data_json = response.client_data_json;
  in.authenticator_data = response.authenticator_data;
  in.signature = response.signature;
  if (response.user_handle) in.user_handle = std::span<const std::uint8_t>(*response.user_handle);
  webauthn::StoredCredential stored;
  stored.credential_id = response.raw_id;
  stored.public_key = found.public_key;
  stored.sign_count = static_cast<std::uint32_t>(found.sign_count);
  stored.backup_eligible = found.backup_eligible;
  in.credential = stored;
  in.expected_challenge = *presented;
  in.allowed_origins = origins;
  in.rp_id = im.config.webauthn_rp_id;
  in.user_verification_required = is_staff(account.view.role);
  if (found.user_handle)
    in.expected_user_handle = std::span<const std::uint8_t>(*found.user_handle);
  // Found from the passkey alone (no e-mail): the userHandle must name the account too.
  in.user_handle_required = !challenge->account_id.has_value();
  auto verified = webauthn::verify_assertion(in);
  if (!verified) return refuse(verified.error());

  // 3. The session, as a login gives it.
  return im.store.write([&](store::Transaction& tx) -> Result<LoginResult> {
    HIPPO_RETURN_IF_ERROR(im.failures.record_success(tx, kPasswordScope, pair));
    HIPPO_RETURN_IF_ERROR(im.failures.record_success(tx, kPasswordScope, source_pair));
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "UPDATE webauthn_credentials SET sign_count = ?, backup_state = ?, last_used_at = ? "
        "WHERE id = ?",
        {static_cast<std::int64_t>(verified->sign_count),
         std::int64_t{verified->backup_state ? 1 : 0}, im.now(), found.credential}));
    HIPPO_ASSIGN_OR_RETURN(
        auto seen,
        tx.query_one("SELECT 1 FROM sessions WHERE account_id = ? AND user_agent = ? "
                     "AND source_address = ? LIMIT 1",
                     {account_id, origin.user_agent.substr(0, 200), origin.source_address}));
    // A passkey with user verification is two factors in one (possession and the PIN or
    // biometric): it satisfies the second-factor rule of staff.
    HIPPO_ASSIGN_OR_RETURN(
        LoginResult result,
        im.create_session(tx, account.view, verified->user_verified, false, origin));
    if (!seen) {
      HIPPO_RETURN_IF_ERROR(
          im.add_event(tx, account_id, "new_device", origin, origin.user_agent.substr(0, 200)));
    }
    HIPPO_RETURN_IF_ERROR(
        im.add_event(tx, account_id, "passkey_login_succeeded", origin,
                     summary_detail(found.credential) + (verified->user_verified ? " uv" : "")));
    return result;
  });
}

}  // namespace hippocrate::auth
