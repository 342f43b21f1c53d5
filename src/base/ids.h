// Random identifiers: 128 bits from libsodium's CSPRNG, as 32 lower-case hex characters.
// Used for account ids, request ids, invitation ids. They reveal nothing (no time, no
// counter) and are not secrets: tokens that grant access use crypto/ and SecretBytes.
#pragma once

#include <string>
#include <string_view>

namespace hippocrate {

constexpr std::size_t kIdBytes = 16;
constexpr std::size_t kIdHexLength = kIdBytes * 2;

std::string random_id();
// True when `id` has the shape random_id() produces (32 lower-case hex characters).
bool is_valid_id(std::string_view id);

}  // namespace hippocrate
