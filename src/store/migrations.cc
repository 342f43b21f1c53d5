#include "store/migrations.h"

#include <string>

namespace hippocrate::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "create_schema_migrations_and_server_metadata",
       {
           "CREATE TABLE schema_migrations ("
           " version BIGINT PRIMARY KEY,"
           " name TEXT NOT NULL,"
           " applied_at TEXT NOT NULL)",  // RFC 3339 UTC, readable by an operator
           "CREATE TABLE server_metadata ("
           " key TEXT PRIMARY KEY,"
           " value TEXT NOT NULL)",
       }},
      {2,
       "create_accounts_and_authentication",
       {
           // Times are BIGINT Unix seconds (UTC). Ids are 32-hex random ids.
           "CREATE TABLE organisations ("
           " id TEXT PRIMARY KEY,"
           " name TEXT NOT NULL,"
           " created_at BIGINT NOT NULL)",
           "CREATE TABLE accounts ("
           " id TEXT PRIMARY KEY,"
           " organisation_id TEXT NOT NULL REFERENCES organisations(id),"
           " email TEXT NOT NULL UNIQUE,"  // normalised (trimmed, lower-case)
           " display_name TEXT NOT NULL,"
           " role TEXT NOT NULL,"
           " password_hash TEXT NOT NULL,"  // Argon2id encoded string, params inside
           " status TEXT NOT NULL,"         // active | locked | disabled
           " created_at BIGINT NOT NULL,"
           " password_changed_at BIGINT NOT NULL)",
           "CREATE TABLE invitations ("
           " id TEXT PRIMARY KEY,"
           " token_hash BLOB NOT NULL UNIQUE,"  // SHA-256 of the 256-bit token
           " organisation_id TEXT NOT NULL REFERENCES organisations(id),"
           " email TEXT NOT NULL,"
           " role TEXT NOT NULL,"
           " invited_by TEXT REFERENCES accounts(id),"  // NULL: bootstrap
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL,"
           " used_at BIGINT)",
           "CREATE TABLE totp_factors ("
           " account_id TEXT PRIMARY KEY REFERENCES accounts(id),"
           " secret_sealed BLOB NOT NULL,"  // XChaCha20-Poly1305 under the secrets key
           " confirmed_at BIGINT,"          // NULL until a first valid code
           " last_used_step BIGINT NOT NULL,"
           " created_at BIGINT NOT NULL)",
           "CREATE TABLE recovery_codes ("
           " account_id TEXT NOT NULL REFERENCES accounts(id),"
           " code_hash BLOB NOT NULL,"  // HMAC-SHA256 under the pepper
           " used_at BIGINT,"
           " PRIMARY KEY (account_id, code_hash))",
           "CREATE TABLE sessions ("
           " id TEXT PRIMARY KEY,"
           " token_hash BLOB NOT NULL UNIQUE,"  // SHA-256 of the 256-bit token
           " account_id TEXT NOT NULL REFERENCES accounts(id),"
           " created_at BIGINT NOT NULL,"
           " last_seen_at BIGINT NOT NULL,"
           " absolute_expires_at BIGINT NOT NULL,"
           " second_factor_at BIGINT,"  // NULL: password only (enrolment-only for staff)
           " step_up_at BIGINT,"
           " revoked_at BIGINT,"
           " source_address TEXT NOT NULL,"
           " user_agent TEXT NOT NULL)",
           "CREATE INDEX sessions_by_account ON sessions (account_id)",
           "CREATE TABLE login_failures ("
           " scope TEXT NOT NULL,"    // 'password' | 'second_factor'
           " subject TEXT NOT NULL,"  // account id, or 'ip:' + source address
           " consecutive BIGINT NOT NULL,"
           " window_start BIGINT NOT NULL,"  // start of the 24 h counting window
           " window_count BIGINT NOT NULL,"
           " last_failure_at BIGINT NOT NULL,"
           " PRIMARY KEY (scope, subject))",
           "CREATE TABLE security_events ("
           " id TEXT PRIMARY KEY,"
           " account_id TEXT NOT NULL REFERENCES accounts(id),"
           " kind TEXT NOT NULL,"
           " at BIGINT NOT NULL,"
           " source_address TEXT NOT NULL,"
           " detail TEXT NOT NULL)",
           "CREATE INDEX security_events_by_account ON security_events (account_id, at)",
       }},
      {3,
       "create_audit_log",
       {
           // The tamper-evident audit trail (src/audit/README.md). seq is contiguous 1, 2,
           // 3... assigned inside the writer's transaction; hash = SHA-256(prev_hash ‖
           // canonical record). Times are BIGINT Unix milliseconds (UTC). No secrets.
           // NOT NULL on the keys: SQLite would otherwise accept NULL in a non-INTEGER
           // PRIMARY KEY.
           "CREATE TABLE audit_log ("
           " seq BIGINT NOT NULL PRIMARY KEY,"
           " at_ms BIGINT NOT NULL,"
           " account_id TEXT,"
           " session_id TEXT,"
           " device_id TEXT,"
           " source_address TEXT,"
           " action TEXT NOT NULL,"
           " resource TEXT,"
           " result TEXT NOT NULL,"  // allowed | denied | succeeded | failed
           " detail TEXT,"
           " prev_hash BLOB NOT NULL,"
           " hash BLOB NOT NULL)",
           "CREATE INDEX audit_log_by_account ON audit_log (account_id, seq)",
           "CREATE INDEX audit_log_by_resource ON audit_log (resource, seq)",
           "CREATE INDEX audit_log_by_time ON audit_log (at_ms)",
           // Ed25519-signed checkpoints; each names the previous one, so a deleted
           // checkpoint is visible.
           "CREATE TABLE audit_checkpoints ("
           " seq BIGINT NOT NULL PRIMARY KEY,"      // the record it covers
           " prev_checkpoint_seq BIGINT NOT NULL,"  // 0 for the first
           " hash BLOB NOT NULL,"
           " signed_at_ms BIGINT NOT NULL,"
           " signature BLOB NOT NULL)",
           // At most one row (id = 1), written by retention pruning: the first retained
           // seq and the hash before it, signed.
           "CREATE TABLE audit_anchor ("
           " id BIGINT NOT NULL PRIMARY KEY,"
           " first_seq BIGINT NOT NULL,"
           " prev_hash BLOB NOT NULL,"
           " pruned_at_ms BIGINT NOT NULL,"
           " signature BLOB NOT NULL)",
       }},
      {4,
       "create_care_relationships",
       {
           "CREATE TABLE care_relationships ("
           " id TEXT PRIMARY KEY,"
           " organisation_id TEXT NOT NULL REFERENCES organisations(id),"
           " practitioner_id TEXT NOT NULL REFERENCES accounts(id),"
           " patient_id TEXT REFERENCES accounts(id),"  // NULL while invited
           " invitation_id TEXT REFERENCES invitations(id),"
           " status TEXT NOT NULL,"  // invited | active | ended
           " created_at BIGINT NOT NULL,"
           " activated_at BIGINT,"
           " ended_at BIGINT,"
           " ended_by TEXT REFERENCES accounts(id))",
           "CREATE INDEX care_by_practitioner ON care_relationships (practitioner_id, status)",
           "CREATE INDEX care_by_patient ON care_relationships (patient_id, status)",
       }},
      {5,
       "create_delegations_and_link_requests",
       {
           // A practitioner delegates scheduling and administrative work to an assistant of
           // the same organisation; revoking sets revoked_at (kept for the audit trail).
           "CREATE TABLE delegations ("
           " id TEXT PRIMARY KEY,"
           " organisation_id TEXT NOT NULL REFERENCES organisations(id),"
           " practitioner_id TEXT NOT NULL REFERENCES accounts(id),"
           " assistant_id TEXT NOT NULL REFERENCES accounts(id),"
           " created_at BIGINT NOT NULL,"
           " revoked_at BIGINT)",
           "CREATE INDEX delegations_by_practitioner ON delegations (practitioner_id, revoked_at)",
           "CREATE INDEX delegations_by_assistant ON delegations (assistant_id, revoked_at)",
           // Security events are now a view of the audit log (auth.* records).
           "DROP TABLE security_events",
       }},
      {6,
       "create_messaging",
       {
           // End-to-end encrypted messaging (docs/messaging.md). Identities, device lists,
           // prekeys and ciphertexts are opaque client blobs; times are Unix seconds.
           "CREATE TABLE devices ("
           " id TEXT NOT NULL PRIMARY KEY,"  // 32 hex, chosen by the client
           " account_id TEXT NOT NULL REFERENCES accounts(id),"
           " identity BLOB NOT NULL,"
           " registered_at BIGINT NOT NULL,"
           " revoked_at BIGINT)",
           "CREATE INDEX devices_by_account ON devices (account_id, revoked_at)",
           "CREATE TABLE device_lists ("
           " account_id TEXT NOT NULL PRIMARY KEY REFERENCES accounts(id),"
           " version BIGINT NOT NULL,"  // strictly increasing
           " blob BLOB NOT NULL,"       // signed by the account key on the client
           " updated_at BIGINT NOT NULL)",
           "CREATE TABLE signed_prekeys ("
           " device_id TEXT NOT NULL PRIMARY KEY REFERENCES devices(id),"
           " blob BLOB NOT NULL,"
           " uploaded_at BIGINT NOT NULL)",
           "CREATE TABLE one_time_prekeys ("  // a row is deleted when handed out
           " device_id TEXT NOT NULL REFERENCES devices(id),"
           " key_id BIGINT NOT NULL,"
           " prekey BLOB NOT NULL,"
           " PRIMARY KEY (device_id, key_id))",
           "CREATE TABLE messages ("  // routing metadata, kept for idempotent retries
           " message_id TEXT NOT NULL PRIMARY KEY,"
           " sender_id TEXT NOT NULL REFERENCES accounts(id),"
           " sender_device TEXT NOT NULL REFERENCES devices(id),"
           " recipient_account TEXT NOT NULL REFERENCES accounts(id),"
           " created_at BIGINT NOT NULL)",
           "CREATE TABLE mailbox ("  // deleted on ack or device revocation
           " device_id TEXT NOT NULL REFERENCES devices(id),"
           " message_id TEXT NOT NULL REFERENCES messages(message_id),"
           " seq BIGINT NOT NULL,"  // the device's delivery order
           " ciphertext BLOB NOT NULL,"
           " stored_at BIGINT NOT NULL,"
           // One index: the delivery order. An ack finds (device, message) by scanning the
           // device's few pending rows; a message id is unique anyway (messages table).
           // Every index here is a page written per envelope stored and again per ack.
           " PRIMARY KEY (device_id, seq))",
       }},
      {7,
       "create_policy_epoch",
       {
           // A counter moved, in the changing transaction, by every change to the rows a
           // send's checks read (docs/messaging.md, "Early delivery"): two equal readings
           // mean those rows did not change in between, so a send checked on a snapshot
           // need not be checked again in its write.
           "CREATE TABLE policy_epoch ("
           " id INTEGER PRIMARY KEY CHECK (id = 1),"
           " value BIGINT NOT NULL)",
           "INSERT INTO policy_epoch (id, value) VALUES (1, 0)",
           "CREATE TRIGGER policy_epoch_accounts_insert AFTER INSERT ON accounts"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
           "CREATE TRIGGER policy_epoch_accounts_update"
           " AFTER UPDATE OF id, organisation_id, role, status ON accounts"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
           "CREATE TRIGGER policy_epoch_accounts_delete AFTER DELETE ON accounts"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
           "CREATE TRIGGER policy_epoch_care_insert AFTER INSERT ON care_relationships"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
           "CREATE TRIGGER policy_epoch_care_update AFTER UPDATE ON care_relationships"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
           "CREATE TRIGGER policy_epoch_care_delete AFTER DELETE ON care_relationships"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
           "CREATE TRIGGER policy_epoch_devices_insert AFTER INSERT ON devices"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
           "CREATE TRIGGER policy_epoch_devices_update AFTER UPDATE ON devices"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
           "CREATE TRIGGER policy_epoch_devices_delete AFTER DELETE ON devices"
           " BEGIN UPDATE policy_epoch SET value = value + 1 WHERE id = 1; END",
       }},
      {8,
       "create_mailbox_expiries",
       {
           // Envelopes never acknowledged are deleted after the retention period
           // (docs/messaging.md, "Expiry"); their device is told how many at its next fetch.
           "CREATE TABLE mailbox_expiries ("
           " device_id TEXT NOT NULL PRIMARY KEY REFERENCES devices(id),"
           " expired BIGINT NOT NULL,"  // envelopes expired since the device was last told
           " last_expired_at BIGINT NOT NULL)",
       }},
      {9,
       "create_undelivered_notices",
       {
           // A sender is told which of its messages were never received by their
           // recipient: one row per (device of the sender, message) whose envelopes for the
           // recipient's devices expired unread (docs/messaging.md, "Expiry"), for every
           // device the sender had then. Deleted when that device acknowledges it, is
           // revoked, or after the retention period.
           "CREATE TABLE undelivered_notices ("
           " device_id TEXT NOT NULL REFERENCES devices(id),"  // the sender's device told
           " message_id TEXT NOT NULL,"
           " recipient_account TEXT NOT NULL REFERENCES accounts(id),"
           " sent_at BIGINT NOT NULL,"
           " devices BIGINT NOT NULL,"  // recipient devices whose envelope expired unread
           " expired_at BIGINT NOT NULL,"
           " PRIMARY KEY (device_id, message_id))",
       }},
      {10,
       "mailbox_without_rowid",
       {
           // The mailbox as one B-tree keyed by (device, seq), the envelope inline: storing
           // an envelope and deleting it on ack each change one B-tree instead of two (the
           // table and the index of its composite key), and an ack's lookup by (device,
           // message) scans the device's few pending envelopes in place, without a second
           // lookup per row. (SQLite syntax; a PostgreSQL dialect needs none of this.)
           "CREATE TABLE mailbox_v10 ("
           " device_id TEXT NOT NULL REFERENCES devices(id),"
           " message_id TEXT NOT NULL REFERENCES messages(message_id),"
           " seq BIGINT NOT NULL,"
           " ciphertext BLOB NOT NULL,"
           " stored_at BIGINT NOT NULL,"
           " PRIMARY KEY (device_id, seq)) WITHOUT ROWID",
           "INSERT INTO mailbox_v10 (device_id, message_id, seq, ciphertext, stored_at)"
           " SELECT device_id, message_id, seq, ciphertext, stored_at FROM mailbox",
           "DROP TABLE mailbox",
           "ALTER TABLE mailbox_v10 RENAME TO mailbox",
       }},
      {11,
       "audit_search_index_in_batches",
       {
           // The audit log's indexes by account and by resource, kept by SQLite, wrote a
           // page per distinct account and resource at every commit. As tables filled a
           // batch at a time by AuditLog::append (src/audit/search_index.h, docs/audit.md
           // "Search index"), each page is written about once per batch. The records of the
           // migrated log are indexed here; its last ones stay in the tail until the next
           // batch boundary.
           "CREATE TABLE audit_index_state ("
           " id INTEGER PRIMARY KEY CHECK (id = 1),"
           " indexed_through BIGINT NOT NULL)",
           "INSERT INTO audit_index_state (id, indexed_through)"
           " SELECT 1, COALESCE(MAX(seq), 0) FROM audit_log",
           "CREATE TABLE audit_by_account ("
           " account_id TEXT NOT NULL,"
           " seq BIGINT NOT NULL,"
           " PRIMARY KEY (account_id, seq)) WITHOUT ROWID",
           "INSERT INTO audit_by_account (account_id, seq)"
           " SELECT account_id, seq FROM audit_log WHERE account_id IS NOT NULL"
           " ORDER BY account_id, seq",
           "CREATE TABLE audit_by_resource ("
           " resource TEXT NOT NULL,"
           " seq BIGINT NOT NULL,"
           " PRIMARY KEY (resource, seq)) WITHOUT ROWID",
           "INSERT INTO audit_by_resource (resource, seq)"
           " SELECT resource, seq FROM audit_log WHERE resource IS NOT NULL"
           " ORDER BY resource, seq",
           "DROP INDEX audit_log_by_account",
           "DROP INDEX audit_log_by_resource",
       }},
      {12,
       "sessions_bound_to_devices",
       {
           // The messaging device a sign-in session acts as (docs/messaging.md "Devices and
           // sessions"): set when the session registers the device or first uses it, kept
           // by a step-up's rotation; revoking the device ends its sessions. NULL: a
           // session that never acted as a device (curl, an administrator's CLI).
           "ALTER TABLE sessions ADD COLUMN device_id TEXT",
           "CREATE INDEX sessions_by_device ON sessions (device_id) WHERE device_id IS NOT NULL",
       }},
      {13,
       "totp_replacement",
       {
           // A new phone: the replacement secret waits beside the enrolled one, which stays
           // valid until a first code of the new one confirms it (docs/authentication.md
           // "Second factor"). Sealed like secret_sealed.
           "ALTER TABLE totp_factors ADD COLUMN replacement_sealed BLOB",
       }},
      {14,
       "create_key_backups",
       {
           // One backup of the account key per account, sealed on the client under a
           // recovery key the server never sees (docs/messaging.md "Key backup",
           // docs/protocol.md §2.6): an opaque blob, its version (strictly growing) and when.
           "CREATE TABLE key_backups ("
           " account_id TEXT PRIMARY KEY REFERENCES accounts(id),"
           " version BIGINT NOT NULL,"
           " backup BLOB NOT NULL,"
           " updated_at BIGINT NOT NULL) WITHOUT ROWID",
       }},
      {15,
       "practitioner_rpps",
       {
           // A practitioner's RPPS number (11 digits, the French national identifier of
           // health professionals), attested by an administrator of its organisation who
           // checked it (docs/api.md "Accounts"): who and when. One account per number.
           "ALTER TABLE accounts ADD COLUMN rpps TEXT",
           "ALTER TABLE accounts ADD COLUMN rpps_attested_by TEXT REFERENCES accounts(id)",
           "ALTER TABLE accounts ADD COLUMN rpps_attested_at BIGINT",
           "CREATE UNIQUE INDEX accounts_by_rpps ON accounts (rpps) WHERE rpps IS NOT NULL",
       }},
      {16,
       "undelivered_notice_reasons",
       {
           // Why a message was not received: 'expired' (the retention sweep deleted it
           // unread: every notice until now) or refused by a recipient device that can
           // never read it — 'undecryptable' (it fails to decrypt) or 'sender_unverified'
           // (the sender's signed device list fails its checks) (docs/messaging.md,
           // "Refusal"). The reason joins the key: a message can expire on one of the
           // recipient's devices and be refused on another, and each is told apart.
           "CREATE TABLE undelivered_notices_by_reason ("
           " device_id TEXT NOT NULL REFERENCES devices(id),"
           " message_id TEXT NOT NULL,"
           " reason TEXT NOT NULL,"
           " recipient_account TEXT NOT NULL REFERENCES accounts(id),"
           " sent_at BIGINT NOT NULL,"
           " devices BIGINT NOT NULL,"     // recipient devices that did not receive it, so
           " expired_at BIGINT NOT NULL,"  // when the last of them was recorded
           " PRIMARY KEY (device_id, message_id, reason))",
           "INSERT INTO undelivered_notices_by_reason (device_id, message_id, reason, "
           "recipient_account, sent_at, devices, expired_at) SELECT device_id, message_id, "
           "'expired', recipient_account, sent_at, devices, expired_at FROM undelivered_notices "
           "ORDER BY rowid",
           "DROP TABLE undelivered_notices",
           "ALTER TABLE undelivered_notices_by_reason RENAME TO undelivered_notices",
       }},
      {17,
       "create_webauthn",
       {
           // Passkeys (docs/webauthn.md, docs/authentication.md "Passkeys"). The WebAuthn
           // user handle of an account: 32 random bytes, never personal data, made at its
           // first registration ceremony and stable afterwards.
           "CREATE TABLE webauthn_users ("
           " account_id TEXT PRIMARY KEY REFERENCES accounts(id),"
           " user_handle BLOB NOT NULL UNIQUE,"
           " created_at BIGINT NOT NULL)",
           // A registered credential (WebAuthn §7.1 "credential record"). credential_id is
           // UNIQUE: the insert of a known id changes nothing and is refused (§7.1 "not yet
           // registered for any user"). `id` is the server's own name for it in the routes.
           "CREATE TABLE webauthn_credentials ("
           " id TEXT PRIMARY KEY,"
           " credential_id BLOB NOT NULL UNIQUE,"
           " account_id TEXT NOT NULL REFERENCES accounts(id),"
           " public_key BLOB NOT NULL,"   // the COSE_Key bytes as registered
           " algorithm BIGINT NOT NULL,"  // COSE: -7 ES256, -8 EdDSA
           " sign_count BIGINT NOT NULL,"
           " backup_eligible BIGINT NOT NULL,"  // 0/1, as registered; never changes
           " backup_state BIGINT NOT NULL,"     // 0/1, the last one seen
           " user_verified BIGINT NOT NULL,"    // 0/1, UV at registration
           " aaguid BLOB NOT NULL,"
           " transports TEXT NOT NULL,"  // comma-separated, as the browser reported them
           " name TEXT NOT NULL,"        // given by the user
           " created_at BIGINT NOT NULL,"
           " last_used_at BIGINT)",
           "CREATE INDEX webauthn_credentials_by_account ON webauthn_credentials (account_id)",
           // Issued challenges (32 random bytes), single-use: deleted when a ceremony
           // presents them, whatever its outcome; expired after 5 minutes (swept at each new
           // one). account_id NULL: a sign-in with a discoverable credential.
           "CREATE TABLE webauthn_challenges ("
           " challenge BLOB PRIMARY KEY,"
           " ceremony TEXT NOT NULL,"  // registration | authentication
           " account_id TEXT REFERENCES accounts(id),"
           " created_at BIGINT NOT NULL)",
           "CREATE INDEX webauthn_challenges_by_age ON webauthn_challenges (created_at)",
       }},
  };
  return kMigrations;
}

int latest_schema_version() { return migrations().back().version; }

Result<int> read_schema_version(Transaction& tx) {
  HIPPO_ASSIGN_OR_RETURN(bool exists, tx.table_exists("schema_migrations"));
  if (!exists) return 0;
  HIPPO_ASSIGN_OR_RETURN(std::optional<Row> row,
                         tx.query_one("SELECT MAX(version) FROM schema_migrations"));
  if (!row) return 0;
  HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> version, row->optional_int64(0));
  return static_cast<int>(version.value_or(0));
}

namespace {

Error too_new(int found, int known) {
  return Error::failed_precondition(
      "database_too_new", "the database schema is at version " + std::to_string(found) +
                              " but this program only knows versions up to " +
                              std::to_string(known) + "; run a newer version of Hippocrate");
}

}  // namespace

Result<int> apply_migrations(Store& store, const Clock& clock) {
  return apply_migrations(store, clock, migrations());
}

Result<int> apply_migrations(Store& store, const Clock& clock, std::span<const Migration> list) {
  const int known = list.empty() ? 0 : list.back().version;
  HIPPO_ASSIGN_OR_RETURN(int current,
                         store.read([](Transaction& tx) { return read_schema_version(tx); }));
  if (current > known) return too_new(current, known);

  for (const Migration& m : list) {
    if (m.version <= current) continue;
    // Re-read the version inside the write transaction: another process may have applied
    // this migration since we looked, and it must run exactly once.
    HIPPO_ASSIGN_OR_RETURN(current, store.write([&](Transaction& tx) -> Result<int> {
      HIPPO_ASSIGN_OR_RETURN(int now, read_schema_version(tx));
      if (now > known) return too_new(now, known);
      if (now >= m.version) return now;
      if (now != m.version - 1) {
        return Error::internal("migration_gap", "the schema migrations are not contiguous");
      }
      for (std::string_view sql : m.statements) {
        HIPPO_RETURN_IF_ERROR(tx.execute(sql));
      }
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          {std::int64_t{m.version}, std::string(m.name), format_rfc3339_utc(clock.now())}));
      return m.version;
    }));
  }
  return current;
}

}  // namespace hippocrate::store
