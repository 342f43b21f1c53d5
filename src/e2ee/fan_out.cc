#include "e2ee/fan_out.h"

#include "e2ee/errors.h"
#include "e2ee/session_cipher.h"

namespace hippocrate::e2ee {
namespace {

bool usable(const Session& s, const DevicePublicIdentity& d) {
  return s.peer_signing_key == d.signing_key && s.peer_dh_key == d.dh_key;
}

bool is_me(const DeviceIdentity& me, const DevicePublicIdentity& d) {
  return d.account_id == me.pub.account_id && d.device_id == me.pub.device_id;
}

}  // namespace

std::vector<DeviceAddress> devices_needing_bundles(const DeviceIdentity& me,
                                                   const std::vector<DeviceList>& lists,
                                                   const SessionMap& sessions) {
  std::vector<DeviceAddress> out;
  for (const auto& list : lists) {
    for (const auto& d : list.devices) {
      if (is_me(me, d)) continue;
      auto it = sessions.find({d.account_id, d.device_id});
      if (it == sessions.end() || !usable(it->second, d)) {
        out.push_back({d.account_id, d.device_id});
      }
    }
  }
  return out;
}

Result<FanOut> fan_out(const DeviceIdentity& me, const std::vector<DeviceList>& lists,
                       const SessionMap& sessions, const BundleMap& bundles,
                       const MessageContent& content, std::uint64_t now, KeySource& keys) {
  bool listed = false;
  for (const auto& list : lists) {
    const DevicePublicIdentity* self = find_device(list, me.pub.device_id);
    if (list.account_id == me.pub.account_id && self != nullptr && *self == me.pub) {
      listed = true;
    }
  }
  if (!listed) return errors::device_not_listed();

  FanOut out{sessions, {}};
  for (const auto& list : lists) {
    for (const auto& d : list.devices) {
      if (is_me(me, d)) continue;
      const DeviceAddress address{d.account_id, d.device_id};
      auto it = out.sessions.find(address);
      if (it == out.sessions.end() || !usable(it->second, d)) {
        auto bundle = bundles.find(address);
        if (bundle == bundles.end()) return errors::missing_bundle();
        HIPPO_ASSIGN_OR_RETURN(Session fresh, start_session(me, bundle->second, list, now, keys));
        it = out.sessions.insert_or_assign(address, std::move(fresh)).first;
      }
      HIPPO_ASSIGN_OR_RETURN(EncryptedMessage m, encrypt_message(me, it->second, content));
      const bool prekey = m.session.pending_prekey.has_value();
      it->second = std::move(m.session);
      out.envelopes.push_back({address, std::move(m.envelope), prekey});
    }
  }
  return out;
}

}  // namespace hippocrate::e2ee
