#include "auth/pepper.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/files.h"
#include "crypto/random.h"

namespace hippocrate::auth {
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
  return Error::internal("pepper_file_unreadable", "cannot read the pepper file " + file.string());
}

Error corrupt(const std::filesystem::path& file, const std::string& why) {
  return Error::data_loss("pepper_file_corrupt",
                          "the pepper file " + file.string() + " " + why +
                              "; restore it from a backup (a new pepper would make every "
                              "stored password hash unusable)");
}

// Reads exactly kPepperBytes into wiped memory. The checks run on the opened descriptor
// (fstat), so the file cannot be swapped between the check and the read; the bytes never
// pass through a std::string (which base/files.h read_file would return).
Result<SecretBytes> load(const std::filesystem::path& file) {
  const ScopedFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return unreadable(file);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return unreadable(file);
  if (!S_ISREG(st.st_mode)) return corrupt(file, "is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return Error::failed_precondition(
        "pepper_file_insecure", "the pepper file " + file.string() +
                                    " can be read or changed by other users; run: chmod 600 " +
                                    file.string() + " (and check who may have copied it)");
  }
  if (st.st_size != static_cast<off_t>(kPepperBytes)) {
    return corrupt(file, "does not hold exactly " + std::to_string(kPepperBytes) + " bytes");
  }
  SecretBytes pepper(kPepperBytes);
  std::size_t done = 0;
  while (done < pepper.size()) {
    const ssize_t n = ::read(fd.get(), pepper.data() + done, pepper.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable(file);
    if (n == 0) return corrupt(file, "is shorter than " + std::to_string(kPepperBytes) + " bytes");
    done += static_cast<std::size_t>(n);
  }
  return pepper;
}

}  // namespace

Result<SecretBytes> load_or_create_pepper(const std::filesystem::path& file) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(std::filesystem::symlink_status(file, ec));
  if (ec && ec != std::errc::no_such_file_or_directory) return unreadable(file);
  if (exists) return load(file);

  if (file.has_parent_path()) HIPPO_RETURN_IF_ERROR(ensure_directory(file.parent_path(), 0700));
  SecretBytes pepper = crypto::random_secret(kPepperBytes);
  HIPPO_RETURN_IF_ERROR(write_file_atomic(file, pepper.span(), 0600));
  return pepper;
}

}  // namespace hippocrate::auth
