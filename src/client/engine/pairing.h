// One's own devices (docs/protocol.md §2.2, "Pairing" and "Revocation"): a new device joins
// the account only when a device holding the account key signs a list naming it — never by
// silently creating a new identity — and a revoked device is left out of a new signed list.
//
//   new device                              device with the account key
//   pending_device_state()   (commit)
//   pairing_payload()        → code  ─────→ ApproveDevice(code): signs the list with it,
//                                           registers it with its signed prekey
//   CompletePairing(account key) ←───────── the account key (public), told by the user
//     pins it, checks the signed list names this device as it is, uploads prekeys
//
// RevokeDevice(id), on a device holding the account key: the server stops routing to it
// (POST /api/v1/devices/{id}/revoke), the sessions with it are dropped, and the new list
// without it is signed and published.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "base/error.h"
#include "base/result.h"
#include "client/engine/device_lists.h"
#include "client/engine/engine.h"
#include "client/engine/operation.h"
#include "client/engine/prekeys.h"
#include "e2ee/device_list.h"
#include "e2ee/prekeys.h"

namespace hippocrate::client {

// The keystore of a device waiting to be paired: a fresh identity for `account_id`, no
// account key. Commit it before making its pairing payload.
Result<KeystoreData> pending_device_state(const std::string& account_id);

// The pending device's pairing payload: its public identity, then its current signed
// prekey — made (or rotated) here when needed, the state holding its private half to commit
// FIRST — so that the approving device publishes it with the registration and the new
// device can be sent to before it completes the pairing.
struct PairingPayload {
  std::optional<KeystoreData> next;  // set: commit before handing out `payload`
  Bytes payload;
};
Result<PairingPayload> pairing_payload(const KeystoreData& data, std::uint64_t now_seconds,
                                       e2ee::KeySource& keys);

// A payload decoded and checked: the identity's self-signature, the prekey's signature and
// age, the account. Errors: e2ee_* (malformed, bad signature), pairing_other_account.
struct PairingRequest {
  e2ee::DevicePublicIdentity device;
  std::optional<e2ee::SignedPrekeyPublic> signed_prekey;
};
Result<PairingRequest> read_pairing_payload(std::span<const std::uint8_t> payload,
                                            const std::string& own_account,
                                            std::uint64_t now_seconds);

struct DeviceApproved {
  std::string device_id;
  e2ee::PublicKey account_key{};  // to give to the new device (public)
  // The new device's signed prekey could not be published with the registration (why):
  // the device is approved all the same and publishes it itself when it completes pairing.
  std::optional<Error> prekey_not_published;
};

class ApproveDevice final : public OperationOf<DeviceApproved> {
 public:
  ApproveDevice(Engine& engine, PairingRequest request)
      : engine_(engine), request_(std::move(request)) {}
  Step start() override;
  Step resume(Answer answer) override;

 private:
  enum class Stage { kOwnList, kSeen, kSigned, kRegister, kPrekey };
  Step with_own_list(Answer listing);
  Engine& engine_;
  const PairingRequest request_;
  Stage stage_ = Stage::kOwnList;
  std::vector<e2ee::DevicePublicIdentity> devices_;
  std::int64_t server_version_ = 0;
  ApiRequest register_;
  DeviceApproved approved_;
};

class CompletePairing final : public OperationOf<bool> {
 public:
  CompletePairing(Engine& engine, const e2ee::PublicKey& account_key)
      : engine_(engine), account_key_(account_key) {}
  Step start() override;
  Step resume(Answer answer) override;

 private:
  Step with_prekeys(Step step);
  enum class Stage { kOwnList, kCommit, kPrekeys };
  Engine& engine_;
  const e2ee::PublicKey account_key_;
  Stage stage_ = Stage::kOwnList;
  std::unique_ptr<ReplenishPrekeys> prekeys_;
};

// Errors before anything is done: revoking_this_device, account_key_missing.
class RevokeDevice final : public OperationOf<bool> {
 public:
  RevokeDevice(Engine& engine, std::string device_id)
      : engine_(engine), device_id_(std::move(device_id)) {}
  Step start() override;
  Step resume(Answer answer) override;

 private:
  enum class Stage { kRevoke, kOwnList, kSeen, kSigned, kPublish };
  Engine& engine_;
  const std::string device_id_;
  Stage stage_ = Stage::kRevoke;
  ApiRequest publish_;
  std::vector<e2ee::DevicePublicIdentity> devices_;
  std::int64_t server_version_ = 0;
};

}  // namespace hippocrate::client
