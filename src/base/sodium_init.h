// libsodium must be initialised once before any of its functions is used.
#pragma once

namespace hippocrate {

// Thread-safe and idempotent. Aborts the process if libsodium cannot initialise
// (no usable randomness source): nothing secure can run without it.
void ensure_sodium_initialized();

}  // namespace hippocrate
