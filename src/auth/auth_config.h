// The numbers of SECURITY-REQUIREMENTS.md as configurable defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace hippocrate::auth {

struct AuthConfig {
  std::chrono::seconds invitation_lifetime{72 * 3600};
  // Sessions: staff (practitioners, administrators, ...) idle 30 min / absolute 12 h;
  // patients idle 1 h / absolute 24 h.
  std::chrono::seconds staff_idle{30 * 60};
  std::chrono::seconds staff_absolute{12 * 3600};
  std::chrono::seconds patient_idle{60 * 60};
  std::chrono::seconds patient_absolute{24 * 3600};
  std::chrono::seconds step_up_validity{5 * 60};
  // Attempts: after `free_failures` consecutive failures (per account and source), each
  // further attempt waits 2^(n - free_failures) minutes (1 min after the 5th, 2 after the
  // 6th, ...); `daily_cap` failures within 24 h lock the account.
  std::int64_t free_failures = 5;
  std::int64_t daily_cap = 25;
  // Per source address: a token bucket on login and invitation acceptance.
  double source_burst = 20;
  double source_refill_per_second = 0.5;
  // Passkeys (passkeys.h): the WebAuthn RP ID (a domain: browsers refuse IP addresses; empty:
  // passkeys are unavailable) and how long a ceremony's challenge stays valid.
  std::string webauthn_rp_id;
  std::chrono::seconds passkey_challenge_lifetime{5 * 60};
};

}  // namespace hippocrate::auth
