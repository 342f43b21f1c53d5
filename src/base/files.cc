#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>

#include "base/ids.h"

namespace hippocrate {
namespace {

Error write_error(const std::filesystem::path& path) {
  return Error::internal("file_write_failed", "cannot write " + path.filename().string());
}

bool write_all(int fd, std::span<const std::uint8_t> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

Status write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> data,
                         mode_t mode) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmp_name = ".";
  tmp_name.append(path.filename().string()).append(".tmp-").append(random_id());
  const auto tmp = dir / tmp_name;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return write_error(path);
  bool ok = ::fchmod(fd, mode) == 0 && write_all(fd, data) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return write_error(path);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok_status();
}

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return Error::not_found("file_not_found", "cannot find " + path.filename().string());
  }
  if (size > max_bytes) {
    return Error::resource_exhausted("file_too_large", path.filename().string() + " is too large");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::internal("file_read_failed", "cannot read " + path.filename().string());
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    return Error::internal("file_read_failed", "cannot read " + path.filename().string());
  return out;
}

Status ensure_directory(const std::filesystem::path& dir, mode_t mode) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return ok_status();
  std::filesystem::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), mode) != 0) {
    return Error::internal("directory_create_failed", "cannot create folder " + dir.string());
  }
  return ok_status();
}

}  // namespace hippocrate
