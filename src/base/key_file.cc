#include "base/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/files.h"
#include "base/sodium_init.h"

namespace hippocrate {
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

std::string code(const KeyFileNames& n, std::string_view suffix) {
  return std::string(n.code_prefix) + std::string(suffix);
}

Error unreadable(const std::filesystem::path& file, const KeyFileNames& n) {
  return Error::internal(code(n, "_unreadable"),
                         "cannot read " + std::string(n.description) + " " + file.string());
}

Error corrupt(const std::filesystem::path& file, const KeyFileNames& n, const std::string& why) {
  return Error::data_loss(code(n, "_corrupt"), std::string(n.description) + " " + file.string() +
                                                   " " + why + "; " + std::string(n.on_loss));
}

// The checks every private file passes on its open descriptor (so it cannot be swapped
// between the check and the read): a regular file that neither group nor others may read
// or change. Fills `st`.
Status check_private(int fd, const std::filesystem::path& file, const KeyFileNames& n,
                     struct stat& st) {
  if (::fstat(fd, &st) != 0) return unreadable(file, n);
  if (!S_ISREG(st.st_mode)) return corrupt(file, n, "is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return Error::failed_precondition(
        code(n, "_insecure"), std::string(n.description) + " " + file.string() +
                                  " can be read or changed by other users; run: chmod 600 " +
                                  file.string() + " (and check who may have copied it)");
  }
  return ok_status();
}

// Reads exactly key.size() bytes from `fd`.
Status read_all(int fd, SecretBytes& key, const std::filesystem::path& file,
                const KeyFileNames& n) {
  std::size_t done = 0;
  while (done < key.size()) {
    const ssize_t got = ::read(fd, key.data() + done, key.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return unreadable(file, n);
    if (got == 0) {
      return corrupt(file, n, "is shorter than " + std::to_string(key.size()) + " bytes");
    }
    done += static_cast<std::size_t>(got);
  }
  return ok_status();
}

Result<SecretBytes> load(const std::filesystem::path& file, std::size_t size,
                         const KeyFileNames& n) {
  const ScopedFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return unreadable(file, n);
  struct stat st {};
  HIPPO_RETURN_IF_ERROR(check_private(fd.get(), file, n, st));
  if (st.st_size != static_cast<off_t>(size)) {
    return corrupt(file, n, "does not hold exactly " + std::to_string(size) + " bytes");
  }
  SecretBytes key(size);
  HIPPO_RETURN_IF_ERROR(read_all(fd.get(), key, file, n));
  return key;
}

}  // namespace

Result<SecretBytes> read_private_file(const std::filesystem::path& file, std::size_t max_size,
                                      const KeyFileNames& names) {
  const ScopedFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return unreadable(file, names);
  struct stat st {};
  HIPPO_RETURN_IF_ERROR(check_private(fd.get(), file, names, st));
  if (st.st_size <= 0 || static_cast<std::uint64_t>(st.st_size) > max_size) {
    return corrupt(file, names, "is empty or larger than " + std::to_string(max_size) + " bytes");
  }
  SecretBytes bytes(static_cast<std::size_t>(st.st_size));
  HIPPO_RETURN_IF_ERROR(read_all(fd.get(), bytes, file, names));
  return bytes;
}

Result<SecretBytes> load_or_create_key_file(const std::filesystem::path& file, std::size_t size,
                                            const KeyFileNames& names) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(std::filesystem::symlink_status(file, ec));
  if (ec && ec != std::errc::no_such_file_or_directory) return unreadable(file, names);
  if (exists) return load(file, size, names);
  if (file.has_parent_path()) HIPPO_RETURN_IF_ERROR(ensure_directory(file.parent_path(), 0700));
  ensure_sodium_initialized();
  SecretBytes key(size);
  randombytes_buf(key.data(), key.size());
  HIPPO_RETURN_IF_ERROR(write_file_atomic(file, key.span(), 0600));
  return key;
}

}  // namespace hippocrate
