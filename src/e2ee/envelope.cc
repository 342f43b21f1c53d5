#include "e2ee/envelope.h"

#include "e2ee/errors.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {
namespace {

void write_prefix(Writer& w, const std::optional<PrekeyFields>& prekey,
                  const RatchetHeader& header) {
  w.u8(kEnvelopeVersion);
  w.u8(static_cast<std::uint8_t>(prekey ? EnvelopeType::kPrekeyMessage : EnvelopeType::kMessage));
  if (prekey) {
    w.raw(prekey->sender_signing_key).raw(prekey->sender_dh_key).raw(prekey->ephemeral_key);
    w.u32(prekey->signed_prekey_id).u8(prekey->one_time_prekey_id ? 1 : 0);
    if (prekey->one_time_prekey_id) w.u32(*prekey->one_time_prekey_id);
  }
  w.raw(header.dh).u32(header.pn).u32(header.n);
}

}  // namespace

Bytes encode_envelope_prefix(const std::optional<PrekeyFields>& prekey,
                             const RatchetHeader& header) {
  Writer w;
  write_prefix(w, prekey, header);
  return w.bytes();
}

Bytes encode_envelope(const Envelope& envelope) {
  Writer w;
  write_prefix(w, envelope.prekey, envelope.header);
  w.bytes32(envelope.ciphertext);
  return w.bytes();
}

Result<Envelope> decode_envelope(std::span<const std::uint8_t> bytes) {
  if (bytes.size() > kMaxEnvelopeBytes) return errors::too_large("the envelope");
  Reader r(bytes, "envelope");
  const std::uint8_t version = r.u8();
  if (r.ok() && version != kEnvelopeVersion) return errors::unknown_version("envelope");
  const std::uint8_t type = r.u8();
  Envelope e;
  if (type == static_cast<std::uint8_t>(EnvelopeType::kPrekeyMessage)) {
    PrekeyFields p;
    p.sender_signing_key = r.fixed<kKeyBytes>();
    p.sender_dh_key = r.fixed<kKeyBytes>();
    p.ephemeral_key = r.fixed<kKeyBytes>();
    p.signed_prekey_id = r.u32();
    if (r.flag()) p.one_time_prekey_id = r.u32();
    e.prekey = p;
  } else if (type != static_cast<std::uint8_t>(EnvelopeType::kMessage)) {
    r.fail();
  }
  e.header.dh = r.fixed<kKeyBytes>();
  e.header.pn = r.u32();
  e.header.n = r.u32();
  auto ct = r.bytes32(kMaxCiphertextBytes);
  if (ct.size() < kAeadOverheadBytes) r.fail();
  e.ciphertext.assign(ct.begin(), ct.end());
  HIPPO_RETURN_IF_ERROR(r.finish());
  return e;
}

}  // namespace hippocrate::e2ee
