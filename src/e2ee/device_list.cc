#include "e2ee/device_list.h"

#include <algorithm>

#include "base/ids.h"
#include "e2ee/errors.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::string_view kListLabel = "Hippocrate device list v1";
constexpr std::uint8_t kListFormat = 0x01;

Result<AccountKey> from_pair(std::string_view account_id, crypto::Ed25519KeyPair pair) {
  if (!is_valid_id(account_id)) return errors::malformed("account id");
  return AccountKey{std::string(account_id), pair.public_key, share(std::move(pair.secret_key))};
}

Bytes signed_part(const DeviceList& list) {
  Writer w;
  w.u8(kListFormat).id(list.account_id).u64(list.version).u64(list.issued_at);
  w.u16(static_cast<std::uint16_t>(list.devices.size()));
  for (const auto& d : list.devices) write_device_entry(w, d);
  return w.bytes();
}

Bytes signature_input(std::span<const std::uint8_t> body) {
  Writer w;
  w.raw(as_bytes(kListLabel)).u8(0).raw(body);
  return w.bytes();
}

}  // namespace

Result<AccountKey> generate_account_key(std::string_view account_id) {
  return from_pair(account_id, crypto::ed25519_generate());
}

Result<AccountKey> account_key_from_seed(std::string_view account_id, const SecretBytes& seed) {
  auto pair = crypto::ed25519_keypair_from_seed(seed);
  if (!pair.ok()) return errors::bad_key("account key seed");
  return from_pair(account_id, std::move(*pair));
}

Result<Bytes> sign_device_list(const AccountKey& account_key, const DeviceList& list) {
  if (!account_key.secret_key) return errors::bad_key("account key (not held by this device)");
  if (list.account_id != account_key.account_id || !is_valid_id(list.account_id) ||
      list.version == 0 || list.devices.empty() || list.devices.size() > kMaxDevicesPerAccount) {
    return errors::malformed("device list");
  }
  DeviceList sorted = list;
  std::sort(sorted.devices.begin(), sorted.devices.end(),
            [](const auto& a, const auto& b) { return a.device_id < b.device_id; });
  for (std::size_t i = 0; i < sorted.devices.size(); ++i) {
    const auto& d = sorted.devices[i];
    if (d.account_id != list.account_id || !is_valid_id(d.device_id) ||
        (i > 0 && sorted.devices[i - 1].device_id == d.device_id)) {
      return errors::malformed("device list");
    }
  }
  Bytes body = signed_part(sorted);
  // §2.2: signature = Sign(account_secret, label("Hippocrate device list v1") ‖ body).
  auto sig = crypto::ed25519_sign(*account_key.secret_key, signature_input(body));
  if (!sig.ok()) return errors::bad_key("account key");
  body.insert(body.end(), sig->begin(), sig->end());
  return body;
}

Result<DeviceList> verify_device_list(std::span<const std::uint8_t> signed_list,
                                      const PublicKey& account_key,
                                      std::string_view expected_account_id,
                                      std::uint64_t last_seen_version) {
  // Step 1: strict decoding.
  Reader r(signed_list, "device list");
  const std::uint8_t format = r.u8();
  if (r.ok() && format != kListFormat) return errors::unknown_version("device list");
  DeviceList list;
  list.account_id = r.id();
  list.version = r.u64();
  list.issued_at = r.u64();
  const std::uint16_t count = r.u16();
  if (count == 0 || count > kMaxDevicesPerAccount || list.version == 0) r.fail();
  for (std::uint16_t i = 0; r.ok() && i < count; ++i) {
    list.devices.push_back(read_device_entry(r, list.account_id));
    // Canonical order: strictly increasing device ids (hex order = byte order).
    if (i > 0 && !(list.devices[i - 1].device_id < list.devices[i].device_id)) r.fail();
  }
  const std::size_t body_len = r.offset();
  const auto signature = r.fixed<kSignatureBytes>();
  HIPPO_RETURN_IF_ERROR(r.finish());
  // Step 2: the account asked for.
  if (list.account_id != expected_account_id) return errors::account_mismatch();
  // Step 3: the account key's signature.
  if (!crypto::ed25519_verify(account_key, signature_input(signed_list.first(body_len)), signature)
           .ok()) {
    return errors::bad_signature("the device list");
  }
  // Step 4: every device's own signature over its DH key.
  for (const auto& d : list.devices) HIPPO_RETURN_IF_ERROR(verify_device_identity(d));
  // Step 5: no rollback to an older list.
  if (list.version < last_seen_version) return errors::stale_device_list();
  return list;
}

const DevicePublicIdentity* find_device(const DeviceList& list, std::string_view device_id) {
  for (const auto& d : list.devices) {
    if (d.device_id == device_id) return &d;
  }
  return nullptr;
}

}  // namespace hippocrate::e2ee
