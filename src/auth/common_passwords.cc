#include "auth/common_passwords.h"

#include <algorithm>
#include <string>
#include <vector>

namespace hippocrate::auth {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The embedded list, lower-cased, split into lines, sorted and deduplicated. The entries
// are views into `storage`, which never changes after construction.
class Blocklist {
 public:
  Blocklist() {
    storage_.assign(reinterpret_cast<const char*>(internal::kCommonPasswordsData),
                    internal::kCommonPasswordsSize);
    std::transform(storage_.begin(), storage_.end(), storage_.begin(), ascii_lower);
    std::string_view rest(storage_);
    while (!rest.empty()) {
      const std::size_t end = std::min(rest.find('\n'), rest.size());
      std::string_view line = rest.substr(0, end);
      rest.remove_prefix(std::min(end + 1, rest.size()));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      entries_.push_back(line);
      longest_ = std::max(longest_, line.size());
    }
    std::sort(entries_.begin(), entries_.end());
    entries_.erase(std::unique(entries_.begin(), entries_.end()), entries_.end());
  }

  bool contains(std::string_view password) const {
    if (password.empty() || password.size() > longest_) return false;
    // Entries are lower case, so comparing them with the lower-cased password byte by byte
    // gives the same order they were sorted in; the password is folded on the fly.
    const auto less = [](std::string_view entry, std::string_view pw) {
      return std::lexicographical_compare(entry.begin(), entry.end(), pw.begin(), pw.end(),
                                          [](char a, char b) {
                                            // Called both ways round, so both sides are folded (a
                                            // no-op on entries).
                                            return static_cast<unsigned char>(ascii_lower(a)) <
                                                   static_cast<unsigned char>(ascii_lower(b));
                                          });
    };
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), password, less);
    if (it == entries_.end() || it->size() != password.size()) return false;
    return std::equal(it->begin(), it->end(), password.begin(),
                      [](char e, char p) { return e == ascii_lower(p); });
  }

  std::size_t size() const { return entries_.size(); }

 private:
  std::string storage_;
  std::vector<std::string_view> entries_;
  std::size_t longest_ = 0;
};

const Blocklist& blocklist() {
  static const Blocklist list;  // thread-safe initialisation (C++11 "magic statics")
  return list;
}

}  // namespace

bool is_common_password(std::string_view password) { return blocklist().contains(password); }

std::size_t common_password_count() { return blocklist().size(); }

}  // namespace hippocrate::auth
