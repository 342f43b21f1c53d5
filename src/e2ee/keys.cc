#include "e2ee/keys.h"

namespace hippocrate::e2ee {
namespace {

class SystemKeySource final : public KeySource {
 public:
  crypto::X25519KeyPair generate_x25519() override { return crypto::x25519_generate(); }
};

}  // namespace

KeySource& system_key_source() {
  static SystemKeySource source;
  return source;
}

}  // namespace hippocrate::e2ee
