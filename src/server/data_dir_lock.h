// DataDirLock: one `hippocrate serve` per data folder.
//
// Two servers on one folder would each run their own audit chain head, checkpoints and
// sweeps over the same database and keys, and race on the generated files; the second
// must not start. The lock is flock(2) (LOCK_EX | LOCK_NB) on `<data_dir>/hippocrate.lock`
// (mode 0600), held by the open descriptor for the process's life: the kernel releases it
// when the process ends, however it ends, so a crash leaves no stale lock. The file holds
// the holder's pid, for the message the next one prints.
#pragma once

#include <filesystem>

#include "base/result.h"

namespace hippocrate::server {

class DataDirLock {
 public:
  // Takes the lock of `data_dir` (which must exist). Errors: "data_dir_in_use" (another
  // process holds it: the message names the folder and that process's pid when known),
  // "data_dir_lock_failed" (the lock file cannot be opened or locked).
  static Result<DataDirLock> acquire(const std::filesystem::path& data_dir);

  DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  ~DataDirLock();

  static std::filesystem::path lock_path(const std::filesystem::path& data_dir) {
    return data_dir / "hippocrate.lock";
  }

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace hippocrate::server
