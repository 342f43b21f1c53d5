// Safety numbers (docs/protocol.md §7): 60 digits from both users' account keys, computed
// like Signal's numeric fingerprint (iterated SHA-512, 5200 iterations, 30 digits per side,
// the two halves sorted so both users see the same number), and the QR payload to compare
// them by scanning.
//
// Contract: pure; ids must be valid 32-hex ids (e2ee_malformed).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "e2ee/keys.h"

namespace hippocrate::e2ee {

constexpr std::uint16_t kFingerprintVersion = 0;
constexpr int kFingerprintIterations = 5200;
constexpr std::size_t kSafetyNumberDigits = 60;
constexpr std::string_view kSafetyNumberQrPrefix = "hippocrate-sn:";

struct AccountFingerprintInput {
  std::string account_id;  // 32 hex
  PublicKey account_key{};
};

// h_5200 of one account (64 bytes).
Result<std::array<std::uint8_t, 64>> account_fingerprint(const AccountFingerprintInput& account);

// The 30 digits of one account.
Result<std::string> fingerprint_digits(const AccountFingerprintInput& account);

// The 60-digit safety number; the same whichever side computes it.
Result<std::string> safety_number(const AccountFingerprintInput& local,
                                  const AccountFingerprintInput& remote);

// "12345 67890 …" (12 groups of 5), for display.
std::string format_safety_number(std::string_view digits);

// The QR text shown by `local`: "hippocrate-sn:" + base64url(0x01 ‖ fp(local) ‖ fp(remote)).
Result<std::string> safety_number_qr(const AccountFingerprintInput& local,
                                     const AccountFingerprintInput& remote);

// Checks a QR text scanned from `remote`'s screen: it must hold fp(remote) then fp(local).
// Errors: e2ee_malformed, e2ee_unknown_version, e2ee_safety_number_mismatch.
Status verify_safety_number_qr(std::string_view scanned, const AccountFingerprintInput& local,
                               const AccountFingerprintInput& remote);

}  // namespace hippocrate::e2ee
