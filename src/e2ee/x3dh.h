// X3DH key agreement (Signal X3DH spec §3; docs/protocol.md §3), with the device's X25519
// DH key as the identity key IK.
//
// Contract: x3dh_initiate expects a bundle already checked by verify_bundle; it draws the
// ephemeral key from `keys`. x3dh_respond recomputes SK on the responder from the private
// halves of the prekeys named in the initial message. Both return SK in a SharedSecret and
// the 192-byte associated data. A DH with a low-order point fails with e2ee_bad_key.
#pragma once

#include <cstdint>
#include <optional>

#include "base/encoding.h"
#include "base/result.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"
#include "e2ee/prekeys.h"

namespace hippocrate::e2ee {

constexpr std::size_t kAssociatedDataBytes = 192;

struct X3dhResult {
  SharedSecret shared_key;  // SK, 32 bytes
  Bytes associated_data;    // AD, §3
};

struct X3dhInitiation {
  X3dhResult result;
  PublicKey ephemeral_key{};  // EK_A public, sent in the prekey message
  std::uint32_t signed_prekey_id = 0;
  std::optional<std::uint32_t> one_time_prekey_id;
};

// AD = A.account ‖ A.device ‖ A.signing_key ‖ A.dh_key ‖ B.… (§3).
Bytes x3dh_associated_data(const DevicePublicIdentity& initiator,
                           const DevicePublicIdentity& responder);

// Alice's side: DH1..DH4 and SK (X3DH §3.3).
Result<X3dhInitiation> x3dh_initiate(const DeviceIdentity& initiator, const PrekeyBundle& bundle,
                                     KeySource& keys);

// Alice's side with a given ephemeral pair (the vector tests).
Result<X3dhInitiation> x3dh_initiate_with(const DeviceIdentity& initiator,
                                          const PrekeyBundle& bundle,
                                          const crypto::X25519KeyPair& ephemeral);

// Bob's side: the same SK from IK_A, EK_A and his prekeys' private keys (X3DH §3.4).
// `one_time_private` is null when the initial message named no one-time prekey.
Result<X3dhResult> x3dh_respond(const DeviceIdentity& responder,
                                const DevicePublicIdentity& initiator,
                                const PublicKey& ephemeral_key,
                                const SecretBytes& signed_prekey_private,
                                const SecretBytes* one_time_private);

}  // namespace hippocrate::e2ee
