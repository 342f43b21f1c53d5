// The blocklist of common passwords (SECURITY-REQUIREMENTS "Passwords": ship at least the
// 10,000 most common). The list is data/common-passwords.txt, embedded into the binary at
// build time by common_passwords.cmake, so no file has to be found at run time.
//
// Contract: pure and thread-safe. The index is built once, on first use (a function-local
// static), from the embedded bytes; nothing is allocated per call and the password is never
// copied.
#pragma once

#include <cstddef>
#include <string_view>

namespace hippocrate::auth {

// True when the whole of `password` is on the list, ignoring ASCII letter case
// ("PASSWORD" and "Password" match "password"). Substrings do not count: "password" is
// common, "correct password horse" is not.
bool is_common_password(std::string_view password);

// Number of distinct entries on the embedded list (for tests and diagnostics).
std::size_t common_password_count();

namespace internal {
// Defined in the generated common_passwords_data.cc: the raw bytes of
// data/common-passwords.txt (one password per line, most common first).
extern const unsigned char kCommonPasswordsData[];
extern const std::size_t kCommonPasswordsSize;
}  // namespace internal

}  // namespace hippocrate::auth
