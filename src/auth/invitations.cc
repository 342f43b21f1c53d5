// Invitations: nobody signs up anonymously. The first administrator comes from a bootstrap
// invitation; administrators invite staff, practitioners invite patients. An invitation is
// a single-use 256-bit token, stored hashed, that expires (default 72 h).
#include "auth/auth_service.h"
#include "auth/auth_service_impl.h"
#include "auth/password_policy.h"
#include "base/ids.h"
#include "store/row_decode.h"

namespace hippocrate::auth {
namespace {

Error invalid_invitation() {
  // One answer for unknown, used, expired or tampered tokens: nothing to learn by probing.
  return Error::unauthenticated("invalid_invitation",
                                "this invitation is not valid: it may have expired or already "
                                "been used; ask for a new one");
}

Result<IssuedInvitation> insert_invitation(store::Transaction& tx, const std::string& org_id,
                                           const std::string& email, Role role,
                                           const std::optional<std::string>& inviter,
                                           std::int64_t now, std::int64_t lifetime) {
  IssuedInvitation inv{random_id(), issue_token(), email, role, now + lifetime};
  HIPPO_RETURN_IF_ERROR(tx.execute(
      "INSERT INTO invitations (id, token_hash, organisation_id, email, role, invited_by, "
      "created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
      {inv.invitation_id, Bytes(inv.token.hash.begin(), inv.token.hash.end()), org_id, email,
       std::string(role_name(role)), inviter ? store::Value(*inviter) : store::Value(nullptr), now,
       inv.expires_at}));
  return inv;
}

// A pending care relationship ("invited") from `practitioner`, carried by invitation
// `invitation_id`, to the patient account `patient_id` (empty while the invitee has no
// account); returns its id.
Result<std::string> insert_care_request(store::Transaction& tx, const SessionInfo& practitioner,
                                        const std::string& patient_id,
                                        const std::string& invitation_id, std::int64_t now) {
  std::string id = random_id();
  HIPPO_RETURN_IF_ERROR(tx.execute(
      "INSERT INTO care_relationships (id, organisation_id, practitioner_id, patient_id, "
      "invitation_id, status, created_at, activated_at, ended_at, ended_by) "
      "VALUES (?, ?, ?, ?, ?, 'invited', ?, NULL, NULL, NULL)",
      {id, practitioner.account.organisation_id, practitioner.account.id,
       patient_id.empty() ? store::Value(nullptr) : store::Value(patient_id), invitation_id, now}));
  return id;
}

}  // namespace

Result<bool> AuthService::has_accounts() {
  return impl_->store.read([](store::Transaction& tx) -> Result<bool> {
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM accounts"));
    HIPPO_ASSIGN_OR_RETURN(std::int64_t n, row->int64(0));
    return n > 0;
  });
}

Result<IssuedInvitation> AuthService::bootstrap(std::string_view organisation_name,
                                                std::string_view email) {
  std::string normalized;
  if (!email.empty()) {
    HIPPO_ASSIGN_OR_RETURN(normalized, normalize_email(email));
  }
  if (organisation_name.empty() || organisation_name.size() > 200) {
    return Error::invalid_argument("invalid_organisation_name",
                                   "the organisation name must have 1 to 200 characters");
  }
  auto& im = *impl_;
  return im.store.write([&](store::Transaction& tx) -> Result<IssuedInvitation> {
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM accounts"));
    HIPPO_ASSIGN_OR_RETURN(std::int64_t accounts, row->int64(0));
    if (accounts > 0) {
      return Error::failed_precondition(
          "already_bootstrapped",
          "this deployment already has accounts: administrators invite new staff");
    }
    if (normalized.empty()) {
      // `serve` at start-up: an invitation the operator made with `admin bootstrap` (it has
      // an e-mail) is left alone; only serve's own earlier ones are replaced.
      HIPPO_ASSIGN_OR_RETURN(auto pending,
                             tx.query_one("SELECT 1 FROM invitations WHERE invited_by IS NULL AND "
                                          "used_at IS NULL AND expires_at > ? AND email <> ''",
                                          {im.now()}));
      if (pending) {
        return Error::failed_precondition(
            "bootstrap_pending",
            "a first-administrator invitation made with 'hippocrate admin bootstrap' is waiting "
            "to be accepted; run that command again if it was lost");
      }
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "UPDATE invitations SET used_at = ? WHERE invited_by IS NULL AND used_at IS NULL AND "
          "email = ''",
          {im.now()}));
    } else {
      // The operator asked for a new one: every earlier unused one stops working.
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "UPDATE invitations SET used_at = ? WHERE invited_by IS NULL AND used_at IS NULL",
          {im.now()}));
    }
    // No account exists, so an organisation of the same name can only come from an earlier
    // unused bootstrap: reuse it rather than leave an empty one behind at every start.
    HIPPO_ASSIGN_OR_RETURN(auto existing,
                           tx.query_one("SELECT id FROM organisations WHERE name = ? "
                                        "ORDER BY created_at LIMIT 1",
                                        {std::string(organisation_name)}));
    std::string org_id;
    if (existing) {
      HIPPO_ASSIGN_OR_RETURN(org_id, existing->text(0));
    } else {
      org_id = random_id();
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)",
                     {org_id, std::string(organisation_name), im.now()}));
    }
    return insert_invitation(tx, org_id, normalized, Role::kAdmin, std::nullopt, im.now(),
                             im.config.invitation_lifetime.count());
  });
}

Result<IssuedInvitation> AuthService::create_organisation(std::string_view organisation_name,
                                                          std::string_view admin_email) {
  HIPPO_ASSIGN_OR_RETURN(std::string normalized, normalize_email(admin_email));
  if (organisation_name.empty() || organisation_name.size() > 200) {
    return Error::invalid_argument("invalid_organisation_name",
                                   "the organisation name must have 1 to 200 characters");
  }
  auto& im = *impl_;
  return im.store.write([&](store::Transaction& tx) -> Result<IssuedInvitation> {
    const std::string name(organisation_name);
    HIPPO_ASSIGN_OR_RETURN(auto same,
                           tx.query_one("SELECT 1 FROM organisations WHERE name = ?", {name}));
    if (same) {
      return Error::conflict("organisation_exists", "an organisation with this name exists");
    }
    HIPPO_ASSIGN_OR_RETURN(auto taken,
                           tx.query_one("SELECT 1 FROM accounts WHERE email = ?", {normalized}));
    if (taken) return Error::conflict("email_taken", "an account already uses this e-mail address");
    const std::string org_id = random_id();
    HIPPO_RETURN_IF_ERROR(
        tx.execute("INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)",
                   {org_id, name, im.now()}));
    HIPPO_RETURN_IF_ERROR(im.audit_action(tx, "", "organisation.create", "organisation:" + org_id,
                                          "succeeded", RequestOrigin{"local", "cli"}));
    return insert_invitation(tx, org_id, normalized, Role::kAdmin, std::nullopt, im.now(),
                             im.config.invitation_lifetime.count());
  });
}

Status AuthService::Impl::request_care_link(store::Transaction& tx, const SessionInfo& practitioner,
                                            const std::string& patient_id,
                                            const std::string& invitation_id,
                                            const RequestOrigin& origin) const {
  HIPPO_ASSIGN_OR_RETURN(
      auto ongoing,
      tx.query_one("SELECT id, status FROM care_relationships WHERE practitioner_id = ? AND "
                   "patient_id = ? AND status <> 'ended' LIMIT 1",
                   {practitioner.account.id, patient_id}));
  if (ongoing) {
    std::string id, status;
    HIPPO_RETURN_IF_ERROR(store::read_columns(*ongoing, id, status));
    // A pending request now shows in the practitioner's list as this invitation, as it
    // would for an address without an account; an active one the practitioner knows.
    if (status == "invited") {
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "UPDATE care_relationships SET invitation_id = ? WHERE id = ?", {invitation_id, id}));
    }
    return ok_status();
  }
  HIPPO_ASSIGN_OR_RETURN(std::string relationship_id,
                         insert_care_request(tx, practitioner, patient_id, invitation_id, now()));
  return audit_action(
      tx, practitioner.account.id, "care.request", "patient:" + patient_id, "succeeded", origin,
      "care=" + relationship_id + " status=invited (invitation to an existing account)");
}

Result<IssuedInvitation> AuthService::invite(const SessionInfo& inviter, std::string_view email,
                                             Role role, const RequestOrigin& origin) {
  if (!may_invite(inviter.account.role, role)) {
    return Error::permission_denied(
        "invitation_not_allowed",
        role_with_article(inviter.account.role) + " cannot invite " + role_with_article(role));
  }
  HIPPO_ASSIGN_OR_RETURN(std::string normalized, normalize_email(email));
  auto& im = *impl_;
  return im.store.write([&](store::Transaction& tx) -> Result<IssuedInvitation> {
    HIPPO_ASSIGN_OR_RETURN(
        auto existing, tx.query_one("SELECT id, role FROM accounts WHERE email = ?", {normalized}));
    // The answer is the same whether or not an account uses the address (which addresses
    // have an account, in any organisation, is not the inviter's to learn): an invitation
    // is issued either way. Its acceptance by the address's owner says to sign in instead;
    // a patient invited by a practitioner gets, in place, the same pending care request as
    // `POST /api/v1/care-relationships`, which they accept or not once signed in.
    HIPPO_ASSIGN_OR_RETURN(
        auto inv,
        insert_invitation(tx, inviter.account.organisation_id, normalized, role, inviter.account.id,
                          im.now(), im.config.invitation_lifetime.count()));
    const bool care_invitation =
        inviter.account.role == Role::kPractitioner && role == Role::kPatient;
    if (existing) {
      std::string account_id, account_role;
      HIPPO_RETURN_IF_ERROR(store::read_columns(*existing, account_id, account_role));
      // On the existing account's record (its owner sees it), never on the inviter's own.
      HIPPO_RETURN_IF_ERROR(im.audit_action(tx, inviter.account.id, "invitation.create",
                                            "account:" + account_id, "failed", origin,
                                            "email_taken"));
      if (care_invitation && account_role == role_name(Role::kPatient)) {
        HIPPO_RETURN_IF_ERROR(
            im.request_care_link(tx, inviter, account_id, inv.invitation_id, origin));
      }
    } else if (care_invitation) {
      // The care relationship starts as "invited" and becomes active on acceptance.
      HIPPO_ASSIGN_OR_RETURN(std::string relationship_id,
                             insert_care_request(tx, inviter, "", inv.invitation_id, im.now()));
      HIPPO_RETURN_IF_ERROR(im.audit_action(tx, inviter.account.id, "care.invite",
                                            "care:" + relationship_id, "succeeded", origin,
                                            "status=none->invited"));
    }
    HIPPO_RETURN_IF_ERROR(im.add_event(tx, inviter.account.id, "invitation_created", origin,
                                       std::string(role_name(role))));
    return inv;
  });
}

Result<AccountView> AuthService::accept_invitation(std::string_view token,
                                                   std::string_view display_name,
                                                   const SecretBytes& password,
                                                   const RequestOrigin& origin,
                                                   const std::optional<std::string>& email) {
  auto& im = *impl_;
  if (!im.limiter.allow(origin.source_address, im.clock.now())) {
    return Error::resource_exhausted("rate_limited", "too many requests; wait a moment");
  }
  auto hash = hash_presented_token(token);
  if (!hash) return invalid_invitation();
  if (display_name.empty() || display_name.size() > 200) {
    return Error::invalid_argument("invalid_display_name",
                                   "the name must have 1 to 200 characters");
  }
  // Read the invitation first (for the password context), hash the password outside the
  // write transaction, then consume the invitation atomically.
  struct Pending {
    std::string id, org_id, email, role;
  };
  const Bytes hash_bytes(hash->begin(), hash->end());
  HIPPO_ASSIGN_OR_RETURN(
      Pending pending, im.store.read([&](store::Transaction& tx) -> Result<Pending> {
        HIPPO_ASSIGN_OR_RETURN(
            auto row, tx.query_one("SELECT id, organisation_id, email, role FROM invitations "
                                   "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                                   {hash_bytes, im.now()}));
        if (!row) return invalid_invitation();
        Pending p;
        HIPPO_RETURN_IF_ERROR(store::read_columns(*row, p.id, p.org_id, p.email, p.role));
        return p;
      }));
  if (pending.email.empty()) {
    if (!email) {
      return Error::invalid_argument("missing_field",
                                     "this invitation has no e-mail: give the one to log in with");
    }
    HIPPO_ASSIGN_OR_RETURN(pending.email, normalize_email(*email));
  }
  PasswordContext context{pending.email, std::string(display_name), {}};
  HIPPO_RETURN_IF_ERROR(check_password_policy(password, context));
  HIPPO_ASSIGN_OR_RETURN(std::string password_hash, im.hasher->hash(password));

  return im.store.write([&](store::Transaction& tx) -> Result<AccountView> {
    const std::int64_t now = im.now();
    // Consume: only one acceptance wins, even when two race.
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t consumed,
        tx.execute("UPDATE invitations SET used_at = ? WHERE id = ? AND used_at IS NULL AND "
                   "expires_at > ?",
                   {now, pending.id, now}));
    if (consumed != 1) return invalid_invitation();
    HIPPO_ASSIGN_OR_RETURN(auto taken,
                           tx.query_one("SELECT 1 FROM accounts WHERE email = ?", {pending.email}));
    if (taken) {
      return Error::conflict("email_taken",
                             "an account already uses this e-mail address: sign in with it "
                             "instead (a practitioner's care request, if any, waits there)");
    }
    const std::string account_id = random_id();
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "INSERT INTO accounts (id, organisation_id, email, display_name, role, password_hash, "
        "status, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)",
        {account_id, pending.org_id, pending.email, std::string(display_name), pending.role,
         password_hash, now, now}));
    HIPPO_RETURN_IF_ERROR(im.add_event(tx, account_id, "account_created", origin, pending.role));
    // A patient invited by a practitioner is now in an active care relationship with them.
    HIPPO_ASSIGN_OR_RETURN(auto invited, tx.query_one("SELECT id FROM care_relationships WHERE "
                                                      "invitation_id = ? AND status = 'invited'",
                                                      {pending.id}));
    if (invited) {
      HIPPO_ASSIGN_OR_RETURN(std::string relationship_id, invited->text(0));
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "UPDATE care_relationships SET patient_id = ?, status = 'active', activated_at = ? "
          "WHERE id = ?",
          {account_id, now, relationship_id}));
      HIPPO_RETURN_IF_ERROR(im.audit_action(tx, account_id, "care.accept", "patient:" + account_id,
                                            "succeeded", origin,
                                            "care=" + relationship_id + " status=invited->active"));
    }
    HIPPO_ASSIGN_OR_RETURN(auto record, im.load_account(tx, "id", account_id));
    return record->view;
  });
}

}  // namespace hippocrate::auth

namespace hippocrate::auth {

Result<std::vector<PendingInvitation>> AuthService::pending_invitations(const SessionInfo& caller) {
  auto& im = *impl_;
  const bool admin = caller.account.role == Role::kAdmin;
  if (!admin && caller.account.role != Role::kPractitioner) {
    return Error::permission_denied("permission_denied",
                                    "only administrators and practitioners invite");
  }
  return im.store.read([&](store::Transaction& tx) -> Result<std::vector<PendingInvitation>> {
    HIPPO_ASSIGN_OR_RETURN(
        auto rows,
        tx.query(std::string("SELECT i.id, i.email, i.role, COALESCE(a.display_name, ''), "
                             "i.created_at, i.expires_at FROM invitations i "
                             "LEFT JOIN accounts a ON a.id = i.invited_by "
                             "WHERE i.used_at IS NULL AND i.expires_at > ? AND ") +
                     (admin ? "i.organisation_id = ?" : "i.invited_by = ?") +
                     " ORDER BY i.created_at DESC, i.id LIMIT 500",
                 {im.now(), admin ? caller.account.organisation_id : caller.account.id}));
    return store::decode_rows<PendingInvitation>(
        rows, [](const store::Row& row, PendingInvitation& p) -> Status {
          std::string role;
          HIPPO_RETURN_IF_ERROR(store::read_columns(row, p.id, p.email, role, p.invited_by,
                                                    p.created_at, p.expires_at));
          auto parsed = parse_role(role);
          if (!parsed) {
            return Error::data_loss("invitation_role_invalid", "an invitation has an unknown role");
          }
          p.role = *parsed;
          return ok_status();
        });
  });
}

Status AuthService::revoke_invitation(const SessionInfo& caller, std::string_view invitation_id,
                                      const RequestOrigin& origin) {
  auto& im = *impl_;
  const bool admin = caller.account.role == Role::kAdmin;
  const std::string id(invitation_id);
  HIPPO_ASSIGN_OR_RETURN(bool found, im.store.write([&](store::Transaction& tx) -> Result<bool> {
    const std::int64_t now = im.now();
    // Only a pending invitation the caller may manage; anything else is "not found"
    // (another organisation's invitations do not exist for this caller).
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t n,
        tx.execute(std::string("UPDATE invitations SET expires_at = ? WHERE id = ? AND "
                               "used_at IS NULL AND expires_at > ? AND ") +
                       (admin ? "organisation_id = ?" : "invited_by = ?"),
                   {now, id, now, admin ? caller.account.organisation_id : caller.account.id}));
    if (n != 1) {
      HIPPO_RETURN_IF_ERROR(im.audit_action(tx, caller.account.id, "invitation.revoke",
                                            "invitation:unknown", "denied", origin,
                                            "invitation_not_found"));
      return false;
    }
    // The care request it carried is withdrawn with it.
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t ended,
        tx.execute("UPDATE care_relationships SET status = 'ended', ended_at = ?, ended_by = ? "
                   "WHERE invitation_id = ? AND status = 'invited'",
                   {now, caller.account.id, id}));
    HIPPO_RETURN_IF_ERROR(im.audit_action(tx, caller.account.id, "invitation.revoke",
                                          "invitation:" + id, "succeeded", origin,
                                          "care_requests_withdrawn=" + std::to_string(ended)));
    return true;
  }));
  if (!found) {
    return Error::not_found("invitation_not_found", "no such pending invitation of yours");
  }
  return ok_status();
}

Status AuthService::rename_organisation(const SessionInfo& admin, std::string_view name,
                                        const RequestOrigin& origin) {
  if (admin.account.role != Role::kAdmin) {
    return Error::permission_denied("permission_denied", "only an administrator can do this");
  }
  if (name.empty() || name.size() > 200) {
    return Error::invalid_argument("invalid_organisation_name",
                                   "the organisation name must have 1 to 200 characters");
  }
  auto& im = *impl_;
  const std::string new_name(name);
  return im.store.write([&](store::Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(auto same,
                           tx.query_one("SELECT id FROM organisations WHERE name = ?", {new_name}));
    if (same) {
      HIPPO_ASSIGN_OR_RETURN(std::string same_id, same->text(0));
      if (same_id == admin.account.organisation_id) return ok_status();  // already so
      return Error::conflict("organisation_exists", "an organisation with this name exists");
    }
    HIPPO_ASSIGN_OR_RETURN(auto old, tx.query_one("SELECT name FROM organisations WHERE id = ?",
                                                  {admin.account.organisation_id}));
    std::string old_name;
    if (old) {
      HIPPO_ASSIGN_OR_RETURN(old_name, old->text(0));
    }
    HIPPO_RETURN_IF_ERROR(tx.execute("UPDATE organisations SET name = ? WHERE id = ?",
                                     {new_name, admin.account.organisation_id}));
    return im.audit_action(tx, admin.account.id, "organisation.rename",
                           "organisation:" + admin.account.organisation_id, "succeeded", origin,
                           "from=" + old_name.substr(0, 200));
  });
}

}  // namespace hippocrate::auth
