#include "client/engine/recovery.h"

#include <algorithm>

#include "base/encoding.h"
#include "client/engine/device_setup.h"
#include "client/engine/json_fields.h"
#include "client/engine/pairing.h"
#include "e2ee/device_list.h"
#include "e2ee/key_backup.h"

namespace hippocrate::client {

namespace json = boost::json;

// --- ReplaceKeyBackup -----------------------------------------------------------------------

Step ReplaceKeyBackup::start() {
  if (!engine_.has_state() || !engine_.state().account_key ||
      !engine_.state().account_key->secret_key) {
    return finish(Error::failed_precondition(
        "account_key_missing",
        "this device does not hold your account key: do this on your first device (the one "
        "that set up messaging) or on a restored one"));
  }
  if (version_) return upload(*version_);
  stage_ = Stage::kCurrent;
  return engine_.request({"GET", "/api/v1/me/key-backup", {}});
}

Step ReplaceKeyBackup::upload(std::int64_t version) {
  made_.version = version;
  made_.recovery_key = e2ee::generate_recovery_key();
  auto sealed = e2ee::seal_key_backup(made_.recovery_key, *engine_.state().account_key,
                                      static_cast<std::uint64_t>(version));
  if (!sealed) return finish(sealed.error());
  stage_ = Stage::kUpload;
  return engine_.request(
      {"PUT", "/api/v1/me/key-backup",
       json::object{{"backup", base64url_encode(*sealed)}, {"version", version}}},
      /*keeps_devices=*/true);
}

Step ReplaceKeyBackup::resume(Answer answer) {
  switch (stage_) {
    case Stage::kCurrent:
      if (answer) return upload(json_int(*answer, "version") + 1);
      if (answer.error().code() == "key_backup_not_found") return upload(1);
      return finish(answer.error());
    case Stage::kUpload:
      if (!answer) return finish(answer.error());
      return finish(std::move(made_));
  }
  return finish(Error::internal("operation_state", "key backup: unknown stage"));
}

// --- RestoreAccount -------------------------------------------------------------------------

namespace {

Error not_current(const std::string& what) {
  return Error::failed_precondition("key_backup_not_current", what + ": nothing was changed");
}

// The account key in the backup must be the one that signed the account's current device
// list: else restoring it would not give the same identity.
Result<e2ee::DeviceList> check_against_listing(const e2ee::AccountKey& restored,
                                               const json::object& own) {
  auto published = base64url_decode(json_string(own, "device_list"));
  if (!published || published->size() < 1 + e2ee::kKeyBytes || (*published)[0] != 0x01 ||
      !std::equal(restored.public_key.begin(), restored.public_key.end(), published->begin() + 1)) {
    return not_current("the key in your backup is not the one that signs your account's devices");
  }
  auto list = e2ee::verify_device_list(std::span(*published).subspan(1 + e2ee::kKeyBytes),
                                       restored.public_key, restored.account_id, 0);
  if (!list)
    return not_current("your account's device list does not verify under the key in your backup");
  return std::move(*list);
}

}  // namespace

Step RestoreAccount::start() {
  if (!engine_.paired()) return fetch_backup();
  // A restore interrupted after its keystore write may run again: this device is then not
  // registered yet. A registered one is set up already.
  stage_ = Stage::kCheckList;
  const std::string& me = engine_.me().account_id;
  if (auto ask = engine_.ask_listing(me)) return *ask;
  return resume(engine_.take_listing(me, nullptr));
}

Step RestoreAccount::fetch_backup() {
  stage_ = Stage::kBackup;
  return engine_.request({"GET", "/api/v1/me/key-backup", {}});
}

Step RestoreAccount::open_backup(Answer answer) {
  if (!answer) {
    if (answer.error().code() != "key_backup_not_found") return finish(answer.error());
    return finish(Error::failed_precondition(
        "key_backup_not_found",
        "your account has no key backup, so your account key cannot be restored"));
  }
  auto blob = base64url_decode(json_string(*answer, "backup"));
  if (!blob)
    return finish(Error::internal("unexpected_response", "the key backup is not base64url"));
  auto header = e2ee::read_key_backup_header(*blob);
  if (!header) return finish(header.error());
  if (static_cast<std::int64_t>(header->version) != json_int(*answer, "version")) {
    return finish(not_current("the key backup's version is not the server's"));
  }
  // A wrong recovery key stops here, with nothing changed.
  auto opened = e2ee::open_key_backup(*blob, recovery_key_, engine_.me().account_id);
  if (!opened) {
    return finish(Error(opened.error().kind(), opened.error().code(),
                        opened.error().message() + ": nothing was changed"));
  }
  account_key_ = std::move(*opened);
  stage_ = Stage::kOwnList;
  const std::string& me = engine_.me().account_id;
  if (auto ask = engine_.ask_listing(me)) return *ask;
  return with_own_list(engine_.take_listing(me, nullptr));
}

Step RestoreAccount::with_own_list(Answer listing) {
  if (!listing) return finish(listing.error());
  auto list = check_against_listing(*account_key_, *listing);
  if (!list) return finish(list.error());
  server_version_ = json_int(*listing, "device_list_version");
  for (const auto& d : json_array(*listing, "devices")) {
    if (!d.is_object()) continue;
    const auto& o = d.as_object();
    const std::string id = json_string(o, "device_id");
    const auto* revoked = o.if_contains("revoked_at");
    if ((engine_.has_state() && id == engine_.device_id()) || (revoked && !revoked->is_null())) {
      continue;
    }
    to_revoke_.push_back(id);
  }
  // This device holds the account key first (keystore before anything else: no list is
  // signed by a key this device could lose), then the lost devices are revoked.
  KeystoreData data;
  if (engine_.has_state()) {
    data = engine_.state();
  } else {
    auto pending = pending_device_state(engine_.me().account_id);
    if (!pending) return finish(pending.error());
    data = std::move(*pending);
  }
  ContactRecord self;
  self.account_key = account_key_->public_key;
  data.contacts[engine_.me().account_id] = self;
  data.device_list_versions[engine_.me().account_id] = list->version;
  data.account_key = std::move(*account_key_);
  stage_ = Stage::kStored;
  return engine_.commit(std::move(data));
}

Step RestoreAccount::next_revocation() {
  if (revoked_ < to_revoke_.size()) {
    stage_ = Stage::kRevoke;
    return engine_.request({"POST", "/api/v1/devices/" + to_revoke_[revoked_++] + "/revoke", {}});
  }
  auto signed_list = sign_own_list(engine_.state(), server_version_, {engine_.state().device.pub},
                                   &engine_.state().device.pub, engine_.now_seconds());
  if (!signed_list) return finish(signed_list.error());
  register_ = std::move(signed_list->request);
  stage_ = Stage::kSigned;
  return engine_.commit(std::move(signed_list->next));
}

Step RestoreAccount::resume(Answer answer) {
  const std::string& me = engine_.me().account_id;
  switch (stage_) {
    case Stage::kCheckList: {
      Answer listing = engine_.take_listing(me, &answer);
      if (!listing) return finish(listing.error());
      if (registration_of(engine_.state(), *listing) != Registration::kAbsent) {
        return finish(Error::failed_precondition(
            "already_set_up",
            "this profile is already one of your messaging devices: restore is for a new profile"));
      }
      return fetch_backup();
    }
    case Stage::kBackup: return open_backup(std::move(answer));
    case Stage::kOwnList: return with_own_list(engine_.take_listing(me, &answer));
    case Stage::kStored: HIPPO_FINISH_IF_ERROR(engine_.committed(answer)); return next_revocation();
    case Stage::kRevoke:
      if (!answer) return finish(answer.error());
      restored_.revoked_devices.push_back(to_revoke_[revoked_ - 1]);
      return next_revocation();
    case Stage::kSigned:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      stage_ = Stage::kRegister;
      return engine_.request(std::move(register_));
    case Stage::kRegister:
      if (!answer) return finish(answer.error());
      stage_ = Stage::kPrekeys;
      prekeys_ = std::make_unique<ReplenishPrekeys>(engine_);
      return with_prekeys(prekeys_->start());
    case Stage::kPrekeys: return with_prekeys(prekeys_->resume(std::move(answer)));
  }
  return finish(Error::internal("operation_state", "restore: unknown stage"));
}

// ReplenishPrekeys run inside: its steps, then what follows it.
Step RestoreAccount::with_prekeys(Step step) {
  return after_child(*prekeys_, std::move(step),
                     [&](bool) { return finish(std::move(restored_)); });
}

}  // namespace hippocrate::client
