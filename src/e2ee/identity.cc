#include "e2ee/identity.h"

#include "base/ids.h"
#include "e2ee/errors.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::string_view kIdentityLabel = "Hippocrate device identity v1";

Status check_ids(std::string_view account_id, std::string_view device_id) {
  if (!is_valid_id(account_id) || !is_valid_id(device_id)) {
    return errors::malformed("account or device id");
  }
  return ok_status();
}

Result<DeviceIdentity> build(std::string_view account_id, std::string_view device_id,
                             crypto::Ed25519KeyPair signing, crypto::X25519KeyPair dh) {
  DeviceIdentity id;
  id.pub.account_id = std::string(account_id);
  id.pub.device_id = std::string(device_id);
  id.pub.signing_key = signing.public_key;
  id.pub.dh_key = dh.public_key;
  // §2.1: dh_signature = Sign(signing_secret, label ‖ account_id ‖ device_id ‖ keys).
  auto sig = crypto::ed25519_sign(signing.secret_key, device_identity_signed_bytes(id.pub));
  if (!sig.ok()) return errors::bad_key("device signing key");
  id.pub.dh_signature = *sig;
  id.signing_secret = share(std::move(signing.secret_key));
  id.dh = to_dh_pair(std::move(dh));
  return id;
}

}  // namespace

Result<DeviceIdentity> generate_device_identity(std::string_view account_id,
                                                std::string_view device_id) {
  HIPPO_RETURN_IF_ERROR(check_ids(account_id, device_id));
  return build(account_id, device_id, crypto::ed25519_generate(), crypto::x25519_generate());
}

Result<DeviceIdentity> device_identity_from_secrets(std::string_view account_id,
                                                    std::string_view device_id,
                                                    const SecretBytes& signing_seed,
                                                    const SecretBytes& dh_private) {
  HIPPO_RETURN_IF_ERROR(check_ids(account_id, device_id));
  auto signing = crypto::ed25519_keypair_from_seed(signing_seed);
  if (!signing.ok()) return errors::bad_key("device signing seed");
  auto dh_public = crypto::x25519_public_key(dh_private);
  if (!dh_public.ok()) return errors::bad_key("device DH key");
  crypto::X25519KeyPair dh{dh_private.clone(), *dh_public};
  return build(account_id, device_id, std::move(*signing), std::move(dh));
}

Bytes device_identity_signed_bytes(const DevicePublicIdentity& identity) {
  Writer w;
  w.raw(as_bytes(kIdentityLabel)).u8(0);
  w.id(identity.account_id).id(identity.device_id);
  w.raw(identity.signing_key).raw(identity.dh_key);
  return w.bytes();
}

Status verify_device_identity(const DevicePublicIdentity& identity) {
  HIPPO_RETURN_IF_ERROR(check_ids(identity.account_id, identity.device_id));
  if (!crypto::ed25519_verify(identity.signing_key, device_identity_signed_bytes(identity),
                              identity.dh_signature)
           .ok()) {
    return errors::bad_signature("the device identity");
  }
  return ok_status();
}

void write_device_entry(Writer& w, const DevicePublicIdentity& identity) {
  w.id(identity.device_id).raw(identity.signing_key).raw(identity.dh_key);
  w.raw(identity.dh_signature);
}

void write_device_identity(Writer& w, const DevicePublicIdentity& identity) {
  w.id(identity.account_id);
  write_device_entry(w, identity);
}

DevicePublicIdentity read_device_entry(Reader& r, const std::string& account_id) {
  DevicePublicIdentity out;
  out.account_id = account_id;
  out.device_id = r.id();
  out.signing_key = r.fixed<kKeyBytes>();
  out.dh_key = r.fixed<kKeyBytes>();
  out.dh_signature = r.fixed<kSignatureBytes>();
  return out;
}

DevicePublicIdentity read_device_identity(Reader& r) {
  const std::string account_id = r.id();
  return read_device_entry(r, account_id);
}

Bytes encode_device_identity(const DevicePublicIdentity& identity) {
  Writer w;
  write_device_identity(w, identity);
  return w.bytes();
}

Result<DevicePublicIdentity> decode_device_identity(std::span<const std::uint8_t> bytes) {
  Reader r(bytes, "device identity");
  auto out = read_device_identity(r);
  HIPPO_RETURN_IF_ERROR(r.finish());
  return out;
}

}  // namespace hippocrate::e2ee
