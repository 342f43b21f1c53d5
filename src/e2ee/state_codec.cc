#include "e2ee/state_codec.h"

#include "e2ee/errors.h"
#include "e2ee/x3dh.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::uint8_t kIdentityFormat = 0x01;
constexpr std::uint8_t kAccountKeyFormat = 0x01;
constexpr std::uint8_t kPrekeyStoreFormat = 0x01;
constexpr std::uint8_t kSessionFormat = 0x01;
constexpr std::uint32_t kMaxStoredPrekeys = 10000;

Status check_format(Reader& r, std::uint8_t expected, const char* what) {
  const std::uint8_t format = r.u8();
  if (!r.ok()) return r.error();
  if (format != expected) return errors::unknown_version(what);
  return ok_status();
}

SharedSecret read_key(Reader& r) { return share(r.secret(kKeyBytes)); }

void write_optional_secret(Writer& w, const SharedSecret& s) {
  w.u8(s ? 1 : 0);
  if (s) w.raw(s->span());
}

SharedSecret read_optional_secret(Reader& r) { return r.flag() ? read_key(r) : nullptr; }

void write_prekey_fields(Writer& w, const PrekeyFields& p) {
  w.raw(p.sender_signing_key).raw(p.sender_dh_key).raw(p.ephemeral_key).u32(p.signed_prekey_id);
  w.u8(p.one_time_prekey_id ? 1 : 0);
  if (p.one_time_prekey_id) w.u32(*p.one_time_prekey_id);
}

PrekeyFields read_prekey_fields(Reader& r) {
  PrekeyFields p;
  p.sender_signing_key = r.fixed<kKeyBytes>();
  p.sender_dh_key = r.fixed<kKeyBytes>();
  p.ephemeral_key = r.fixed<kKeyBytes>();
  p.signed_prekey_id = r.u32();
  if (r.flag()) p.one_time_prekey_id = r.u32();
  return p;
}

}  // namespace

void write_device_identity_secret(Writer& w, const DeviceIdentity& identity) {
  w.u8(kIdentityFormat).id(identity.pub.account_id).id(identity.pub.device_id);
  // The 32-byte Ed25519 seed is the first half of libsodium's 64-byte secret key.
  w.raw(identity.signing_secret->span().first(crypto::kEd25519SeedBytes));
  w.raw(identity.dh.private_key->span());
}

Result<DeviceIdentity> read_device_identity_secret(Reader& r) {
  HIPPO_RETURN_IF_ERROR(check_format(r, kIdentityFormat, "stored device identity"));
  const std::string account_id = r.id();
  const std::string device_id = r.id();
  const SecretBytes seed = r.secret(crypto::kEd25519SeedBytes);
  const SecretBytes dh = r.secret(kKeyBytes);
  if (!r.ok()) return r.error();
  return device_identity_from_secrets(account_id, device_id, seed, dh);
}

void write_account_key_secret(Writer& w, const AccountKey& key) {
  w.u8(kAccountKeyFormat).id(key.account_id);
  w.raw(key.secret_key->span().first(crypto::kEd25519SeedBytes));
}

Result<AccountKey> read_account_key_secret(Reader& r) {
  HIPPO_RETURN_IF_ERROR(check_format(r, kAccountKeyFormat, "stored account key"));
  const std::string account_id = r.id();
  const SecretBytes seed = r.secret(crypto::kEd25519SeedBytes);
  if (!r.ok()) return r.error();
  return account_key_from_seed(account_id, seed);
}

void write_prekey_store(Writer& w, const PrekeyStore& store) {
  w.u8(kPrekeyStoreFormat).u32(store.next_signed_prekey_id).u32(store.next_one_time_prekey_id);
  w.u32(static_cast<std::uint32_t>(store.signed_prekeys.size()));
  for (const auto& p : store.signed_prekeys) {
    w.u32(p.pub.id).u64(p.pub.created_at).raw(p.private_key->span());
  }
  w.u32(static_cast<std::uint32_t>(store.one_time_prekeys.size()));
  for (const auto& p : store.one_time_prekeys) w.u32(p.pub.id).raw(p.private_key->span());
}

Result<PrekeyStore> read_prekey_store(Reader& r, const DeviceIdentity& device) {
  HIPPO_RETURN_IF_ERROR(check_format(r, kPrekeyStoreFormat, "stored prekeys"));
  PrekeyStore store;
  store.next_signed_prekey_id = r.u32();
  store.next_one_time_prekey_id = r.u32();
  const std::uint32_t signed_count = r.u32();
  if (signed_count > kMaxStoredPrekeys) r.fail();
  for (std::uint32_t i = 0; r.ok() && i < signed_count; ++i) {
    const std::uint32_t id = r.u32();
    const std::uint64_t created_at = r.u64();
    const SecretBytes priv = r.secret(kKeyBytes);
    if (!r.ok()) break;
    // Ed25519 signatures are deterministic: re-signing gives the uploaded signature back.
    HIPPO_ASSIGN_OR_RETURN(SignedPrekey p, signed_prekey_from_secret(device, id, created_at, priv));
    store.signed_prekeys.push_back(std::move(p));
  }
  const std::uint32_t one_time_count = r.u32();
  if (one_time_count > kMaxStoredPrekeys) r.fail();
  for (std::uint32_t i = 0; r.ok() && i < one_time_count; ++i) {
    const std::uint32_t id = r.u32();
    SecretBytes priv = r.secret(kKeyBytes);
    if (!r.ok()) break;
    auto pub = crypto::x25519_public_key(priv);
    if (!pub.ok()) return errors::bad_key("stored one-time prekey");
    store.one_time_prekeys.push_back({{id, *pub}, share(std::move(priv))});
  }
  if (!r.ok()) return r.error();
  return store;
}

void write_session(Writer& w, const Session& s) {
  w.u8(kSessionFormat).id(s.peer_account_id).id(s.peer_device_id);
  w.raw(s.peer_signing_key).raw(s.peer_dh_key);
  w.u16(static_cast<std::uint16_t>(s.associated_data.size())).raw(s.associated_data);
  w.raw(s.base_key).raw(s.root_key->span());
  w.raw(s.sending_ratchet.private_key->span()).raw(s.sending_ratchet.public_key);
  w.u8(s.receiving_ratchet ? 1 : 0);
  if (s.receiving_ratchet) w.raw(*s.receiving_ratchet);
  write_optional_secret(w, s.sending_chain);
  write_optional_secret(w, s.receiving_chain);
  w.u32(s.ns).u32(s.nr).u32(s.pn);
  w.u16(static_cast<std::uint16_t>(s.previous_receiving.size()));
  for (const auto& k : s.previous_receiving) w.raw(k);
  w.u32(static_cast<std::uint32_t>(s.skipped.size()));
  for (std::size_t i = 0; i < s.skipped.size(); ++i) {
    w.raw(s.skipped[i].dh).u32(s.skipped[i].n).u64(s.skipped[i].stored_at);
    w.raw(s.skipped_key(i));
  }
  w.u8(s.pending_prekey ? 1 : 0);
  if (s.pending_prekey) write_prekey_fields(w, *s.pending_prekey);
}

Result<Session> read_session(Reader& r) {
  HIPPO_RETURN_IF_ERROR(check_format(r, kSessionFormat, "stored session"));
  Session s;
  s.peer_account_id = r.id();
  s.peer_device_id = r.id();
  s.peer_signing_key = r.fixed<kKeyBytes>();
  s.peer_dh_key = r.fixed<kKeyBytes>();
  const std::uint16_t ad_len = r.u16();
  if (ad_len != kAssociatedDataBytes) r.fail();
  auto ad = r.take(ad_len);
  s.associated_data.assign(ad.begin(), ad.end());
  s.base_key = r.fixed<kKeyBytes>();
  s.root_key = read_key(r);
  s.sending_ratchet.private_key = read_key(r);
  s.sending_ratchet.public_key = r.fixed<kKeyBytes>();
  if (r.flag()) s.receiving_ratchet = r.fixed<kKeyBytes>();
  s.sending_chain = read_optional_secret(r);
  s.receiving_chain = read_optional_secret(r);
  s.ns = r.u32();
  s.nr = r.u32();
  s.pn = r.u32();
  const std::uint16_t prev = r.u16();
  if (prev > kMaxPreviousReceivingKeys) r.fail();
  for (std::uint16_t i = 0; r.ok() && i < prev; ++i)
    s.previous_receiving.push_back(r.fixed<kKeyBytes>());
  const std::uint32_t skipped = r.u32();
  if (skipped > kMaxStoredSkippedKeys) r.fail();
  if (r.ok() && skipped > 0) {
    SecretBytes keys(skipped * kKeyBytes);
    for (std::uint32_t i = 0; r.ok() && i < skipped; ++i) {
      SkippedKey e;
      e.dh = r.fixed<kKeyBytes>();
      e.n = r.u32();
      e.stored_at = r.u64();
      auto mk = r.take(kKeyBytes);
      if (!r.ok()) break;
      std::copy(mk.begin(), mk.end(), keys.data() + i * kKeyBytes);
      s.skipped.push_back(e);
    }
    s.skipped_keys = share(std::move(keys));
  }
  if (r.flag()) s.pending_prekey = read_prekey_fields(r);
  if (!r.ok()) return r.error();
  // The stored public ratchet key must be the private key's.
  auto pub = crypto::x25519_public_key(*s.sending_ratchet.private_key);
  if (!pub.ok() || *pub != s.sending_ratchet.public_key) return errors::malformed("stored session");
  return s;
}

SecretBytes serialize_session(const Session& session) {
  Writer w;
  write_session(w, session);
  return w.take_secret();
}

Result<Session> parse_session(std::span<const std::uint8_t> bytes) {
  Reader r(bytes, "stored session");
  HIPPO_ASSIGN_OR_RETURN(Session s, read_session(r));
  HIPPO_RETURN_IF_ERROR(r.finish());
  return s;
}

}  // namespace hippocrate::e2ee
