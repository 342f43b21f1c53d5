// Recovery key and account-key backup (docs/protocol.md §2.6): a person who loses every
// device restores their account key on a new one, so that their contacts see no key change
// (the safety number, §7, derives from the account key only).
//
// The recovery key is 256 random bits shown once to the user as 56 Crockford base32 symbols
// (the key, 4 zero bits and a 20-bit checksum) in 14 groups of 4, so a typo is caught on the
// device before any network call. It is high-entropy: no password stretching, the wrapping
// key is HKDF-SHA256 of it with a domain-separated info binding the account id. The backup
// blob, stored by the server as opaque bytes, holds the account key's Ed25519 seed sealed
// with XChaCha20-Poly1305 under that key; its header (format, account id, backup version,
// key check) is the associated data.
//
// Contract: pure functions (the nonce of a seal is random unless given, for the vectors);
// recovery keys and account seeds are SecretBytes and never appear in an error message.
// Decoding is strict and every failure has its own stable code:
//   e2ee_recovery_key_invalid   a typed key with a wrong character, length or checksum;
//   e2ee_malformed              a backup of the wrong length;
//   e2ee_unknown_version        a backup or contents format other than 0x01;
//   e2ee_account_mismatch       a backup of another account;
//   e2ee_recovery_key_wrong     a well-formed key that is not this backup's (key check);
//   e2ee_backup_corrupt         the right key but a changed byte (the AEAD fails).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/result.h"
#include "base/secret_bytes.h"
#include "e2ee/device_list.h"

namespace hippocrate::e2ee {

constexpr std::size_t kRecoveryKeyBytes = 32;
constexpr std::size_t kRecoveryKeySymbols = 56;  // 280 bits: key ‖ 0000 ‖ 20-bit checksum
constexpr std::size_t kKeyBackupBytes = 114;
constexpr std::uint8_t kKeyBackupFormat = 0x01;
// Crockford base32 (https://www.crockford.com/base32.html), lower case.
constexpr std::string_view kRecoveryKeyAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";

// A fresh random recovery key (32 bytes).
SecretBytes generate_recovery_key();

// "xxxx-xxxx-…" (14 groups of 4 symbols) for the one-time display. Precondition: 32 bytes
// (an empty string otherwise).
SecretBytes format_recovery_key(const SecretBytes& recovery_key);

// The 32 bytes of a typed recovery key: case-insensitive, '-', ' ' and tabs ignored,
// Crockford's look-alikes accepted ('i', 'l' → '1', 'o' → '0'). e2ee_recovery_key_invalid
// for any other character, a wrong number of symbols or a wrong checksum.
Result<SecretBytes> parse_recovery_key(std::string_view typed);

// The backup's header, readable without the key.
struct KeyBackupHeader {
  std::string account_id;
  std::uint64_t version = 0;
};

// Seals `account_key`'s seed under `recovery_key` as backup `version` (≥ 1). `nonce`: 24
// bytes for the vectors, empty for a random one. Errors: e2ee_bad_key (no secret key, a
// recovery key that is not 32 bytes), e2ee_malformed (version 0).
Result<Bytes> seal_key_backup(const SecretBytes& recovery_key, const AccountKey& account_key,
                              std::uint64_t version, std::span<const std::uint8_t> nonce = {});

// Decodes the header only (length, format); does not authenticate it.
Result<KeyBackupHeader> read_key_backup_header(std::span<const std::uint8_t> backup);

// Decodes strictly, checks the account id, the key check and the AEAD, and returns the
// account key (with its secret). Errors as listed above.
Result<AccountKey> open_key_backup(std::span<const std::uint8_t> backup,
                                   const SecretBytes& recovery_key,
                                   std::string_view expected_account_id);

}  // namespace hippocrate::e2ee
