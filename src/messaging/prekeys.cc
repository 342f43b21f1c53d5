#include "messaging/prekeys.h"

#include <algorithm>
#include <set>

#include "messaging/audit_records.h"
#include "messaging/contact_policy.h"
#include "messaging/devices.h"
#include "store/row_decode.h"

namespace hippocrate::messaging {
namespace {

Error invalid(std::string_view field, std::string_view what) {
  return Error::invalid_argument("invalid_field",
                                 "the field '" + std::string(field) + "' " + std::string(what));
}

Status validate(const PrekeyUpload& upload) {
  if (!upload.signed_prekey && upload.one_time.empty()) {
    return Error::invalid_argument("missing_field",
                                   "send 'signed_prekey', 'one_time_prekeys' or both");
  }
  if (upload.signed_prekey &&
      (upload.signed_prekey->empty() || upload.signed_prekey->size() > kMaxSignedPrekeyBytes)) {
    return invalid("signed_prekey", "must hold 1 to 512 bytes");
  }
  if (upload.one_time.size() > kMaxPrekeysPerUpload) {
    return invalid("one_time_prekeys", "holds more than 200 keys");
  }
  std::set<std::uint32_t> ids;
  for (const auto& k : upload.one_time) {
    if (k.key.empty() || k.key.size() > kMaxOneTimePrekeyBytes) {
      return invalid("one_time_prekeys", "keys must hold 1 to 256 bytes");
    }
    if (!ids.insert(k.id).second) {
      return Error::conflict("duplicate_prekey_id", "a one-time prekey id appears twice");
    }
  }
  return ok_status();
}

Result<std::int64_t> one_time_count(store::Transaction& tx, const std::string& device_id) {
  HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM one_time_prekeys WHERE "
                                                "device_id = ?",
                                                {device_id}));
  return row ? row->int64(0) : Result<std::int64_t>(std::int64_t{0});
}

}  // namespace

Result<std::int64_t> PrekeyStore::upload(const Actor& actor, const std::string& device_id,
                                         const PrekeyUpload& upload) {
  HIPPO_RETURN_IF_ERROR(validate(upload));
  const std::int64_t now = unix_seconds(clock_.now());
  return store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
    HIPPO_ASSIGN_OR_RETURN(std::int64_t stored, one_time_count(tx, device_id));
    if (stored + static_cast<std::int64_t>(upload.one_time.size()) > kMaxPrekeysStored) {
      return Error::conflict("too_many_prekeys", "a device stores at most 1000 one-time prekeys");
    }
    if (upload.signed_prekey) {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("DELETE FROM signed_prekeys WHERE device_id = ?", {device_id}));
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO signed_prekeys (device_id, blob, uploaded_at) VALUES (?, ?, ?)",
                     {device_id, *upload.signed_prekey, now}));
    }
    for (const auto& k : upload.one_time) {
      const std::int64_t key_id = k.id;
      HIPPO_ASSIGN_OR_RETURN(auto taken, tx.query_one("SELECT 1 FROM one_time_prekeys WHERE "
                                                      "device_id = ? AND key_id = ?",
                                                      {device_id, key_id}));
      if (taken) {
        return Error::conflict("duplicate_prekey_id",
                               "one-time prekey id " + std::to_string(k.id) + " was already used");
      }
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO one_time_prekeys (device_id, key_id, prekey) VALUES (?, ?, ?)",
                     {device_id, key_id, k.key}));
    }
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::record(actor, "prekeys.upload", detail::device_resource(device_id), "succeeded",
                           std::string("signed=") + (upload.signed_prekey ? "1" : "0") +
                               ",one_time=" + std::to_string(upload.one_time.size()),
                           device_id)));
    return stored + static_cast<std::int64_t>(upload.one_time.size());
  });
}

Result<PrekeyCount> PrekeyStore::count(const Actor& actor, const std::string& device_id) {
  return store_.read([&](store::Transaction& tx) -> Result<PrekeyCount> {
    HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
    PrekeyCount out;
    HIPPO_ASSIGN_OR_RETURN(out.one_time, one_time_count(tx, device_id));
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT uploaded_at FROM signed_prekeys "
                                                  "WHERE device_id = ?",
                                                  {device_id}));
    if (row) {
      HIPPO_ASSIGN_OR_RETURN(std::int64_t at, row->int64(0));
      out.signed_prekey_uploaded_at = at;
    }
    return out;
  });
}

Result<BundleSet> PrekeyStore::claim(const Actor& actor, const std::string& account_id,
                                     const std::optional<std::vector<std::string>>& device_ids) {
  if (device_ids && device_ids->size() > kMaxDevicesPerAccount) {
    return invalid("device_ids", "names more than 16 devices");
  }
  bool refused = false;
  auto out = store_.write([&](store::Transaction& tx) -> Result<BundleSet> {
    HIPPO_ASSIGN_OR_RETURN(access::Decision d, contact_policy(tx, actor, account_id));
    if (!d) {
      refused = true;  // commit the refusal's record, answer 403 below
      HIPPO_RETURN_IF_ERROR(audit_.append(
          tx, detail::record(actor, "prekeys.claim", detail::account_resource(account_id), "denied",
                             "reason=" + d.reason)));
      return BundleSet{};
    }
    BundleSet set;
    set.account_id = account_id;
    HIPPO_ASSIGN_OR_RETURN(auto list, stored_device_list(tx, account_id));
    if (list) {
      set.device_list = std::move(list->first);
      set.device_list_version = list->second;
    }
    HIPPO_ASSIGN_OR_RETURN(auto rows,
                           tx.query("SELECT d.id, d.identity, s.blob FROM devices d LEFT JOIN "
                                    "signed_prekeys s ON s.device_id = d.id WHERE d.account_id = "
                                    "? AND d.revoked_at IS NULL ORDER BY d.id",
                                    {account_id}));
    std::int64_t one_time_handed = 0;
    for (const auto& row : rows) {
      PrekeyBundle b;
      HIPPO_ASSIGN_OR_RETURN(b.device_id, row.text(0));
      if (device_ids &&
          std::find(device_ids->begin(), device_ids->end(), b.device_id) == device_ids->end()) {
        continue;
      }
      HIPPO_RETURN_IF_ERROR(store::read_columns_from(row, 1, b.identity, b.signed_prekey));
      // Lowest id first; a key counts as handed out only if this DELETE removed it.
      for (int attempt = 0; attempt < 8 && !b.one_time_prekey; ++attempt) {
        HIPPO_ASSIGN_OR_RETURN(auto key, tx.query_one("SELECT key_id, prekey FROM "
                                                      "one_time_prekeys WHERE device_id = ? "
                                                      "ORDER BY key_id LIMIT 1",
                                                      {b.device_id}));
        if (!key) break;
        std::int64_t key_id = 0;
        Bytes key_bytes;
        HIPPO_RETURN_IF_ERROR(store::read_columns(*key, key_id, key_bytes));
        HIPPO_ASSIGN_OR_RETURN(std::int64_t n, tx.execute("DELETE FROM one_time_prekeys WHERE "
                                                          "device_id = ? AND key_id = ?",
                                                          {b.device_id, key_id}));
        if (n == 1) {
          b.one_time_prekey =
              OneTimePrekey{static_cast<std::uint32_t>(key_id), std::move(key_bytes)};
          ++one_time_handed;
        }
      }
      set.bundles.push_back(std::move(b));
    }
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx,
        detail::record(actor, "prekeys.claim", detail::account_resource(account_id), "succeeded",
                       "devices=" + std::to_string(set.bundles.size()) +
                           ",one_time=" + std::to_string(one_time_handed))));
    return set;
  });
  if (!out) return out;
  if (refused) return contact_not_permitted();
  return out;
}

}  // namespace hippocrate::messaging
