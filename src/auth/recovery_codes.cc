#include "auth/recovery_codes.h"

#include <sodium.h>

#include "base/encoding.h"
#include "crypto/compare.h"
#include "crypto/hmac.h"
#include "crypto/random.h"

namespace hippocrate::auth {
namespace {

// 0xff when a == b, else 0, without a branch.
std::uint8_t equal_mask(std::uint8_t a, std::uint8_t b) {
  const unsigned x = static_cast<unsigned>(a ^ b);  // 0..255
  return static_cast<std::uint8_t>(((x - 1u) >> 8) & 0xffu);
}

// The symbol for a 5-bit value: every alphabet entry is visited, so no secret-dependent index.
char symbol_for(std::uint8_t value) {
  std::uint8_t out = 0;
  for (std::size_t i = 0; i < kRecoveryCodeAlphabet.size(); ++i) {
    out |= static_cast<std::uint8_t>(kRecoveryCodeAlphabet[i]) &
           equal_mask(static_cast<std::uint8_t>(i), value);
  }
  return static_cast<char>(out);
}

// The canonical symbol for a typed character, or 0 when it is not accepted.
char canonical_symbol(char typed) {
  std::uint8_t c = static_cast<std::uint8_t>(typed);
  const unsigned upper = static_cast<unsigned>(((('A' - 1 - c) & (c - 'Z' - 1)) >> 8) & 1);
  c = static_cast<std::uint8_t>(c | (upper << 5));  // fold 'A'-'Z' to lower case
  std::uint8_t out = 0;
  for (char symbol : kRecoveryCodeAlphabet) {
    const auto s = static_cast<std::uint8_t>(symbol);
    out |= s & equal_mask(c, s);
  }
  out |= static_cast<std::uint8_t>('1') & (equal_mask(c, 'i') | equal_mask(c, 'l'));
  out |= static_cast<std::uint8_t>('0') & equal_mask(c, 'o');
  return static_cast<char>(out);
}

SecretBytes generate_one() {
  SecretBytes code = crypto::random_secret(kRecoveryCodeLength);
  for (std::uint8_t& b : code.span()) b = static_cast<std::uint8_t>(symbol_for(b & 31u));
  return code;
}

}  // namespace

std::vector<SecretBytes> generate_recovery_codes(int count) {
  std::vector<SecretBytes> codes;
  if (count <= 0) return codes;
  codes.reserve(static_cast<std::size_t>(count));
  while (codes.size() < static_cast<std::size_t>(count)) {
    SecretBytes candidate = generate_one();
    bool duplicate = false;  // odds ~2^-54 for 10 codes, but "distinct" is part of the contract
    for (const SecretBytes& existing : codes) {
      duplicate = existing.constant_time_equals(candidate.span()) || duplicate;
    }
    if (!duplicate) codes.push_back(std::move(candidate));
  }
  return codes;
}

std::vector<RecoveryCode> issue_recovery_codes(const SecretBytes& pepper_key, int count) {
  std::vector<RecoveryCode> issued;
  for (SecretBytes& code : generate_recovery_codes(count)) {
    const RecoveryCodeHash hash = hash_recovery_code(pepper_key, code.view());
    issued.push_back(RecoveryCode{std::move(code), hash});
  }
  return issued;
}

std::string normalize_recovery_code(std::string_view input) {
  std::string out;
  out.reserve(kRecoveryCodeLength);  // never reallocated below, so no stray copies
  for (char c : input) {
    if (c == '-' || c == ' ') continue;
    const char symbol = canonical_symbol(c);
    if (symbol == 0 || out.size() == kRecoveryCodeLength) {
      sodium_memzero(out.data(), out.size());
      return {};
    }
    out.push_back(symbol);
  }
  if (out.size() != kRecoveryCodeLength) {
    sodium_memzero(out.data(), out.size());
    return {};
  }
  return out;
}

RecoveryCodeHash hash_recovery_code(const SecretBytes& pepper_key, std::string_view normalized) {
  return crypto::hmac_sha256(pepper_key.span(), as_bytes(normalized));
}

bool recovery_code_matches(const SecretBytes& pepper_key, std::string_view normalized,
                           std::span<const std::uint8_t> stored) {
  RecoveryCodeHash expected = hash_recovery_code(pepper_key, normalized);
  const bool equal = crypto::constant_time_equals(expected, stored);
  sodium_memzero(expected.data(), expected.size());
  return equal;
}

std::string format_recovery_code(std::string_view normalized) {
  if (normalized.size() != kRecoveryCodeLength) return {};
  std::string out;
  out.reserve(kRecoveryCodeLength + 2);
  for (std::size_t i = 0; i < normalized.size(); ++i) {
    if (i != 0 && i % 4 == 0) out.push_back('-');
    out.push_back(normalized[i]);
  }
  return out;
}

}  // namespace hippocrate::auth
