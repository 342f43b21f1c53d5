// The Double Ratchet (Signal Double Ratchet spec §3, without header encryption; KDFs and
// limits in docs/protocol.md §4), over the envelope of §5.
//
// Contract:
//   - every function takes the current Session by const reference and returns the next one;
//     the input is never modified, so on any error the caller still holds a working session;
//   - ratchet_decrypt either authenticates and returns the plaintext with the new state, or
//     fails with e2ee_decrypt_failed (tag, wrong key, bad point), e2ee_replay (a message key
//     already used), e2ee_too_many_skipped (more than kMaxSkip in one chain);
//   - message keys exist only inside one call (stack, wiped) except skipped ones, which are
//     held in the state until used (then dropped from the returned state), evicted (more
//     than kMaxStoredSkippedKeys) or expired (kSkippedKeyMaxAgeSeconds after `now`).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/encoding.h"
#include "base/result.h"
#include "e2ee/envelope.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"
#include "e2ee/session.h"

namespace hippocrate::e2ee {

// DR §3.3 RatchetInitAlice: DHs fresh, DHr = Bob's signed prekey, RK/CKs = KDF_RK(SK, DH).
Result<Session> ratchet_init_initiator(const DevicePublicIdentity& peer, Bytes associated_data,
                                       const SharedSecret& shared_key,
                                       const PublicKey& peer_signed_prekey,
                                       const PrekeyFields& prekey_fields, KeySource& keys);

// DH §3.3 RatchetInitBob: DHs = his signed prekey pair, RK = SK, no chains yet.
Session ratchet_init_responder(const DevicePublicIdentity& peer, Bytes associated_data,
                               const SharedSecret& shared_key, const DhKeyPair& signed_prekey,
                               const PublicKey& base_key);

struct RatchetEncrypted {
  Session session;
  Bytes envelope;  // encoded §5
};

// DR §3.4 RatchetEncrypt. Error e2ee_no_session if the session has no sending chain (a
// responder that has not yet received anything cannot happen: it always has one after its
// first decrypt); e2ee_too_large above kMaxPlaintextBytes.
Result<RatchetEncrypted> ratchet_encrypt(const Session& session,
                                         std::span<const std::uint8_t> plaintext);

struct RatchetDecrypted {
  Session session;
  Bytes plaintext;
};

// DR §3.5 RatchetDecrypt, with the limits of §4.
Result<RatchetDecrypted> ratchet_decrypt(const Session& session, const Envelope& envelope,
                                         std::uint64_t now, KeySource& keys);

}  // namespace hippocrate::e2ee
