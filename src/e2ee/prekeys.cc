#include "e2ee/prekeys.h"

#include "e2ee/errors.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::string_view kSignedPrekeyLabel = "Hippocrate signed prekey v1";
constexpr std::uint8_t kBundleFormat = 0x01;

Bytes signed_prekey_input(const DevicePublicIdentity& owner, const SignedPrekeyPublic& p) {
  Writer w;
  w.raw(as_bytes(kSignedPrekeyLabel)).u8(0);
  w.id(owner.account_id).id(owner.device_id).u32(p.id).u64(p.created_at).raw(p.public_key);
  return w.bytes();
}

Result<SignedPrekey> sign_prekey(const DeviceIdentity& device, std::uint32_t id,
                                 std::uint64_t created_at, crypto::X25519KeyPair pair) {
  SignedPrekey out;
  out.pub.id = id;
  out.pub.created_at = created_at;
  out.pub.public_key = pair.public_key;
  // §2.3: signature = Sign(device signing secret, label ‖ account ‖ device ‖ id ‖ time ‖ key).
  auto sig = crypto::ed25519_sign(*device.signing_secret, signed_prekey_input(device.pub, out.pub));
  if (!sig.ok()) return errors::bad_key("device signing key");
  out.pub.signature = *sig;
  out.private_key = share(std::move(pair.private_key));
  return out;
}

}  // namespace

Result<SignedPrekey> generate_signed_prekey(const DeviceIdentity& device, std::uint32_t id,
                                            std::uint64_t now, KeySource& keys) {
  return sign_prekey(device, id, now, keys.generate_x25519());
}

Result<SignedPrekey> signed_prekey_from_secret(const DeviceIdentity& device, std::uint32_t id,
                                               std::uint64_t created_at,
                                               const SecretBytes& private_key) {
  auto pub = crypto::x25519_public_key(private_key);
  if (!pub.ok()) return errors::bad_key("signed prekey");
  return sign_prekey(device, id, created_at, {private_key.clone(), *pub});
}

Status verify_signed_prekey(const DevicePublicIdentity& owner, const SignedPrekeyPublic& prekey,
                            std::uint64_t now) {
  if (!crypto::ed25519_verify(owner.signing_key, signed_prekey_input(owner, prekey),
                              prekey.signature)
           .ok()) {
    return errors::bad_signature("the signed prekey");
  }
  // §2.3: older than 30 days or more than one hour ahead of our clock.
  if (prekey.created_at > now + kSignedPrekeyMaxFutureSeconds ||
      (now > prekey.created_at && now - prekey.created_at > kSignedPrekeyMaxAgeSeconds)) {
    return errors::stale_prekey();
  }
  return ok_status();
}

bool signed_prekey_needs_rotation(const SignedPrekeyPublic& prekey, std::uint64_t now) {
  return now >= prekey.created_at + kSignedPrekeyRotationSeconds;
}

std::vector<OneTimePrekey> generate_one_time_prekeys(std::uint32_t first_id, std::size_t count,
                                                     KeySource& keys) {
  std::vector<OneTimePrekey> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto pair = keys.generate_x25519();
    out.push_back({{static_cast<std::uint32_t>(first_id + i), pair.public_key},
                   share(std::move(pair.private_key))});
  }
  return out;
}

std::size_t one_time_prekeys_to_generate(std::size_t remaining) {
  if (remaining >= kOneTimePrekeyLowWater) return 0;
  return kOneTimePrekeyBatch - remaining;
}

void write_signed_prekey(Writer& w, const SignedPrekeyPublic& p) {
  w.u32(p.id).u64(p.created_at).raw(p.public_key).raw(p.signature);
}

SignedPrekeyPublic read_signed_prekey(Reader& r) {
  SignedPrekeyPublic p;
  p.id = r.u32();
  p.created_at = r.u64();
  p.public_key = r.fixed<kKeyBytes>();
  p.signature = r.fixed<kSignatureBytes>();
  return p;
}

Bytes encode_bundle(const PrekeyBundle& bundle) {
  Writer w;
  w.u8(kBundleFormat);
  write_device_identity(w, bundle.identity);
  write_signed_prekey(w, bundle.signed_prekey);
  w.u8(bundle.one_time_prekey ? 1 : 0);
  if (bundle.one_time_prekey) {
    w.u32(bundle.one_time_prekey->id).raw(bundle.one_time_prekey->public_key);
  }
  return w.bytes();
}

Result<PrekeyBundle> decode_bundle(std::span<const std::uint8_t> bytes) {
  Reader r(bytes, "prekey bundle");
  const std::uint8_t format = r.u8();
  if (r.ok() && format != kBundleFormat) return errors::unknown_version("prekey bundle");
  PrekeyBundle b;
  b.identity = read_device_identity(r);
  b.signed_prekey = read_signed_prekey(r);
  if (r.flag()) {
    OneTimePrekeyPublic otp;
    otp.id = r.u32();
    otp.public_key = r.fixed<kKeyBytes>();
    b.one_time_prekey = otp;
  }
  HIPPO_RETURN_IF_ERROR(r.finish());
  return b;
}

Status verify_bundle(const PrekeyBundle& bundle, const DeviceList& recipient_list,
                     std::uint64_t now) {
  if (bundle.identity.account_id != recipient_list.account_id) return errors::account_mismatch();
  const DevicePublicIdentity* listed = find_device(recipient_list, bundle.identity.device_id);
  if (listed == nullptr) return errors::unknown_device();
  if (!(*listed == bundle.identity)) return errors::identity_mismatch();
  return verify_signed_prekey(*listed, bundle.signed_prekey, now);
}

}  // namespace hippocrate::e2ee
