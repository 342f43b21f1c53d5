// The client core's operations (src/client/engine/operation.h and the operations on it)
// driven by a scripted host: every step the core asks for is recorded in order, and the
// server's answers are written by hand — including those a real server will not give on
// demand (a device list that changes between the read and the send, twice; a reply lost
// after the server stored the send; a commit that fails). engine_server_test.cc runs the
// same operations against the real server.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "base/encoding.h"
#include "base/ids.h"
#include "client/engine/contacts.h"
#include "client/engine/device_setup.h"
#include "client/engine/engine.h"
#include "client/engine/inbox.h"
#include "client/engine/pairing.h"
#include "client/engine/receive_batch.h"
#include "client/engine/recovery.h"
#include "client/engine/send_text.h"
#include "client/engine/set_up.h"
#include "client/engine/undelivered.h"
#include "client/engine/verification.h"
#include "client/recording_host.h"
#include "e2ee/identity.h"
#include "e2ee/key_backup.h"
#include "e2ee/prekeys.h"
#include "e2ee/wire.h"

namespace hippocrate::client {
namespace {

namespace json = boost::json;

// A host whose "server" is a function of the request.
class ScriptedHost final : public RecordingHost {
 public:
  std::function<Answer(const ApiRequest&)> server;

 protected:
  Answer answer(const ApiRequest& request) override { return server(request); }
};

std::string after(const std::string& path, const std::string& prefix) {
  return path.substr(prefix.size(), path.find('/', prefix.size()) - prefix.size());
}

// The server as far as these operations see it — published device lists, routed devices,
// prekeys, mailboxes, undelivered notices — answering as the real one does for what these
// tests do (the real one: engine_server_test.cc). A test changes things between steps, or
// answers a request itself with `interfere`.
struct FakeServer {
  struct Account {
    json::value device_list;
    std::int64_t version = 0;
    std::vector<std::string> devices;  // routed
  };
  struct Device {
    std::string account;
    json::value identity;
    json::value signed_prekey;
    json::array one_time;
  };
  std::map<std::string, Account> accounts;
  std::map<std::string, Device> devices;
  std::map<std::string, json::array> mailbox;       // device → messages
  std::map<std::string, json::array> undelivered;   // device → notices
  std::map<std::string, json::object> key_backups;  // account → {"backup", "version"}
  int posts = 0;
  // Called first: an answer of the test's own, or nullopt for the usual one.
  std::function<std::optional<Answer>(const std::string& caller, const ApiRequest&)> interfere;

  json::object listing(const std::string& account) {
    const Account& a = accounts[account];
    json::array routed;
    for (const auto& id : a.devices) {
      routed.push_back(
          json::object{{"device_id", id}, {"registered_at", 1}, {"revoked_at", nullptr}});
    }
    json::object out{{"device_list_version", a.version}, {"devices", std::move(routed)}};
    if (!a.device_list.is_null()) out["device_list"] = a.device_list;
    return out;
  }

  Answer answer(const std::string& caller, const ApiRequest& r) {
    if (interfere) {
      if (auto mine = interfere(caller, r)) return std::move(*mine);
    }
    const std::string& p = r.path;
    if (r.method == "GET" && p == "/api/v1/me/devices") return listing(caller);
    if (p == "/api/v1/me/key-backup") {
      if (r.method == "PUT") {
        key_backups[caller] = r.body;
        return json::object{};
      }
      if (!key_backups.contains(caller)) return Error::not_found("key_backup_not_found", "none");
      return key_backups[caller];
    }
    if (r.method == "GET" && p.starts_with("/api/v1/accounts/") && p.ends_with("/devices")) {
      return listing(after(p, "/api/v1/accounts/"));
    }
    if (r.method == "PUT" && (p == "/api/v1/me/device-list" || !p.ends_with("/prekeys"))) {
      Account& a = accounts[caller];
      a.device_list = r.body.at("device_list");
      a.version = r.body.at("device_list_version").to_number<std::int64_t>();
      a.devices.clear();
      for (const auto& id : r.body.at("device_ids").as_array()) {
        a.devices.push_back(std::string(id.as_string()));
      }
      if (p != "/api/v1/me/device-list") {
        Device& d = devices[after(p, "/api/v1/devices/")];
        d.account = caller;
        d.identity = r.body.at("identity");
      }
      return json::object{};
    }
    if (p.starts_with("/api/v1/devices/"))
      return device_route(caller, after(p, "/api/v1/devices/"), r);
    if (r.method == "POST" && p.ends_with("/prekey-bundles")) {
      json::array bundles;
      for (const auto& id : r.body.at("device_ids").as_array()) {
        Device& d = devices[std::string(id.as_string())];
        json::object b{{"device_id", id},
                       {"identity", d.identity},
                       {"signed_prekey", d.signed_prekey}};
        if (!d.one_time.empty()) {
          b["one_time_prekey"] = d.one_time.front();
          d.one_time.erase(d.one_time.begin());
        }
        bundles.push_back(std::move(b));
      }
      return json::object{{"bundles", std::move(bundles)}};
    }
    if (r.method == "POST" && p == "/api/v1/messages") return send(caller, r.body);
    return Error::not_found("route_not_found", r.method + " " + p);
  }

  Answer send(const std::string& caller, const json::object& body) {
    ++posts;
    const std::string sender_device(body.at("sender_device").as_string());
    std::set<std::string> expected;
    for (const auto& id : accounts[std::string(body.at("recipient").as_string())].devices)
      expected.insert(id);
    for (const auto& id : accounts[caller].devices) {
      if (id != sender_device) expected.insert(id);
    }
    std::set<std::string> got;
    for (const auto& e : body.at("envelopes").as_array())
      got.insert(std::string(e.at("device_id").as_string()));
    if (got != expected) return Error::conflict("device_list_mismatch", "the device set changed");
    for (const auto& e : body.at("envelopes").as_array()) {
      mailbox[std::string(e.at("device_id").as_string())].push_back(
          json::object{{"message_id", body.at("message_id")},
                       {"sender", caller},
                       {"sender_device", sender_device},
                       {"stored_at", 7},
                       {"ciphertext", e.at("ciphertext")}});
    }
    return json::object{{"stored_at", 7}};
  }

  Answer device_route(const std::string& caller, const std::string& device, const ApiRequest& r) {
    const std::string rest = r.path.substr(std::string("/api/v1/devices/").size() + device.size());
    Device& d = devices[device];
    if (rest == "/prekeys/count") {
      return json::object{{"one_time_prekeys", d.one_time.size()},
                          {"signed_prekey_uploaded_at",
                           d.signed_prekey.is_null() ? json::value(nullptr) : json::value(1)}};
    }
    if (rest == "/prekeys") {
      if (r.body.contains("signed_prekey")) d.signed_prekey = r.body.at("signed_prekey");
      if (r.body.contains("one_time_prekeys")) {
        for (const auto& k : r.body.at("one_time_prekeys").as_array()) d.one_time.push_back(k);
      }
      return json::object{};
    }
    if (rest == "/messages?limit=100") {
      return json::object{{"messages", mailbox[device]},
                          {"more", false},
                          {"expired", 0},
                          {"undelivered", undelivered[device].size()}};
    }
    if (rest == "/revoke") {
      std::erase(accounts[d.account].devices, device);
      return json::object{};
    }
    if (rest == "/undelivered?limit=100") {
      return json::object{{"undelivered", undelivered[device]}, {"more", false}};
    }
    std::set<std::string> ids;
    for (const auto& id : r.body.at("message_ids").as_array())
      ids.insert(std::string(id.as_string()));
    auto named = [&](const json::value& v) {
      return ids.contains(std::string(v.as_object().at("message_id").as_string()));
    };
    if (rest == "/undelivered/ack") {
      auto& list = undelivered[device];
      list.erase(std::remove_if(list.begin(), list.end(), named), list.end());
      return json::object{};
    }
    auto& box = mailbox[device];
    if (rest == "/messages/refuse") {
      for (const auto& m : box) {
        if (!named(m)) continue;
        const auto& o = m.as_object();
        for (const auto& id : accounts[std::string(o.at("sender").as_string())].devices) {
          undelivered[id].push_back(json::object{{"message_id", o.at("message_id")},
                                                 {"recipient", caller},
                                                 {"sent_at", 7},
                                                 {"reason", r.body.at("reason")},
                                                 {"devices", 1},
                                                 {"expired_at", 0}});
        }
      }
    }
    const auto before = box.size();
    box.erase(std::remove_if(box.begin(), box.end(), named), box.end());
    return json::object{{"count", before - box.size()}};
  }
};

// One device of one account: its engine and its host, on `server`.
struct Device {
  Device(FakeServer& server, std::string account, std::optional<KeystoreData> state = std::nullopt)
      : engine(AccountInfo{account, account.substr(0, 6) + "@example.org", "", ""},
               std::move(state)) {
    host.server = [&server, account](const ApiRequest& r) { return server.answer(account, r); };
  }
  const std::string& account() const { return engine.me().account_id; }
  template <typename Op, typename... Args>
  auto run_op(Args&&... args) {
    Op op(engine, std::forward<Args>(args)...);
    return run(op, host);
  }
  Engine engine;
  ScriptedHost host;
};

TEST(OperationTest, AFirstDeviceIsStoredBeforeAnyOfItsKeysIsUploaded) {
  const std::string account = random_id();
  Engine engine(AccountInfo{account, "p@example.org", "P", "patient"}, std::nullopt);
  ScriptedHost host;
  json::object registered;
  host.server = [&](const ApiRequest& r) -> Answer {
    if (r.method == "GET" && r.path == "/api/v1/me/devices") {
      if (registered.empty())
        return json::object{{"device_list_version", 0}, {"devices", json::array{}}};
      return json::object{{"device_list", registered.at("device_list")},
                          {"device_list_version", registered.at("device_list_version")},
                          {"devices", json::array{json::object{{"device_id", engine.device_id()},
                                                               {"registered_at", 1},
                                                               {"revoked_at", nullptr}}}}};
    }
    if (r.method == "PUT" && r.path == "/api/v1/devices/" + engine.device_id()) {
      registered = r.body;
      return json::object{};
    }
    if (r.path.ends_with("/prekeys/count")) return json::object{{"one_time_prekeys", 0}};
    if (r.path.ends_with("/prekeys")) return json::object{};
    return Error::not_found("route_not_found", r.path);
  };
  SetUpDevice op(engine);
  auto ready = run(op, host);
  ASSERT_TRUE(ready.ok()) << ready.error().code();
  EXPECT_TRUE(ready->first_device);
  EXPECT_TRUE(ready->devices_added.empty());
  ASSERT_TRUE(engine.has_state());
  EXPECT_TRUE(engine.paired());
  EXPECT_FALSE(engine.device_id().empty());
  ASSERT_TRUE(host.stored.has_value());
  EXPECT_EQ(host.stored->device.pub.device_id, engine.device_id());
  const std::string dev = "/api/v1/devices/" + engine.device_id();
  EXPECT_EQ(host.steps,
            (std::vector<std::string>{"GET /api/v1/me/devices", "commit", "commit", "PUT " + dev,
                                      "GET " + dev + "/prekeys/count", "commit",
                                      "PUT " + dev + "/prekeys", "GET /api/v1/me/devices"}));
}

std::uint64_t laptop_clock_now() {
  return static_cast<std::uint64_t>(unix_seconds(SystemClock::instance().now()));
}

class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(doctor_.run_op<SetUpDevice>().ok());
    ASSERT_TRUE(patient_.run_op<SetUpDevice>().ok());
  }
  Result<SentMessage> send(Device& from, const Device& to, const std::string& text) {
    return from.run_op<SendText>(AccountInfo{to.account(), "", "", ""}, text);
  }
  // Reads `d`'s inbox; the texts it presented (duplicates left out).
  std::vector<std::string> read(Device& d) {
    ReadInbox inbox(d.engine);
    std::vector<std::string> texts;
    d.host.on_present = [&]() -> Status {
      for (const auto& o : inbox.batch().opened) {
        if (o.duplicate) continue;
        texts.push_back(o.content ? std::string(o.content->body.begin(), o.content->body.end())
                                  : "!" + o.error->code());
      }
      return ok_status();
    };
    auto read = run(inbox, d.host);
    d.host.on_present = nullptr;
    EXPECT_TRUE(read.ok()) << read.error().code();
    return texts;
  }
  // A second device of the patient, approved by the first (which holds the account key).
  Device add_patient_device() {
    auto identity = e2ee::generate_device_identity(patient_.account(), random_id());
    EXPECT_TRUE(identity.ok());
    KeystoreData second;
    second.device = std::move(*identity);
    second.contacts[patient_.account()].account_key =
        patient_.engine.state().contacts.at(patient_.account()).account_key;
    std::vector<e2ee::DevicePublicIdentity> both{patient_.engine.state().device.pub,
                                                 second.device.pub};
    auto approved =
        sign_own_list(patient_.engine.state(), server_.accounts[patient_.account()].version, both,
                      &second.device.pub, 1'800'000'000);
    EXPECT_TRUE(approved.ok());
    EXPECT_TRUE(server_.answer(patient_.account(), approved->request).ok());
    Device d(server_, patient_.account(), std::move(second));
    EXPECT_TRUE(d.run_op<SetUpDevice>().ok());  // its prekeys
    return d;
  }

  FakeServer server_;
  Device doctor_{server_, random_id()};
  Device patient_{server_, random_id()};
};

TEST_F(OperationsTest, AMessageIsReadOnceAndTheHistoryRecordsItBeforeTheStateAndTheAck) {
  auto sent = send(doctor_, patient_, "Bonjour, vos résultats sont arrivés.");
  ASSERT_TRUE(sent.ok()) << sent.error().code();
  EXPECT_EQ(sent->envelopes, 1u);
  EXPECT_TRUE(sent->suggest_verification);  // a first exchange with an unverified contact
  ASSERT_EQ(doctor_.host.history.size(), 1u);
  EXPECT_EQ(doctor_.host.history[0].direction, Direction::kSent);
  patient_.host.steps.clear();
  EXPECT_EQ(read(patient_), std::vector<std::string>{"Bonjour, vos résultats sont arrivés."});
  const std::string box = "/api/v1/devices/" + patient_.engine.device_id() + "/messages";
  EXPECT_EQ(patient_.host.steps,
            (std::vector<std::string>{"GET " + box + "?limit=100",
                                      "GET /api/v1/accounts/" + doctor_.account() + "/devices",
                                      "record 1", "commit", "present", "POST " + box + "/ack"}));
  EXPECT_TRUE(server_.mailbox[patient_.engine.device_id()].empty());
  EXPECT_EQ(patient_.host.history.at(0).direction, Direction::kReceived);
  EXPECT_EQ(patient_.host.history.at(0).message_id, sent->message_id);
  EXPECT_TRUE(read(patient_).empty());
  // The answer, and a second message that needs no new bundle.
  ASSERT_TRUE(send(patient_, doctor_, "Merci docteur.").ok());
  EXPECT_EQ(read(doctor_), std::vector<std::string>{"Merci docteur."});
  doctor_.host.steps.clear();
  ASSERT_TRUE(send(doctor_, patient_, "De rien.").ok());
  EXPECT_EQ(doctor_.host.steps,
            (std::vector<std::string>{"GET /api/v1/me/devices",
                                      "GET /api/v1/accounts/" + patient_.account() + "/devices",
                                      "commit", "POST /api/v1/messages", "record 1"}));
  EXPECT_EQ(read(patient_), std::vector<std::string>{"De rien."});
}

TEST_F(OperationsTest, ADeviceAddedWhileTheMessageIsOnItsWayGetsItOnTheRetryWithTheSameId) {
  std::optional<Device> laptop;
  std::vector<std::string> posted_ids;
  bool approving = false;
  server_.interfere = [&](const std::string&, const ApiRequest& r) -> std::optional<Answer> {
    if (approving || r.path != "/api/v1/messages") return std::nullopt;
    posted_ids.push_back(std::string(r.body.at("message_id").as_string()));
    if (laptop) return std::nullopt;
    approving = true;  // the approval's own requests pass
    laptop.emplace(add_patient_device());
    approving = false;
    return Error::conflict("device_list_mismatch", "the device set changed");
  };
  auto sent = send(doctor_, patient_, "Rendez-vous confirmé.");
  ASSERT_TRUE(sent.ok()) << sent.error().code();
  EXPECT_EQ(sent->envelopes, 2u);
  ASSERT_EQ(posted_ids.size(), 2u);
  EXPECT_EQ(posted_ids[0], posted_ids[1]);
  EXPECT_EQ(posted_ids[1], sent->message_id);
  EXPECT_EQ(read(patient_), std::vector<std::string>{"Rendez-vous confirmé."});
  ASSERT_TRUE(laptop);
  EXPECT_EQ(read(*laptop), std::vector<std::string>{"Rendez-vous confirmé."});
}

TEST_F(OperationsTest, ASecondMismatchIsTheResultAndNothingIsSentAThirdTime) {
  server_.interfere = [&](const std::string&, const ApiRequest& r) -> std::optional<Answer> {
    if (r.path == "/api/v1/messages") {
      ++server_.posts;
      return Error::conflict("device_list_mismatch", "the device set changed");
    }
    return std::nullopt;
  };
  auto sent = send(doctor_, patient_, "x");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), "device_list_mismatch");
  EXPECT_EQ(server_.posts, 2);
}

TEST_F(OperationsTest, AReplyLostAfterTheServerStoredTheSendLeavesBothSidesAbleToGoOn) {
  bool lost_once = false;
  server_.interfere = [&](const std::string& caller, const ApiRequest& r) -> std::optional<Answer> {
    if (lost_once || r.path != "/api/v1/messages") return std::nullopt;
    lost_once = true;
    (void)server_.send(caller, r.body);  // stored; the answer never arrives
    return Error::unavailable("connection_failed", "the connection was lost");
  };
  auto lost = send(doctor_, patient_, "Premier.");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code(), "connection_failed");
  // The sessions it used were committed before it left: the next message continues them.
  ASSERT_TRUE(send(doctor_, patient_, "Second.").ok());
  EXPECT_EQ(read(patient_), (std::vector<std::string>{"Premier.", "Second."}));
}

TEST_F(OperationsTest, WhenTheSessionsCannotBeStoredNothingIsSent) {
  doctor_.host.fail_commit = Error::internal("disk_full", "no space left");
  auto sent = send(doctor_, patient_, "x");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), "disk_full");
  EXPECT_EQ(server_.posts, 0);
  EXPECT_TRUE(server_.mailbox[patient_.engine.device_id()].empty());
}

TEST_F(OperationsTest,
       AnAlteredEnvelopeIsRefusedItsSenderToldAndTheNoticeShownBeforeItIsAcknowledged) {
  ASSERT_TRUE(send(doctor_, patient_, "Authentique.").ok());
  ASSERT_TRUE(send(doctor_, patient_, "Altéré.").ok());
  auto& box = server_.mailbox[patient_.engine.device_id()];
  ASSERT_EQ(box.size(), 2u);
  auto bytes = *base64url_decode(box[1].as_object().at("ciphertext").as_string());
  bytes.back() ^= 1;
  box[1].as_object()["ciphertext"] = base64url_encode(bytes);
  const std::string altered(box[1].as_object().at("message_id").as_string());
  patient_.host.steps.clear();
  EXPECT_EQ(read(patient_), (std::vector<std::string>{"Authentique.", "!e2ee_decrypt_failed"}));
  const std::string dev = "/api/v1/devices/" + patient_.engine.device_id();
  EXPECT_EQ(patient_.host.steps.back(), "POST " + dev + "/messages/refuse");
  EXPECT_EQ(patient_.host.requests.back().body.at("reason").as_string(), "undecryptable");
  EXPECT_TRUE(box.empty());
  // The doctor is told: presented, then acknowledged.
  ReportUndelivered report(doctor_.engine);
  std::vector<std::string> shown;
  doctor_.host.on_present = [&]() -> Status {
    for (const auto& n : report.page()) shown.push_back(n.message_id + " " + n.reason);
    EXPECT_FALSE(server_.undelivered[doctor_.engine.device_id()].empty());  // not acknowledged yet
    return ok_status();
  };
  auto notices = run(report, doctor_.host);
  ASSERT_TRUE(notices.ok());
  EXPECT_EQ(shown, std::vector<std::string>{altered + " undecryptable"});
  EXPECT_EQ(notices->at(0).recipient.account_id, patient_.account());
  EXPECT_TRUE(server_.undelivered[doctor_.engine.device_id()].empty());
}

TEST_F(OperationsTest, OnTheLiveSocketTheHostAcknowledgesAndARedeliveryIsNotRecordedTwice) {
  ASSERT_TRUE(send(doctor_, patient_, "En direct.").ok());
  const json::array box = server_.mailbox[patient_.engine.device_id()];
  auto incoming = parse_incoming(json::object{{"messages", box}});
  ReceiveBatch live(patient_.engine, incoming, AckBy::kHost);
  auto got = run(live, patient_.host);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->to_acknowledge.size(), 1u);
  EXPECT_EQ(server_.mailbox[patient_.engine.device_id()].size(), 1u);  // the host's to ack
  EXPECT_EQ(patient_.host.history.size(), 1u);
  // Delivered again (the Ack frame was lost): acknowledged again, not recorded nor committed.
  patient_.host.steps.clear();
  ReceiveBatch again(patient_.engine, incoming, AckBy::kHost);
  auto second = run(again, patient_.host);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->opened.at(0).duplicate);
  EXPECT_EQ(second->to_acknowledge, got->to_acknowledge);
  EXPECT_EQ(patient_.host.steps, std::vector<std::string>{"present"});
  EXPECT_EQ(patient_.host.history.size(), 1u);
}

TEST_F(OperationsTest, ASwappedAccountKeyBlocksTheSendAfterRememberingWhatWasSeen) {
  ASSERT_TRUE(send(doctor_, patient_, "Avant.").ok());
  // Someone who can write the server's database publishes a list under another key.
  auto impostor = first_device_state(patient_.account());
  ASSERT_TRUE(impostor.ok());
  auto forged = sign_own_list(*impostor, server_.accounts[patient_.account()].version,
                              {impostor->device.pub}, &impostor->device.pub, 1'800'000'000);
  ASSERT_TRUE(forged.ok());
  ASSERT_TRUE(server_.answer(patient_.account(), forged->request).ok());
  const int posts = server_.posts;
  doctor_.host.steps.clear();
  auto sent = send(doctor_, patient_, "Après.");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), "key_change_unacknowledged");
  EXPECT_EQ(server_.posts, posts);
  EXPECT_EQ(doctor_.host.steps.back(), "commit");  // the change is remembered
  EXPECT_TRUE(doctor_.engine.state().contacts.at(patient_.account()).key_changed);
  EXPECT_EQ(doctor_.engine.take_key_changes_met(), std::vector<std::string>{patient_.account()});
}

TEST_F(OperationsTest, ADeviceJoinsOnlyThroughTheAccountKeyAndThenReceives) {
  const std::uint64_t now = laptop_clock_now();
  // The new device: a pending identity, its pairing payload (signed prekey stored first).
  Device laptop(server_, patient_.account());
  auto pending = pending_device_state(patient_.account());
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE(laptop.host.store(*pending).ok());
  laptop.engine.reload(*pending);
  auto payload = pairing_payload(laptop.engine.state(), now, e2ee::system_key_source());
  ASSERT_TRUE(payload.ok());
  ASSERT_TRUE(payload->next.has_value());  // a new signed prekey, to store before handing out
  laptop.engine.reload(*payload->next);
  // Not yet approved: completing the pairing is refused, and the laptop is not routed to.
  auto early = laptop.run_op<CompletePairing>(
      patient_.engine.state().contacts.at(patient_.account()).account_key);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), "device_not_approved");
  // Someone else's code is refused; a tampered one too.
  auto other = pending_device_state(doctor_.account());
  ASSERT_TRUE(other.ok());
  auto other_payload = pairing_payload(*other, now, e2ee::system_key_source());
  EXPECT_EQ(read_pairing_payload(other_payload->payload, patient_.account(), now).error().code(),
            "pairing_other_account");
  Bytes tampered = payload->payload;
  tampered[40] ^= 1;
  EXPECT_FALSE(read_pairing_payload(tampered, patient_.account(), now).ok());
  // Approved on the first device: it signs the list with the laptop and publishes its prekey.
  auto request = read_pairing_payload(payload->payload, patient_.account(), now);
  ASSERT_TRUE(request.ok()) << request.error().code();
  auto approved = patient_.run_op<ApproveDevice>(*request);
  ASSERT_TRUE(approved.ok()) << approved.error().code();
  EXPECT_FALSE(approved->prekey_not_published);
  EXPECT_EQ(server_.accounts[patient_.account()].devices.size(), 2u);
  auto again = patient_.run_op<ApproveDevice>(*request);
  EXPECT_EQ(again.error().code(), "device_already_listed");
  // A message sent now reaches the laptop (its signed prekey is on the server already).
  auto both = send(doctor_, patient_, "Pour vos deux appareils.");
  ASSERT_TRUE(both.ok()) << both.error().code() << " " << both.error().message();
  // A wrong account key typed on the laptop: refused.
  e2ee::PublicKey wrong = approved->account_key;
  wrong[0] ^= 1;
  EXPECT_FALSE(laptop.run_op<CompletePairing>(wrong).ok());
  EXPECT_FALSE(laptop.engine.paired());
  ASSERT_TRUE(laptop.run_op<CompletePairing>(approved->account_key).ok());
  EXPECT_TRUE(laptop.engine.paired());
  EXPECT_FALSE(server_.devices[laptop.engine.device_id()].one_time.empty());  // its prekeys
  EXPECT_EQ(read(laptop), std::vector<std::string>{"Pour vos deux appareils."});
  EXPECT_EQ(read(patient_), std::vector<std::string>{"Pour vos deux appareils."});
}

TEST_F(OperationsTest, ARevokedDeviceIsLeftOutOfTheSignedListAndReceivesNothingNew) {
  Device laptop = add_patient_device();
  ASSERT_TRUE(send(doctor_, patient_, "Avant.").ok());
  auto self = patient_.run_op<RevokeDevice>(patient_.engine.device_id());
  EXPECT_EQ(self.error().code(), "revoking_this_device");
  // A device without the account key cannot sign the list without the revoked one.
  auto unkeyed = laptop.run_op<RevokeDevice>(patient_.engine.device_id());
  EXPECT_EQ(unkeyed.error().code(), "account_key_missing");
  patient_.host.steps.clear();
  ASSERT_TRUE(patient_.run_op<RevokeDevice>(laptop.engine.device_id()).ok());
  EXPECT_EQ(patient_.host.steps,
            (std::vector<std::string>{
                "POST /api/v1/devices/" + laptop.engine.device_id() + "/revoke",
                "GET /api/v1/me/devices", "commit", "commit", "PUT /api/v1/me/device-list"}));
  auto sent = send(doctor_, patient_, "Après.");
  ASSERT_TRUE(sent.ok()) << sent.error().code();
  EXPECT_EQ(sent->envelopes, 1u);
  EXPECT_EQ(read(laptop), std::vector<std::string>{"Avant."});
  EXPECT_EQ(read(patient_), (std::vector<std::string>{"Avant.", "Après."}));
}

TEST_F(OperationsTest, AnAccountRestoredFromItsRecoveryKeyKeepsItsSafetyNumber) {
  ASSERT_TRUE(send(doctor_, patient_, "Avant.").ok());
  auto number = doctor_.run_op<FetchSafetyNumber>(patient_.account());
  ASSERT_TRUE(number.ok()) << number.error().code();
  EXPECT_EQ(number->digits.size(), 60u);
  auto backup = patient_.run_op<ReplaceKeyBackup>(std::optional<std::int64_t>());
  ASSERT_TRUE(backup.ok()) << backup.error().code();
  EXPECT_EQ(backup->version, 1);
  // Every device lost: a new profile with the recovery key.
  Device phone(server_, patient_.account());
  auto wrong = phone.run_op<RestoreAccount>(e2ee::generate_recovery_key());
  ASSERT_FALSE(wrong.ok());
  EXPECT_FALSE(phone.host.stored.has_value());  // nothing was changed
  EXPECT_EQ(server_.accounts[patient_.account()].devices.size(), 1u);
  auto restored = phone.run_op<RestoreAccount>(SecretBytes::from(backup->recovery_key.span()));
  ASSERT_TRUE(restored.ok()) << restored.error().code();
  EXPECT_EQ(restored->revoked_devices, std::vector<std::string>{patient_.engine.device_id()});
  EXPECT_EQ(server_.accounts[patient_.account()].devices,
            std::vector<std::string>{phone.engine.device_id()});
  // The doctor sees no key change, the same safety number, and reaches the new phone.
  auto after = doctor_.run_op<FetchSafetyNumber>(patient_.account());
  ASSERT_TRUE(after.ok()) << after.error().code();
  EXPECT_EQ(after->digits, number->digits);
  EXPECT_FALSE(after->record.key_changed);
  ASSERT_TRUE(send(doctor_, patient_, "Après la restauration.").ok());
  EXPECT_EQ(read(phone), std::vector<std::string>{"Après la restauration."});
  // Restored once: a second restore on this profile is refused.
  auto twice = phone.run_op<RestoreAccount>(SecretBytes::from(backup->recovery_key.span()));
  EXPECT_EQ(twice.error().code(), "already_set_up");
}

TEST_F(OperationsTest, VerifyingAChangedKeyNeedsTheChangeAcknowledged) {
  ASSERT_TRUE(send(doctor_, patient_, "x").ok());
  auto verified = verify_contact(doctor_.engine.state(), patient_.account(), false);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->contacts.at(patient_.account()).verified);
  KeystoreData changed = observe_account_key(*verified, patient_.account(), e2ee::PublicKey{7});
  auto refused = verify_contact(changed, patient_.account(), false);
  EXPECT_EQ(refused.error().code(), "key_change_unacknowledged");
  auto accepted = verify_contact(changed, patient_.account(), true);
  ASSERT_TRUE(accepted.ok());
  EXPECT_TRUE(accepted->contacts.at(patient_.account()).verified);
  EXPECT_FALSE(accepted->contacts.at(patient_.account()).key_changed);
  EXPECT_EQ(verify_contact(changed, random_id(), true).error().code(), "contact_unknown");
}

}  // namespace
}  // namespace hippocrate::client
