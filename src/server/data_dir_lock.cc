#include "server/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace hippocrate::server {

Result<DataDirLock> DataDirLock::acquire(const std::filesystem::path& data_dir) {
  const auto path = lock_path(data_dir);
  const std::string folder = std::filesystem::absolute(data_dir).lexically_normal().string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Error::internal("data_dir_lock_failed", "cannot open the lock file " + path.string() +
                                                       ": " +
                                                       std::generic_category().message(errno));
  }
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    std::string holder;
    if (err == EWOULDBLOCK) {
      char buf[32] = {};
      const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
      for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) holder += buf[i];
    }
    ::close(fd);
    if (err != EWOULDBLOCK) {
      return Error::internal("data_dir_lock_failed", "cannot lock " + path.string() + ": " +
                                                         std::generic_category().message(err));
    }
    return Error::failed_precondition(
        "data_dir_in_use", "the data folder " + folder + " is in use by another hippocrate serve" +
                               (holder.empty() ? std::string() : " (pid " + holder + ")") +
                               "; stop it first, or give this one another --data-dir");
  }
  // Ours: record our pid for the next one's message (best effort, the lock is what counts).
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    (void)::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return DataDirLock(fd);
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace hippocrate::server
