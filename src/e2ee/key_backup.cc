#include "e2ee/key_backup.h"

#include <array>

#include "base/ids.h"
#include "crypto/aead.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"
#include "e2ee/errors.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::string_view kChecksumLabel = "Hippocrate recovery key v1";
constexpr std::string_view kWrapLabel = "Hippocrate key backup v1";
constexpr std::string_view kCheckLabel = "Hippocrate key backup check v1";
constexpr std::uint8_t kContentsFormat = 0x01;
constexpr std::size_t kPackedBytes = 35;  // key ‖ 0000 + 20-bit checksum
constexpr std::size_t kHeaderBytes = 1 + 16 + 8;
constexpr std::size_t kKeyCheckBytes = 16;
constexpr std::size_t kSeedBytes = 32;
constexpr std::size_t kContentsBytes = 1 + kSeedBytes;
static_assert(kKeyBackupBytes == kHeaderBytes + kKeyCheckBytes + crypto::kXChaChaNonceBytes +
                                     kContentsBytes + crypto::kAeadTagBytes);

Error recovery_key_invalid() {
  return Error::invalid_argument(
      "e2ee_recovery_key_invalid",
      "this is not a valid recovery key (check for a typo: it has 56 letters and digits)");
}
Error recovery_key_wrong() {
  return Error::invalid_argument("e2ee_recovery_key_wrong",
                                 "this recovery key does not open your account's key backup");
}
Error backup_corrupt() {
  return Error::data_loss("e2ee_backup_corrupt",
                          "the key backup was modified or damaged: it cannot be opened");
}

// 0xff when a == b, else 0, without a branch (as auth/recovery_codes.cc).
std::uint8_t equal_mask(std::uint8_t a, std::uint8_t b) {
  const unsigned x = static_cast<unsigned>(a ^ b);
  return static_cast<std::uint8_t>(((x - 1u) >> 8) & 0xffu);
}

// The symbol of a 5-bit value; every alphabet entry is visited (no secret-dependent index).
std::uint8_t symbol_for(std::uint8_t value) {
  std::uint8_t out = 0;
  for (std::size_t i = 0; i < kRecoveryKeyAlphabet.size(); ++i) {
    out |= static_cast<std::uint8_t>(kRecoveryKeyAlphabet[i]) &
           equal_mask(static_cast<std::uint8_t>(i), value);
  }
  return out;
}

// The 5-bit value of a typed character, and 0xff-valid mask (0 when not accepted).
std::uint8_t value_of(char typed, std::uint8_t& valid) {
  std::uint8_t c = static_cast<std::uint8_t>(typed);
  const unsigned upper = static_cast<unsigned>(((('A' - 1 - c) & (c - 'Z' - 1)) >> 8) & 1);
  c = static_cast<std::uint8_t>(c | (upper << 5));  // fold 'A'-'Z' to lower case
  const std::uint8_t one = equal_mask(c, 'i') | equal_mask(c, 'l');
  const std::uint8_t zero = equal_mask(c, 'o');
  std::uint8_t out = 0;
  std::uint8_t found = one | zero;
  out |= static_cast<std::uint8_t>(1 & one);
  for (std::size_t i = 0; i < kRecoveryKeyAlphabet.size(); ++i) {
    const std::uint8_t m = equal_mask(c, static_cast<std::uint8_t>(kRecoveryKeyAlphabet[i]));
    out |= static_cast<std::uint8_t>(i) & m;
    found |= m;
  }
  valid &= found;
  return out;
}

// key ‖ (0000 ‖ 20 bits of SHA-256(label(kChecksumLabel) ‖ key)).
SecretBytes pack(const SecretBytes& key) {
  Writer w;
  w.raw(as_bytes(kChecksumLabel)).u8(0).raw(key.span());
  SecretBytes digest = SecretBytes::from(crypto::sha256(w.view()));
  SecretBytes packed(kPackedBytes);
  std::copy(key.span().begin(), key.span().end(), packed.span().begin());
  packed.span()[32] = digest.span()[0] & 0x0f;
  packed.span()[33] = digest.span()[1];
  packed.span()[34] = digest.span()[2];
  return packed;
}

Bytes label_and(std::string_view label, std::string_view account_id) {
  Writer w;
  w.raw(as_bytes(label)).u8(0).id(account_id);
  return w.bytes();
}

struct BackupKeys {
  SecretBytes wrap;
  SecretBytes check;
};

Result<BackupKeys> derive(const SecretBytes& recovery_key, std::string_view account_id) {
  HIPPO_ASSIGN_OR_RETURN(
      SecretBytes wrap,
      crypto::hkdf_sha256({}, recovery_key.span(), label_and(kWrapLabel, account_id), 32));
  HIPPO_ASSIGN_OR_RETURN(SecretBytes check,
                         crypto::hkdf_sha256({}, recovery_key.span(),
                                             label_and(kCheckLabel, account_id), kKeyCheckBytes));
  return BackupKeys{std::move(wrap), std::move(check)};
}

Bytes associated_data(std::span<const std::uint8_t> header_and_check) {
  Writer w;
  w.raw(as_bytes(kWrapLabel)).u8(0).raw(header_and_check);
  return w.bytes();
}

}  // namespace

SecretBytes generate_recovery_key() { return crypto::random_secret(kRecoveryKeyBytes); }

SecretBytes format_recovery_key(const SecretBytes& recovery_key) {
  if (recovery_key.size() != kRecoveryKeyBytes) return {};
  const SecretBytes packed = pack(recovery_key);
  SecretBytes out(kRecoveryKeySymbols + kRecoveryKeySymbols / 4 - 1);
  std::size_t pos = 0;
  std::size_t symbols = 0;
  // 7 groups of 5 bytes → 8 symbols each, most significant bits first.
  for (std::size_t g = 0; g < kPackedBytes; g += 5) {
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < 5; ++i) bits = (bits << 8) | packed.span()[g + i];
    for (int s = 7; s >= 0; --s) {
      if (symbols > 0 && symbols % 4 == 0) out.span()[pos++] = '-';
      out.span()[pos++] = symbol_for(static_cast<std::uint8_t>((bits >> (5 * s)) & 31u));
      ++symbols;
    }
    bits = 0;
  }
  return out;
}

Result<SecretBytes> parse_recovery_key(std::string_view typed) {
  SecretBytes values(kRecoveryKeySymbols);
  std::size_t n = 0;
  std::uint8_t valid = 0xff;
  for (char c : typed) {
    if (c == '-' || c == ' ' || c == '\t') continue;
    if (n == kRecoveryKeySymbols) return recovery_key_invalid();
    values.span()[n++] = value_of(c, valid);
  }
  if (n != kRecoveryKeySymbols || valid != 0xff) return recovery_key_invalid();
  SecretBytes packed(kPackedBytes);
  for (std::size_t g = 0; g < 7; ++g) {
    std::uint64_t bits = 0;
    for (std::size_t s = 0; s < 8; ++s) bits = (bits << 5) | values.span()[g * 8 + s];
    for (std::size_t i = 0; i < 5; ++i) {
      packed.span()[g * 5 + i] = static_cast<std::uint8_t>(bits >> (8 * (4 - i)));
    }
    bits = 0;
  }
  SecretBytes key = SecretBytes::from(packed.span().first(kRecoveryKeyBytes));
  if (!pack(key).constant_time_equals(packed.span())) return recovery_key_invalid();
  return key;
}

Result<Bytes> seal_key_backup(const SecretBytes& recovery_key, const AccountKey& account_key,
                              std::uint64_t version, std::span<const std::uint8_t> nonce) {
  if (recovery_key.size() != kRecoveryKeyBytes) return errors::bad_key("recovery key");
  if (!account_key.secret_key) return errors::bad_key("account key (not held by this device)");
  if (!is_valid_id(account_key.account_id) || version == 0) return errors::malformed("key backup");
  if (!nonce.empty() && nonce.size() != crypto::kXChaChaNonceBytes) {
    return errors::malformed("key backup nonce");
  }
  auto seed = crypto::ed25519_seed(*account_key.secret_key);
  if (!seed.ok()) return errors::bad_key("account key");
  HIPPO_ASSIGN_OR_RETURN(BackupKeys keys, derive(recovery_key, account_key.account_id));
  Writer header;
  header.u8(kKeyBackupFormat).id(account_key.account_id).u64(version).raw(keys.check.span());
  Writer contents;
  contents.u8(kContentsFormat).raw(seed->span());
  const Bytes n = nonce.empty() ? crypto::random_bytes(crypto::kXChaChaNonceBytes)
                                : Bytes(nonce.begin(), nonce.end());
  HIPPO_ASSIGN_OR_RETURN(Bytes sealed,
                         crypto::xchacha_seal_with_nonce(keys.wrap, n, contents.view(),
                                                         associated_data(header.view())));
  Writer out;
  out.raw(header.view()).raw(n).raw(sealed);
  return out.bytes();
}

Result<KeyBackupHeader> read_key_backup_header(std::span<const std::uint8_t> backup) {
  if (backup.empty()) return errors::malformed("key backup");
  if (backup[0] != kKeyBackupFormat) return errors::unknown_version("key backup");
  if (backup.size() != kKeyBackupBytes) return errors::malformed("key backup");
  Reader r(backup, "key backup");
  r.u8();
  KeyBackupHeader h;
  h.account_id = r.id();
  h.version = r.u64();
  if (!r.ok() || h.version == 0) return errors::malformed("key backup");
  return h;
}

Result<AccountKey> open_key_backup(std::span<const std::uint8_t> backup,
                                   const SecretBytes& recovery_key,
                                   std::string_view expected_account_id) {
  HIPPO_ASSIGN_OR_RETURN(KeyBackupHeader header, read_key_backup_header(backup));
  if (header.account_id != expected_account_id) return errors::account_mismatch();
  if (recovery_key.size() != kRecoveryKeyBytes) return errors::bad_key("recovery key");
  HIPPO_ASSIGN_OR_RETURN(BackupKeys keys, derive(recovery_key, header.account_id));
  const auto check = backup.subspan(kHeaderBytes, kKeyCheckBytes);
  if (!keys.check.constant_time_equals(check)) return recovery_key_wrong();
  // nonce ‖ ciphertext ‖ tag: xchacha_seal's layout, opened into wiped memory.
  auto contents =
      crypto::xchacha_open_secret(keys.wrap, backup.subspan(kHeaderBytes + kKeyCheckBytes),
                                  associated_data(backup.first(kHeaderBytes + kKeyCheckBytes)));
  if (!contents.ok()) return backup_corrupt();
  if (contents->size() != kContentsBytes) return backup_corrupt();
  if (contents->span()[0] != kContentsFormat) {
    return errors::unknown_version("key backup contents");
  }
  const SecretBytes seed = SecretBytes::from(contents->span().subspan(1));
  return account_key_from_seed(header.account_id, seed);
}

}  // namespace hippocrate::e2ee
