#include "audit/audit_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/files.h"
#include "base/key_file.h"
#include "crypto/random.h"

namespace hippocrate::audit {
namespace {

Error insecure(const std::filesystem::path& path, const std::string& chmod) {
  return Error::failed_precondition(
      "audit_key_insecure",
      path.string() + " can be changed or read by other users; run: " + chmod + " " +
          path.string() + " (and check who may have copied or replaced the audit key)");
}

Status write_public_key(const std::filesystem::path& file, const crypto::Ed25519PublicKey& pk) {
  const std::string text = hex_encode(pk) + "\n";
  return write_file_atomic(file, as_bytes(text), 0644);
}

}  // namespace

std::filesystem::path audit_key_path(const std::filesystem::path& data_dir) {
  return data_dir / "keys" / "audit.key";
}

std::filesystem::path audit_public_key_path(const std::filesystem::path& data_dir) {
  return data_dir / "keys" / "audit.pub";
}

Result<crypto::Ed25519PublicKey> audit_public_key(const SecretBytes& seed) {
  HIPPO_ASSIGN_OR_RETURN(crypto::Ed25519KeyPair pair, crypto::ed25519_keypair_from_seed(seed));
  return pair.public_key;
}

Result<crypto::Ed25519PublicKey> load_audit_public_key(const std::filesystem::path& data_dir) {
  const auto file = audit_public_key_path(data_dir);
  HIPPO_ASSIGN_OR_RETURN(std::string text, read_file(file, 1024));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  auto bytes = hex_decode(text);
  if (!bytes || bytes->size() != crypto::kEd25519PublicKeyBytes) {
    return Error::data_loss("audit_public_key_invalid",
                            file.string() + " does not hold a 64-character hex Ed25519 key");
  }
  crypto::Ed25519PublicKey pk{};
  std::copy(bytes->begin(), bytes->end(), pk.begin());
  return pk;
}

Result<SecretBytes> load_or_create_audit_key(const std::filesystem::path& data_dir) {
  const auto dir = data_dir / "keys";
  HIPPO_RETURN_IF_ERROR(ensure_directory(dir, 0700));
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0) {
    return Error::internal("audit_key_unreadable", "cannot read the folder " + dir.string());
  }
  if ((dst.st_mode & 022) != 0) return insecure(dir, "chmod 700");

  const auto file = audit_key_path(data_dir);
  HIPPO_ASSIGN_OR_RETURN(SecretBytes seed, load_or_create_key_file(file, crypto::kEd25519SeedBytes,
                                                                   {"audit_key", "the audit key",
                                                                    "restore it from a backup"}));
  std::error_code ec;

  HIPPO_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey pk, audit_public_key(seed));
  const auto pub_file = audit_public_key_path(data_dir);
  if (!std::filesystem::exists(std::filesystem::symlink_status(pub_file, ec))) {
    HIPPO_RETURN_IF_ERROR(write_public_key(pub_file, pk));
    return seed;
  }
  auto stored = load_audit_public_key(data_dir);
  if (!stored || *stored != pk) {
    return Error::data_loss("audit_public_key_mismatch",
                            pub_file.string() + " does not hold the public key of " +
                                file.string() + "; one of them was replaced");
  }
  return seed;
}

}  // namespace hippocrate::audit
