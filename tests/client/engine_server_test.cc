// The client core's operations (src/client/engine/) against the real server, in-process:
// the production routes (authentication, care, messaging) on a temp SQLite file behind a
// real TLS server on 127.0.0.1 (tests/server/deployment.h), driven by a host that does
// what the CLI's does (src/cli/client_messaging*.cc) — each request with the HTTPS client
// and the account's session, the committed keystore state kept in memory, the history
// records in a vector. operation_test.cc covers, with hand-written answers, what a real
// server will not produce on demand.
//
// Every request an operation makes is logged by its host; the counts of the sends and
// set-ups are printed ("[requests] ...").
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/ids.h"
#include "client/engine/device_lists.h"
#include "client/engine/device_setup.h"
#include "client/engine/engine.h"
#include "client/engine/inbox.h"
#include "client/engine/json_fields.h"
#include "client/engine/pairing.h"
#include "client/engine/receive.h"
#include "client/engine/receive_batch.h"
#include "client/engine/send_text.h"
#include "client/engine/set_up.h"
#include "client/engine/undelivered.h"
#include "client/https_client.h"
#include "client/recording_host.h"
#include "e2ee/identity.h"
#include "e2ee/prekeys.h"
#include "http/status.h"
#include "messaging/messaging_service.h"
#include "server/deployment.h"
#include "server/routes/messaging_routes.h"

namespace hippocrate::client {
namespace {

namespace json = boost::json;
using testing::Deployment;

constexpr const char* kAdmin = "admin@clinique.example";
constexpr const char* kDoc = "doc@clinique.example";
constexpr const char* kPat = "pat@patients.example";
const std::string kMessagesPath = "/api/v1/messages";

// A host as the CLI's: requests over HTTPS with the session token (Authorization: Bearer),
// the answer's JSON object or the stable code of its error body (http/status.h, as the CLI's
// ClientContext::call); commits kept in memory (the last one is the "keystore file");
// records appended to a vector. Writes every step down, in order.
class ServerHost final : public RecordingHost {
 public:
  ServerHost(HttpsClient http, std::string token)
      : http_(std::move(http)), token_(std::move(token)) {}

  std::vector<std::string> outcomes;  // for each request: "200", "201", … or the error code

  // What was logged from now on is what the next operation does.
  void clear_log() {
    requests.clear();
    outcomes.clear();
    steps.clear();
  }
  // "METHOD PATH" of each request logged.
  std::vector<std::string> request_lines() const {
    std::vector<std::string> out;
    for (const auto& r : requests) out.push_back(r.method + " " + r.path);
    return out;
  }

 protected:
  Answer answer(const ApiRequest& request) override {
    std::string body = request.method == "GET" ? std::string() : json::serialize(request.body);
    auto response =
        http_.request(request.method, request.path, std::move(body),
                      {{"Accept", "application/json"}, {"Authorization", "Bearer " + token_}});
    if (!response) {
      outcomes.push_back(response.error().code());
      return response.error();
    }
    if (response->status < 200 || response->status > 299) {
      Error e = http::error_from_response(response->status, response->body);
      outcomes.push_back(e.code());
      return e;
    }
    outcomes.push_back(std::to_string(response->status));
    if (response->body.empty()) return json::object{};
    boost::system::error_code ec;
    json::value parsed = json::parse(response->body, ec);
    if (ec || !parsed.is_object()) {
      return Error::internal("unexpected_response", "not a JSON object: " + response->body);
    }
    return std::move(parsed.as_object());
  }

 private:
  HttpsClient http_;
  std::string token_;
};

// One device of one account: the engine and its host.
struct Device {
  Device(ServerHost h, AccountInfo me, std::optional<KeystoreData> state, const Clock& clock)
      : host(std::move(h)), engine(std::move(me), std::move(state), environment(clock)) {}
  // The deployment's clock (the server's), the system's randomness and message ids.
  static Environment environment(const Clock& clock) {
    Environment env;
    env.clock = &clock;
    return env;
  }
  ServerHost host;
  Engine engine;
  const std::string& account() const { return engine.me().account_id; }
};

// One step done by `host` as client::drive does it.
Answer perform_step(Host& host, const Step& step) {
  auto answer_of = [](Status s) -> Answer {
    if (!s.ok()) return s.error();
    return answered_ok();
  };
  switch (step.kind) {
    case Step::Kind::kRequest: return host.perform(step.request);
    case Step::Kind::kCommit: return answer_of(host.store(*step.state));
    case Step::Kind::kRecord: return answer_of(host.record(step.records));
    case Step::Kind::kPresent: return answer_of(host.present());
    case Step::Kind::kDone: break;
  }
  return Error::internal("test", "no step to perform");
}

bool is_post_of_messages(const Step& step) {
  return step.kind == Step::Kind::kRequest && step.request.method == "POST" &&
         step.request.path == kMessagesPath;
}

std::vector<std::string> envelope_devices(const json::object& post_body) {
  std::vector<std::string> out;
  for (const auto& e : post_body.at("envelopes").as_array()) {
    out.push_back(json_string(e.as_object(), "device_id"));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class EngineServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto boot = dep_.auth->bootstrap("Clinique", kAdmin);
    ASSERT_TRUE(boot.ok()) << boot.error().to_string();
    dep_.accept(boot->token.text.view(), kAdmin, "Alice Admin");
    doc_id_ = dep_.invite(kAdmin, kDoc, auth::Role::kPractitioner);
    // A practitioner's invitation of a patient makes their care relationship, active once
    // accepted: they may message each other.
    pat_id_ = dep_.invite(kDoc, kPat, auth::Role::kPatient);
  }

  // A new device (a profile) of `email`, signed in: who it is from GET /api/v1/me, as the
  // CLI's Messenger::open; `state` the keystore it has (none: nothing yet).
  std::unique_ptr<Device> device(const std::string& email,
                                 std::optional<KeystoreData> state = std::nullopt) {
    auto login = dep_.login(email);
    ServerHost host(dep_.server->client(), std::string(login.token.text.view()));
    Answer me = host.perform({"GET", "/api/v1/me", {}});
    EXPECT_TRUE(me.ok()) << me.error().to_string();
    const json::object answer = me.ok() ? *me : json::object{};
    const json::object& account = json_object(answer, "account");
    AccountInfo info{json_string(account, "id"), json_string(account, "email"),
                     json_string(account, "display_name"), json_string(account, "role")};
    EXPECT_EQ(info.account_id, dep_.ids.at(email));
    host.clear_log();
    return std::make_unique<Device>(std::move(host), std::move(info), std::move(state), dep_.clock);
  }

  // A request outside any operation (what the test checks on the server), which must work.
  json::object call(Device& d, const std::string& method, const std::string& path,
                    json::object body = {}) {
    Answer a = d.host.perform({method, path, std::move(body)});
    EXPECT_TRUE(a.ok()) << method << " " << path << ": " << a.error().to_string();
    d.host.requests.pop_back();
    d.host.outcomes.pop_back();
    d.host.steps.pop_back();
    return a.ok() ? std::move(*a) : json::object{};
  }

  // The envelopes waiting in `d`'s mailbox on the server.
  json::array mailbox(Device& d) {
    json::object answer =
        call(d, "GET", "/api/v1/devices/" + d.engine.device_id() + "/messages?limit=100");
    const auto* m = answer.if_contains("messages");
    return m != nullptr && m->is_array() ? m->as_array() : json::array{};
  }

  void set_up(Device& d) {
    SetUpDevice op(d.engine);
    auto ready = run(op, d.host);
    ASSERT_TRUE(ready.ok()) << ready.error().to_string();
    d.host.clear_log();
  }

  Result<SentMessage> send(Device& from, const Device& to, const std::string& text) {
    from.host.clear_log();
    SendText op(from.engine, to.engine.me(), text);
    return run(op, from.host);
  }

  // ReadInbox, the batches presented kept in `shown` (each as batch() holds it at kPresent).
  Result<InboxRead> read_inbox(Device& d, std::vector<Opened>* shown = nullptr) {
    d.host.clear_log();
    ReadInbox op(d.engine);
    d.host.on_present = [&] {
      if (shown != nullptr) {
        shown->insert(shown->end(), op.batch().opened.begin(), op.batch().opened.end());
      }
      return ok_status();
    };
    auto read = run(op, d.host);
    d.host.on_present = nullptr;
    return read;
  }

  // Pairing, in the three steps the CLI runs (docs/protocol.md §2.2, engine/pairing.h):
  //   - `devices add` on the new profile: a pending device (a fresh identity of the
  //     account, no account key, committed) and its pairing payload (its identity and a
  //     signed prekey, whose private half is committed first);
  //   - `devices approve CODE` on a device holding the account key: ApproveDevice signs the
  //     list with the new device and registers it with its signed prekey;
  //   - `devices add --account-key KEY` on the new one: CompletePairing pins the key, checks
  //     the signed list names it, uploads its prekeys.
  struct Pending {
    std::unique_ptr<Device> device;
    Bytes payload;
  };
  Pending pending_device(const Device& of, const std::string& label) {
    auto state = pending_device_state(of.account());
    EXPECT_TRUE(state.ok()) << state.error().to_string();
    if (!state.ok()) return {};
    Pending out{device(of.engine.me().email, *state), {}};
    EXPECT_TRUE(out.device->host.store(*state).ok());  // the keystore is created
    EXPECT_FALSE(out.device->engine.paired());
    name(out.device->engine.device_id(), label);
    Device& d = *out.device;
    auto payload = pairing_payload(d.engine.state(), d.engine.now_seconds(), d.engine.keys());
    EXPECT_TRUE(payload.ok()) << payload.error().to_string();
    if (!payload.ok()) return {};
    if (payload->next) {
      EXPECT_TRUE(d.host.store(*payload->next).ok());  // the prekey's private half first
      d.engine.reload(*payload->next);
    }
    out.payload = std::move(payload->payload);
    return out;
  }
  std::optional<DeviceApproved> approve(Device& approver, const Bytes& payload) {
    auto request = read_pairing_payload(payload, approver.account(), approver.engine.now_seconds());
    EXPECT_TRUE(request.ok()) << request.error().to_string();
    if (!request.ok()) return std::nullopt;
    EXPECT_TRUE(request->signed_prekey.has_value());
    approver.host.clear_log();
    ApproveDevice op(approver.engine, std::move(*request));
    auto approved = run(op, approver.host);
    EXPECT_TRUE(approved.ok()) << approved.error().to_string();
    if (!approved.ok()) return std::nullopt;
    EXPECT_FALSE(approved->prekey_not_published);
    return std::move(*approved);
  }
  bool complete_pairing(Device& d, const e2ee::PublicKey& account_key) {
    d.host.clear_log();
    CompletePairing op(d.engine, account_key);
    auto paired = run(op, d.host);
    EXPECT_TRUE(paired.ok()) << paired.error().to_string();
    if (!paired.ok()) return false;
    EXPECT_TRUE(d.engine.paired());
    const json::object count =
        call(d, "GET", "/api/v1/devices/" + d.engine.device_id() + "/prekeys/count");
    EXPECT_EQ(json_int(count, "one_time_prekeys"),
              static_cast<std::int64_t>(e2ee::kOneTimePrekeyBatch));
    d.host.clear_log();
    return true;
  }
  // A new device of `approver`'s account, paired (null, and a failure, when a step fails).
  std::unique_ptr<Device> pair_device(Device& approver, const std::string& label) {
    Pending p = pending_device(approver, label);
    if (!p.device) return nullptr;
    auto approved = approve(approver, p.payload);
    if (!approved) return nullptr;
    EXPECT_EQ(approved->device_id, p.device->engine.device_id());
    EXPECT_EQ(approved->account_key, approver.engine.state().account_key->public_key);
    if (!complete_pairing(*p.device, approved->account_key)) return nullptr;
    return std::move(p.device);
  }

  // The next command of `d`'s profile, as the CLI runs it: a new engine on the state its
  // host stored (nothing cached from the previous command).
  void next_command(Device& d) {
    ASSERT_TRUE(d.host.stored.has_value());
    d.engine = Engine(d.engine.me(), d.host.stored, Device::environment(dep_.clock));
    d.host.clear_log();
  }

  // The requests of the last operation of `d`, with the ids replaced by names, printed.
  void print_requests(const std::string& what, const Device& d) {
    std::string line = "[requests] " + what + ": " + std::to_string(d.host.requests.size());
    for (std::string r : d.host.request_lines()) {
      for (const auto& [id, name] : names_) {
        for (auto at = r.find(id); at != std::string::npos; at = r.find(id)) {
          r.replace(at, id.size(), name);
        }
      }
      line += "\n    " + r;
    }
    std::printf("%s\n", line.c_str());
  }
  void name(const std::string& id, const std::string& label) { names_[id] = "{" + label + "}"; }

  // Both accounts' first devices, set up.
  void first_devices() {
    doc_ = device(kDoc);
    pat_ = device(kPat);
    ASSERT_NO_FATAL_FAILURE(set_up(*doc_));
    ASSERT_NO_FATAL_FAILURE(set_up(*pat_));
    name(doc_id_, "doc");
    name(pat_id_, "pat");
    name(doc_->engine.device_id(), "doc-device");
    name(pat_->engine.device_id(), "pat-device");
  }

  // The messaging service lives between the deployment's store and its server: made by
  // the deployment's constructor (its routes), destroyed once the server stopped and while
  // the store still exists.
  void TearDown() override {
    dep_.server->stop();
    messaging_.reset();
  }
  std::unique_ptr<messaging::MessagingService> messaging_;
  Deployment dep_{[this](server::Router& router, Deployment& d) {
    messaging_ = std::make_unique<messaging::MessagingService>(*d.store, d.clock, *d.audit_log);
    server::add_messaging_routes(router, *d.auth, *messaging_);
  }};
  std::string doc_id_, pat_id_;
  std::unique_ptr<Device> doc_, pat_;
  std::map<std::string, std::string> names_;
};

// 1. SetUpDevice registers each account's first device: the server lists exactly that
// device under a signed list of version 1, and holds its signed prekey and a full batch of
// one-time prekeys, whose private halves the host stored. The next run (the next command)
// registers and uploads nothing.
TEST_F(EngineServerTest, SetUpRegistersTheFirstDeviceAndUploadsPrekeys) {
  doc_ = device(kDoc);
  pat_ = device(kPat);
  for (Device* d : {doc_.get(), pat_.get()}) {
    SCOPED_TRACE(d->engine.me().email);
    SetUpDevice op(d->engine);
    auto ready = run(op, d->host);
    ASSERT_TRUE(ready.ok()) << ready.error().to_string();
    name(d->engine.device_id(), d == doc_.get() ? "doc-device" : "pat-device");
    print_requests("SetUpDevice (first device) " + d->engine.me().email, *d);
    EXPECT_TRUE(ready->first_device);
    EXPECT_TRUE(ready->devices_added.empty());
    EXPECT_TRUE(ready->devices_removed.empty());
    ASSERT_TRUE(d->engine.has_state());
    EXPECT_TRUE(d->engine.paired());
    ASSERT_TRUE(d->engine.state().account_key.has_value());  // the first device holds it
    // The host's store has what the engine has: the keystore was written.
    ASSERT_TRUE(d->host.stored.has_value());
    EXPECT_EQ(d->host.stored->device.pub.device_id, d->engine.device_id());
    EXPECT_EQ(d->host.stored->prekeys.one_time_prekeys.size(), e2ee::kOneTimePrekeyBatch);
    // The keystore was written before anything went up (keystore.h): a commit first.
    ASSERT_FALSE(d->host.steps.empty());
    const auto first_put = std::find_if(d->host.steps.begin(), d->host.steps.end(),
                                        [](const std::string& s) { return s.starts_with("PUT"); });
    ASSERT_NE(first_put, d->host.steps.end());
    EXPECT_NE(std::find(d->host.steps.begin(), first_put, "commit"), first_put);

    const json::object own = call(*d, "GET", "/api/v1/me/devices");
    ASSERT_TRUE(own.contains("devices"));
    const auto& devices = own.at("devices").as_array();
    ASSERT_EQ(devices.size(), 1u) << json::serialize(own);
    EXPECT_EQ(json_string(devices[0].as_object(), "device_id"), d->engine.device_id());
    EXPECT_TRUE(devices[0].as_object().at("revoked_at").is_null());
    EXPECT_EQ(json_int(own, "device_list_version"), 1);
    // The list the server keeps verifies under the account key this device holds.
    KeystoreData check = d->engine.state();
    auto verified = verify_listing(check, d->account(), d->account(), own);
    ASSERT_TRUE(verified.ok()) << verified.error().to_string();
    ASSERT_EQ(verified->current.devices.size(), 1u);
    EXPECT_EQ(verified->current.devices[0], d->engine.state().device.pub);

    const json::object count =
        call(*d, "GET", "/api/v1/devices/" + d->engine.device_id() + "/prekeys/count");
    EXPECT_EQ(json_int(count, "one_time_prekeys"),
              static_cast<std::int64_t>(e2ee::kOneTimePrekeyBatch));
    ASSERT_TRUE(count.contains("signed_prekey_uploaded_at"));
    EXPECT_FALSE(count.at("signed_prekey_uploaded_at").is_null());
  }
  // Each sees the other's one device.
  const json::object theirs = call(*doc_, "GET", "/api/v1/accounts/" + pat_id_ + "/devices");
  ASSERT_EQ(theirs.at("devices").as_array().size(), 1u);
  EXPECT_EQ(json_string(theirs.at("devices").as_array()[0].as_object(), "device_id"),
            pat_->engine.device_id());
  // Prekey counts come with one's own listing only, never with someone else's.
  EXPECT_FALSE(theirs.at("devices").as_array()[0].as_object().contains("prekeys"));
  const json::object mine = call(*doc_, "GET", "/api/v1/me/devices");
  EXPECT_EQ(json_int(json_object(mine.at("devices").as_array()[0].as_object(), "prekeys"),
                     "one_time_prekeys"),
            100);

  // The next command's set-up (a new engine on the stored keystore): it reads its listing,
  // which carries its prekey counts, and changes nothing on the server.
  next_command(*doc_);
  SetUpDevice again(doc_->engine);
  auto ready = run(again, doc_->host);
  ASSERT_TRUE(ready.ok()) << ready.error().to_string();
  print_requests("SetUpDevice (next command: registered, prekeys full)", *doc_);
  EXPECT_FALSE(ready->first_device);
  EXPECT_TRUE(ready->devices_added.empty());
  EXPECT_EQ(doc_->host.request_lines(), std::vector<std::string>{"GET /api/v1/me/devices"});
  EXPECT_EQ(call(*doc_, "GET", "/api/v1/me/devices").at("devices").as_array().size(), 1u);
}

// 2. A text practitioner → patient and the reply: each side reads what the other sent
// (text, sender, sending device, id), the mailbox is empty after the read (acknowledged),
// a second read shows nothing, and the history has each message once with its direction.
TEST_F(EngineServerTest, TextBothWaysIsReadOnceAndAcknowledged) {
  ASSERT_NO_FATAL_FAILURE(first_devices());

  auto sent = send(*doc_, *pat_, "Bonjour, vos résultats sont arrivés.");
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  print_requests("SendText doc -> pat (first message: no session)", *doc_);
  EXPECT_TRUE(is_valid_id(sent->message_id));
  EXPECT_EQ(sent->envelopes, 1u);  // the patient's one device (the practitioner has one)
  EXPECT_GT(sent->stored_at, 0);
  EXPECT_FALSE(sent->not_in_history);
  // A first send claims one bundle (the patient's device), then posts once.
  EXPECT_LE(doc_->host.requests.size(), 4u);
  const std::vector<std::string> first_send = doc_->host.request_lines();
  EXPECT_EQ(std::count(first_send.begin(), first_send.end(),
                       "POST /api/v1/accounts/" + pat_id_ + "/prekey-bundles"),
            1);
  EXPECT_EQ(first_send.back(), "POST " + kMessagesPath);
  // The new session was stored before the envelope left.
  const auto post =
      std::find(doc_->host.steps.begin(), doc_->host.steps.end(), "POST " + kMessagesPath);
  ASSERT_NE(post, doc_->host.steps.end());
  EXPECT_EQ(*(post - 1), "commit");
  ASSERT_EQ(doc_->host.history.size(), 1u);
  EXPECT_EQ(doc_->host.history[0].direction, Direction::kSent);
  EXPECT_EQ(doc_->host.history[0].contact, pat_id_);
  EXPECT_EQ(doc_->host.history[0].message_id, sent->message_id);
  EXPECT_EQ(mailbox(*pat_).size(), 1u);

  std::vector<Opened> shown;
  auto read = read_inbox(*pat_, &shown);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  print_requests("ReadInbox pat (one message)", *pat_);
  EXPECT_EQ(read->shown, 1u);
  EXPECT_EQ(read->unreadable, 0u);
  ASSERT_EQ(shown.size(), 1u);
  ASSERT_TRUE(shown[0].content.has_value()) << (shown[0].error ? shown[0].error->to_string() : "");
  EXPECT_EQ(std::string(shown[0].content->body.begin(), shown[0].content->body.end()),
            "Bonjour, vos résultats sont arrivés.");
  EXPECT_EQ(shown[0].meta.message_id, sent->message_id);
  EXPECT_EQ(shown[0].content->message_id, sent->message_id);
  EXPECT_EQ(shown[0].meta.sender, doc_id_);
  EXPECT_EQ(shown[0].content->sender_account_id, doc_id_);
  EXPECT_EQ(shown[0].meta.sender_device, doc_->engine.device_id());
  ASSERT_EQ(pat_->host.history.size(), 1u);
  EXPECT_EQ(pat_->host.history[0].direction, Direction::kReceived);
  EXPECT_EQ(pat_->host.history[0].contact, doc_id_);
  EXPECT_EQ(pat_->host.history[0].message_id, sent->message_id);
  EXPECT_EQ(pat_->host.history[0].sender_device, doc_->engine.device_id());
  EXPECT_EQ(pat_->host.history[0].text, "Bonjour, vos résultats sont arrivés.");
  EXPECT_TRUE(pat_->engine.state().seen_messages.contains(sent->message_id));
  // Acknowledged (after it was recorded, committed and presented): gone from the server.
  const auto lines = pat_->host.steps;
  const auto ack = std::find(lines.begin(), lines.end(),
                             "POST /api/v1/devices/" + pat_->engine.device_id() + "/messages/ack");
  ASSERT_NE(ack, lines.end());
  EXPECT_LT(std::find(lines.begin(), lines.end(), "record 1"), ack);
  EXPECT_LT(std::find(lines.begin(), lines.end(), "present"), ack);
  EXPECT_TRUE(mailbox(*pat_).empty());

  // Nothing more to read: one GET, nothing shown, nothing recorded.
  shown.clear();
  auto again = read_inbox(*pat_, &shown);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->shown, 0u);
  EXPECT_TRUE(shown.empty());
  EXPECT_EQ(pat_->host.request_lines(),
            std::vector<std::string>{"GET /api/v1/devices/" + pat_->engine.device_id() +
                                     "/messages?limit=100"});
  EXPECT_EQ(pat_->host.history.size(), 1u);

  // The reply, on the session the first message made: no bundle to claim.
  auto reply = send(*pat_, *doc_, "Merci docteur.");
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  print_requests("SendText pat -> doc (reply: session from the received message)", *pat_);
  EXPECT_NE(reply->message_id, sent->message_id);
  EXPECT_EQ(reply->envelopes, 1u);
  EXPECT_EQ(pat_->host.request_lines(),
            (std::vector<std::string>{"GET /api/v1/me/devices",
                                      "GET /api/v1/accounts/" + doc_id_ + "/devices",
                                      "POST " + kMessagesPath}));
  shown.clear();
  auto read_reply = read_inbox(*doc_, &shown);
  ASSERT_TRUE(read_reply.ok()) << read_reply.error().to_string();
  EXPECT_EQ(read_reply->shown, 1u);
  ASSERT_EQ(shown.size(), 1u);
  ASSERT_TRUE(shown[0].content.has_value());
  EXPECT_EQ(std::string(shown[0].content->body.begin(), shown[0].content->body.end()),
            "Merci docteur.");
  EXPECT_EQ(shown[0].meta.message_id, reply->message_id);
  EXPECT_EQ(shown[0].meta.sender, pat_id_);
  EXPECT_EQ(shown[0].meta.sender_device, pat_->engine.device_id());
  EXPECT_TRUE(mailbox(*doc_).empty());

  // Each history: the conversation in order, each message once, with its direction.
  ASSERT_EQ(doc_->host.history.size(), 2u);
  EXPECT_EQ(doc_->host.history[1].direction, Direction::kReceived);
  EXPECT_EQ(doc_->host.history[1].contact, pat_id_);
  EXPECT_EQ(doc_->host.history[1].message_id, reply->message_id);
  ASSERT_EQ(pat_->host.history.size(), 2u);
  EXPECT_EQ(pat_->host.history[1].direction, Direction::kSent);
  EXPECT_EQ(pat_->host.history[1].contact, doc_id_);
  EXPECT_EQ(pat_->host.history[1].message_id, reply->message_id);
  EXPECT_EQ(pat_->host.history[1].text, "Merci docteur.");

  // A send to a contact with a session both ways: the two listings and the post, nothing
  // else.
  auto third = send(*doc_, *pat_, "À jeudi.");
  ASSERT_TRUE(third.ok()) << third.error().to_string();
  print_requests("SendText doc -> pat (existing session)", *doc_);
  EXPECT_EQ(doc_->host.request_lines(),
            (std::vector<std::string>{"GET /api/v1/me/devices",
                                      "GET /api/v1/accounts/" + pat_id_ + "/devices",
                                      "POST " + kMessagesPath}));
  shown.clear();
  auto read_third = read_inbox(*pat_, &shown);
  ASSERT_TRUE(read_third.ok());
  ASSERT_EQ(shown.size(), 1u);
  ASSERT_TRUE(shown[0].content.has_value());
  EXPECT_EQ(shown[0].meta.message_id, third->message_id);
}

// 3. The patient's device list changes while the practitioner's message is on its way: the
// send is stepped by hand to its POST; the patient's first device approves a second one
// (ApproveDevice: a new signed list, the new device registered with its signed prekey);
// then the POST goes: the server answers device_list_mismatch, the operation reads both
// lists again, claims a bundle for the new device only and posts again with the SAME
// message id. The new device, reachable before it completed its pairing, completes it
// (CompletePairing) and reads the message, as the first device does. The patient's answer
// from the first device then carries a copy for the second, kept there as sent.
TEST_F(EngineServerTest, DeviceListChangeWhileSendingIsRetriedWithTheSameId) {
  ASSERT_NO_FATAL_FAILURE(first_devices());

  SendText op(doc_->engine, pat_->engine.me(), "Le rendez-vous est confirmé.");
  Step step = op.start();
  for (std::size_t i = 0; i < kMaxSteps && step.kind != Step::Kind::kDone; ++i) {
    if (is_post_of_messages(step)) break;
    step = op.resume(perform_step(doc_->host, step));
  }
  ASSERT_TRUE(is_post_of_messages(step)) << "the send did not reach its POST";
  print_requests("SendText doc -> pat up to its first POST (stepped by hand)", *doc_);
  const std::string first_id = json_string(step.request.body, "message_id");
  EXPECT_EQ(envelope_devices(step.request.body),
            std::vector<std::string>{pat_->engine.device_id()});

  // --- The patient adds a second device meanwhile: approved (registered with its signed
  // prekey), not yet through its own completion of the pairing. ---------------------------
  Pending second_pending = pending_device(*pat_, "pat-device-2");
  ASSERT_TRUE(second_pending.device);
  auto approved = approve(*pat_, second_pending.payload);
  ASSERT_TRUE(approved);
  std::unique_ptr<Device> second = std::move(second_pending.device);
  // Reachable already: its signed prekey is on the server, its one-time prekeys not yet.
  const std::string second_count =
      "/api/v1/devices/" + second->engine.device_id() + "/prekeys/count";
  const json::object before = call(*second, "GET", second_count);
  EXPECT_EQ(json_int(before, "one_time_prekeys"), 0);
  EXPECT_FALSE(before.at("signed_prekey_uploaded_at").is_null());

  // --- Now the POST, and the rest of the send. ---------------------------------------------
  doc_->host.clear_log();
  for (std::size_t i = 0; i < kMaxSteps && step.kind != Step::Kind::kDone; ++i) {
    step = op.resume(perform_step(doc_->host, step));
  }
  ASSERT_EQ(step.kind, Step::Kind::kDone);
  auto& sent = op.result();
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  print_requests("SendText doc -> pat after the POST (mismatch, then the retry)", *doc_);
  EXPECT_EQ(sent->message_id, first_id);
  EXPECT_EQ(sent->envelopes, 2u);
  std::vector<std::size_t> posts;
  for (std::size_t i = 0; i < doc_->host.requests.size(); ++i) {
    if (doc_->host.requests[i].method == "POST" && doc_->host.requests[i].path == kMessagesPath) {
      posts.push_back(i);
    }
  }
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(doc_->host.outcomes[posts[0]], "device_list_mismatch");
  EXPECT_EQ(doc_->host.outcomes[posts[1]], "201");
  const json::object& retry = doc_->host.requests[posts[1]].body;
  EXPECT_EQ(json_string(retry, "message_id"), first_id);  // the same message, sent again
  EXPECT_EQ(envelope_devices(retry),
            sorted({pat_->engine.device_id(), second->engine.device_id()}));
  // In between: both lists read again, a bundle claimed for the new device only.
  const std::vector<std::string> lines = doc_->host.request_lines();
  const std::vector<std::string> between(lines.begin() + 1,
                                         lines.begin() + static_cast<std::ptrdiff_t>(posts[1]));
  EXPECT_EQ(between, (std::vector<std::string>{
                         "GET /api/v1/me/devices", "GET /api/v1/accounts/" + pat_id_ + "/devices",
                         "POST /api/v1/accounts/" + pat_id_ + "/prekey-bundles"}));
  const json::object& claim = doc_->host.requests[posts[1] - 1].body;
  ASSERT_EQ(claim.at("device_ids").as_array().size(), 1u);
  EXPECT_EQ(claim.at("device_ids").as_array()[0].as_string(), second->engine.device_id());
  ASSERT_EQ(doc_->host.history.size(), 1u);  // recorded once, after the send that worked
  EXPECT_EQ(doc_->host.history[0].message_id, first_id);

  // The new device completes its pairing, then reads what was sent to its signed prekey.
  ASSERT_TRUE(complete_pairing(*second, approved->account_key));

  // Both patient devices read it.
  for (Device* d : {pat_.get(), second.get()}) {
    SCOPED_TRACE(d->engine.device_id());
    std::vector<Opened> shown;
    auto read = read_inbox(*d, &shown);
    ASSERT_TRUE(read.ok()) << read.error().to_string();
    EXPECT_EQ(read->shown, 1u);
    ASSERT_EQ(shown.size(), 1u);
    ASSERT_TRUE(shown[0].content.has_value())
        << (shown[0].error ? shown[0].error->to_string() : "");
    EXPECT_EQ(shown[0].meta.message_id, first_id);
    EXPECT_EQ(shown[0].meta.sender, doc_id_);
    EXPECT_EQ(std::string(shown[0].content->body.begin(), shown[0].content->body.end()),
              "Le rendez-vous est confirmé.");
    EXPECT_TRUE(mailbox(*d).empty());
  }

  // The patient answers from the first device: the practitioner gets it, and the second
  // device its copy (one's own other devices are in the fan-out), kept as sent.
  auto reply = send(*pat_, *doc_, "Merci, à demain.");
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  print_requests("SendText pat -> doc (a new own device to copy)", *pat_);
  EXPECT_EQ(reply->envelopes, 2u);
  const auto reply_post = std::find_if(
      pat_->host.requests.begin(), pat_->host.requests.end(),
      [](const ApiRequest& r) { return r.method == "POST" && r.path == kMessagesPath; });
  ASSERT_NE(reply_post, pat_->host.requests.end());
  EXPECT_EQ(envelope_devices(reply_post->body),
            sorted({doc_->engine.device_id(), second->engine.device_id()}));
  std::vector<Opened> copy;
  auto read_copy = read_inbox(*second, &copy);
  ASSERT_TRUE(read_copy.ok()) << read_copy.error().to_string();
  ASSERT_EQ(copy.size(), 1u);
  ASSERT_TRUE(copy[0].content.has_value()) << (copy[0].error ? copy[0].error->to_string() : "");
  EXPECT_EQ(copy[0].meta.message_id, reply->message_id);
  EXPECT_EQ(copy[0].meta.sender, pat_id_);
  EXPECT_EQ(copy[0].meta.sender_device, pat_->engine.device_id());
  ASSERT_EQ(second->host.history.size(), 2u);
  EXPECT_EQ(second->host.history[1].message_id, reply->message_id);
  EXPECT_EQ(second->host.history[1].direction, Direction::kSent);
  std::vector<Opened> at_doc;
  auto read_doc = read_inbox(*doc_, &at_doc);
  ASSERT_TRUE(read_doc.ok()) << read_doc.error().to_string();
  ASSERT_EQ(at_doc.size(), 1u);
  ASSERT_TRUE(at_doc[0].content.has_value());
  EXPECT_EQ(at_doc[0].meta.message_id, reply->message_id);
}

// 4. ReceiveBatch with AckBy::kHost (the live socket's way): the decrypted message is
// recorded and committed, its id left in to_acknowledge, and the server still holds it.
// Delivered again (the host's ack lost), it is a duplicate: not recorded twice, not
// committed, its id acknowledged again; ReadInbox then shows nothing and empties the
// mailbox.
TEST_F(EngineServerTest, HostAcknowledgesAndARedeliveryIsADuplicate) {
  ASSERT_NO_FATAL_FAILURE(first_devices());
  auto sent = send(*doc_, *pat_, "Prenez rendez-vous.");
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();

  const std::string messages =
      "/api/v1/devices/" + pat_->engine.device_id() + "/messages?limit=100";
  auto incoming = parse_incoming(call(*pat_, "GET", messages));
  ASSERT_EQ(incoming.size(), 1u);
  EXPECT_EQ(incoming[0].message_id, sent->message_id);
  pat_->host.clear_log();
  ReceiveBatch batch(pat_->engine, incoming, AckBy::kHost);
  auto received = run(batch, pat_->host);
  ASSERT_TRUE(received.ok()) << received.error().to_string();
  ASSERT_EQ(received->opened.size(), 1u);
  ASSERT_TRUE(received->opened[0].content.has_value());
  EXPECT_FALSE(received->opened[0].duplicate);
  EXPECT_EQ(received->to_acknowledge, std::vector<std::string>{sent->message_id});
  EXPECT_FALSE(received->kept);
  EXPECT_EQ(pat_->host.history.size(), 1u);
  // Nothing acknowledged nor refused by the operation: the ids are the host's to send.
  for (const auto& line : pat_->host.request_lines()) {
    EXPECT_EQ(line.find("/messages/ack"), std::string::npos) << line;
    EXPECT_EQ(line.find("/messages/refuse"), std::string::npos) << line;
  }
  const json::array still = mailbox(*pat_);
  ASSERT_EQ(still.size(), 1u);
  EXPECT_EQ(json_string(still[0].as_object(), "message_id"), sent->message_id);

  // Delivered again: a duplicate, known by its id before any decryption.
  auto again_in = parse_incoming(call(*pat_, "GET", messages));
  ASSERT_EQ(again_in.size(), 1u);
  pat_->host.clear_log();
  ReceiveBatch again(pat_->engine, again_in, AckBy::kHost);
  auto twice = run(again, pat_->host);
  ASSERT_TRUE(twice.ok()) << twice.error().to_string();
  ASSERT_EQ(twice->opened.size(), 1u);
  EXPECT_TRUE(twice->opened[0].duplicate);
  EXPECT_FALSE(twice->opened[0].content.has_value());
  EXPECT_FALSE(twice->opened[0].error.has_value());
  EXPECT_EQ(twice->unreadable, 0u);
  EXPECT_EQ(twice->to_acknowledge, std::vector<std::string>{sent->message_id});
  EXPECT_EQ(pat_->host.history.size(), 1u);  // not recorded twice
  EXPECT_TRUE(pat_->host.requests.empty());  // a duplicate needs no device list
  EXPECT_EQ(std::count(pat_->host.steps.begin(), pat_->host.steps.end(), "commit"), 0);

  // ReadInbox meets it once more: shown as nothing, acknowledged, the mailbox empty.
  std::vector<Opened> shown;
  auto read = read_inbox(*pat_, &shown);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->shown, 0u);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_TRUE(shown[0].duplicate);
  EXPECT_EQ(pat_->host.history.size(), 1u);
  EXPECT_TRUE(mailbox(*pat_).empty());
}

// 5. An envelope altered in the server's database: the recipient cannot decrypt it and
// refuses it as "undecryptable" (not acknowledged as read, not recorded, not marked as
// received); the sender's ReportUndelivered presents the notice with that reason before
// acknowledging it, and the next one has nothing.
TEST_F(EngineServerTest, AlteredEnvelopeIsRefusedAndItsSenderTold) {
  ASSERT_NO_FATAL_FAILURE(first_devices());
  auto sent = send(*doc_, *pat_, "Votre ordonnance.");
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();

  // One byte of the stored ciphertext flipped (its last: the authentication tag).
  auto altered = dep_.store->write([&](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(auto row,
                           tx.query_one("SELECT ciphertext FROM mailbox WHERE device_id = ? AND "
                                        "message_id = ?",
                                        {pat_->engine.device_id(), sent->message_id}));
    if (!row) return Error::not_found("test", "no envelope");
    HIPPO_ASSIGN_OR_RETURN(Bytes ciphertext, row->blob(0));
    if (ciphertext.empty()) return Error::internal("test", "empty envelope");
    ciphertext.back() ^= 0x01;
    return tx.execute("UPDATE mailbox SET ciphertext = ? WHERE device_id = ? AND message_id = ?",
                      {ciphertext, pat_->engine.device_id(), sent->message_id});
  });
  ASSERT_TRUE(altered.ok()) << altered.error().to_string();
  ASSERT_EQ(*altered, 1);

  std::vector<Opened> shown;
  auto read = read_inbox(*pat_, &shown);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  print_requests("ReadInbox pat (one altered envelope)", *pat_);
  EXPECT_EQ(read->unreadable, 1u);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_FALSE(shown[0].content.has_value());
  ASSERT_TRUE(shown[0].error.has_value());
  EXPECT_TRUE(shown[0].error->code().starts_with("e2ee_")) << shown[0].error->to_string();
  EXPECT_FALSE(shown[0].sender_unverified);
  EXPECT_EQ(refusal_reason(shown[0]), std::optional<std::string>("undecryptable"));
  EXPECT_TRUE(pat_->host.history.empty());
  EXPECT_FALSE(pat_->engine.state().seen_messages.contains(sent->message_id));
  // Refused, not acknowledged.
  const std::string device_path = "/api/v1/devices/" + pat_->engine.device_id();
  const auto& requests = pat_->host.requests;
  const auto refuse = std::find_if(requests.begin(), requests.end(), [&](const ApiRequest& r) {
    return r.path == device_path + "/messages/refuse";
  });
  ASSERT_NE(refuse, requests.end());
  EXPECT_EQ(json_string(refuse->body, "reason"), "undecryptable");
  ASSERT_EQ(refuse->body.at("message_ids").as_array().size(), 1u);
  EXPECT_EQ(refuse->body.at("message_ids").as_array()[0].as_string(), sent->message_id);
  for (const auto& line : pat_->host.request_lines()) {
    EXPECT_EQ(line.find("/messages/ack"), std::string::npos) << line;
  }
  EXPECT_TRUE(mailbox(*pat_).empty());

  // The sender's fetch says notices wait.
  auto doc_read = read_inbox(*doc_);
  ASSERT_TRUE(doc_read.ok()) << doc_read.error().to_string();
  EXPECT_TRUE(doc_read->undelivered);

  doc_->host.clear_log();
  ReportUndelivered report(doc_->engine);
  std::vector<UndeliveredNotice> presented;
  doc_->host.on_present = [&] {
    presented = report.page();
    return ok_status();
  };
  auto notices = run(report, doc_->host);
  doc_->host.on_present = nullptr;
  ASSERT_TRUE(notices.ok()) << notices.error().to_string();
  print_requests("ReportUndelivered doc (one notice)", *doc_);
  ASSERT_EQ(presented.size(), 1u);
  EXPECT_EQ(presented[0].message_id, sent->message_id);
  EXPECT_EQ(presented[0].reason, "undecryptable");
  EXPECT_EQ(presented[0].recipient.account_id, pat_id_);
  EXPECT_EQ(presented[0].devices, 1);
  ASSERT_EQ(notices->size(), 1u);
  EXPECT_EQ((*notices)[0].message_id, sent->message_id);
  // Presented before it was acknowledged (a crash between shows it twice, never loses it).
  const std::string doc_device = "/api/v1/devices/" + doc_->engine.device_id();
  EXPECT_EQ(doc_->host.steps,
            (std::vector<std::string>{"GET " + doc_device + "/undelivered?limit=100", "present",
                                      "POST " + doc_device + "/undelivered/ack"}));
  EXPECT_EQ(doc_->host.outcomes.back(), "200");

  doc_->host.clear_log();
  ReportUndelivered next(doc_->engine);
  auto none = run(next, doc_->host);
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(doc_->host.steps,
            std::vector<std::string>{"GET " + doc_device + "/undelivered?limit=100"});
}

// 6. A device added to one's account by another of one's devices is told to this device
// once, by the set-up of its next command (a new engine on its stored keystore, as the CLI
// runs each command); the device that made the change is told nothing.
TEST_F(EngineServerTest, OwnDeviceAddedElsewhereIsToldOnceAtTheNextCommand) {
  ASSERT_NO_FATAL_FAILURE(first_devices());
  auto second = pair_device(*pat_, "pat-device-2");
  ASSERT_TRUE(second);
  auto third = pair_device(*pat_, "pat-device-3");  // approved on the first device
  ASSERT_TRUE(third);

  next_command(*second);
  SetUpDevice set_up(second->engine);
  auto ready = run(set_up, second->host);
  ASSERT_TRUE(ready.ok()) << ready.error().to_string();
  ASSERT_EQ(ready->devices_added.size(), 1u);
  EXPECT_EQ(ready->devices_added[0].first, third->engine.device_id());
  EXPECT_GT(ready->devices_added[0].second, 0);  // when the server registered it
  EXPECT_TRUE(ready->devices_removed.empty());
  ASSERT_TRUE(second->host.stored->own_devices.has_value());
  EXPECT_EQ(*second->host.stored->own_devices,
            (std::set<std::string>{pat_->engine.device_id(), second->engine.device_id(),
                                   third->engine.device_id()}));

  next_command(*second);  // told once
  SetUpDevice again(second->engine);
  auto quiet = run(again, second->host);
  ASSERT_TRUE(quiet.ok()) << quiet.error().to_string();
  EXPECT_TRUE(quiet->devices_added.empty());

  next_command(*pat_);  // the approver made the change itself
  SetUpDevice approver(pat_->engine);
  auto own = run(approver, pat_->host);
  ASSERT_TRUE(own.ok()) << own.error().to_string();
  EXPECT_TRUE(own->devices_added.empty());
}

// The same with one engine kept for the whole session (as a browser tab would keep it),
// running SetUpDevice at the start of every messaging command (set_up.h): the device added
// elsewhere is told, because SetUpDevice reads what the server says now, not the listing
// the engine cached at the pairing (whose prekey upload keeps the cache).
TEST_F(EngineServerTest, LongLivedEngineIsToldOfAnOwnDeviceAddedElsewhere) {
  ASSERT_NO_FATAL_FAILURE(first_devices());
  auto second = pair_device(*pat_, "pat-device-2");
  ASSERT_TRUE(second);
  auto third = pair_device(*pat_, "pat-device-3");
  ASSERT_TRUE(third);

  SetUpDevice set_up(second->engine);  // the same engine as at its pairing
  auto ready = run(set_up, second->host);
  ASSERT_TRUE(ready.ok()) << ready.error().to_string();
  print_requests("SetUpDevice (long-lived engine, a device added elsewhere)", *second);
  ASSERT_EQ(ready->devices_added.size(), 1u);
  EXPECT_EQ(ready->devices_added[0].first, third->engine.device_id());
}

}  // namespace
}  // namespace hippocrate::client
