#include "auth/password_hasher.h"

#include <charconv>
#include <stdexcept>

#include "auth/password_policy.h"
#include "crypto/hmac.h"
#include "crypto/random.h"

namespace hippocrate::auth {
namespace {

constexpr std::size_t kMinPepperBytes = 32;

Status check_length(const SecretBytes& password) {
  if (password.size() > kPasswordMaxBytes) {
    return Error::invalid_argument("password_too_long", "the password is too long");
  }
  return ok_status();
}

// Reads the decimal after "<name>=" at the front of `text` and advances past it.
bool read_number(std::string_view& text, std::string_view name, std::uint64_t& value) {
  if (text.substr(0, name.size()) != name) return false;
  text.remove_prefix(name.size());
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

}  // namespace

PasswordHasher::PasswordHasher(SecretBytes pepper, crypto::Argon2Params params)
    : pepper_(std::move(pepper)), params_(params) {
  if (pepper_.size() < kMinPepperBytes) {
    throw std::invalid_argument("the password pepper must be at least 32 bytes");
  }
  // A hash of 32 random bytes nobody knows: nothing can ever match it.
  const SecretBytes unknown = crypto::random_secret(crypto::kHmacSha256Bytes);
  auto dummy = crypto::argon2id_hash_password(unknown.span(), params_);
  if (!dummy) throw std::invalid_argument("password hasher: " + dummy.error().to_string());
  dummy_hash_ = std::move(*dummy);
}

SecretBytes PasswordHasher::prehash(const SecretBytes& password) const {
  // HMAC-SHA-256 (RFC 2104) keyed with the pepper: a 32-byte Argon2id input.
  return crypto::hmac_sha256_secret(pepper_.span(), password.span());
}

Result<std::string> PasswordHasher::hash(const SecretBytes& password) const {
  HIPPO_RETURN_IF_ERROR(check_length(password));
  return crypto::argon2id_hash_password(prehash(password).span(), params_);
}

Result<bool> PasswordHasher::verify(const SecretBytes& password, std::string_view encoded) const {
  if (!check_length(password).ok()) return false;  // never a valid password; see header
  Status status = crypto::argon2id_verify_password(encoded, prehash(password).span());
  if (status.ok()) return true;
  if (status.error().code() == "password_mismatch") return false;
  return std::move(status).error();
}

bool PasswordHasher::needs_rehash(std::string_view encoded) const {
  // "$argon2id$v=19$m=<KiB>,t=<passes>,p=1$..." (the format crypto/argon2id.h produces).
  std::string_view rest = encoded;
  std::uint64_t version = 0, m_kib = 0, t = 0;
  if (!read_number(rest, "$argon2id$v=", version) || version != 19 ||
      !read_number(rest, "$m=", m_kib) || !read_number(rest, ",t=", t) ||
      rest.substr(0, 3) != ",p=") {
    return true;
  }
  return m_kib < params_.mem_bytes / 1024 || t < params_.ops;
}

void PasswordHasher::dummy_verify(const SecretBytes& password) const {
  if (!check_length(password).ok()) return;  // verify() answers these without hashing too
  const Status ignored = crypto::argon2id_verify_password(dummy_hash_, prehash(password).span());
  (void)ignored;
}

}  // namespace hippocrate::auth
