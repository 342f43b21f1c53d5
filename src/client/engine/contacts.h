// The accounts one may message (GET /api/v1/contacts: patients in an active care
// relationship with a practitioner, staff of one's organisation), set on the engine for
// who_is and resolve. Display data: whom one may message is the server's decision, and
// whose keys one trusts the keystore's (device_lists.h).
#pragma once

#include <vector>

#include "client/engine/account.h"
#include "client/engine/engine.h"
#include "client/engine/operation.h"

namespace hippocrate::client {

class FetchContacts final : public OperationOf<std::vector<AccountInfo>> {
 public:
  explicit FetchContacts(Engine& engine) : engine_(engine) {}
  // No request when the engine has them already.
  Step start() override;
  Step resume(Answer answer) override;

 private:
  Engine& engine_;
};

}  // namespace hippocrate::client
