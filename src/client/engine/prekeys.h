// Keeping this device reachable (docs/protocol.md §2.4): reads the server's count of its
// one-time prekeys and the age of its signed prekey (from one's own listing when the engine
// holds it for this command, else GET …/prekeys/count), and when they run low makes new ones,
// commits their private halves FIRST (no uploaded prekey lacks its private key), then
// uploads the public halves. Run by SetUpDevice at every command, and after a pairing.
#pragma once

#include "client/engine/device_setup.h"
#include "client/engine/engine.h"
#include "client/engine/operation.h"

namespace hippocrate::client {

// The result: whether prekeys were uploaded.
class ReplenishPrekeys final : public OperationOf<bool> {
 public:
  explicit ReplenishPrekeys(Engine& engine) : engine_(engine) {}
  Step start() override;
  Step resume(Answer answer) override;

 private:
  enum class Stage { kCount, kCommit, kUpload };
  Engine& engine_;
  Stage stage_ = Stage::kCount;
  ApiRequest upload_;
};

}  // namespace hippocrate::client
