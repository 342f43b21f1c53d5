#include "base/sodium_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace hippocrate {

void ensure_sodium_initialized() {
  static const bool initialized = [] {
    if (sodium_init() < 0) {
      std::fputs("fatal: libsodium failed to initialise\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)initialized;
}

}  // namespace hippocrate
