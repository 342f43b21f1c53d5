#include "e2ee/session_cipher.h"

#include "e2ee/envelope.h"
#include "e2ee/errors.h"
#include "e2ee/ratchet.h"
#include "e2ee/x3dh.h"

namespace hippocrate::e2ee {
namespace {

bool same_identity(const Session& s, const DevicePublicIdentity& d) {
  return s.peer_account_id == d.account_id && s.peer_device_id == d.device_id &&
         s.peer_signing_key == d.signing_key && s.peer_dh_key == d.dh_key;
}

// X3DH §3.4 on the responder, then the session's first decrypt.
Result<DecryptedMessage> accept_prekey_message(const DeviceIdentity& me, const PrekeyStore& prekeys,
                                               const DevicePublicIdentity& sender,
                                               const Envelope& e, std::uint64_t now,
                                               KeySource& keys) {
  const PrekeyFields& p = *e.prekey;
  const SignedPrekey* spk = find_signed_prekey(prekeys, p.signed_prekey_id);
  if (spk == nullptr) return errors::unknown_prekey();
  const SecretBytes* otp_private = nullptr;
  if (p.one_time_prekey_id) {
    const OneTimePrekey* otp = find_one_time_prekey(prekeys, *p.one_time_prekey_id);
    if (otp == nullptr) return errors::unknown_prekey();
    otp_private = otp->private_key.get();
  }
  HIPPO_ASSIGN_OR_RETURN(X3dhResult x3dh,
                         x3dh_respond(me, sender, p.ephemeral_key, *spk->private_key, otp_private));
  Session fresh = ratchet_init_responder(sender, std::move(x3dh.associated_data), x3dh.shared_key,
                                         {spk->private_key, spk->pub.public_key}, p.ephemeral_key);
  auto decrypted = ratchet_decrypt(fresh, e, now, keys);
  if (!decrypted.ok()) {
    // A wrong SK shows as an authentication failure, whatever the reason.
    return decrypted.error().code() == "e2ee_too_many_skipped" ? std::move(decrypted).error()
                                                               : errors::decrypt_failed();
  }
  DecryptedMessage out;
  out.session = std::move(decrypted->session);
  HIPPO_ASSIGN_OR_RETURN(out.content, decode_content(decrypted->plaintext));
  out.new_session = true;
  out.used_one_time_prekey = p.one_time_prekey_id;
  return out;
}

}  // namespace

Result<Session> start_session(const DeviceIdentity& me, const PrekeyBundle& bundle,
                              const DeviceList& recipient_list, std::uint64_t now,
                              KeySource& keys) {
  HIPPO_RETURN_IF_ERROR(verify_bundle(bundle, recipient_list, now));
  HIPPO_ASSIGN_OR_RETURN(X3dhInitiation x3dh, x3dh_initiate(me, bundle, keys));
  PrekeyFields fields;
  fields.sender_signing_key = me.pub.signing_key;
  fields.sender_dh_key = me.pub.dh_key;
  fields.ephemeral_key = x3dh.ephemeral_key;
  fields.signed_prekey_id = x3dh.signed_prekey_id;
  fields.one_time_prekey_id = x3dh.one_time_prekey_id;
  return ratchet_init_initiator(bundle.identity, std::move(x3dh.result.associated_data),
                                x3dh.result.shared_key, bundle.signed_prekey.public_key, fields,
                                keys);
}

Result<EncryptedMessage> encrypt_message(const DeviceIdentity& me, const Session& session,
                                         const MessageContent& content) {
  if (content.sender_account_id != me.pub.account_id ||
      content.sender_device_id != me.pub.device_id) {
    return errors::sender_mismatch();
  }
  HIPPO_ASSIGN_OR_RETURN(Bytes plaintext, encode_content(content));
  HIPPO_ASSIGN_OR_RETURN(RatchetEncrypted r, ratchet_encrypt(session, plaintext));
  return EncryptedMessage{std::move(r.session), std::move(r.envelope)};
}

Result<DecryptedMessage> decrypt_message(const DeviceIdentity& me, const PrekeyStore& prekeys,
                                         const DevicePublicIdentity& sender,
                                         const Session* existing,
                                         std::span<const std::uint8_t> envelope_bytes,
                                         std::uint64_t now, KeySource& keys) {
  HIPPO_ASSIGN_OR_RETURN(Envelope e, decode_envelope(envelope_bytes));
  if (existing != nullptr && !same_identity(*existing, sender)) existing = nullptr;
  DecryptedMessage out;
  if (e.prekey) {
    // §3: the keys in the message must be the sender's verified device-list entry.
    if (e.prekey->sender_signing_key != sender.signing_key ||
        e.prekey->sender_dh_key != sender.dh_key) {
      return errors::identity_mismatch();
    }
    // A repeated prekey message of the session we already have: decrypt in it (§4).
    if (existing == nullptr || existing->base_key != e.prekey->ephemeral_key) {
      HIPPO_ASSIGN_OR_RETURN(out, accept_prekey_message(me, prekeys, sender, e, now, keys));
    }
  } else if (existing == nullptr) {
    return errors::no_session();
  }
  if (!out.new_session) {
    HIPPO_ASSIGN_OR_RETURN(RatchetDecrypted r, ratchet_decrypt(*existing, e, now, keys));
    out.session = std::move(r.session);
    HIPPO_ASSIGN_OR_RETURN(out.content, decode_content(r.plaintext));
  }
  if (out.content.sender_account_id != sender.account_id ||
      out.content.sender_device_id != sender.device_id) {
    return errors::sender_mismatch();
  }
  return out;
}

}  // namespace hippocrate::e2ee
