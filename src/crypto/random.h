// Randomness from libsodium's CSPRNG (getrandom(2) on Linux).
//
// Contract: every function here either succeeds or aborts the process — a machine without a
// working randomness source cannot run Hippocrate safely (see base/sodium_init.h).
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/encoding.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto {

// `n` random bytes for values that are not secret (nonces, salts, public identifiers).
Bytes random_bytes(std::size_t n);

// `n` random bytes for key material, in a SecretBytes (locked, wiped on release).
SecretBytes random_secret(std::size_t n);

// Overwrites `out` with random bytes.
void fill_random(std::span<std::uint8_t> out);

// A uniformly distributed integer in [0, upper), without modulo bias
// (randombytes_uniform). Precondition: upper > 0; uniform(0) returns 0.
std::uint32_t uniform(std::uint32_t upper);

}  // namespace hippocrate::crypto
