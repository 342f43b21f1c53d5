// Recovery when every device is lost (docs/messaging.md "Key backup", docs/protocol.md
// §2.3): the account key sealed under a recovery key that only the user holds (shown once,
// never stored), kept by the server as an opaque blob it hands out after a step-up only.
//   ReplaceKeyBackup  seals this device's account key under a NEW recovery key, as the next
//                     backup version (the old key stops working), and uploads it;
//   RestoreAccount    on a new profile: downloads the backup, opens it with the recovery key
//                     (a wrong key changes nothing), checks it is the key that signs the
//                     account's current device list, stores it (keystore first), revokes the
//                     lost devices, registers this one alone in a new signed list, and
//                     uploads its prekeys. Contacts see no key change: safety numbers stay.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/secret_bytes.h"
#include "client/engine/engine.h"
#include "client/engine/operation.h"
#include "client/engine/prekeys.h"
#include "e2ee/keys.h"

namespace hippocrate::client {

struct NewRecoveryKey {
  SecretBytes recovery_key;  // to show once
  std::int64_t version = 0;
};

// `version`: the backup version to write; none reads the current one first and writes the
// next. Errors: account_key_missing (this device does not hold it), the server's.
class ReplaceKeyBackup final : public OperationOf<NewRecoveryKey> {
 public:
  explicit ReplaceKeyBackup(Engine& engine, std::optional<std::int64_t> version = std::nullopt)
      : engine_(engine), version_(version) {}
  Step start() override;
  Step resume(Answer answer) override;

 private:
  enum class Stage { kCurrent, kUpload };
  Step upload(std::int64_t version);
  Engine& engine_;
  std::optional<std::int64_t> version_;
  Stage stage_ = Stage::kCurrent;
  NewRecoveryKey made_;
};

struct Restored {
  std::vector<std::string> revoked_devices;
};

// Errors: already_set_up (this profile is a registered device), key_backup_not_found,
// key_backup_not_current (the backup's version or key is not the account's current one),
// e2ee_* (a wrong recovery key, a damaged backup): nothing is changed by any of them.
class RestoreAccount final : public OperationOf<Restored> {
 public:
  RestoreAccount(Engine& engine, SecretBytes recovery_key)
      : engine_(engine), recovery_key_(std::move(recovery_key)) {}
  Step start() override;
  Step resume(Answer answer) override;

 private:
  Step with_prekeys(Step step);
  enum class Stage {
    kCheckList,
    kBackup,
    kOwnList,
    kStored,
    kRevoke,
    kSigned,
    kRegister,
    kPrekeys
  };
  Step fetch_backup();
  Step open_backup(Answer answer);
  Step with_own_list(Answer listing);
  Step next_revocation();

  Engine& engine_;
  const SecretBytes recovery_key_;
  Stage stage_ = Stage::kCheckList;
  std::optional<e2ee::AccountKey> account_key_;
  std::vector<std::string> to_revoke_;
  std::size_t revoked_ = 0;
  std::int64_t server_version_ = 0;
  ApiRequest register_;
  std::unique_ptr<ReplenishPrekeys> prekeys_;
  Restored restored_;
};

}  // namespace hippocrate::client
