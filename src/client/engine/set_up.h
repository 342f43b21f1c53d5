// Making this device ready to send and receive (docs/protocol.md §2), run at the start of
// every messaging command:
//   - no keystore yet: registers the account's first device (a new account key and device
//     identity, committed — the host creates its store — before anything is uploaded),
//     refused with "device_not_paired" when the account already has devices (pair this one,
//     or restore the account key with the recovery key);
//   - a keystore whose device waits for pairing: "device_not_paired";
//   - a device absent from the server (an interrupted first registration): registers it
//     again with a new own list of the current devices plus this one; a revoked device:
//     "device_revoked";
//   - replenishes the signed and one-time prekeys when the server runs low (§2.4), the
//     private halves committed first;
//   - compares one's own current devices with those last told to the user: the devices
//     added and removed since (told once: the new set is committed).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client/engine/device_lists.h"
#include "client/engine/engine.h"
#include "client/engine/operation.h"
#include "client/engine/prekeys.h"

namespace hippocrate::client {

struct DeviceReady {
  bool first_device = false;  // this run registered the account's first device
  std::vector<std::pair<std::string, std::int64_t>> devices_added;  // (id, registered_at)
  std::vector<std::string> devices_removed;
};

class SetUpDevice final : public OperationOf<DeviceReady> {
 public:
  explicit SetUpDevice(Engine& engine) : engine_(engine) {}
  Step start() override;
  Step resume(Answer answer) override;

 private:
  Step with_prekeys(Step step);
  enum class Stage {
    kFirstList,
    kFirstState,
    kFirstSigned,
    kFirstPut,  // the account's first device
    kRegList,
    kRegSigned,
    kRegPut,   // this device on the server
    kPrekeys,  // ReplenishPrekeys
    kOwnList,
    kOwnSeen,  // one's own devices, told once
  };
  Step first_device(Answer listing);
  Step registration(Answer listing);
  Step publish(const std::vector<e2ee::DevicePublicIdentity>& devices, std::int64_t server_version,
               Stage next);
  Step replenish();
  Step check_own_devices();
  Step own_devices(Answer listing);

  Engine& engine_;
  Stage stage_ = Stage::kFirstList;
  ApiRequest pending_request_;  // sent once the state that goes with it is committed
  std::unique_ptr<ReplenishPrekeys> prekeys_;
  DeviceReady ready_;
};

}  // namespace hippocrate::client
