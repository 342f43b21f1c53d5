#include "e2ee/x3dh.h"

#include <sodium.h>

#include <array>

#include "crypto/hkdf.h"
#include "e2ee/errors.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::string_view kX3dhInfo = "Hippocrate X3DH v1";

// Accumulates F ‖ DH1 ‖ … ‖ DH4 (at most 5 × 32 bytes) on the stack, wiped on destruction.
class KdfInput {
 public:
  KdfInput() : len_(kKeyBytes) {
    // X3DH §2.2: "F is a byte sequence containing 32 0xFF bytes" (X25519).
    buf_.fill(0);
    std::fill_n(buf_.begin(), kKeyBytes, std::uint8_t{0xFF});
  }
  ~KdfInput() { sodium_memzero(buf_.data(), buf_.size()); }
  KdfInput(const KdfInput&) = delete;
  KdfInput& operator=(const KdfInput&) = delete;

  Status add_dh(const SecretBytes& private_key, const PublicKey& public_key) {
    auto dh = crypto::x25519_shared_secret(private_key, public_key);
    if (!dh.ok()) return errors::bad_key("public key in the key agreement");
    std::copy(dh->span().begin(), dh->span().end(), buf_.begin() + len_);
    len_ += kKeyBytes;
    return ok_status();
  }

  // X3DH §2.2: KDF = HKDF(salt = zero-filled HashLen, IKM = F ‖ KM, info, L = 32).
  Result<SharedSecret> derive() const {
    static constexpr std::array<std::uint8_t, 32> kZeroSalt{};
    auto sk = crypto::hkdf_sha256(kZeroSalt, std::span(buf_.data(), len_), as_bytes(kX3dhInfo),
                                  kKeyBytes);
    if (!sk.ok()) return errors::bad_key("X3DH output");
    return share(std::move(*sk));
  }

 private:
  std::array<std::uint8_t, 5 * kKeyBytes> buf_{};
  std::size_t len_ = 0;
};

}  // namespace

Bytes x3dh_associated_data(const DevicePublicIdentity& initiator,
                           const DevicePublicIdentity& responder) {
  Writer w;
  for (const auto* d : {&initiator, &responder}) {
    w.id(d->account_id).id(d->device_id).raw(d->signing_key).raw(d->dh_key);
  }
  return w.bytes();
}

Result<X3dhInitiation> x3dh_initiate(const DeviceIdentity& initiator, const PrekeyBundle& bundle,
                                     KeySource& keys) {
  const crypto::X25519KeyPair ephemeral = keys.generate_x25519();
  return x3dh_initiate_with(initiator, bundle, ephemeral);
}

Result<X3dhInitiation> x3dh_initiate_with(const DeviceIdentity& initiator,
                                          const PrekeyBundle& bundle,
                                          const crypto::X25519KeyPair& ephemeral) {
  KdfInput km;
  const PublicKey& spk = bundle.signed_prekey.public_key;
  HIPPO_RETURN_IF_ERROR(km.add_dh(*initiator.dh.private_key, spk));  // DH1 = DH(IK_A, SPK_B)
  HIPPO_RETURN_IF_ERROR(km.add_dh(ephemeral.private_key, bundle.identity.dh_key));  // DH2
  HIPPO_RETURN_IF_ERROR(km.add_dh(ephemeral.private_key, spk));  // DH3 = DH(EK_A, SPK_B)
  if (bundle.one_time_prekey) {                                  // DH4 = DH(EK_A, OPK_B)
    HIPPO_RETURN_IF_ERROR(km.add_dh(ephemeral.private_key, bundle.one_time_prekey->public_key));
  }
  X3dhInitiation out;
  HIPPO_ASSIGN_OR_RETURN(out.result.shared_key, km.derive());
  out.result.associated_data = x3dh_associated_data(initiator.pub, bundle.identity);
  out.ephemeral_key = ephemeral.public_key;
  out.signed_prekey_id = bundle.signed_prekey.id;
  if (bundle.one_time_prekey) out.one_time_prekey_id = bundle.one_time_prekey->id;
  return out;
}

Result<X3dhResult> x3dh_respond(const DeviceIdentity& responder,
                                const DevicePublicIdentity& initiator,
                                const PublicKey& ephemeral_key,
                                const SecretBytes& signed_prekey_private,
                                const SecretBytes* one_time_private) {
  // X3DH §3.4: Bob repeats the DH calculations with the private halves.
  KdfInput km;
  HIPPO_RETURN_IF_ERROR(km.add_dh(signed_prekey_private, initiator.dh_key));   // DH1
  HIPPO_RETURN_IF_ERROR(km.add_dh(*responder.dh.private_key, ephemeral_key));  // DH2
  HIPPO_RETURN_IF_ERROR(km.add_dh(signed_prekey_private, ephemeral_key));      // DH3
  if (one_time_private != nullptr) {
    HIPPO_RETURN_IF_ERROR(km.add_dh(*one_time_private, ephemeral_key));  // DH4
  }
  X3dhResult out;
  HIPPO_ASSIGN_OR_RETURN(out.shared_key, km.derive());
  out.associated_data = x3dh_associated_data(initiator, responder.pub);
  return out;
}

}  // namespace hippocrate::e2ee
