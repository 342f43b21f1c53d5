// The send/receive entry points over one pairwise session: X3DH to start a session from a
// verified bundle, Double Ratchet to encrypt a MessageContent, and the receive path that
// accepts both prekey messages and normal ones (docs/protocol.md §3-§5).
//
// Contract: pure functions over values. Nothing is committed by this file: each returns the
// next Session (and, for a prekey message, the one-time prekey id to delete) and the caller
// stores them in its keystore only on success. On any error the caller's state is untouched.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "base/encoding.h"
#include "base/result.h"
#include "e2ee/device_list.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"
#include "e2ee/message_content.h"
#include "e2ee/prekey_store.h"
#include "e2ee/prekeys.h"
#include "e2ee/session.h"

namespace hippocrate::e2ee {

// Verifies `bundle` against the recipient's verified device list (verify_bundle) and runs
// X3DH as initiator; the session sends prekey messages until the peer answers.
Result<Session> start_session(const DeviceIdentity& me, const PrekeyBundle& bundle,
                              const DeviceList& recipient_list, std::uint64_t now,
                              KeySource& keys = system_key_source());

struct EncryptedMessage {
  Session session;  // the next state: store it before sending the envelope
  Bytes envelope;
};

// Encodes `content` (§5.1) and encrypts it. The content's sender fields must name this
// device and the session must be with a peer (e2ee_sender_mismatch otherwise).
Result<EncryptedMessage> encrypt_message(const DeviceIdentity& me, const Session& session,
                                         const MessageContent& content);

struct DecryptedMessage {
  Session session;  // the next state (a new one for a new prekey message)
  MessageContent content;
  bool new_session = false;                           // replaces any session with the sender
  std::optional<std::uint32_t> used_one_time_prekey;  // delete it from the PrekeyStore
};

// Decrypts an envelope from `sender`, the sender's entry in its account's verified device
// list (account and device ids from the transport). `existing` is the current session with
// that device, if any. Errors: those of decode_envelope and ratchet_decrypt, plus
// e2ee_identity_mismatch (prekey message keys ≠ device list), e2ee_unknown_prekey,
// e2ee_no_session (a normal message without a session), e2ee_sender_mismatch (content names
// another sender), e2ee_malformed (plaintext structure).
Result<DecryptedMessage> decrypt_message(const DeviceIdentity& me, const PrekeyStore& prekeys,
                                         const DevicePublicIdentity& sender,
                                         const Session* existing,
                                         std::span<const std::uint8_t> envelope, std::uint64_t now,
                                         KeySource& keys = system_key_source());

}  // namespace hippocrate::e2ee
