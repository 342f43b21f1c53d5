// The client core (src/client/engine/) with hand-written server answers: the scenarios of
// two devices talking through it, and the answers a real server will not give on demand —
// a device list rolled back, an account key swapped, a device the server adds without the
// account key's signature, a bundle substituted, an envelope altered, a server id that is
// not the one inside. The CLI end-to-end tests run the same code against the real server.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/encoding.h"
#include "base/ids.h"
#include "client/engine/device_lists.h"
#include "client/engine/device_setup.h"
#include "client/engine/receive.h"
#include "client/engine/send.h"
#include "e2ee/identity.h"
#include "e2ee/prekeys.h"
#include "e2ee/wire.h"

namespace hippocrate::client {
namespace {

namespace json = boost::json;
constexpr std::uint64_t kNow = 1'800'000'000;

// One device of one account, as its keystore holds it, and the server's rows for it.
struct Party {
  KeystoreData data;
  json::object registered;  // PUT /api/v1/devices/{id} body (the signed list)
  json::object prekeys;     // PUT /api/v1/devices/{id}/prekeys body
  std::string account() const { return data.device.pub.account_id; }
  std::string device() const { return data.device.pub.device_id; }
};

Party first_device() {
  Party p;
  auto data = first_device_state(random_id());
  EXPECT_TRUE(data.ok());
  p.data = std::move(*data);
  auto listed = sign_own_list(p.data, 0, {p.data.device.pub}, &p.data.device.pub, kNow);
  EXPECT_TRUE(listed.ok());
  EXPECT_EQ(listed->request.method, "PUT");
  EXPECT_EQ(listed->request.path, "/api/v1/devices/" + p.device());
  p.data = std::move(listed->next);
  p.registered = std::move(listed->request.body);
  auto upload = plan_prekey_upload(p.data, json::object{{"one_time_prekeys", 0}}, kNow,
                                   e2ee::system_key_source());
  EXPECT_TRUE(upload.ok() && upload->has_value());
  p.data = std::move((*upload)->next);
  p.prekeys = std::move((*upload)->request.body);
  return p;
}

// Another device of `account` (its keys only).
e2ee::DevicePublicIdentity device_of(const std::string& account) {
  auto device = e2ee::generate_device_identity(account, random_id());
  EXPECT_TRUE(device.ok());
  return device->pub;
}

// GET /api/v1/accounts/{id}/devices as the server answers it.
json::object listing_of(const json::object& registered, const std::vector<std::string>& routed,
                        const std::vector<std::string>& revoked = {}) {
  json::array devices;
  for (const auto& id : routed) {
    devices.push_back(
        json::object{{"device_id", id}, {"registered_at", kNow}, {"revoked_at", nullptr}});
  }
  for (const auto& id : revoked) {
    devices.push_back(
        json::object{{"device_id", id}, {"registered_at", kNow}, {"revoked_at", kNow}});
  }
  return json::object{{"device_list", registered.at("device_list")},
                      {"device_list_version", registered.at("device_list_version")},
                      {"devices", std::move(devices)}};
}

// POST /api/v1/accounts/{id}/prekey-bundles as the server answers it for `p` (one
// one-time prekey handed out, the first).
json::object bundles_answer(const Party& p) {
  json::object bundle{
      {"device_id", p.device()},
      {"identity", base64url_encode(e2ee::encode_device_identity(p.data.device.pub))},
      {"signed_prekey", p.prekeys.at("signed_prekey")}};
  const auto& one_time = p.prekeys.at("one_time_prekeys").as_array();
  bundle["one_time_prekey"] = one_time.at(0);
  return json::object{{"bundles", json::array{bundle}}};
}

class EngineTest : public ::testing::Test {
 protected:
  // The doctor's device knows the patient's list and sends to it.
  Result<OutgoingMessage> send(const std::string& text, const std::string& id,
                               const json::object& bundles) {
    auto own = verify_listing(doctor_.data, doctor_.account(), doctor_.account(),
                              listing_of(doctor_.registered, {doctor_.device()}));
    if (!own) return own.error();
    auto theirs = verify_listing(doctor_.data, doctor_.account(), patient_.account(),
                                 listing_of(patient_.registered, {patient_.device()}));
    if (!theirs) return theirs.error();
    std::vector<e2ee::DeviceList> lists{own->current, theirs->current};
    e2ee::BundleMap claimed;
    for (const auto& [account, ids] : bundles_to_claim(doctor_.data, lists)) {
      EXPECT_EQ(account, patient_.account());
      EXPECT_EQ(ids, std::vector<std::string>{patient_.device()});
      add_claimed_bundles(account, bundles, claimed);
    }
    auto out =
        encrypt_text(doctor_.data, lists, claimed, id, patient_.account(), text, kNow * 1000, kNow);
    if (out) doctor_.data.sessions = out->sessions;  // committed before it leaves
    return out;
  }

  // The patient's device receives the envelope of `sent` for it.
  Opened receive(const OutgoingMessage& sent, std::string server_id = "") {
    Incoming in;
    in.message_id =
        server_id.empty() ? json::value_to<std::string>(sent.body.at("message_id")) : server_id;
    in.sender = doctor_.account();
    in.sender_device = doctor_.device();
    for (const auto& e : sent.body.at("envelopes").as_array()) {
      if (e.at("device_id").as_string() == patient_.device()) {
        in.ciphertext = *base64url_decode(e.at("ciphertext").as_string());
      }
    }
    if (already_received(patient_.data, in.message_id)) return duplicate_of(in);
    auto sender = verify_listing(patient_.data, patient_.account(), doctor_.account(),
                                 listing_of(doctor_.registered, {doctor_.device()}));
    if (!sender) return unverified_sender(in, sender.error());
    return open_envelope(patient_.data, in, sender->signed_list, kNow);
  }

  Party doctor_ = first_device();
  Party patient_ = first_device();
};

TEST_F(EngineTest, AMessageGoesToTheExactDeviceSetAndOpensOnceOnTheRecipientsDevice) {
  const std::string id = new_message_id();
  auto sent = send("Vos résultats sont normaux.", id, bundles_answer(patient_));
  ASSERT_TRUE(sent.ok()) << sent.error().message();
  EXPECT_EQ(sent->envelopes, 1u);  // the patient's device (the doctor has no other)
  EXPECT_EQ(sent->body.at("recipient").as_string(), patient_.account());
  EXPECT_EQ(sent->body.at("sender_device").as_string(), doctor_.device());
  auto opened = receive(*sent);
  ASSERT_TRUE(opened.content.has_value()) << opened.error->code();
  EXPECT_EQ(std::string(opened.content->body.begin(), opened.content->body.end()),
            "Vos résultats sont normaux.");
  EXPECT_EQ(opened.content->content_type, kTextContentType);
  EXPECT_TRUE(settled(opened));
  EXPECT_FALSE(unreadable(opened));
  EXPECT_FALSE(refusal_reason(opened));
  // Delivered again (the ack was lost): recognised by its id, not decrypted again.
  auto again = receive(*sent);
  EXPECT_TRUE(again.duplicate);
  EXPECT_TRUE(settled(again));
  EXPECT_FALSE(again.content);
  // The session exists now: the next message needs no bundle.
  auto second = send("Et le suivant.", new_message_id(), json::object{});
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_TRUE(receive(*second).content.has_value());
}

TEST_F(EngineTest, AnAlteredEnvelopeIsRefusedAsUndecryptableAndTheGenuineOneStillOpens) {
  auto sent = send("Ordonnance jointe", new_message_id(), bundles_answer(patient_));
  ASSERT_TRUE(sent.ok());
  OutgoingMessage altered = *sent;
  auto& env = altered.body.at("envelopes").as_array().at(0).as_object();
  Bytes bytes = *base64url_decode(env.at("ciphertext").as_string());
  bytes.back() ^= 0xff;
  env["ciphertext"] = base64url_encode(bytes);
  auto opened = receive(altered);
  ASSERT_TRUE(opened.error.has_value());
  EXPECT_TRUE(opened.error->code().starts_with("e2ee_")) << opened.error->code();
  EXPECT_FALSE(opened.sender_unverified);
  EXPECT_TRUE(settled(opened));
  EXPECT_EQ(refusal_reason(opened), "undecryptable");
  EXPECT_FALSE(already_received(patient_.data, opened.meta.message_id));
  EXPECT_TRUE(receive(*sent).content.has_value());
}

TEST_F(EngineTest, AServerIdOtherThanTheOneInsideIsRefusedWithoutTouchingTheSession) {
  auto sent = send("Rendez-vous demain", new_message_id(), bundles_answer(patient_));
  ASSERT_TRUE(sent.ok());
  const KeystoreData before = patient_.data;
  auto swapped = receive(*sent, new_message_id());
  ASSERT_TRUE(swapped.error.has_value());
  EXPECT_EQ(swapped.error->code(), "e2ee_malformed");
  EXPECT_EQ(patient_.data.sessions.size(), before.sessions.size());
  EXPECT_TRUE(receive(*sent).content.has_value());
}

TEST_F(EngineTest, ADeviceTheAccountKeyDidNotSignIsNeitherSentToNorBelieved) {
  // The server lists a device of its own making beside the doctor's real one.
  Party impostor = first_device();
  auto theirs =
      verify_listing(patient_.data, patient_.account(), doctor_.account(),
                     listing_of(doctor_.registered, {doctor_.device(), impostor.device()}));
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->current.devices.size(), 1u);
  EXPECT_EQ(theirs->current.devices[0].device_id, doctor_.device());
  // A message claiming to come from that device is not decrypted: its sender is unverified.
  Incoming in{new_message_id(), doctor_.account(), impostor.device(), 0, Bytes{1, 2, 3}};
  auto opened = open_envelope(patient_.data, in, theirs->signed_list, kNow);
  EXPECT_TRUE(opened.sender_unverified);
  EXPECT_EQ(opened.error->code(), "e2ee_unknown_device");
  EXPECT_EQ(refusal_reason(opened), "sender_unverified");
  // A revoked device is signed but no longer routed: kept for reading, not sent to.
  auto with_revoked = verify_listing(patient_.data, patient_.account(), doctor_.account(),
                                     listing_of(doctor_.registered, {}, {doctor_.device()}));
  ASSERT_TRUE(with_revoked.ok());
  EXPECT_TRUE(with_revoked->current.devices.empty());
  EXPECT_EQ(with_revoked->signed_list.devices.size(), 1u);
}

TEST_F(EngineTest, ARolledBackDeviceListIsRefused) {
  const json::object v1 = doctor_.registered;
  Party& d = doctor_;
  auto v2 = sign_own_list(d.data, 1, {d.data.device.pub}, nullptr, kNow);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->request.path, "/api/v1/me/device-list");
  EXPECT_EQ(json::value_to<std::int64_t>(v2->request.body.at("device_list_version")), 2);
  d.data = v2->next;
  ASSERT_TRUE(verify_listing(patient_.data, patient_.account(), d.account(),
                             listing_of(v2->request.body, {d.device()}))
                  .ok());
  auto rolled_back =
      verify_listing(patient_.data, patient_.account(), d.account(), listing_of(v1, {d.device()}));
  ASSERT_FALSE(rolled_back.ok());
  EXPECT_TRUE(rolled_back.error().code().starts_with("e2ee_")) << rolled_back.error().code();
}

TEST_F(EngineTest, ASwappedAccountKeyIsRecordedAndBlocksSendingUntilAccepted) {
  ASSERT_TRUE(verify_listing(patient_.data, patient_.account(), doctor_.account(),
                             listing_of(doctor_.registered, {doctor_.device()}))
                  .ok());
  EXPECT_FALSE(sending_blocked(patient_.data, doctor_.account()));
  // The server answers with another key and a list it signed, under the doctor's account.
  const auto swap = device_of(doctor_.account());
  auto key = e2ee::generate_account_key(doctor_.account());
  ASSERT_TRUE(key.ok());
  e2ee::DeviceList forged{doctor_.account(), 1, kNow, {swap}};
  auto signed_forged = e2ee::sign_device_list(*key, forged);
  ASSERT_TRUE(signed_forged.ok());
  json::object forged_rows{
      {"device_list", base64url_encode(publish_device_list(key->public_key, *signed_forged))},
      {"device_list_version", 1}};
  auto seen = verify_listing(patient_.data, patient_.account(), doctor_.account(),
                             listing_of(forged_rows, {swap.device_id}));
  ASSERT_TRUE(seen.ok());  // a valid list under the new key: the change is what counts
  EXPECT_TRUE(patient_.data.contacts.at(doctor_.account()).key_changed);
  EXPECT_TRUE(sending_blocked(patient_.data, doctor_.account()));
  patient_.data = acknowledge_key_change(std::move(patient_.data), doctor_.account());
  EXPECT_FALSE(sending_blocked(patient_.data, doctor_.account()));
}

TEST_F(EngineTest, OnesOwnAccountKeyIsNeverLearntFromTheServer) {
  Party fresh = first_device();
  fresh.data.contacts.erase(fresh.account());  // a device not paired yet
  auto own = verify_listing(fresh.data, fresh.account(), fresh.account(),
                            listing_of(fresh.registered, {fresh.device()}));
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().code(), "device_not_paired");
  auto none = verify_listing(fresh.data, fresh.account(), patient_.account(), json::object{});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), "no_recipient_devices");
}

TEST_F(EngineTest, ASubstitutedBundleIsRefusedAndNothingIsEncrypted) {
  // The server hands out the patient's device with a signed prekey of its own choosing
  // (another device's, so validly signed — by the wrong identity key).
  Party other = first_device();
  json::object substituted = bundles_answer(patient_);
  substituted.at("bundles").as_array()[0].as_object()["signed_prekey"] =
      other.prekeys.at("signed_prekey");
  auto sent = send("Ne doit pas partir", new_message_id(), substituted);
  ASSERT_FALSE(sent.ok());
  EXPECT_TRUE(sent.error().code().starts_with("e2ee_")) << sent.error().code();
  EXPECT_TRUE(doctor_.data.sessions.empty());
  // No bundle at all: the same refusal, nothing encrypted.
  auto none = send("Ne doit pas partir", new_message_id(), json::object{});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), "e2ee_missing_bundle");
}

TEST_F(EngineTest, ATextOver64KiBIsRefusedBeforeAnythingIsDone) {
  EXPECT_EQ(check_text_size(std::string(e2ee::kMaxBodyBytes, 'a')).ok(), true);
  auto big =
      send(std::string(e2ee::kMaxBodyBytes + 1, 'a'), new_message_id(), bundles_answer(patient_));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code(), "message_too_large");
}

TEST_F(EngineTest, PrekeysAreUploadedWhenTheServerRunsLowAndOnlyThen) {
  const auto& body = patient_.prekeys;
  EXPECT_TRUE(body.contains("signed_prekey"));
  EXPECT_EQ(body.at("one_time_prekeys").as_array().size(), e2ee::kOneTimePrekeyBatch);
  auto enough = plan_prekey_upload(
      patient_.data, json::object{{"one_time_prekeys", 100}, {"signed_prekey_uploaded_at", kNow}},
      kNow, e2ee::system_key_source());
  ASSERT_TRUE(enough.ok());
  EXPECT_FALSE(enough->has_value());
  // The server lost the signed prekey: the current one is uploaded again, no new keys.
  auto lost = plan_prekey_upload(patient_.data, json::object{{"one_time_prekeys", 100}}, kNow,
                                 e2ee::system_key_source());
  ASSERT_TRUE(lost.ok() && lost->has_value());
  EXPECT_EQ((*lost)->request.body.at("signed_prekey"), body.at("signed_prekey"));
  EXPECT_FALSE((*lost)->request.body.contains("one_time_prekeys"));
  auto low = plan_prekey_upload(
      patient_.data, json::object{{"one_time_prekeys", 3}, {"signed_prekey_uploaded_at", kNow}},
      kNow, e2ee::system_key_source());
  ASSERT_TRUE(low.ok() && low->has_value());
  EXPECT_FALSE((*low)->request.body.at("one_time_prekeys").as_array().empty());
  EXPECT_EQ((*low)->request.path, "/api/v1/devices/" + patient_.device() + "/prekeys");
}

TEST_F(EngineTest, RegistrationAndOwnDeviceChangesAreReadFromTheOwnListing) {
  EXPECT_EQ(registration_of(doctor_.data, listing_of(doctor_.registered, {doctor_.device()})),
            Registration::kRegistered);
  EXPECT_EQ(registration_of(doctor_.data, listing_of(doctor_.registered, {}, {doctor_.device()})),
            Registration::kRevoked);
  EXPECT_EQ(registration_of(doctor_.data, json::object{}), Registration::kAbsent);
  // A second device signed in by the first: the first tells its user once.
  const auto second = device_of(doctor_.account());
  auto two = sign_own_list(doctor_.data, 1, {doctor_.data.device.pub, second}, nullptr, kNow);
  ASSERT_TRUE(two.ok());
  KeystoreData before = doctor_.data;  // own_devices: the first device only
  auto own = verify_listing(before, doctor_.account(), doctor_.account(),
                            listing_of(two->request.body, {doctor_.device(), second.device_id}));
  ASSERT_TRUE(own.ok());
  auto changes = own_device_changes(before, *own);
  EXPECT_TRUE(changes.changed);
  EXPECT_EQ(changes.added, std::vector<std::string>{second.device_id});
  EXPECT_TRUE(changes.removed.empty());
  // The device that signed the change knows: its own_devices already name both.
  EXPECT_FALSE(own_device_changes(two->next, *own).changed);
  // Without the account key, no list can be signed.
  KeystoreData paired = patient_.data;
  paired.account_key.reset();
  auto refused = sign_own_list(paired, 1, {paired.device.pub}, nullptr, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), "account_key_missing");
}

}  // namespace
}  // namespace hippocrate::client
