#include "messaging/key_backups.h"

#include <string>

#include "messaging/audit_records.h"

namespace hippocrate::messaging {
namespace {

Error step_up_required() {
  return Error::permission_denied("step_up_required",
                                  "confirm your password (and code) first: the key backup "
                                  "needs a recent confirmation");
}
Error not_found() {
  return Error::not_found("key_backup_not_found", "your account has no key backup");
}
std::string metadata(std::int64_t version, std::size_t size) {
  return "version=" + std::to_string(version) + ",size=" + std::to_string(size);
}

}  // namespace

bool KeyBackups::stepped_up(std::int64_t step_up_until) const {
  return step_up_until > unix_seconds(clock_.now());
}

Error KeyBackups::refuse(const Actor& actor, const char* action, Error error) {
  Status audited = store_.write([&](store::Transaction& tx) {
    return audit_.append(
        tx, detail::record(actor, action, detail::account_resource(actor.account_id), "denied",
                           "reason=" + error.code()));
  });
  if (!audited) return audited.error();
  return error;
}

Result<std::int64_t> KeyBackups::store(const Actor& actor, std::int64_t step_up_until,
                                       const Bytes& backup, std::int64_t version) {
  if (backup.empty() || backup.size() > kMaxKeyBackupBytes) {
    return Error::invalid_argument(
        "invalid_field",
        "the field 'backup' must hold 1 to " + std::to_string(kMaxKeyBackupBytes) + " bytes");
  }
  if (version < 1) {
    return Error::invalid_argument("invalid_field", "the field 'version' must be at least 1");
  }
  const std::int64_t now = unix_seconds(clock_.now());
  const bool recent = stepped_up(step_up_until);
  std::string refusal;
  auto stored = store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(
        auto row,
        tx.query_one("SELECT version FROM key_backups WHERE account_id = ?", {actor.account_id}));
    if (row) {
      HIPPO_ASSIGN_OR_RETURN(std::int64_t current, row->int64(0));
      if (!recent) {
        refusal = "step_up_required";
      } else if (version <= current) {
        refusal = "stale_key_backup_version";
      }
      if (!refusal.empty()) {
        HIPPO_RETURN_IF_ERROR(audit_.append(
            tx, detail::record(actor, "key_backup.store",
                               detail::account_resource(actor.account_id), "denied",
                               "reason=" + refusal + "," + metadata(version, backup.size()))));
        return current;
      }
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "UPDATE key_backups SET version = ?, backup = ?, updated_at = ? WHERE account_id = ?",
          {version, backup, now, actor.account_id}));
    } else {
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO key_backups (account_id, version, backup, updated_at) VALUES (?, ?, ?, ?)",
          {actor.account_id, version, backup, now}));
    }
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::record(
                actor, "key_backup.store", detail::account_resource(actor.account_id), "succeeded",
                std::string(row ? "replaced," : "created,") + metadata(version, backup.size()))));
    return version;
  });
  if (!stored) return stored.error();
  if (refusal == "step_up_required") return step_up_required();
  if (!refusal.empty()) {
    return Error::conflict("stale_key_backup_version", "the stored key backup has version " +
                                                           std::to_string(*stored) +
                                                           "; a new one needs a greater version");
  }
  return *stored;
}

Result<KeyBackup> KeyBackups::read(const Actor& actor, std::int64_t step_up_until) {
  if (!stepped_up(step_up_until)) return refuse(actor, "key_backup.read", step_up_required());
  auto found = store_.write([&](store::Transaction& tx) -> Result<std::optional<KeyBackup>> {
    HIPPO_ASSIGN_OR_RETURN(auto row,
                           tx.query_one("SELECT version, backup, updated_at FROM key_backups "
                                        "WHERE account_id = ?",
                                        {actor.account_id}));
    std::optional<KeyBackup> out;
    if (row) {
      KeyBackup b;
      HIPPO_ASSIGN_OR_RETURN(b.version, row->int64(0));
      HIPPO_ASSIGN_OR_RETURN(b.backup, row->blob(1));
      HIPPO_ASSIGN_OR_RETURN(b.updated_at, row->int64(2));
      out = std::move(b);
    }
    // The read and its audit record commit together.
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::record(actor, "key_backup.read", detail::account_resource(actor.account_id),
                           out ? "succeeded" : "failed",
                           out ? metadata(out->version, out->backup.size())
                               : std::string("reason=key_backup_not_found"))));
    return out;
  });
  if (!found) return found.error();
  if (!*found) return not_found();
  return std::move(**found);
}

Status KeyBackups::remove(const Actor& actor, std::int64_t step_up_until) {
  if (!stepped_up(step_up_until)) return refuse(actor, "key_backup.delete", step_up_required());
  auto deleted = store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t n,
        tx.execute("DELETE FROM key_backups WHERE account_id = ?", {actor.account_id}));
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::record(actor, "key_backup.delete", detail::account_resource(actor.account_id),
                           n == 1 ? "succeeded" : "failed",
                           n == 1 ? "" : "reason=key_backup_not_found")));
    return n;
  });
  if (!deleted) return deleted.error();
  if (*deleted != 1) return not_found();
  return ok_status();
}

}  // namespace hippocrate::messaging
