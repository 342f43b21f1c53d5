#include "client/history.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/ids.h"
#include "crypto/aead.h"
#include "e2ee/wire.h"

namespace hippocrate::client {
namespace {

constexpr std::string_view kMagic = "HPHS";
constexpr std::uint8_t kFileFormat = 0x01;
constexpr std::uint8_t kRecordFormat = 0x01;
constexpr std::size_t kHeaderBytes = 5;
constexpr std::size_t kPrefixBytes = 8;  // u32 length ‖ u32 its complement
constexpr std::string_view kAdLabel = "Hippocrate history record";
constexpr std::size_t kMaxTextBytes = 64 * 1024;
constexpr std::size_t kMaxRecordBytes = kMaxTextBytes + 4096;  // sealed, with the fields
constexpr std::size_t kMaxLogBytes = 1024u * 1024u * 1024u;
constexpr mode_t kFileMode = 0600;

Error corrupt(const std::string& where) {
  return Error::data_loss("history_corrupt", "the message history was modified or damaged (" +
                                                 where +
                                                 "); restore it from a backup or move it aside");
}

Error write_failed() {
  return Error::internal("history_write_failed", "could not write the message history");
}

bool write_all(int fd, std::span<const std::uint8_t> data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

void fsync_folder(const std::filesystem::path& file) {
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

Result<Bytes> FileHistoryStorage::read_all() {
  const int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Bytes{};
    return Error::internal("history_read_failed", "could not read the message history");
  }
  Bytes out;
  std::uint8_t buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || out.size() > kMaxLogBytes) {
      ::close(fd);
      return Error::internal("history_read_failed", "could not read the message history");
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

Status FileHistoryStorage::append(std::span<const std::uint8_t> bytes) {
  std::error_code ec;
  const bool created = !std::filesystem::exists(file_, ec);
  const int fd = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, kFileMode);
  if (fd < 0) return write_failed();
  // Never looser than 0600, whatever the umask or an older file's mode.
  bool ok = ::fchmod(fd, kFileMode) == 0 && write_all(fd, bytes) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return write_failed();
  if (created) fsync_folder(file_);
  return ok_status();
}

Status FileHistoryStorage::truncate(std::size_t size) {
  const int fd = ::open(file_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return write_failed();
  bool ok = ::ftruncate(fd, static_cast<off_t>(size)) == 0 && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  return ok ? ok_status() : write_failed();
}

SecretBytes encode_history_record(const HistoryRecord& r) {
  e2ee::Writer w;
  w.u8(kRecordFormat).id(r.message_id).id(r.contact).u8(static_cast<std::uint8_t>(r.direction));
  w.id(r.sender_device).u64(static_cast<std::uint64_t>(r.sent_at_ms));
  w.u64(static_cast<std::uint64_t>(r.received_at_ms)).bytes32(as_bytes(r.text));
  return w.take_secret();
}

Result<HistoryRecord> decode_history_record(std::span<const std::uint8_t> bytes) {
  e2ee::Reader r(bytes, "history record");
  if (r.u8() != kRecordFormat) return corrupt("record format");
  HistoryRecord out;
  out.message_id = r.id();
  out.contact = r.id();
  const std::uint8_t direction = r.u8();
  if (direction != 1 && direction != 2) return corrupt("direction");
  out.direction = static_cast<Direction>(direction);
  out.sender_device = r.id();
  out.sent_at_ms = static_cast<std::int64_t>(r.u64());
  out.received_at_ms = static_cast<std::int64_t>(r.u64());
  const auto text = r.bytes32(kMaxTextBytes);
  out.text.assign(text.begin(), text.end());
  if (!r.finish().ok()) return corrupt("record contents");
  return out;
}

Bytes history_record_ad(std::string_view owner, std::uint64_t index) {
  e2ee::Writer w;
  w.raw(as_bytes(kAdLabel)).u32(static_cast<std::uint32_t>(owner.size())).raw(as_bytes(owner));
  w.u64(index);
  return w.bytes();
}

Result<History> History::open(std::unique_ptr<HistoryStorage> storage, SecretBytes key,
                              std::string owner) {
  HIPPO_ASSIGN_OR_RETURN(Bytes log, storage->read_all());
  History h(std::move(storage), std::move(key), std::move(owner));
  if (log.empty()) return h;
  if (log.size() < kHeaderBytes) {
    // A crash while the header itself was being written: nothing was ever recorded.
    HIPPO_RETURN_IF_ERROR(h.storage_->truncate(0));
    return h;
  }
  if (!std::equal(kMagic.begin(), kMagic.end(), log.begin())) return corrupt("header");
  if (log[4] != kFileFormat) {
    return Error::data_loss("history_unknown_version",
                            "the message history was written by a newer version of Hippocrate");
  }
  std::size_t pos = kHeaderBytes;
  auto u32_at = [&](std::size_t at) {
    return (std::uint32_t{log[at]} << 24) | (std::uint32_t{log[at + 1]} << 16) |
           (std::uint32_t{log[at + 2]} << 8) | std::uint32_t{log[at + 3]};
  };
  while (pos < log.size()) {
    if (log.size() - pos < kPrefixBytes) break;  // a torn length prefix
    const std::uint32_t len = u32_at(pos);
    // The length's complement: a damaged length is corruption, never taken for a torn tail
    // (which would drop the records after it).
    if ((len ^ u32_at(pos + 4)) != 0xFFFFFFFFu || len > kMaxRecordBytes) {
      return corrupt("record " + std::to_string(h.records_.size()));
    }
    if (log.size() - pos - kPrefixBytes < len) break;  // a torn record: the one being written
    const std::span<const std::uint8_t> sealed(log.data() + pos + kPrefixBytes, len);
    const Bytes ad = history_record_ad(h.owner_, h.records_.size());
    auto plain = crypto::xchacha_open_secret(h.key_, sealed, ad);
    if (!plain.ok()) return corrupt("record " + std::to_string(h.records_.size()));
    HIPPO_ASSIGN_OR_RETURN(HistoryRecord record, decode_history_record(plain->span()));
    if (!h.ids_.insert(record.message_id).second) {
      return corrupt("record " + std::to_string(h.records_.size()) + " repeats a message");
    }
    h.records_.push_back(std::move(record));
    pos += kPrefixBytes + len;
  }
  h.size_ = pos;
  if (pos < log.size()) HIPPO_RETURN_IF_ERROR(h.storage_->truncate(pos));  // drop the torn tail
  return h;
}

Status History::append(const HistoryRecord& record) {
  if (!is_valid_id(record.message_id) || !is_valid_id(record.contact) ||
      !is_valid_id(record.sender_device)) {
    return Error::invalid_argument("invalid_field", "a history record needs valid ids");
  }
  if (record.text.size() > kMaxTextBytes) {
    return Error::invalid_argument("invalid_field", "a message holds at most 64 KiB");
  }
  if (contains(record.message_id)) return ok_status();
  const SecretBytes plain = encode_history_record(record);
  HIPPO_ASSIGN_OR_RETURN(
      Bytes sealed,
      crypto::xchacha_seal(key_, plain.span(), history_record_ad(owner_, records_.size())));
  e2ee::Writer w;
  if (size_ == 0) w.raw(as_bytes(kMagic)).u8(kFileFormat);
  const auto len = static_cast<std::uint32_t>(sealed.size());
  w.u32(len).u32(~len).raw(sealed);
  if (Status appended = storage_->append(w.view()); !appended.ok()) {
    (void)storage_->truncate(size_);  // a partial write would misalign the next record
    return appended;
  }
  size_ += w.size();
  ids_.insert(record.message_id);
  records_.push_back(record);
  return ok_status();
}

}  // namespace hippocrate::client
