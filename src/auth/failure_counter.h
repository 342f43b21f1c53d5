// Persistent counters of failed authentication attempts (table login_failures).
//
// Two scopes, counted separately: "password" and "second_factor". Subjects:
//   - "pair:<email or account>|<source>" — consecutive failures from one source; after
//     `free_failures` of them each further attempt must wait 2^(n - free_failures) minutes.
//     Keyed per (account, source) so an attacker cannot slow the real user down from
//     elsewhere.
//   - "acct:<email or account>" — failures within a 24 h window, all sources; at
//     `daily_cap` the account is locked (the caller does that and tells the owner).
// Unknown e-mails are counted exactly like known ones, so the answers do not reveal which
// accounts exist.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "auth/auth_config.h"
#include "base/clock.h"
#include "store/store.h"

namespace hippocrate::auth {

// The two scopes: a login's or step-up's password, and a second factor (login, step-up,
// enrolment confirmation).
inline constexpr std::string_view kPasswordScope = "password";
inline constexpr std::string_view kSecondFactorScope = "second_factor";

struct FailureState {
  std::int64_t consecutive = 0;
  std::int64_t window_count = 0;
};

class FailureCounter {
 public:
  FailureCounter(const AuthConfig& config, const Clock& clock) : config_(config), clock_(clock) {}

  // How long `subject_pair` must still wait, if at all (0 when free to try).
  Result<std::chrono::seconds> wait_for(store::Transaction& tx, std::string_view scope,
                                        const std::string& pair) const;
  // Failures of `account_key` in the current 24 h window.
  Result<std::int64_t> daily_failures(store::Transaction& tx, std::string_view scope,
                                      const std::string& account_key) const;
  // Records one failure on both subjects; returns the account's count in the window.
  Result<std::int64_t> record_failure(store::Transaction& tx, std::string_view scope,
                                      const std::string& pair, const std::string& account_key);
  // A success clears the consecutive count of the pair (the daily count stays).
  Status record_success(store::Transaction& tx, std::string_view scope, const std::string& pair);
  // An administrator's unlock clears every counter of the account.
  Status clear_account(store::Transaction& tx, const std::string& account_key);

  static std::string pair_key(std::string_view who, std::string_view source) {
    return "pair:" + std::string(who) + "|" + std::string(source);
  }
  static std::string account_key(std::string_view who) { return "acct:" + std::string(who); }

 private:
  Result<std::optional<store::Row>> load(store::Transaction& tx, std::string_view scope,
                                         const std::string& subject) const;
  Status bump(store::Transaction& tx, std::string_view scope, const std::string& subject,
              std::int64_t now);
  const AuthConfig& config_;
  const Clock& clock_;
};

}  // namespace hippocrate::auth
