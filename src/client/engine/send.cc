#include "client/engine/send.h"

#include <algorithm>
#include <boost/json/array.hpp>

#include "base/encoding.h"
#include "client/engine/json_fields.h"
#include "e2ee/errors.h"
#include "e2ee/identity.h"
#include "e2ee/prekeys.h"
#include "e2ee/wire.h"

namespace hippocrate::client {
namespace {

namespace json = boost::json;

Result<e2ee::PrekeyBundle> bundle_of(const json::object& o) {
  e2ee::PrekeyBundle b;
  auto identity = base64url_decode(json_string(o, "identity"));
  if (!identity) return e2ee::errors::malformed("bundle identity");
  HIPPO_ASSIGN_OR_RETURN(b.identity, e2ee::decode_device_identity(*identity));
  auto spk = base64url_decode(json_string(o, "signed_prekey"));
  if (!spk || spk->empty()) return e2ee::errors::missing_bundle();
  e2ee::Reader r(*spk, "signed prekey");
  b.signed_prekey = e2ee::read_signed_prekey(r);
  HIPPO_RETURN_IF_ERROR(r.finish());
  const auto& otk = json_object(o, "one_time_prekey");
  if (!otk.empty()) {
    auto key = base64url_decode(json_string(otk, "key"));
    const std::int64_t id = json_int(otk, "id", -1);
    if (!key || key->size() != e2ee::kKeyBytes || id < 0 || id > UINT32_MAX) {
      return e2ee::errors::malformed("one-time prekey");
    }
    e2ee::OneTimePrekeyPublic p;
    p.id = static_cast<std::uint32_t>(id);
    std::copy(key->begin(), key->end(), p.public_key.begin());
    b.one_time_prekey = p;
  }
  return b;
}

}  // namespace

Status check_text_size(std::string_view text) {
  if (text.size() > e2ee::kMaxBodyBytes) {
    return Error::resource_exhausted("message_too_large", "a message holds at most 64 KiB");
  }
  return ok_status();
}

std::map<std::string, std::vector<std::string>> bundles_to_claim(
    const KeystoreData& data, const std::vector<e2ee::DeviceList>& lists) {
  std::map<std::string, std::vector<std::string>> wanted;
  for (const auto& a : e2ee::devices_needing_bundles(data.device, lists, data.sessions)) {
    wanted[a.account_id].push_back(a.device_id);
  }
  return wanted;
}

void add_claimed_bundles(const std::string& account, const json::object& answer,
                         e2ee::BundleMap& bundles) {
  const auto* list = answer.if_contains("bundles");
  if (list == nullptr || !list->is_array()) return;
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    auto bundle = bundle_of(item.as_object());
    if (!bundle) continue;  // fan_out reports the device as e2ee_missing_bundle
    bundles[{account, bundle->identity.device_id}] = std::move(*bundle);
  }
}

Result<OutgoingMessage> encrypt_text(const KeystoreData& data,
                                     const std::vector<e2ee::DeviceList>& lists,
                                     const e2ee::BundleMap& bundles, const std::string& message_id,
                                     const std::string& recipient, std::string_view text,
                                     std::uint64_t now_millis, std::uint64_t now_seconds,
                                     e2ee::KeySource& keys) {
  HIPPO_RETURN_IF_ERROR(check_text_size(text));
  OutgoingMessage out;
  out.content = e2ee::MessageContent{
      message_id, data.device.pub.account_id,    data.device.pub.device_id,
      now_millis, std::string(kTextContentType), Bytes(text.begin(), text.end())};
  HIPPO_ASSIGN_OR_RETURN(e2ee::FanOut fan, e2ee::fan_out(data.device, lists, data.sessions, bundles,
                                                         out.content, now_seconds, keys));
  if (fan.envelopes.empty()) {
    return Error::failed_precondition("no_recipient_devices", "there is no device to send to");
  }
  out.sessions = std::move(fan.sessions);
  out.envelopes = fan.envelopes.size();
  json::array envelopes;
  for (const auto& e : fan.envelopes) {
    envelopes.push_back(
        json::object{{"device_id", e.to.device_id}, {"ciphertext", base64url_encode(e.envelope)}});
  }
  out.body = json::object{{"message_id", message_id},
                          {"recipient", recipient},
                          {"sender_device", data.device.pub.device_id},
                          {"envelopes", std::move(envelopes)}};
  return out;
}

}  // namespace hippocrate::client
