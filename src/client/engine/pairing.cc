#include "client/engine/pairing.h"

#include <algorithm>

#include "base/encoding.h"
#include "base/ids.h"
#include "client/engine/device_setup.h"
#include "e2ee/identity.h"
#include "e2ee/prekey_store.h"
#include "e2ee/wire.h"

namespace hippocrate::client {

Result<KeystoreData> pending_device_state(const std::string& account_id) {
  HIPPO_ASSIGN_OR_RETURN(auto device, e2ee::generate_device_identity(account_id, random_id()));
  KeystoreData data;
  data.device = std::move(device);
  return data;
}

Result<PairingPayload> pairing_payload(const KeystoreData& data, std::uint64_t now_seconds,
                                       e2ee::KeySource& keys) {
  // A signed prekey only; one-time prekeys come with the pairing's completion (their count
  // on the server is known then).
  HIPPO_ASSIGN_OR_RETURN(e2ee::PrekeyRefresh refresh,
                         e2ee::refresh_prekeys(data.device, data.prekeys,
                                               e2ee::kOneTimePrekeyLowWater, now_seconds, keys));
  PairingPayload out;
  if (refresh.new_signed_prekey) {
    out.next = data;
    out.next->prekeys = refresh.store;
  }
  const e2ee::PrekeyStore& store = out.next ? out.next->prekeys : data.prekeys;
  e2ee::Writer w;
  e2ee::write_device_identity(w, data.device.pub);
  if (const e2ee::SignedPrekey* current = e2ee::current_signed_prekey(store)) {
    e2ee::write_signed_prekey(w, current->pub);
  }
  out.payload = w.bytes();
  return out;
}

Result<PairingRequest> read_pairing_payload(std::span<const std::uint8_t> payload,
                                            const std::string& own_account,
                                            std::uint64_t now_seconds) {
  // The new device's identity, then (codes since the pairing prekey) its signed prekey.
  e2ee::Reader reader(payload, "pairing code");
  PairingRequest request{e2ee::read_device_identity(reader), std::nullopt};
  if (reader.remaining() > 0) request.signed_prekey = e2ee::read_signed_prekey(reader);
  HIPPO_RETURN_IF_ERROR(reader.finish());
  HIPPO_RETURN_IF_ERROR(e2ee::verify_device_identity(request.device));
  if (request.signed_prekey) {
    HIPPO_RETURN_IF_ERROR(
        e2ee::verify_signed_prekey(request.device, *request.signed_prekey, now_seconds));
  }
  if (request.device.account_id != own_account) {
    return Error::invalid_argument("pairing_other_account",
                                   "this pairing code is for a device of another account");
  }
  return request;
}

// --- ApproveDevice --------------------------------------------------------------------------

Step ApproveDevice::start() {
  engine_.forget_own_listing();  // a list to sign or check is read afresh
  HIPPO_FINISH_IF_ERROR(engine_.require_paired());
  stage_ = Stage::kOwnList;
  const std::string& me = engine_.me().account_id;
  if (auto ask = engine_.ask_listing(me)) return *ask;
  return with_own_list(engine_.take_listing(me, nullptr));
}

Step ApproveDevice::with_own_list(Answer listing) {
  if (!listing) return finish(listing.error());
  KeystoreData data = engine_.state();
  auto own = engine_.verify(data, engine_.me().account_id, *listing);
  if (!own) return finish(own.error());
  if (e2ee::find_device(own->current, request_.device.device_id) != nullptr) {
    return finish(Error::conflict("device_already_listed", "this device is already one of yours"));
  }
  devices_ = own->current.devices;
  devices_.push_back(request_.device);
  server_version_ = own->server_version;
  stage_ = Stage::kSeen;  // the list version seen, before signing the next one
  return engine_.commit(std::move(data));
}

Step ApproveDevice::resume(Answer answer) {
  switch (stage_) {
    case Stage::kOwnList:
      return with_own_list(engine_.take_listing(engine_.me().account_id, &answer));
    case Stage::kSeen: {
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      auto signed_list = sign_own_list(engine_.state(), server_version_, devices_, &request_.device,
                                       engine_.now_seconds());
      if (!signed_list) return finish(signed_list.error());
      register_ = std::move(signed_list->request);
      stage_ = Stage::kSigned;
      return engine_.commit(std::move(signed_list->next));
    }
    case Stage::kSigned:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      stage_ = Stage::kRegister;
      return engine_.request(std::move(register_));
    case Stage::kRegister: {
      if (!answer) return finish(answer.error());
      approved_.device_id = request_.device.device_id;
      approved_.account_key = engine_.state().contacts.at(engine_.me().account_id).account_key;
      if (!request_.signed_prekey) return finish(std::move(approved_));
      // Published now, with the registration: senders reach the new device at once, before
      // it completes the pairing (its one-time prekeys come then).
      e2ee::Writer w;
      e2ee::write_signed_prekey(w, *request_.signed_prekey);
      stage_ = Stage::kPrekey;
      return engine_.request({"PUT", "/api/v1/devices/" + request_.device.device_id + "/prekeys",
                              boost::json::object{{"signed_prekey", base64url_encode(w.bytes())}}},
                             /*keeps_devices=*/true);
    }
    case Stage::kPrekey:
      // Approved whatever happens here: a failure must not hide the account key the new
      // device needs; it publishes its prekey itself when it completes the pairing.
      if (!answer) approved_.prekey_not_published = answer.error();
      return finish(std::move(approved_));
  }
  return finish(Error::internal("operation_state", "approve: unknown stage"));
}

// --- CompletePairing ------------------------------------------------------------------------

Step CompletePairing::start() {
  engine_.forget_own_listing();  // a list to sign or check is read afresh
  HIPPO_FINISH_IF_ERROR(engine_.require_state());
  stage_ = Stage::kOwnList;
  const std::string& me = engine_.me().account_id;
  if (auto ask = engine_.ask_listing(me)) return *ask;
  return resume(engine_.take_listing(me, nullptr));
}

Step CompletePairing::resume(Answer answer) {
  const std::string& me = engine_.me().account_id;
  switch (stage_) {
    case Stage::kOwnList: {
      Answer listing = engine_.take_listing(me, &answer);
      if (!listing) return finish(listing.error());
      KeystoreData data = engine_.state();
      data.contacts[me] = ContactRecord{};
      data.contacts[me].account_key = account_key_;
      auto own = engine_.verify(data, me, *listing);
      if (!own) return finish(own.error());
      const e2ee::DevicePublicIdentity* listed =
          e2ee::find_device(own->current, engine_.device_id());
      if (listed == nullptr || *listed != data.device.pub) {
        return finish(Error::failed_precondition(
            "device_not_approved",
            "your device list does not include this device yet: approve it first on your "
            "other device, and check the account key you typed"));
      }
      data.own_devices.emplace();
      for (const auto& d : own->current.devices) data.own_devices->insert(d.device_id);
      stage_ = Stage::kCommit;
      return engine_.commit(std::move(data));
    }
    case Stage::kCommit:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      stage_ = Stage::kPrekeys;
      prekeys_ = std::make_unique<ReplenishPrekeys>(engine_);
      return with_prekeys(prekeys_->start());
    case Stage::kPrekeys: return with_prekeys(prekeys_->resume(std::move(answer)));
  }
  return finish(Error::internal("operation_state", "pairing: unknown stage"));
}

// ReplenishPrekeys run inside: its steps, then what follows it.
Step CompletePairing::with_prekeys(Step step) {
  return after_child(*prekeys_, std::move(step), [&](bool) { return finish(true); });
}

// --- RevokeDevice ---------------------------------------------------------------------------

Step RevokeDevice::start() {
  HIPPO_FINISH_IF_ERROR(engine_.require_paired());
  if (device_id_ == engine_.device_id()) {
    return finish(Error::invalid_argument(
        "revoking_this_device", "this is this device: revoke it from another of your devices"));
  }
  if (!engine_.state().account_key) {
    return finish(Error::failed_precondition(
        "account_key_missing",
        "this device does not hold your account key, which must sign your device list "
        "without the revoked device: revoke it on your first device"));
  }
  stage_ = Stage::kRevoke;
  return engine_.request({"POST", "/api/v1/devices/" + device_id_ + "/revoke", {}});
}

Step RevokeDevice::resume(Answer answer) {
  const std::string& me = engine_.me().account_id;
  switch (stage_) {
    case Stage::kRevoke: {
      if (!answer) return finish(answer.error());
      stage_ = Stage::kOwnList;
      if (auto ask = engine_.ask_listing(me)) return *ask;
      return finish(Error::internal("operation_state", "revoke: no listing request"));
    }
    case Stage::kOwnList: {
      Answer listing = engine_.take_listing(me, &answer);
      if (!listing) return finish(listing.error());
      KeystoreData data = engine_.state();
      auto own = engine_.verify(data, me, *listing);
      if (!own) return finish(own.error());
      std::erase_if(data.sessions, [&](const auto& s) { return s.first.device_id == device_id_; });
      devices_ = own->current.devices;
      std::erase_if(devices_, [&](const auto& d) { return d.device_id == device_id_; });
      server_version_ = own->server_version;
      stage_ = Stage::kSeen;
      return engine_.commit(std::move(data));
    }
    case Stage::kSeen: {
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      auto signed_list =
          sign_own_list(engine_.state(), server_version_, devices_, nullptr, engine_.now_seconds());
      if (!signed_list) return finish(signed_list.error());
      publish_ = std::move(signed_list->request);
      stage_ = Stage::kSigned;
      return engine_.commit(std::move(signed_list->next));
    }
    case Stage::kSigned:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      stage_ = Stage::kPublish;
      return engine_.request(std::move(publish_));
    case Stage::kPublish:
      if (!answer) return finish(answer.error());
      return finish(true);
  }
  return finish(Error::internal("operation_state", "revoke: unknown stage"));
}

}  // namespace hippocrate::client
