// PassedChecks: which sends passed checks 2–4 of docs/messaging.md "Send" (the sender's
// device, the contact policy, the exact device set), and at which policy epoch, by a key
// naming every fact those checks depend on (Mailbox builds it: sender account, role,
// organisation and device, recipient, envelope device set). A send with the same key at
// the same epoch would pass again (the epoch moves with every change to the rows those
// checks read), so the snapshot check of early delivery reads the epoch instead of running
// them. Only a shortcut for that early check: the write decides, with its own reading.
//
// Thread-safe. Bounded: past kMaxEntries it forgets everything and starts again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/mutex.h"

namespace hippocrate::messaging {

class PassedChecks {
 public:
  static constexpr std::size_t kMaxEntries = 65'536;

  // The epoch at which a send with this key last passed, if remembered.
  std::optional<std::int64_t> epoch_of(const std::string& key) const EXCLUDES(mutex_);
  void remember(const std::string& key, std::int64_t epoch) EXCLUDES(mutex_);

 private:
  mutable Mutex mutex_;
  std::unordered_map<std::string, std::int64_t> passed_ GUARDED_BY(mutex_);
};

}  // namespace hippocrate::messaging
