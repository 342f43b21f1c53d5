// Random identifiers: 128 bits from libsodium's CSPRNG, as 32 lower-case hex characters.
// Used for account ids, request ids, invitation ids. They reveal nothing (no time, no
// counter) and are not secrets: tokens that grant access use crypto/ and SecretBytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hippocrate {

constexpr std::size_t kIdBytes = 16;
constexpr std::size_t kIdHexLength = kIdBytes * 2;

std::string random_id();
// True when `id` has the shape random_id() produces (32 lower-case hex characters).
bool is_valid_id(std::string_view id);

// A message id: 128 bits laid out as a UUID version 7 (RFC 9562, section 5.7), as 32
// lower-case hex characters: the first 48 bits are the Unix time in milliseconds (big
// endian), then the version (7), 12 random bits, the variant (binary 10) and 62 random
// bits. Ids made later sort after those made earlier, so the server's index of message ids
// grows at its end instead of at a random page (RFC 9562, "DBMS and Database
// Considerations"; docs/messaging.md, "Conventions"). The time they carry is the send
// time, which the server stores and the recipient sees anyway; the 74 random bits keep ids
// made in the same millisecond apart.
std::string new_message_id();
// The same layout for a given time and 10 random bytes (of which 74 bits are used), for
// generators that bring their own randomness (tests, the load generator).
std::string message_id_at(std::uint64_t unix_ms, std::span<const std::uint8_t, 10> random);

}  // namespace hippocrate
