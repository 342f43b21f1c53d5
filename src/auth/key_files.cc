#include "auth/key_files.h"

#include "auth/pepper.h"
#include "base/files.h"

namespace hippocrate::auth {

std::filesystem::path pepper_key_path(const std::filesystem::path& data_dir) {
  return data_dir / "keys" / "pepper.key";
}

std::filesystem::path secrets_key_path(const std::filesystem::path& data_dir) {
  return data_dir / "keys" / "secrets.key";
}

Result<ServerKeys> load_or_create_server_keys(const std::filesystem::path& data_dir) {
  HIPPO_RETURN_IF_ERROR(ensure_directory(data_dir / "keys", 0700));
  HIPPO_ASSIGN_OR_RETURN(SecretBytes pepper, load_or_create_pepper(pepper_key_path(data_dir)));
  HIPPO_ASSIGN_OR_RETURN(SecretBytes secrets, load_or_create_pepper(secrets_key_path(data_dir)));
  return ServerKeys{std::move(pepper), std::move(secrets)};
}

Result<std::unique_ptr<AuthService>> open_auth_service(const std::filesystem::path& data_dir,
                                                       store::Store& store, const Clock& clock,
                                                       const audit::AuditLog& audit,
                                                       AuthConfig config,
                                                       crypto::Argon2Params params) {
  HIPPO_ASSIGN_OR_RETURN(ServerKeys keys, load_or_create_server_keys(data_dir));
  auto hasher = std::make_unique<PasswordHasher>(keys.pepper.clone(), params);
  return std::make_unique<AuthService>(store, clock, audit, std::move(hasher),
                                       std::move(keys.secrets), std::move(keys.pepper),
                                       std::move(config));
}

}  // namespace hippocrate::auth
