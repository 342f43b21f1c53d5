#include "client/engine/set_up.h"

#include "client/engine/device_setup.h"
#include "client/engine/json_fields.h"

namespace hippocrate::client {

Step SetUpDevice::start() {
  // The start of a command: what the server says now, not what an engine kept from an
  // earlier one (a browser tab keeps its engine for the whole session).
  engine_.forget_listings();
  const std::string& me = engine_.me().account_id;
  if (!engine_.has_state()) {
    stage_ = Stage::kFirstList;
    if (auto ask = engine_.ask_listing(me)) return *ask;
    return first_device(engine_.take_listing(me, nullptr));
  }
  if (!engine_.paired()) {
    return finish(
        Error::failed_precondition("device_not_paired", "this device is waiting to be paired"));
  }
  stage_ = Stage::kRegList;
  if (auto ask = engine_.ask_listing(me)) return *ask;
  return registration(engine_.take_listing(me, nullptr));
}

Step SetUpDevice::resume(Answer answer) {
  const std::string& me = engine_.me().account_id;
  switch (stage_) {
    case Stage::kFirstList: return first_device(engine_.take_listing(me, &answer));
    case Stage::kFirstState: {
      // Written before anything is uploaded: no public key on the server without its secret.
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      ready_.first_device = true;
      return publish({engine_.state().device.pub}, 0, Stage::kFirstSigned);
    }
    case Stage::kFirstSigned:
    case Stage::kRegSigned:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      stage_ = stage_ == Stage::kFirstSigned ? Stage::kFirstPut : Stage::kRegPut;
      return engine_.request(std::move(pending_request_));
    case Stage::kFirstPut:
    case Stage::kRegPut:
      if (!answer) return finish(answer.error());
      return replenish();
    case Stage::kRegList: return registration(engine_.take_listing(me, &answer));
    case Stage::kPrekeys: return with_prekeys(prekeys_->resume(std::move(answer)));
    case Stage::kOwnList: return own_devices(engine_.take_listing(me, &answer));
    case Stage::kOwnSeen:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      return finish(std::move(ready_));
  }
  return finish(Error::internal("operation_state", "set-up: unknown stage"));
}

Step SetUpDevice::first_device(Answer listing) {
  if (!listing) return finish(listing.error());
  if (json_int(*listing, "device_list_version") != 0) {
    return finish(Error::failed_precondition(
        "device_not_paired",
        "your account already has messaging devices: pair this device with one of them, or, "
        "if you lost all of them, restore your account key with your recovery key"));
  }
  auto state = first_device_state(engine_.me().account_id);
  if (!state) return finish(state.error());
  stage_ = Stage::kFirstState;
  return engine_.commit(std::move(*state));
}

Step SetUpDevice::registration(Answer listing) {
  if (!listing) return finish(listing.error());
  switch (registration_of(engine_.state(), *listing)) {
    case Registration::kRegistered: return replenish();
    case Registration::kRevoked:
      return finish(Error::failed_precondition(
          "device_revoked", "this device was revoked: it can no longer send or receive"));
    case Registration::kAbsent: break;
  }
  // Not on the server: the first registration was interrupted (the keystore is written
  // first). Registered again with a new list of the current devices plus this one.
  const std::int64_t version = json_int(*listing, "device_list_version");
  std::vector<e2ee::DevicePublicIdentity> current;
  if (version != 0) {
    KeystoreData data = engine_.state();
    auto own = engine_.verify(data, engine_.me().account_id, *listing);
    if (!own) return finish(own.error());
    current = own->current.devices;
  }
  current.push_back(engine_.state().device.pub);
  return publish(current, version, Stage::kRegSigned);
}

Step SetUpDevice::publish(const std::vector<e2ee::DevicePublicIdentity>& devices,
                          std::int64_t server_version, Stage next) {
  auto signed_list = sign_own_list(engine_.state(), server_version, devices,
                                   &engine_.state().device.pub, engine_.now_seconds());
  if (!signed_list) return finish(signed_list.error());
  pending_request_ = std::move(signed_list->request);
  stage_ = next;
  return engine_.commit(std::move(signed_list->next));
}

Step SetUpDevice::replenish() {
  stage_ = Stage::kPrekeys;
  prekeys_ = std::make_unique<ReplenishPrekeys>(engine_);
  return with_prekeys(prekeys_->start());
}

Step SetUpDevice::check_own_devices() {
  const std::string& me = engine_.me().account_id;
  stage_ = Stage::kOwnList;
  if (auto ask = engine_.ask_listing(me)) return *ask;
  return own_devices(engine_.take_listing(me, nullptr));
}

Step SetUpDevice::own_devices(Answer listing) {
  if (!listing) return finish(listing.error());
  KeystoreData data = engine_.state();
  auto own = engine_.verify(data, engine_.me().account_id, *listing);
  if (!own) return finish(own.error());
  const OwnDeviceChanges changes = own_device_changes(data, *own);
  if (!changes.changed && data.device_list_versions == engine_.state().device_list_versions) {
    return finish(std::move(ready_));
  }
  for (const auto& id : changes.added)
    ready_.devices_added.emplace_back(id, own->registered_at[id]);
  ready_.devices_removed = changes.removed;
  // Told once: the next run compares with this set.
  data.own_devices.emplace();
  for (const auto& d : own->current.devices) data.own_devices->insert(d.device_id);
  stage_ = Stage::kOwnSeen;
  return engine_.commit(std::move(data));
}

// ReplenishPrekeys run inside: its steps, then what follows it.
Step SetUpDevice::with_prekeys(Step step) {
  return after_child(*prekeys_, std::move(step), [&](bool) { return check_own_devices(); });
}

}  // namespace hippocrate::client
