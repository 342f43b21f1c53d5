#include "crypto/argon2id.h"

#include <sodium.h>

#include <charconv>
#include <string>

#include "base/sodium_init.h"
#include "crypto/nonnull_data.h"

namespace hippocrate::crypto {
namespace {

static_assert(kArgon2SaltBytes == crypto_pwhash_argon2id_SALTBYTES);
static_assert(kArgon2MinOutputBytes >= crypto_pwhash_argon2id_BYTES_MIN);

// The prefix libsodium writes for Argon2id v1.3 (RFC 9106 §3.1: version 0x13 = 19).
constexpr std::string_view kEncodedPrefix = "$argon2id$v=19$";

Status check_password(std::span<const std::uint8_t> password) {
  if (password.size() > kMaxPasswordBytes) {
    return Error::invalid_argument("password_too_long", "the password is too long");
  }
  return ok_status();
}

Status check_params(const Argon2Params& params) {
  if (params.ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || params.ops > kArgon2MaxOps ||
      params.mem_bytes < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.mem_bytes > kArgon2MaxMemBytes) {
    return Error::invalid_argument("invalid_argon2_params",
                                   "the Argon2id cost parameters are out of the accepted range");
  }
  return ok_status();
}

Error invalid_hash_format() {
  return Error::invalid_argument("invalid_hash_format", "not an Argon2id password hash");
}

// Reads "<name>=<decimal>" at the front of `text` and advances past it.
bool read_field(std::string_view& text, std::string_view name, std::uint64_t& value) {
  if (text.substr(0, name.size()) != name || text.size() <= name.size() ||
      text[name.size()] != '=') {
    return false;
  }
  text.remove_prefix(name.size() + 1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

// Parses the parameters of "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$…" and checks them
// against our ceilings before libsodium allocates anything for them.
Result<Argon2Params> parse_encoded(std::string_view encoded) {
  if (encoded.size() >= crypto_pwhash_argon2id_STRBYTES ||
      encoded.substr(0, kEncodedPrefix.size()) != kEncodedPrefix) {
    return invalid_hash_format();
  }
  std::string_view rest = encoded.substr(kEncodedPrefix.size());
  std::uint64_t m_kib = 0, t = 0, p = 0;
  if (!read_field(rest, "m", m_kib) || rest.empty() || rest.front() != ',') {
    return invalid_hash_format();
  }
  rest.remove_prefix(1);
  if (!read_field(rest, "t", t) || rest.empty() || rest.front() != ',') {
    return invalid_hash_format();
  }
  rest.remove_prefix(1);
  if (!read_field(rest, "p", p) || rest.empty() || rest.front() != '$') {
    return invalid_hash_format();
  }
  // We only produce (and accept) p = 1, the parallelism libsodium computes.
  if (p != 1 || m_kib > kArgon2MaxMemBytes / 1024) return invalid_hash_format();
  Argon2Params params{t, static_cast<std::size_t>(m_kib) * 1024};
  if (!check_params(params).ok()) return invalid_hash_format();
  return params;
}

}  // namespace

Result<SecretBytes> argon2id_derive_key(std::span<const std::uint8_t> password,
                                        std::span<const std::uint8_t> salt,
                                        const Argon2Params& params, std::size_t out_len) {
  HIPPO_RETURN_IF_ERROR(check_password(password));
  if (salt.size() != kArgon2SaltBytes) {
    return Error::invalid_argument("invalid_salt_length", "the salt must be 16 bytes");
  }
  if (out_len < kArgon2MinOutputBytes || out_len > kArgon2MaxOutputBytes) {
    return Error::invalid_argument("invalid_output_length",
                                   "Argon2id output must be between 16 and 1024 bytes");
  }
  HIPPO_RETURN_IF_ERROR(check_params(params));
  ensure_sodium_initialized();
  SecretBytes key(out_len);
  // RFC 9106 §3.2: H0 over (p, T, m, t, v, y, P, S, K, X), fill m KiB over t passes, then
  // H' of the final block; libsodium runs it with p = 1, y = 2 (Argon2id), v = 0x13.
  if (crypto_pwhash(key.data(), key.size(), internal::nonnull_chars(password), password.size(),
                    salt.data(), params.ops, params.mem_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::resource_exhausted("out_of_memory", "not enough memory to run Argon2id");
  }
  return key;
}

Result<std::string> argon2id_hash_password(std::span<const std::uint8_t> password,
                                           const Argon2Params& params) {
  HIPPO_RETURN_IF_ERROR(check_password(password));
  HIPPO_RETURN_IF_ERROR(check_params(params));
  ensure_sodium_initialized();
  char encoded[crypto_pwhash_argon2id_STRBYTES] = {};
  // Draws a random 16-byte salt and encodes algorithm, version, m, t, p, salt and hash.
  if (crypto_pwhash_argon2id_str(encoded, internal::nonnull_chars(password), password.size(),
                                 params.ops, params.mem_bytes) != 0) {
    return Error::resource_exhausted("out_of_memory", "not enough memory to run Argon2id");
  }
  return std::string(encoded);
}

Status argon2id_verify_password(std::string_view encoded_hash,
                                std::span<const std::uint8_t> password) {
  HIPPO_RETURN_IF_ERROR(check_password(password));
  HIPPO_RETURN_IF_ERROR(parse_encoded(encoded_hash));
  ensure_sodium_initialized();
  const std::string terminated(encoded_hash);  // libsodium wants a C string; not a secret
  // Recomputes the hash with the stored salt and parameters; compares in constant time.
  if (crypto_pwhash_argon2id_str_verify(terminated.c_str(), internal::nonnull_chars(password),
                                        password.size()) != 0) {
    return Error::unauthenticated("password_mismatch", "the password is not correct");
  }
  return ok_status();
}

Result<bool> argon2id_needs_rehash(std::string_view encoded_hash, const Argon2Params& params) {
  HIPPO_RETURN_IF_ERROR(check_params(params));
  HIPPO_RETURN_IF_ERROR(parse_encoded(encoded_hash));
  ensure_sodium_initialized();
  const std::string terminated(encoded_hash);
  const int r =
      crypto_pwhash_argon2id_str_needs_rehash(terminated.c_str(), params.ops, params.mem_bytes);
  if (r < 0) return invalid_hash_format();
  return r == 1;
}

}  // namespace hippocrate::crypto
