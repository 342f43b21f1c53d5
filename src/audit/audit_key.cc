#include "audit/audit_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/files.h"
#include "crypto/random.h"

namespace hippocrate::audit {
namespace {

// Owns a file descriptor (closed on every return path).
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Error unreadable(const std::filesystem::path& file) {
  return Error::internal("audit_key_unreadable", "cannot read the audit key " + file.string());
}

Error corrupt(const std::filesystem::path& file, const std::string& why) {
  return Error::data_loss("audit_key_corrupt", "the audit key " + file.string() + " " + why +
                                                   "; restore it from a backup");
}

Error insecure(const std::filesystem::path& path, const std::string& chmod) {
  return Error::failed_precondition(
      "audit_key_insecure",
      path.string() + " can be changed or read by other users; run: " + chmod + " " +
          path.string() + " (and check who may have copied or replaced the audit key)");
}

// Reads exactly the seed into wiped memory; checks run on the opened descriptor (fstat),
// so the file cannot be swapped between the check and the read.
Result<SecretBytes> load_seed(const std::filesystem::path& file) {
  const ScopedFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return unreadable(file);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return unreadable(file);
  if (!S_ISREG(st.st_mode)) return corrupt(file, "is not a regular file");
  if ((st.st_mode & 077) != 0) return insecure(file, "chmod 600");
  if (st.st_size != static_cast<off_t>(crypto::kEd25519SeedBytes)) {
    return corrupt(file, "does not hold exactly 32 bytes");
  }
  SecretBytes seed(crypto::kEd25519SeedBytes);
  std::size_t done = 0;
  while (done < seed.size()) {
    const ssize_t got = ::read(fd.get(), seed.data() + done, seed.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return unreadable(file);
    if (got == 0) return corrupt(file, "is shorter than 32 bytes");
    done += static_cast<std::size_t>(got);
  }
  return seed;
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
  if (::stat(dir.c_str(), &dst) != 0) return unreadable(dir);
  if ((dst.st_mode & 022) != 0) return insecure(dir, "chmod 700");

  const auto file = audit_key_path(data_dir);
  std::error_code ec;
  const bool exists = std::filesystem::exists(std::filesystem::symlink_status(file, ec));
  if (ec && ec != std::errc::no_such_file_or_directory) return unreadable(file);
  SecretBytes seed;
  if (exists) {
    HIPPO_ASSIGN_OR_RETURN(seed, load_seed(file));
  } else {
    seed = crypto::random_secret(crypto::kEd25519SeedBytes);
    HIPPO_RETURN_IF_ERROR(write_file_atomic(file, seed.span(), 0600));
  }

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
