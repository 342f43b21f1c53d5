// Device identity (docs/protocol.md §2.1): an Ed25519 signing key and an X25519 DH key (the
// X3DH identity key IK), the DH key signed by the signing key, bound to the account id and
// the device id.
//
// Contract: DevicePublicIdentity is public and freely copied; DeviceIdentity also holds the
// private keys (SharedSecret) and lives only in the keystore. Ids are 32 lower-case hex
// characters; functions taking them fail with e2ee_malformed otherwise.
#pragma once

#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/result.h"
#include "e2ee/keys.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {

constexpr std::size_t kDeviceIdentityBytes = 160;
constexpr std::size_t kDeviceEntryBytes = 144;  // without the account id (device list entry)

struct DevicePublicIdentity {
  std::string account_id;
  std::string device_id;
  PublicKey signing_key{};
  PublicKey dh_key{};
  Signature dh_signature{};

  bool operator==(const DevicePublicIdentity&) const = default;
};

struct DeviceIdentity {
  DevicePublicIdentity pub;
  SharedSecret signing_secret;  // Ed25519, 64 bytes (seed ‖ public)
  DhKeyPair dh;                 // X25519; dh.public_key == pub.dh_key
};

// A new identity with fresh random keys.
Result<DeviceIdentity> generate_device_identity(std::string_view account_id,
                                                std::string_view device_id);

// The identity made of these private keys (Ed25519 seed, X25519 private key): for the
// keystore and the test vectors.
Result<DeviceIdentity> device_identity_from_secrets(std::string_view account_id,
                                                    std::string_view device_id,
                                                    const SecretBytes& signing_seed,
                                                    const SecretBytes& dh_private);

// The bytes covered by dh_signature (§2.1).
Bytes device_identity_signed_bytes(const DevicePublicIdentity& identity);

// Checks dh_signature (e2ee_bad_signature) and the ids (e2ee_malformed).
Status verify_device_identity(const DevicePublicIdentity& identity);

// §2.1 encoding, 160 bytes; and the 144-byte device-list entry (no account id).
void write_device_identity(Writer& w, const DevicePublicIdentity& identity);
void write_device_entry(Writer& w, const DevicePublicIdentity& identity);
DevicePublicIdentity read_device_identity(Reader& r);
DevicePublicIdentity read_device_entry(Reader& r, const std::string& account_id);

Bytes encode_device_identity(const DevicePublicIdentity& identity);
// Decodes strictly; does not verify (call verify_device_identity).
Result<DevicePublicIdentity> decode_device_identity(std::span<const std::uint8_t> bytes);

}  // namespace hippocrate::e2ee
