// The server's key files in <data_dir>/keys/ (folder 0700, files 0600, 32 random bytes
// each, created on first start):
//   pepper.key   — HMAC key applied to passwords before Argon2id and to recovery codes;
//   secrets.key  — XChaCha20-Poly1305 key sealing TOTP secrets at rest.
// They live outside the database on purpose: a stolen database alone cannot be attacked
// offline. Back them up with the database; losing them makes every password and second
// factor unusable.
#pragma once

#include <filesystem>
#include <memory>

#include "auth/auth_service.h"

namespace hippocrate::auth {

// The two files above, in `data_dir`.
std::filesystem::path pepper_key_path(const std::filesystem::path& data_dir);
std::filesystem::path secrets_key_path(const std::filesystem::path& data_dir);

struct ServerKeys {
  SecretBytes pepper;
  SecretBytes secrets;
};

Result<ServerKeys> load_or_create_server_keys(const std::filesystem::path& data_dir);

// An AuthService over `store`, auditing to `audit`, with the keys of `data_dir`.
Result<std::unique_ptr<AuthService>> open_auth_service(
    const std::filesystem::path& data_dir, store::Store& store, const Clock& clock,
    const audit::AuditLog& audit, AuthConfig config = {},
    crypto::Argon2Params params = kPasswordHashParams);

}  // namespace hippocrate::auth
