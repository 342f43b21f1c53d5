#include "e2ee/ratchet.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "crypto/aead.h"
#include "crypto/hkdf.h"
#include "crypto/hmac.h"
#include "e2ee/errors.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::string_view kRatchetInfo = "Hippocrate Ratchet v1";
constexpr std::string_view kMessageKeysInfo = "Hippocrate Message Keys v1";

// A message key on the stack, wiped when it goes out of scope.
struct MessageKey {
  std::array<std::uint8_t, kKeyBytes> bytes{};
  MessageKey() = default;
  MessageKey(const MessageKey&) = delete;
  MessageKey& operator=(const MessageKey&) = delete;
  ~MessageKey() { sodium_memzero(bytes.data(), bytes.size()); }
};

// DR §5.2 KDF_RK: HKDF(salt = rk, ikm = dh_out, info, 64) → (rk', ck).
Result<std::pair<SharedSecret, SharedSecret>> kdf_rk(const SecretBytes& rk,
                                                     const SecretBytes& dh_private,
                                                     const PublicKey& dh_public) {
  auto dh_out = crypto::x25519_shared_secret(dh_private, dh_public);
  if (!dh_out.ok()) return errors::decrypt_failed();
  auto okm = crypto::hkdf_sha256(rk.span(), dh_out->span(), as_bytes(kRatchetInfo), 2 * kKeyBytes);
  if (!okm.ok()) return errors::decrypt_failed();
  return std::pair{share(SecretBytes::from(okm->span().first(kKeyBytes))),
                   share(SecretBytes::from(okm->span().subspan(kKeyBytes)))};
}

// DR §5.2 KDF_CK: mk = HMAC(ck, 0x01), ck' = HMAC(ck, 0x02).
SharedSecret kdf_ck(const SecretBytes& ck, MessageKey& mk) {
  static constexpr std::uint8_t kMessageKeyByte = 0x01;
  static constexpr std::uint8_t kChainKeyByte = 0x02;
  crypto::HmacSha256Tag tag = crypto::hmac_sha256(ck.span(), std::span(&kMessageKeyByte, 1));
  mk.bytes = tag;
  sodium_memzero(tag.data(), tag.size());
  return share(crypto::hmac_sha256_secret(ck.span(), std::span(&kChainKeyByte, 1)));
}

// §4 ENCRYPT/DECRYPT key schedule: HKDF(zero salt, mk, info, 56) → key ‖ nonce.
Result<SecretBytes> message_okm(std::span<const std::uint8_t> mk) {
  static constexpr std::array<std::uint8_t, 32> kZeroSalt{};
  return crypto::hkdf_sha256(kZeroSalt, mk, as_bytes(kMessageKeysInfo),
                             kKeyBytes + crypto::kXChaChaNonceBytes);
}

Bytes message_ad(const Session& s, const std::optional<PrekeyFields>& prekey,
                 const RatchetHeader& header) {
  Bytes ad = s.associated_data;
  const Bytes prefix = encode_envelope_prefix(prekey, header);
  ad.insert(ad.end(), prefix.begin(), prefix.end());
  return ad;
}

Result<Bytes> seal(std::span<const std::uint8_t> mk, std::span<const std::uint8_t> plaintext,
                   std::span<const std::uint8_t> ad) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes okm, message_okm(mk));
  const SecretBytes key = SecretBytes::from(okm.span().first(kKeyBytes));
  return crypto::xchacha_seal_with_nonce(key, okm.span().subspan(kKeyBytes), plaintext, ad);
}

Result<Bytes> open(std::span<const std::uint8_t> mk, std::span<const std::uint8_t> ciphertext,
                   std::span<const std::uint8_t> ad) {
  auto okm = message_okm(mk);
  if (!okm.ok()) return errors::decrypt_failed();
  const SecretBytes key = SecretBytes::from(okm->span().first(kKeyBytes));
  auto pt = crypto::xchacha_open_with_nonce(key, okm->span().subspan(kKeyBytes), ciphertext, ad);
  if (!pt.ok()) return errors::decrypt_failed();
  return pt;
}

std::optional<std::size_t> find_skipped(const Session& s, const RatchetHeader& h) {
  for (std::size_t i = 0; i < s.skipped.size(); ++i) {
    if (s.skipped[i].n == h.n && s.skipped[i].dh == h.dh) return i;
  }
  return std::nullopt;
}

// Message keys skipped by one decrypt, collected before they are merged into the state.
class NewSkipped {
 public:
  explicit NewSkipped(std::size_t capacity) : keys_(capacity * kKeyBytes) {}
  void add(const PublicKey& dh, std::uint32_t n, std::uint64_t now, const MessageKey& mk) {
    std::copy(mk.bytes.begin(), mk.bytes.end(), keys_.data() + entries_.size() * kKeyBytes);
    entries_.push_back({dh, n, now});
  }
  const std::vector<SkippedKey>& entries() const { return entries_; }
  std::span<const std::uint8_t> key(std::size_t i) const {
    return keys_.span().subspan(i * kKeyBytes, kKeyBytes);
  }

 private:
  SecretBytes keys_;
  std::vector<SkippedKey> entries_;
};

// DR §3.5 SkipMessageKeys(state, until): stores the keys of CKr's messages nr .. until-1.
void skip_message_keys(Session& s, std::uint32_t until, std::uint64_t now, NewSkipped& out) {
  if (!s.receiving_chain) return;
  while (s.nr < until) {
    MessageKey mk;
    s.receiving_chain = kdf_ck(*s.receiving_chain, mk);
    out.add(*s.receiving_ratchet, s.nr, now, mk);
    ++s.nr;
  }
}

// Rebuilds the skipped-key store of `s`: keeps the old entries except `used` and the
// expired ones, appends the new ones, evicts the oldest beyond the cap (§4).
void merge_skipped(Session& s, std::optional<std::size_t> used, const NewSkipped& added,
                   std::uint64_t now) {
  struct Source {
    SkippedKey entry;
    std::span<const std::uint8_t> key;
  };
  std::vector<Source> keep;
  for (std::size_t i = 0; i < s.skipped.size(); ++i) {
    const auto& e = s.skipped[i];
    const bool expired = now > e.stored_at && now - e.stored_at > kSkippedKeyMaxAgeSeconds;
    if ((used && *used == i) || expired) continue;
    keep.push_back({e, s.skipped_key(i)});
  }
  for (std::size_t i = 0; i < added.entries().size(); ++i) {
    keep.push_back({added.entries()[i], added.key(i)});
  }
  if (keep.size() > kMaxStoredSkippedKeys) {
    keep.erase(keep.begin(),
               keep.begin() + static_cast<std::ptrdiff_t>(keep.size() - kMaxStoredSkippedKeys));
  }
  if (!used && added.entries().empty() && keep.size() == s.skipped.size()) return;
  std::vector<SkippedKey> entries;
  SecretBytes keys(keep.size() * kKeyBytes);
  for (std::size_t i = 0; i < keep.size(); ++i) {
    entries.push_back(keep[i].entry);
    std::copy(keep[i].key.begin(), keep[i].key.end(), keys.data() + i * kKeyBytes);
  }
  s.skipped = std::move(entries);
  s.skipped_keys = keep.empty() ? nullptr : share(std::move(keys));
}

bool contains(const std::vector<PublicKey>& keys, const PublicKey& k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

}  // namespace

Result<Session> ratchet_init_initiator(const DevicePublicIdentity& peer, Bytes associated_data,
                                       const SharedSecret& shared_key,
                                       const PublicKey& peer_signed_prekey,
                                       const PrekeyFields& prekey_fields, KeySource& keys) {
  Session s;
  s.peer_account_id = peer.account_id;
  s.peer_device_id = peer.device_id;
  s.peer_signing_key = peer.signing_key;
  s.peer_dh_key = peer.dh_key;
  s.associated_data = std::move(associated_data);
  s.base_key = prekey_fields.ephemeral_key;
  // DR §3.3: state.DHs = GENERATE_DH(); state.DHr = bob_dh_public_key;
  //          state.RK, state.CKs = KDF_RK(SK, DH(state.DHs, state.DHr)).
  s.sending_ratchet = to_dh_pair(keys.generate_x25519());
  s.receiving_ratchet = peer_signed_prekey;
  auto rk_ck = kdf_rk(*shared_key, *s.sending_ratchet.private_key, peer_signed_prekey);
  if (!rk_ck.ok()) return errors::bad_key("signed prekey");
  s.root_key = std::move(rk_ck->first);
  s.sending_chain = std::move(rk_ck->second);
  s.pending_prekey = prekey_fields;
  return s;
}

Session ratchet_init_responder(const DevicePublicIdentity& peer, Bytes associated_data,
                               const SharedSecret& shared_key, const DhKeyPair& signed_prekey,
                               const PublicKey& base_key) {
  Session s;
  s.peer_account_id = peer.account_id;
  s.peer_device_id = peer.device_id;
  s.peer_signing_key = peer.signing_key;
  s.peer_dh_key = peer.dh_key;
  s.associated_data = std::move(associated_data);
  s.base_key = base_key;
  // DR §3.3: state.DHs = bob_dh_key_pair; state.RK = SK; no chains yet.
  s.sending_ratchet = signed_prekey;
  s.root_key = shared_key;
  return s;
}

Result<RatchetEncrypted> ratchet_encrypt(const Session& session,
                                         std::span<const std::uint8_t> plaintext) {
  if (!session.sending_chain) return errors::no_session();
  if (plaintext.size() > kMaxPlaintextBytes) return errors::too_large("the message");
  RatchetEncrypted out{session, {}};
  Session& s = out.session;
  // DR §3.4: state.CKs, mk = KDF_CK(state.CKs); header = HEADER(state.DHs, state.PN, state.Ns).
  MessageKey mk;
  s.sending_chain = kdf_ck(*s.sending_chain, mk);
  Envelope e;
  e.prekey = s.pending_prekey;
  e.header = {s.sending_ratchet.public_key, s.pn, s.ns};
  if (s.ns == UINT32_MAX) return errors::too_large("the sending chain");
  ++s.ns;
  // ENCRYPT(mk, plaintext, CONCAT(AD, header)) — AD ‖ envelope prefix (§4).
  HIPPO_ASSIGN_OR_RETURN(e.ciphertext,
                         seal(mk.bytes, plaintext, message_ad(s, e.prekey, e.header)));
  out.envelope = encode_envelope(e);
  return out;
}

Result<RatchetDecrypted> ratchet_decrypt(const Session& session, const Envelope& envelope,
                                         std::uint64_t now, KeySource& keys) {
  const RatchetHeader& h = envelope.header;
  const Bytes ad = message_ad(session, envelope.prekey, h);
  RatchetDecrypted out{session, {}};
  Session& s = out.session;

  // DR §3.5 TrySkippedMessageKeys: a stored key is used once, then dropped.
  if (auto i = find_skipped(s, h)) {
    HIPPO_ASSIGN_OR_RETURN(out.plaintext, open(s.skipped_key(*i), envelope.ciphertext, ad));
    merge_skipped(s, i, NewSkipped(0), now);
    s.pending_prekey.reset();
    return out;
  }
  const bool same_chain = s.receiving_ratchet && *s.receiving_ratchet == h.dh;
  // A used key (no skipped entry left for it) in the current or a replaced chain: replay.
  if ((same_chain && h.n < s.nr) || contains(s.previous_receiving, h.dh)) {
    return errors::replay();
  }
  // MAX_SKIP, checked before any key is derived.
  const std::uint32_t skip_old =
      (!same_chain && s.receiving_chain && h.pn > s.nr) ? h.pn - s.nr : 0;
  const std::uint32_t skip_new = same_chain ? h.n - s.nr : h.n;
  if (skip_old > kMaxSkip || skip_new > kMaxSkip) return errors::too_many_skipped();

  NewSkipped added(skip_old + skip_new);
  if (!same_chain) {
    // DR §3.5: SkipMessageKeys(state, header.pn); DHRatchet(state, header).
    skip_message_keys(s, h.pn, now, added);
    s.pn = s.ns;
    s.ns = 0;
    s.nr = 0;
    if (s.receiving_ratchet) {
      s.previous_receiving.push_back(*s.receiving_ratchet);
      if (s.previous_receiving.size() > kMaxPreviousReceivingKeys) {
        s.previous_receiving.erase(s.previous_receiving.begin());
      }
    }
    s.receiving_ratchet = h.dh;
    // DR §3.5 DHRatchet: RK, CKr = KDF_RK(RK, DH(DHs, DHr)); DHs = GENERATE_DH();
    //                    RK, CKs = KDF_RK(RK, DH(DHs, DHr)).
    HIPPO_ASSIGN_OR_RETURN(auto rk_ckr, kdf_rk(*s.root_key, *s.sending_ratchet.private_key, h.dh));
    s.receiving_chain = std::move(rk_ckr.second);
    s.sending_ratchet = to_dh_pair(keys.generate_x25519());
    HIPPO_ASSIGN_OR_RETURN(auto rk_cks,
                           kdf_rk(*rk_ckr.first, *s.sending_ratchet.private_key, h.dh));
    s.root_key = std::move(rk_cks.first);
    s.sending_chain = std::move(rk_cks.second);
  }
  // DR §3.5: SkipMessageKeys(state, header.n); state.CKr, mk = KDF_CK(state.CKr); Nr += 1.
  skip_message_keys(s, h.n, now, added);
  MessageKey mk;
  s.receiving_chain = kdf_ck(*s.receiving_chain, mk);
  ++s.nr;
  HIPPO_ASSIGN_OR_RETURN(out.plaintext, open(mk.bytes, envelope.ciphertext, ad));
  merge_skipped(s, std::nullopt, added, now);
  s.pending_prekey.reset();
  return out;
}

}  // namespace hippocrate::e2ee
