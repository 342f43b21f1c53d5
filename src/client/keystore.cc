#include "client/keystore.h"

#include <algorithm>

#include "base/files.h"
#include "base/ids.h"
#include "base/key_file.h"
#include "crypto/aead.h"
#include "crypto/compare.h"
#include "crypto/hash.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"
#include "e2ee/state_codec.h"
#include "e2ee/wire.h"

namespace hippocrate::client {
namespace {

constexpr std::string_view kMagic = "HPKS";
constexpr std::uint8_t kFileFormat = 0x01;
// Contents format: 0x01 up to the device-list versions; 0x02 adds the seen message ids;
// 0x03 adds a contact's hint_shown flag and the own account's known devices; 0x04 a
// contact's e-mail and display name.
constexpr std::uint8_t kDataFormatV1 = 0x01;
constexpr std::uint8_t kDataFormatV2 = 0x02;
constexpr std::uint8_t kDataFormatV3 = 0x03;
constexpr std::uint8_t kDataFormat = 0x04;
constexpr std::size_t kMaxNameBytes = 1024;  // a contact's e-mail or display name
constexpr std::uint8_t kKdfPassphrase = 0x01;
constexpr std::uint8_t kKdfKeyFile = 0x02;
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kKeyCheckBytes = 16;
constexpr std::size_t kMaxFileBytes = 64u * 1024u * 1024u;
constexpr std::string_view kKeyCheckLabel = "Hippocrate keystore key check";
constexpr mode_t kFileMode = 0600;

Error corrupt() {
  return Error::data_loss("keystore_corrupt",
                          "the keystore was modified or damaged; restore it from a backup");
}

Error newer_version() {
  return Error::data_loss("keystore_unknown_version",
                          "the keystore was written by a newer version of Hippocrate");
}

const KeyFileNames kKeyFileNames{"keystore_key_file", "the keystore key file",
                                 "without it the keystore cannot be opened"};

// §8: key_check = BLAKE2b-128(key = K, "Hippocrate keystore key check").
Bytes key_check(const SecretBytes& key) {
  auto check = crypto::blake2b(as_bytes(kKeyCheckLabel), kKeyCheckBytes, key.span());
  return check.ok() ? *check : Bytes(kKeyCheckBytes, 0);
}

Result<SecretBytes> derive_key(const KeystoreUnlock& unlock, std::span<const std::uint8_t> salt,
                               const crypto::Argon2Params& params) {
  return crypto::argon2id_derive_key(unlock.passphrase_bytes().span(), salt, params, kKeyBytes);
}

Bytes header_bytes(std::uint8_t kdf, const crypto::Argon2Params& params,
                   std::span<const std::uint8_t> salt, const SecretBytes& key) {
  e2ee::Writer w;
  w.raw(as_bytes(kMagic)).u8(kFileFormat).u8(kdf);
  if (kdf == kKdfPassphrase) {
    w.u32(static_cast<std::uint32_t>(params.ops));
    w.u32(static_cast<std::uint32_t>(params.mem_bytes / 1024)).raw(salt);
  }
  w.raw(key_check(key));
  return w.bytes();
}

void write_contact(e2ee::Writer& w, const std::string& id, const ContactRecord& c) {
  w.id(id).raw(c.account_key).u8(c.verified ? 1 : 0).u8(c.key_changed ? 1 : 0);
  w.u8(c.hint_shown ? 1 : 0);
  for (const std::string* text : {&c.email, &c.display_name}) {
    const std::size_t n = std::min(text->size(), kMaxNameBytes);
    w.u16(static_cast<std::uint16_t>(n)).raw(as_bytes(std::string_view(*text).substr(0, n)));
  }
}

}  // namespace

void SeenMessageIds::insert(const std::string& message_id) {
  if (!is_valid_id(message_id) || index_.contains(message_id)) return;
  order_.push_back(message_id);
  index_.insert(message_id);
  while (order_.size() > kLimit) {
    index_.erase(order_.front());
    order_.pop_front();
  }
}

KeystoreData observe_account_key(KeystoreData data, const std::string& account_id,
                                 const e2ee::PublicKey& key) {
  ContactRecord pinned;
  pinned.account_key = key;
  auto [it, inserted] = data.contacts.try_emplace(account_id, pinned);
  if (!inserted && it->second.account_key != key) {
    it->second.account_key = key;
    it->second.key_changed = true;
  }
  return data;
}

bool sending_blocked(const KeystoreData& data, const std::string& account_id) {
  auto it = data.contacts.find(account_id);
  return it != data.contacts.end() && it->second.key_changed;
}

KeystoreData mark_verified(KeystoreData data, const std::string& account_id) {
  auto it = data.contacts.find(account_id);
  if (it != data.contacts.end()) {
    it->second.verified = true;
    it->second.key_changed = false;
  }
  return data;
}

KeystoreData acknowledge_key_change(KeystoreData data, const std::string& account_id) {
  auto it = data.contacts.find(account_id);
  if (it != data.contacts.end() && it->second.key_changed) {
    // The new key is not the one the user verified: it must be verified again.
    it->second.key_changed = false;
    it->second.verified = false;
    it->second.hint_shown = false;
  }
  return data;
}

KeystoreUnlock KeystoreUnlock::passphrase(SecretBytes passphrase, crypto::Argon2Params params) {
  KeystoreUnlock u;
  u.uses_passphrase_ = true;
  u.passphrase_ = std::move(passphrase);
  u.params_ = params;
  return u;
}

KeystoreUnlock KeystoreUnlock::key_file() { return KeystoreUnlock(); }

std::filesystem::path Keystore::key_file_path(const std::filesystem::path& file) {
  auto p = file;
  p += ".key";
  return p;
}

SecretBytes encode_keystore_data(const KeystoreData& d) {
  e2ee::Writer w;
  w.u8(kDataFormat);
  e2ee::write_device_identity_secret(w, d.device);
  w.u8(d.account_key ? 1 : 0);
  if (d.account_key) e2ee::write_account_key_secret(w, *d.account_key);
  e2ee::write_prekey_store(w, d.prekeys);
  w.u32(static_cast<std::uint32_t>(d.sessions.size()));
  for (const auto& [address, session] : d.sessions) {
    w.id(address.account_id).id(address.device_id);
    e2ee::write_session(w, session);
  }
  w.u32(static_cast<std::uint32_t>(d.contacts.size()));
  for (const auto& [id, contact] : d.contacts) write_contact(w, id, contact);
  w.u32(static_cast<std::uint32_t>(d.device_list_versions.size()));
  for (const auto& [id, version] : d.device_list_versions) w.id(id).u64(version);
  w.u32(static_cast<std::uint32_t>(d.seen_messages.size()));
  for (const auto& id : d.seen_messages.in_order()) w.id(id);
  w.u8(d.own_devices ? 1 : 0);
  if (d.own_devices) {
    w.u32(static_cast<std::uint32_t>(d.own_devices->size()));
    for (const auto& id : *d.own_devices) w.id(id);
  }
  return w.take_secret();
}

Result<KeystoreData> decode_keystore_data(std::span<const std::uint8_t> bytes) {
  e2ee::Reader r(bytes, "keystore contents");
  const std::uint8_t format = r.u8();
  if (!r.ok()) return corrupt();
  if (format > kDataFormat) return newer_version();
  if (format < kDataFormatV1) return corrupt();
  KeystoreData d;
  HIPPO_ASSIGN_OR_RETURN(d.device, e2ee::read_device_identity_secret(r));
  if (r.flag()) {
    HIPPO_ASSIGN_OR_RETURN(auto key, e2ee::read_account_key_secret(r));
    d.account_key = std::move(key);
  }
  HIPPO_ASSIGN_OR_RETURN(d.prekeys, e2ee::read_prekey_store(r, d.device));
  const std::uint32_t sessions = r.u32();
  for (std::uint32_t i = 0; r.ok() && i < sessions; ++i) {
    e2ee::DeviceAddress address;
    address.account_id = r.id();
    address.device_id = r.id();
    HIPPO_ASSIGN_OR_RETURN(auto session, e2ee::read_session(r));
    d.sessions.insert_or_assign(std::move(address), std::move(session));
  }
  const std::uint32_t contacts = r.u32();
  for (std::uint32_t i = 0; r.ok() && i < contacts; ++i) {
    const std::string id = r.id();
    ContactRecord c;
    c.account_key = r.fixed<e2ee::kKeyBytes>();
    c.verified = r.flag();
    c.key_changed = r.flag();
    if (format >= kDataFormatV3) c.hint_shown = r.flag();
    if (format >= kDataFormat) {
      for (std::string* text : {&c.email, &c.display_name}) {
        const std::uint16_t n = r.u16();
        if (n > kMaxNameBytes) return corrupt();
        const auto bytes = r.take(n);
        text->assign(bytes.begin(), bytes.end());
      }
    }
    d.contacts.insert_or_assign(id, c);
  }
  const std::uint32_t versions = r.u32();
  for (std::uint32_t i = 0; r.ok() && i < versions; ++i) {
    const std::string id = r.id();
    d.device_list_versions.insert_or_assign(id, r.u64());
  }
  if (format >= kDataFormatV2) {
    const std::uint32_t seen = r.u32();
    if (seen > SeenMessageIds::kLimit) return corrupt();
    for (std::uint32_t i = 0; r.ok() && i < seen; ++i) d.seen_messages.insert(r.id());
  }
  if (format >= kDataFormatV3 && r.flag()) {
    const std::uint32_t own = r.u32();
    if (own > e2ee::kMaxDevicesPerAccount) return corrupt();
    d.own_devices.emplace();
    for (std::uint32_t i = 0; r.ok() && i < own; ++i) d.own_devices->insert(r.id());
  }
  HIPPO_RETURN_IF_ERROR(r.finish());
  return d;
}

Result<Keystore> Keystore::create(const std::filesystem::path& file, const KeystoreUnlock& unlock,
                                  KeystoreData initial) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    return Error::conflict("keystore_exists", "a keystore already exists at this place");
  }
  SecretBytes key;
  Bytes header;
  if (unlock.uses_passphrase()) {
    const Bytes salt = crypto::random_bytes(crypto::kArgon2SaltBytes);
    HIPPO_ASSIGN_OR_RETURN(key, derive_key(unlock, salt, unlock.params()));
    header = header_bytes(kKdfPassphrase, unlock.params(), salt, key);
  } else {
    HIPPO_ASSIGN_OR_RETURN(key,
                           load_or_create_key_file(key_file_path(file), kKeyBytes, kKeyFileNames));
    header = header_bytes(kKdfKeyFile, {}, {}, key);
  }
  Keystore ks(file, std::move(header), std::move(key), KeystoreData{});
  HIPPO_RETURN_IF_ERROR(ks.commit(std::move(initial)));
  return ks;
}

Result<Keystore> Keystore::open(const std::filesystem::path& file, const KeystoreUnlock& unlock) {
  auto contents = read_file(file, kMaxFileBytes);
  if (!contents.ok()) {
    if (contents.error().code() == "file_not_found") {
      return Error::not_found("keystore_not_found", "no keystore at this place");
    }
    return std::move(contents).error();
  }
  const auto bytes = as_bytes(*contents);
  e2ee::Reader r(bytes, "keystore");
  const auto magic = r.take(kMagic.size());
  if (!r.ok() || !std::equal(magic.begin(), magic.end(), kMagic.begin())) return corrupt();
  const std::uint8_t format = r.u8();
  if (r.ok() && format != kFileFormat) return newer_version();
  const std::uint8_t kdf = r.u8();
  SecretBytes key;
  if (kdf == kKdfPassphrase) {
    if (!unlock.uses_passphrase()) {
      return Error::failed_precondition("keystore_needs_passphrase",
                                        "this keystore is protected by a passphrase");
    }
    crypto::Argon2Params params;
    params.ops = r.u32();
    params.mem_bytes = static_cast<std::size_t>(r.u32()) * 1024;
    const auto salt = r.take(crypto::kArgon2SaltBytes);
    if (!r.ok()) return corrupt();
    auto derived = derive_key(unlock, salt, params);
    if (!derived.ok()) {
      return derived.error().code() == "invalid_argon2_params" ? corrupt()
                                                               : std::move(derived).error();
    }
    key = std::move(*derived);
  } else if (kdf == kKdfKeyFile) {
    if (unlock.uses_passphrase()) {
      return Error::failed_precondition("keystore_needs_key_file",
                                        "this keystore is protected by a key file");
    }
    std::error_code ec;
    if (!std::filesystem::exists(key_file_path(file), ec)) {
      return Error::failed_precondition("keystore_key_missing",
                                        "the keystore's key file is missing");
    }
    HIPPO_ASSIGN_OR_RETURN(key,
                           load_or_create_key_file(key_file_path(file), kKeyBytes, kKeyFileNames));
  } else {
    return corrupt();
  }
  const auto check = r.take(kKeyCheckBytes);
  const std::size_t header_len = r.offset();
  if (!r.ok()) return corrupt();
  if (!crypto::constant_time_equals(check, key_check(key))) {
    if (kdf == kKdfPassphrase) {
      return Error::unauthenticated("keystore_wrong_passphrase", "wrong keystore passphrase");
    }
    return Error::unauthenticated("keystore_wrong_key", "the key file does not open this keystore");
  }
  const auto header = bytes.first(header_len);
  auto plaintext = crypto::xchacha_open_secret(key, bytes.subspan(header_len), header);
  if (!plaintext.ok()) return corrupt();
  auto data = decode_keystore_data(plaintext->span());
  if (!data.ok()) {
    return data.error().code() == "keystore_unknown_version" ? std::move(data).error() : corrupt();
  }
  return Keystore(file, Bytes(header.begin(), header.end()), std::move(key), std::move(*data));
}

SecretBytes Keystore::derive_subkey(std::string_view label) const {
  auto derived = crypto::hkdf_sha256_expand(key_.span(), as_bytes(label), kKeyBytes);
  return derived.ok() ? std::move(*derived) : SecretBytes();
}

Status Keystore::commit(KeystoreData next) {
  const SecretBytes plaintext = encode_keystore_data(next);
  HIPPO_ASSIGN_OR_RETURN(Bytes sealed, crypto::xchacha_seal(key_, plaintext.span(), header_));
  Bytes out = header_;
  out.insert(out.end(), sealed.begin(), sealed.end());
  HIPPO_RETURN_IF_ERROR(write_file_atomic(file_, out, kFileMode));
  data_ = std::move(next);
  return ok_status();
}

}  // namespace hippocrate::client
