#include "audit/record.h"

#include <chrono>
#include <cstring>
#include <string_view>
#include <utility>

namespace hippocrate::audit {
namespace {

constexpr std::string_view kCheckpointContext = "hippocrate-audit-checkpoint-v1";
constexpr std::string_view kAnchorContext = "hippocrate-audit-anchor-v1";

// Writes big-endian integers and byte strings into a buffer sized up front (no growth:
// GCC 12 at -O3 reports false stringop-overflow warnings on growing vector inserts).
class Writer {
 public:
  explicit Writer(std::size_t size) : out_(size) {}
  void u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8)
      out_[pos_++] = static_cast<std::uint8_t>(v >> shift);
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out_[pos_++] = static_cast<std::uint8_t>(v >> shift);
  }
  void byte(std::uint8_t v) { out_[pos_++] = v; }
  void bytes(std::span<const std::uint8_t> b) {
    if (!b.empty()) std::memcpy(out_.data() + pos_, b.data(), b.size());
    pos_ += b.size();
  }
  // Fields are bounded far below 4 GiB by AuditLog::append; a larger one cannot occur.
  void field(std::string_view f) {
    u32(static_cast<std::uint32_t>(f.size()));
    bytes(as_bytes(f));
  }
  Bytes finish() && { return std::move(out_); }

 private:
  Bytes out_;
  std::size_t pos_ = 0;
};

}  // namespace

std::int64_t to_unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_unix_ms(std::int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

Bytes canonical_encoding(std::int64_t seq, std::int64_t at_ms, const AuditRecord& r) {
  const std::string* fields[] = {&r.account_id, &r.session_id, &r.device_id, &r.source_address,
                                 &r.action,     &r.resource,   &r.result,    &r.detail};
  std::size_t size = 1 + 8 + 8;
  for (const std::string* f : fields) size += 4 + f->size();
  Writer w(size);
  w.byte(kRecordEncodingVersion);
  w.i64(seq);
  w.i64(at_ms);
  for (const std::string* f : fields) w.field(*f);
  return std::move(w).finish();
}

crypto::Sha256Digest chain_hash(std::span<const std::uint8_t> prev_hash, std::int64_t seq,
                                std::int64_t at_ms, const AuditRecord& record) {
  crypto::Sha256 h;
  h.update(prev_hash);
  h.update(canonical_encoding(seq, at_ms, record));
  return h.finish();
}

Bytes checkpoint_message(std::int64_t seq, std::int64_t prev_checkpoint_seq,
                         std::span<const std::uint8_t> hash, std::int64_t signed_at_ms) {
  Writer w(kCheckpointContext.size() + 8 + 8 + hash.size() + 8);
  w.bytes(as_bytes(kCheckpointContext));
  w.i64(seq);
  w.i64(prev_checkpoint_seq);
  w.bytes(hash);
  w.i64(signed_at_ms);
  return std::move(w).finish();
}

Bytes anchor_message(std::int64_t first_seq, std::span<const std::uint8_t> prev_hash,
                     std::int64_t pruned_at_ms) {
  Writer w(kAnchorContext.size() + 8 + prev_hash.size() + 8);
  w.bytes(as_bytes(kAnchorContext));
  w.i64(first_seq);
  w.bytes(prev_hash);
  w.i64(pruned_at_ms);
  return std::move(w).finish();
}

}  // namespace hippocrate::audit
