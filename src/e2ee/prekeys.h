// Signed prekeys, one-time prekeys and prekey bundles (docs/protocol.md §2.3-§2.5).
//
// Contract: generation needs the device's identity (to sign) and a KeySource; verification
// is pure. verify_bundle is the gate before X3DH: the bundle's identity must be the entry of
// the recipient's verified device list, and its signed prekey properly signed and fresh.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "e2ee/device_list.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {

constexpr std::uint64_t kSignedPrekeyRotationSeconds = 7 * 24 * 3600;
constexpr std::uint64_t kSignedPrekeyMaxAgeSeconds = 30 * 24 * 3600;
constexpr std::uint64_t kSignedPrekeyMaxFutureSeconds = 3600;
constexpr std::size_t kOneTimePrekeyBatch = 100;
constexpr std::size_t kOneTimePrekeyLowWater = 20;

struct SignedPrekeyPublic {
  std::uint32_t id = 0;
  std::uint64_t created_at = 0;  // Unix seconds
  PublicKey public_key{};
  Signature signature{};
  bool operator==(const SignedPrekeyPublic&) const = default;
};

struct SignedPrekey {
  SignedPrekeyPublic pub;
  SharedSecret private_key;
};

struct OneTimePrekeyPublic {
  std::uint32_t id = 0;
  PublicKey public_key{};
  bool operator==(const OneTimePrekeyPublic&) const = default;
};

struct OneTimePrekey {
  OneTimePrekeyPublic pub;
  SharedSecret private_key;
};

struct PrekeyBundle {
  DevicePublicIdentity identity;
  SignedPrekeyPublic signed_prekey;
  std::optional<OneTimePrekeyPublic> one_time_prekey;
  bool operator==(const PrekeyBundle&) const = default;
};

// A signed prekey with a fresh key pair, signed by the device (§2.3).
Result<SignedPrekey> generate_signed_prekey(const DeviceIdentity& device, std::uint32_t id,
                                            std::uint64_t now, KeySource& keys);
// The prekey with a given key pair (keystore, vectors).
Result<SignedPrekey> signed_prekey_from_secret(const DeviceIdentity& device, std::uint32_t id,
                                               std::uint64_t created_at,
                                               const SecretBytes& private_key);

// Checks the signature under `owner`'s signing key (e2ee_bad_signature) and the age
// (e2ee_stale_prekey).
Status verify_signed_prekey(const DevicePublicIdentity& owner, const SignedPrekeyPublic& prekey,
                            std::uint64_t now);
bool signed_prekey_needs_rotation(const SignedPrekeyPublic& prekey, std::uint64_t now);

// `count` one-time prekeys with ids first_id, first_id + 1, ...
std::vector<OneTimePrekey> generate_one_time_prekeys(std::uint32_t first_id, std::size_t count,
                                                     KeySource& keys);
// How many one-time prekeys to generate and upload when the server holds `remaining`:
// 0 while remaining >= 20, otherwise enough to get back to 100 (§2.4).
std::size_t one_time_prekeys_to_generate(std::size_t remaining);

// §2.5 encoding.
Bytes encode_bundle(const PrekeyBundle& bundle);
Result<PrekeyBundle> decode_bundle(std::span<const std::uint8_t> bytes);
void write_signed_prekey(Writer& w, const SignedPrekeyPublic& p);
SignedPrekeyPublic read_signed_prekey(Reader& r);

// §2.5: the bundle's device is in `recipient_list` (e2ee_unknown_device) with the same keys
// (e2ee_identity_mismatch), and its signed prekey verifies (see verify_signed_prekey).
// `recipient_list` must come from verify_device_list.
Status verify_bundle(const PrekeyBundle& bundle, const DeviceList& recipient_list,
                     std::uint64_t now);

}  // namespace hippocrate::e2ee
