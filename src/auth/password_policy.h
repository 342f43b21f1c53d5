// Which passwords an account may choose (SECURITY-REQUIREMENTS.md "Passwords").
//
// A password is accepted when, in this order:
//   1. it is at most kPasswordMaxBytes bytes (a cheap cap checked before any decoding, so a
//      huge body cannot cost more than one linear pass)      "password_too_long"
//   2. it is valid UTF-8                                      "password_invalid_encoding"
//   3. it has no control character (C0, DEL, C1, U+2028/9)    "password_invalid_character"
//   4. it has at most max_length code points                  "password_too_long"
//   5. it has at least min_length code points                 "password_too_short"
//   6. it is not on the common-password list                  "password_too_common"
//   7. it does not contain the user's e-mail, the e-mail's local part or its pieces, a part
//      of the display name, the product name or an extra word (each only when at least 3
//      code points long)                                      "password_contains_personal_info"
//   8. zxcvbn estimates at least min_entropy_bits, with the words of 7 as its user
//      dictionary                                             "password_too_weak"
// Comparisons in 6 and 7 ignore case (ASCII, Latin, Greek, Cyrillic) and Latin accents
// ("Éloïse" matches "ELOISE"); zxcvbn, which only knows ASCII words, scores the password
// with its Latin accents removed. Any printable character is allowed, spaces and Unicode
// included; there are no composition rules and nothing is ever truncated. Lengths count
// Unicode code points, so "é" is one character. No Unicode normalisation is applied here.
//
// Every refusal is Error::invalid_argument with one of the codes above and a message in
// plain words that tells the user what to do; no message ever contains the password.
// Contract: thread-safe, no I/O. The password is only copied into SecretBytes (wiped).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::auth {

constexpr std::size_t kPasswordMinLength = 12;    // code points
constexpr std::size_t kPasswordMaxLength = 256;   // code points
constexpr std::size_t kPasswordMaxBytes = 1024;   // 256 code points of at most 4 bytes
constexpr double kPasswordMinEntropyBits = 50.0;  // CNIL case 2 (attempts are restricted)
// Words no password may contain, whatever the user: the product's name.
constexpr const char* kProductName = "hippocrate";

struct PasswordPolicy {
  std::size_t min_length = kPasswordMinLength;
  // Values above kPasswordMaxLength are capped in effect by kPasswordMaxBytes.
  std::size_t max_length = kPasswordMaxLength;
  double min_entropy_bits = kPasswordMinEntropyBits;
};

// Who the password is for: the words it must not contain.
struct PasswordContext {
  std::string email;
  std::string display_name;
  // More words to refuse and to feed zxcvbn (e.g. the organisation's or the server's name).
  std::vector<std::string> extra_words;
};

Status check_password_policy(const SecretBytes& password, const PasswordContext& context,
                             const PasswordPolicy& policy = {});

}  // namespace hippocrate::auth
