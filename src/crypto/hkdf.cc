#include "crypto/hkdf.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/sodium_init.h"

namespace hippocrate::crypto {
namespace {

// Intermediate values (PRK, T(i)) live on the stack and are wiped before returning; only
// the results are SecretBytes.
using Block = std::array<std::uint8_t, kHkdfSha256HashLen>;

void extract_into(std::span<const std::uint8_t> salt, std::span<const std::uint8_t> ikm,
                  std::uint8_t* prk) {
  // RFC 5869 §2.2: "if not provided, [salt] is set to a string of HashLen zeros".
  static constexpr Block kZeroSalt{};
  if (salt.empty()) salt = kZeroSalt;
  // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM) — the salt is the HMAC key.
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, salt.data(), salt.size());
  crypto_auth_hmacsha256_update(&state, ikm.data(), ikm.size());
  crypto_auth_hmacsha256_final(&state, prk);
  sodium_memzero(&state, sizeof state);
}

Status check_expand(std::span<const std::uint8_t> prk, std::size_t length) {
  // RFC 5869 §2.3: PRK is "a pseudorandom key of at least HashLen octets".
  if (prk.size() < kHkdfSha256HashLen) {
    return Error::invalid_argument("invalid_key_length",
                                   "the HKDF pseudorandom key must be at least 32 bytes");
  }
  // RFC 5869 §2.3: L <= 255*HashLen.
  if (length == 0 || length > kHkdfSha256MaxOutput) {
    return Error::invalid_argument("invalid_output_length",
                                   "HKDF-SHA256 output must be between 1 and 8160 bytes");
  }
  return ok_status();
}

// Precondition: check_expand(prk, okm.size()) succeeded.
void expand_into(std::span<const std::uint8_t> prk, std::span<const std::uint8_t> info,
                 std::span<std::uint8_t> okm) {
  Block t{};  // T(i); T(0) is the empty string
  std::size_t t_len = 0;
  std::size_t done = 0;
  for (std::uint8_t i = 1; done < okm.size(); ++i) {  // i <= 255 since L <= 255*HashLen
    // RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), i a single octet from 0x01.
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, prk.data(), prk.size());
    crypto_auth_hmacsha256_update(&state, t.data(), t_len);
    crypto_auth_hmacsha256_update(&state, info.data(), info.size());
    crypto_auth_hmacsha256_update(&state, &i, 1);
    crypto_auth_hmacsha256_final(&state, t.data());
    sodium_memzero(&state, sizeof state);
    t_len = t.size();
    // RFC 5869 §2.3: OKM = first L octets of T = T(1) | T(2) | ... | T(N).
    const std::size_t take = std::min(t.size(), okm.size() - done);
    std::memcpy(okm.data() + done, t.data(), take);
    done += take;
  }
  sodium_memzero(t.data(), t.size());
}

}  // namespace

SecretBytes hkdf_sha256_extract(std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> ikm) {
  ensure_sodium_initialized();
  SecretBytes prk(kHkdfSha256HashLen);
  extract_into(salt, ikm, prk.data());
  return prk;
}

Result<SecretBytes> hkdf_sha256_expand(std::span<const std::uint8_t> prk,
                                       std::span<const std::uint8_t> info, std::size_t length) {
  HIPPO_RETURN_IF_ERROR(check_expand(prk, length));
  ensure_sodium_initialized();
  SecretBytes okm(length);
  expand_into(prk, info, okm.span());
  return okm;
}

Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> ikm,
                                std::span<const std::uint8_t> info, std::size_t length) {
  Block prk{};
  HIPPO_RETURN_IF_ERROR(check_expand(prk, length));
  ensure_sodium_initialized();
  extract_into(salt, ikm, prk.data());
  SecretBytes okm(length);
  expand_into(prk, info, okm.span());
  sodium_memzero(prk.data(), prk.size());
  return okm;
}

}  // namespace hippocrate::crypto
