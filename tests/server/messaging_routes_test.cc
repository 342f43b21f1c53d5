// The messaging API over real TLS (docs/messaging.md): devices, prekeys, send / fetch / ack,
// the contact policy's refusals, live push over real WebSockets to every connected device,
// offline delivery on reconnect, revocation, frame errors, and that no ciphertext reaches
// the access log or the audit trail.
#include <gtest/gtest.h>

#include <future>

#include <boost/json.hpp>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "auth/base32.h"
#include "auth/password_hasher.h"
#include "auth/totp.h"
#include "base/ids.h"
#include "crypto/random.h"
#include "messaging/wire_frame.h"
#include "server/routes/auth_routes.h"
#include "server/routes/messaging_routes.h"
#include "support/writer_gate.h"
#include "test_server.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;
namespace wire = messaging::wire;
using auth::Role;
using namespace std::chrono_literals;
using Hdrs = std::vector<std::pair<std::string, std::string>>;

const char* kPassword = "correct horse battery staple orbit";

struct User {
  std::string email;
  std::string id;
  std::string token;
  std::vector<std::string> devices;
  std::int64_t list_version = 0;
};

class MessagingRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.url = (dir_.path() / "m.db").string();
    o.clock = &clock_;
    store_ = std::move(*store::open_store(o));
    audit_ = std::make_unique<audit::AuditLog>(clock_, crypto::random_secret(32));
    auth_ = std::make_unique<auth::AuthService>(
        *store_, clock_, *audit_,
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{1, 8 * 1024 * 1024}),
        crypto::random_secret(32), crypto::random_secret(32));
    // Expired sessions' sockets are swept every 20 ms here (15 s in the product).
    messaging_ = std::make_unique<messaging::MessagingService>(*store_, clock_, *audit_,
                                                               std::chrono::milliseconds(20));
    add_auth_routes(router_, *auth_);
    add_messaging_routes(router_, *auth_, *messaging_);
    server_ = std::make_unique<testing::TestServer>(router_);

    auto inv = auth_->bootstrap("Org", "admin@example.org");
    accept(inv->token.text.view(), "Alice Admin");
    auto admin = login("admin@example.org");
    enrol("admin@example.org", admin);
    auto admin_full = login("admin@example.org");
    for (auto [email, role] : {std::pair{"doc@example.org", Role::kPractitioner},
                               {"doc2@example.org", Role::kPractitioner},
                               {"assist@example.org", Role::kAssistant}}) {
      auto i = auth_->invite(admin_full.session, email, role, origin());
      ASSERT_TRUE(i.ok()) << i.error().to_string();
      accept(i->token.text.view(), "Staff Member");
      enrol(email, login(email));
    }
    auto doc = login("doc@example.org");
    auto p = auth_->invite(doc.session, "pat@example.org", Role::kPatient, origin());
    accept(p->token.text.view(), "Paul Patient");
    doc_ = user("doc@example.org");
    doc2_ = user("doc2@example.org");
    assistant_ = user("assist@example.org");
    patient_ = user("pat@example.org");
  }

  auth::RequestOrigin origin() { return {"127.0.0.1", "messaging"}; }
  void accept(std::string_view token, std::string_view name) {
    auto a = auth_->accept_invitation(token, name, SecretBytes::from(std::string_view(kPassword)),
                                      origin());
    ASSERT_TRUE(a.ok()) << a.error().to_string();
  }
  auth::LoginResult login(const std::string& email) {
    clock_.advance(31s);  // a new TOTP step
    auth::SecondFactor f;
    if (auto it = secrets_.find(email); it != secrets_.end()) {
      f.totp_code = auth::totp_at(it->second, clock_.now());
    }
    auto r = auth_->login(email, SecretBytes::from(std::string_view(kPassword)), f, origin());
    EXPECT_TRUE(r.ok()) << email << ": " << r.error().to_string();
    return std::move(*r);
  }
  void enrol(const std::string& email, const auth::LoginResult& l) {
    auto e = auth_->begin_totp_enrolment(l.session);
    auto secret = SecretBytes::from(*auth::base32_decode(e->secret_base32));
    ASSERT_TRUE(auth_->confirm_totp(l.session, auth::totp_at(secret, clock_.now()), origin()).ok());
    secrets_[email] = std::move(secret);
  }
  User user(const std::string& email) {
    auto l = login(email);
    return User{email, l.session.account.id, std::string(l.token.text.view()), {}, 0};
  }

  client::ClientResponse call(const std::string& method, const std::string& path,
                              const std::string& token, const json::value& body = nullptr) {
    auto client = server_->client();
    Hdrs headers{{"authorization", "Bearer " + token}};
    auto r = client.request(method, path, body.is_null() ? std::string() : json::serialize(body),
                            headers);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return std::move(*r);
  }
  // The same with the body as text (what json::value cannot hold: a name twice).
  client::ClientResponse call_text(const std::string& method, const std::string& path,
                                   const std::string& token, const std::string& body) {
    auto client = server_->client();
    auto r = client.request(method, path, body, {{"authorization", "Bearer " + token}});
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return std::move(*r);
  }
  static json::value parse(const client::ClientResponse& r) { return json::parse(r.body); }
  static std::string code_of(const client::ClientResponse& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
  }

  // Registers a new device for `u` (the list names all its devices) and uploads prekeys.
  std::string add_device(User& u) {
    const std::string id = random_id();
    json::array ids;
    for (const auto& d : u.devices) ids.emplace_back(d);
    ids.emplace_back(id);
    ++u.list_version;
    auto r = call(
        "PUT", "/api/v1/devices/" + id, u.token,
        json::object{
            {"identity", base64url_encode(to_bytes("identity-" + id))},
            {"device_list", base64url_encode(to_bytes("list-" + std::to_string(u.list_version)))},
            {"device_list_version", u.list_version},
            {"device_ids", ids}});
    EXPECT_EQ(r.status, 201) << r.body;
    u.devices.push_back(id);
    json::array keys;
    for (int k = 1; k <= 3; ++k) {
      keys.push_back(
          json::object{{"id", k}, {"key", base64url_encode(to_bytes("otk" + std::to_string(k)))}});
    }
    auto p = call("PUT", "/api/v1/devices/" + id + "/prekeys", u.token,
                  json::object{{"signed_prekey", base64url_encode(to_bytes("spk"))},
                               {"one_time_prekeys", keys}});
    EXPECT_EQ(p.status, 200) << p.body;
    return id;
  }

  // A send from `from`'s device to `to`, with one envelope per listed device.
  json::object message(const User& /*from*/, const std::string& from_device, const User& to,
                       const std::vector<std::string>& devices, const std::string& id,
                       const std::string& text = "ciphertext") {
    json::array envelopes;
    for (const auto& d : devices) {
      envelopes.push_back(json::object{{"device_id", d},
                                       {"ciphertext", base64url_encode(to_bytes(text + ":" + d))}});
    }
    return json::object{{"message_id", id},
                        {"recipient", to.id},
                        {"sender_device", from_device},
                        {"envelopes", envelopes}};
  }
  // Every device that must get an envelope.
  static std::vector<std::string> targets(const User& from, const std::string& from_device,
                                          const User& to) {
    std::vector<std::string> out = to.devices;
    for (const auto& d : from.devices) {
      if (d != from_device) out.push_back(d);
    }
    return out;
  }

  client::WebSocketClient socket(const User& u, const std::string& device) {
    auto ws = client::WebSocketClient::connect(server_->client_options(),
                                               "/api/v1/devices/" + device + "/socket",
                                               {{"authorization", "Bearer " + u.token}});
    EXPECT_TRUE(ws.ok()) << ws.error().to_string();
    return std::move(*ws);
  }
  static wire::Frame next_frame(client::WebSocketClient& ws) {
    auto m = ws.receive(10s);
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    if (!m.ok()) return wire::ErrorFrame{"", "no_frame", {}};
    EXPECT_TRUE(m->binary);
    auto f = wire::decode(m->data);
    EXPECT_TRUE(f.ok()) << f.error().to_string();
    return f.ok() ? *f : wire::Frame(wire::ErrorFrame{"", "undecodable", {}});
  }
  static wire::Deliver next_delivery(client::WebSocketClient& ws) {
    auto f = next_frame(ws);
    EXPECT_TRUE(std::holds_alternative<wire::Deliver>(f));
    return std::holds_alternative<wire::Deliver>(f) ? std::get<wire::Deliver>(f) : wire::Deliver{};
  }

  std::vector<audit::StoredAuditRecord> audit_records(const std::string& action) {
    audit::AuditFilter f;
    if (!action.empty()) f.action = action;
    f.limit = 1000;
    return *audit::AuditLog::search(*store_, f);
  }

  testing::TempDir dir_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<messaging::MessagingService> messaging_;
  Router router_;
  std::unique_ptr<testing::TestServer> server_;
  std::map<std::string, SecretBytes> secrets_;
  User doc_, doc2_, assistant_, patient_;
};

TEST_F(MessagingRoutesTest, DevicesPrekeysSendFetchAndAck) {
  const std::string d1 = add_device(doc_);
  const std::string p1 = add_device(patient_);

  // The patient sees the practitioner's devices and claims a bundle: each one-time prekey
  // once, lowest id first.
  auto listing = call("GET", "/api/v1/accounts/" + doc_.id + "/devices", patient_.token);
  ASSERT_EQ(listing.status, 200) << listing.body;
  EXPECT_EQ(parse(listing).at("devices").as_array().size(), 1u);
  EXPECT_EQ(parse(listing).at("device_list_version").as_int64(), 1);
  for (int want = 1; want <= 2; ++want) {
    auto b = call("POST", "/api/v1/accounts/" + doc_.id + "/prekey-bundles", patient_.token,
                  json::object{});
    ASSERT_EQ(b.status, 200) << b.body;
    const auto body = parse(b);
    const auto& bundle = body.at("bundles").at(0);
    EXPECT_EQ(bundle.at("device_id").as_string(), d1);
    EXPECT_EQ(bundle.at("one_time_prekey").at("id").as_int64(), want);
  }
  auto count = call("GET", "/api/v1/devices/" + d1 + "/prekeys/count", doc_.token);
  EXPECT_EQ(parse(count).at("one_time_prekeys").as_int64(), 1);

  // The patient adds a second device; a send that forgets it is refused with the lists.
  const std::string p2 = add_device(patient_);
  const std::string id = random_id();
  auto stale =
      call("POST", "/api/v1/messages", patient_.token, message(patient_, p1, doc_, {d1}, id));
  ASSERT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(code_of(stale), "device_list_mismatch");
  const auto stale_body = parse(stale);
  const auto& devices = stale_body.at("devices");
  EXPECT_EQ(devices.at(doc_.id).as_array(), (json::array{json::value(d1)}));
  EXPECT_EQ(devices.at(patient_.id).as_array().size(), 2u);

  // With every device: stored; the same id again answers the same and stores nothing.
  auto sent =
      call("POST", "/api/v1/messages", patient_.token, message(patient_, p1, doc_, {d1, p2}, id));
  ASSERT_EQ(sent.status, 201) << sent.body;
  clock_.advance(3s);
  auto retry =
      call("POST", "/api/v1/messages", patient_.token, message(patient_, p1, doc_, {d1, p2}, id));
  ASSERT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.body, sent.body);

  auto inbox = call("GET", "/api/v1/devices/" + d1 + "/messages?limit=10", doc_.token);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  const auto inbox_body = parse(inbox);
  const auto& messages = inbox_body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("message_id").as_string(), id);
  EXPECT_EQ(messages[0].at("sender").as_string(), patient_.id);
  EXPECT_EQ(messages[0].at("sender_device").as_string(), p1);
  EXPECT_EQ(*base64url_decode(messages[0].at("ciphertext").as_string()),
            to_bytes("ciphertext:" + d1));
  // Someone else's mailbox is nobody's.
  EXPECT_EQ(call("GET", "/api/v1/devices/" + d1 + "/messages", patient_.token).status, 404);

  auto ack = call("POST", "/api/v1/devices/" + d1 + "/messages/ack", doc_.token,
                  json::object{{"message_ids", json::array{json::value(id)}}});
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(parse(ack).at("deleted").as_int64(), 1);
  auto empty = call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token);
  EXPECT_TRUE(parse(empty).at("messages").as_array().empty());
  // The patient's other device still has its copy until it acks.
  auto other = call("GET", "/api/v1/devices/" + p2 + "/messages", patient_.token);
  EXPECT_EQ(parse(other).at("messages").as_array().size(), 1u);

  // Audited: the send and the fetches, metadata only.
  auto sends = audit_records("message.send");
  ASSERT_FALSE(sends.empty());
  EXPECT_EQ(sends[0].record.result, "succeeded");
  EXPECT_EQ(sends[0].record.detail, "message=" + id + ",envelopes=2");
  EXPECT_GE(audit_records("message.fetch").size(), 3u);
}

// A body is read one way only (docs/api.md "Request bodies"): a name twice, at the top or
// inside an envelope, or a field the route does not declare (top-level or in an envelope or
// a one-time prekey) is refused before anything is stored.
TEST_F(MessagingRoutesTest, BodiesWithADuplicateOrUnknownFieldAreRefusedAndStoreNothing) {
  const std::string d1 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  const std::string id = random_id();
  const std::string envelope = R"({"device_id":")" + d1 + R"(","ciphertext":"Y3Q")";
  const std::string head = R"({"message_id":")" + id + R"(","recipient":")" + doc_.id +
                           R"(","sender_device":")" + p1 + R"(",)";
  struct Case {
    std::string body;
    std::string code;
    std::string message;
  };
  const Case cases[] = {
      // Which recipient? One reader keeps the first, Boost.JSON the last: neither is read.
      {head + R"("recipient":")" + patient_.id + R"(","envelopes":[)" + envelope + "}]}",
       "duplicate_field", "the field 'recipient' appears more than once"},
      {head + R"("envelopes":[)" + envelope + R"(,"ciphertext":"b3RoZXI"}]})", "duplicate_field",
       "the field 'envelopes[0].ciphertext' appears more than once"},
      {head + R"("envelopes":[)" + envelope + R"(,"device_id":")" + p1 + R"("}]})",
       "duplicate_field", "the field 'envelopes[0].device_id' appears more than once"},
      {head + R"("envelopes":[)" + envelope + R"(}],"priority":"high"})", "unknown_field",
       "the field 'priority' is not accepted here"},
      {head + R"("envelopes":[)" + envelope + R"(,"padding":"AAAA"}]})", "unknown_field",
       "the field 'envelopes[0].padding' is not accepted here"},
  };
  for (const auto& c : cases) {
    auto r = call_text("POST", "/api/v1/messages", patient_.token, c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(code_of(r), c.code) << r.body;
    EXPECT_EQ(std::string(parse(r).at("error").at("message").as_string()), c.message);
  }
  auto inbox = call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token);
  EXPECT_TRUE(parse(inbox).at("messages").as_array().empty()) << inbox.body;
  EXPECT_TRUE(audit_records("message.send").empty());

  // Prekeys: an unknown field inside a one-time prekey; nothing is stored.
  auto prekeys =
      call("PUT", "/api/v1/devices/" + d1 + "/prekeys", doc_.token,
           json::object{{"one_time_prekeys",
                         json::array{json::object{{"id", 9}, {"key", "a2V5"}, {"expires", 1}}}}});
  EXPECT_EQ(code_of(prekeys), "unknown_field");
  EXPECT_NE(prekeys.body.find("one_time_prekeys[0].expires"), std::string::npos) << prekeys.body;
  auto count = call("GET", "/api/v1/devices/" + d1 + "/prekeys/count", doc_.token);
  EXPECT_EQ(parse(count).at("one_time_prekeys").as_int64(), 3);
  // A device registration with a field the route does not read: no device.
  auto extra = call("PUT", "/api/v1/devices/" + random_id(), doc_.token,
                    json::object{{"identity", "aWQ"},
                                 {"device_list", "bGlzdA"},
                                 {"device_list_version", doc_.list_version + 1},
                                 {"device_ids", json::array{json::value(d1)}},
                                 {"name", "my phone"}});
  EXPECT_EQ(code_of(extra), "unknown_field");
  auto mine = call("GET", "/api/v1/me/devices", doc_.token);
  EXPECT_EQ(parse(mine).at("devices").as_array().size(), 1u);
  auto acks = call_text("POST", "/api/v1/devices/" + d1 + "/messages/ack", doc_.token,
                        R"({"message_ids":[],"message_ids":[")" + id + R"("]})");
  EXPECT_EQ(code_of(acks), "duplicate_field");

  // The same message, read one way, is stored.
  auto sent = call_text("POST", "/api/v1/messages", patient_.token,
                        head + R"("envelopes":[)" + envelope + "}]}");
  EXPECT_EQ(sent.status, 201) << sent.body;
}

TEST_F(MessagingRoutesTest, ContactsOutsideThePolicyAreRefusedAndAudited) {
  const std::string p1 = add_device(patient_);
  const std::string d1 = add_device(doc_);
  const std::string d2 = add_device(doc2_);
  const std::string a1 = add_device(assistant_);
  struct Case {
    User* from;
    std::string device;
    User* to;
  };
  auto refused = [&](const Case& c) {
    auto r =
        call("POST", "/api/v1/messages", c.from->token,
             message(*c.from, c.device, *c.to, targets(*c.from, c.device, *c.to), random_id()));
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(code_of(r), "contact_not_permitted");
  };
  refused({&patient_, p1, &doc2_});       // no relationship
  refused({&patient_, p1, &assistant_});  // an assistant
  refused({&assistant_, a1, &patient_});  // an assistant writing to a patient
  // Nor may they read each other's devices or prekeys.
  auto devices = call("GET", "/api/v1/accounts/" + patient_.id + "/devices", assistant_.token);
  EXPECT_EQ(devices.status, 403);
  auto bundles = call("POST", "/api/v1/accounts/" + doc2_.id + "/prekey-bundles", patient_.token,
                      json::object{});
  EXPECT_EQ(bundles.status, 403);

  // Inside the active relationship it works; once ended, it is refused.
  auto ok = call("POST", "/api/v1/messages", patient_.token,
                 message(patient_, p1, doc_, targets(patient_, p1, doc_), random_id()));
  EXPECT_EQ(ok.status, 201) << ok.body;
  ASSERT_TRUE(store_
                  ->write([&](store::Transaction& tx) -> Status {
                    auto r = tx.execute(
                        "UPDATE care_relationships SET status = 'ended' WHERE "
                        "practitioner_id = ? AND patient_id = ?",
                        {doc_.id, patient_.id});
                    if (!r) return r.error();
                    return ok_status();
                  })
                  .ok());
  refused({&patient_, p1, &doc_});  // an ended relationship
  refused({&doc_, d1, &patient_});

  auto denied = audit_records("message.send");
  std::vector<std::string> reasons;
  for (const auto& r : denied) {
    if (r.record.result == "denied")
      reasons.push_back(r.record.detail.substr(0, r.record.detail.find(',')));
  }
  EXPECT_EQ(reasons,
            (std::vector<std::string>{
                "reason=no_active_care_relationship", "reason=no_active_care_relationship",
                "reason=patient_with_non_practitioner", "reason=patient_with_non_practitioner",
                "reason=no_active_care_relationship"}));
  // Staff of one organisation may talk.
  auto staff = call("POST", "/api/v1/messages", doc2_.token,
                    message(doc2_, d2, assistant_, targets(doc2_, d2, assistant_), random_id()));
  EXPECT_EQ(staff.status, 201) << staff.body;
}

TEST_F(MessagingRoutesTest, LivePushToEveryConnectedDeviceAndBacklogOnReconnect) {
  const std::string d1 = add_device(doc_);
  const std::string d2 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  const std::string p2 = add_device(patient_);
  auto ws_d1 = socket(doc_, d1);
  auto ws_d2 = socket(doc_, d2);
  auto ws_p2 = socket(patient_, p2);

  // An HTTP send reaches both of the practitioner's devices and the sender's other device.
  const std::string id1 = random_id();
  auto sent = call("POST", "/api/v1/messages", patient_.token,
                   message(patient_, p1, doc_, targets(patient_, p1, doc_), id1, "hello"));
  ASSERT_EQ(sent.status, 201) << sent.body;
  for (auto [ws, device] : {std::pair{&ws_d1, d1}, std::pair{&ws_d2, d2}, std::pair{&ws_p2, p2}}) {
    auto d = next_delivery(*ws);
    EXPECT_EQ(d.message_id, id1);
    EXPECT_EQ(d.sender_account, patient_.id);
    EXPECT_EQ(d.sender_device, p1);
    EXPECT_EQ(d.ciphertext, to_bytes("hello:" + device));
  }

  // A send frame from the patient's second device: a send_result after the commit, and
  // deliveries to the practitioner's devices (p1 is offline).
  const std::string id2 = random_id();
  wire::Send frame{id2, doc_.id, {}};
  for (const auto& d : targets(patient_, p2, doc_))
    frame.envelopes.push_back({d, to_bytes("ws:" + d)});
  ASSERT_TRUE(ws_p2.send(*wire::encode(frame), true).ok());
  auto result = next_frame(ws_p2);
  ASSERT_TRUE(std::holds_alternative<wire::SendResult>(result));
  EXPECT_EQ(std::get<wire::SendResult>(result).message_id, id2);
  EXPECT_EQ(next_delivery(ws_d1).message_id, id2);
  EXPECT_EQ(next_delivery(ws_d2).message_id, id2);

  // A send frame that forgets a device: an error frame naming the current devices.
  wire::Send partial{random_id(), doc_.id, {{d1, to_bytes("x")}}};
  ASSERT_TRUE(ws_p2.send(*wire::encode(partial), true).ok());
  auto mismatch = next_frame(ws_p2);
  ASSERT_TRUE(std::holds_alternative<wire::ErrorFrame>(mismatch));
  const auto& error = std::get<wire::ErrorFrame>(mismatch);
  EXPECT_EQ(error.message_id, partial.message_id);
  EXPECT_EQ(error.code, "device_list_mismatch");
  EXPECT_EQ(error.devices.at(doc_.id).size(), 2u);
  EXPECT_EQ(error.devices.at(patient_.id).size(), 2u);

  // The offline device connects: it gets its backlog, oldest first, and acks it.
  auto ws_p1 = socket(patient_, p1);
  auto b1 = next_delivery(ws_p1);
  EXPECT_EQ(b1.message_id, id2);
  EXPECT_EQ(b1.ciphertext, to_bytes("ws:" + p1));
  ASSERT_TRUE(ws_p1.send(*wire::encode(wire::Ack{{id2}}), true).ok());
  // The ack frame is applied asynchronously: poll the mailbox (bounded) until it is empty.
  for (int i = 0; i < 100; ++i) {
    auto inbox = call("GET", "/api/v1/devices/" + p1 + "/messages", patient_.token);
    if (parse(inbox).at("messages").as_array().empty()) break;
    std::this_thread::sleep_for(20ms);
    ASSERT_LT(i, 99) << "the ack frame was not applied";
  }
  // Acked on one device, still pending on the others until they ack.
  auto d1_inbox = call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token);
  EXPECT_EQ(parse(d1_inbox).at("messages").as_array().size(), 2u);
}

// An envelope never acknowledged expires; its device's socket gets a `messages_expired`
// notice once and stays open, and the HTTP fetch gives the count, once.
TEST_F(MessagingRoutesTest, ExpiredEnvelopesAreReportedOnTheSocketAndByTheHttpFetch) {
  const std::string d1 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  const std::string old_id = random_id();
  ASSERT_EQ(call("POST", "/api/v1/messages", patient_.token,
                 message(patient_, p1, doc_, targets(patient_, p1, doc_), old_id))
                .status,
            201);
  constexpr std::int64_t kMaxAge = 90 * 24 * 3600;
  const std::int64_t later = unix_seconds(clock_.now()) + kMaxAge + 1;
  ASSERT_EQ(*messaging_->mailbox().expire_undelivered(later, kMaxAge), 1);

  auto ws = socket(doc_, d1);
  auto notice = next_frame(ws);
  ASSERT_TRUE(std::holds_alternative<wire::ErrorFrame>(notice));
  EXPECT_EQ(std::get<wire::ErrorFrame>(notice).code, "messages_expired");
  EXPECT_TRUE(std::get<wire::ErrorFrame>(notice).message_id.empty());
  // Still open: the next message is delivered live.
  const std::string new_id = random_id();
  ASSERT_EQ(call("POST", "/api/v1/messages", patient_.token,
                 message(patient_, p1, doc_, targets(patient_, p1, doc_), new_id))
                .status,
            201);
  EXPECT_EQ(next_delivery(ws).message_id, new_id);

  auto first = parse(call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token));
  EXPECT_EQ(first.at("expired").as_int64(), 1);
  ASSERT_EQ(first.at("messages").as_array().size(), 1u);
  EXPECT_EQ(first.at("messages").as_array()[0].at("message_id").as_string(), new_id);
  auto second = parse(call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token));
  EXPECT_EQ(second.at("expired").as_int64(), 0);
  // A socket opened after the count was given gets no notice: its first frame is the
  // backlog's message.
  auto ws2 = socket(doc_, d1);
  EXPECT_EQ(next_delivery(ws2).message_id, new_id);
}

// The sender of a message that expired unread: its socket gets a `messages_undelivered`
// notice (pushed by the sweep while it is connected, and once at the next connection), the
// fetch counts its notices, GET .../undelivered lists them and POST .../undelivered/ack
// deletes them.
TEST_F(MessagingRoutesTest, SendersListAndAcknowledgeUndeliveredNotices) {
  const std::string d1 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  const std::string lost_id = random_id();
  ASSERT_EQ(call("POST", "/api/v1/messages", patient_.token,
                 message(patient_, p1, doc_, targets(patient_, p1, doc_), lost_id))
                .status,
            201);
  auto live = socket(patient_, p1);
  constexpr std::int64_t kMaxAge = 90 * 24 * 3600;
  const std::int64_t later = unix_seconds(clock_.now()) + kMaxAge + 1;
  ASSERT_EQ(*messaging_->mailbox().expire_undelivered(later, kMaxAge), 1);
  auto pushed = next_frame(live);
  ASSERT_TRUE(std::holds_alternative<wire::ErrorFrame>(pushed));
  EXPECT_EQ(std::get<wire::ErrorFrame>(pushed).code, "messages_undelivered");
  auto again = socket(patient_, p1);
  auto on_connect = next_frame(again);
  ASSERT_TRUE(std::holds_alternative<wire::ErrorFrame>(on_connect));
  EXPECT_EQ(std::get<wire::ErrorFrame>(on_connect).code, "messages_undelivered");

  const std::string base = "/api/v1/devices/" + p1 + "/undelivered";
  EXPECT_EQ(parse(call("GET", "/api/v1/devices/" + p1 + "/messages", patient_.token))
                .at("undelivered")
                .as_int64(),
            1);
  auto listed = call("GET", base, patient_.token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  auto notices = parse(listed).at("undelivered").as_array();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].at("message_id").as_string(), lost_id);
  EXPECT_EQ(notices[0].at("recipient").as_string(), doc_.id);
  EXPECT_EQ(notices[0].at("reason").as_string(), "expired");
  EXPECT_EQ(notices[0].at("devices").as_int64(), 1);
  EXPECT_EQ(notices[0].at("expired_at").as_int64(), later);
  EXPECT_FALSE(parse(listed).at("more").as_bool());
  // Another account's device: not found; a bad limit: refused.
  EXPECT_EQ(call("GET", base, doc_.token).status, 404);
  EXPECT_EQ(call("GET", base + "?limit=0", patient_.token).status, 400);

  auto acked = call("POST", base + "/ack", patient_.token,
                    json::object{{"message_ids", json::array{json::value(lost_id)}}});
  ASSERT_EQ(acked.status, 200) << acked.body;
  EXPECT_EQ(parse(acked).at("deleted").as_int64(), 1);
  EXPECT_TRUE(parse(call("GET", base, patient_.token)).at("undelivered").as_array().empty());
  // No notice any more: a new socket's first frame is a delivery.
  auto third = socket(patient_, p1);
  ASSERT_EQ(call("POST", "/api/v1/messages", doc_.token,
                 message(doc_, d1, patient_, targets(doc_, d1, patient_), random_id()))
                .status,
            201);
  EXPECT_TRUE(std::holds_alternative<wire::Deliver>(next_frame(third)));
}

// A recipient device that can never read a message refuses it (POST .../messages/refuse
// with a reason): the envelope is deleted for that device, and the sender's connected
// device hears of it at once and lists the notice with the reason. Bad input is refused
// with stable codes and changes nothing.
TEST_F(MessagingRoutesTest, ARecipientDeviceRefusesAMessageAndItsSenderLearnsWhy) {
  const std::string d1 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  const std::string id = random_id();
  ASSERT_EQ(call("POST", "/api/v1/messages", patient_.token,
                 message(patient_, p1, doc_, targets(patient_, p1, doc_), id))
                .status,
            201);
  auto live = socket(patient_, p1);
  const std::string refuse = "/api/v1/devices/" + d1 + "/messages/refuse";
  const auto body = [&](json::value reason) {
    return json::object{{"message_ids", json::array{json::value(id)}}, {"reason", reason}};
  };
  for (const json::value& bad :
       {json::value("expired"), json::value("altered"), json::value(1), json::value(nullptr)}) {
    auto refused = call("POST", refuse, doc_.token, body(bad));
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(parse(refused).at("error").at("code").as_string(), "invalid_field");
  }
  auto without_reason =
      call("POST", refuse, doc_.token, json::object{{"message_ids", json::array{json::value(id)}}});
  EXPECT_EQ(without_reason.status, 400);
  EXPECT_EQ(call("POST", refuse, patient_.token, body("undecryptable")).status, 404);
  // Nothing changed: the message is still there for the doctor.
  EXPECT_EQ(parse(call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token))
                .at("messages")
                .as_array()
                .size(),
            1u);

  auto refused = call("POST", refuse, doc_.token, body("undecryptable"));
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(parse(refused).at("refused").as_int64(), 1);
  auto pushed = next_frame(live);
  ASSERT_TRUE(std::holds_alternative<wire::ErrorFrame>(pushed));
  EXPECT_EQ(std::get<wire::ErrorFrame>(pushed).code, "messages_undelivered");
  EXPECT_TRUE(parse(call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token))
                  .at("messages")
                  .as_array()
                  .empty());
  auto notices = parse(call("GET", "/api/v1/devices/" + p1 + "/undelivered", patient_.token))
                     .at("undelivered")
                     .as_array();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].at("message_id").as_string(), id);
  EXPECT_EQ(notices[0].at("recipient").as_string(), doc_.id);
  EXPECT_EQ(notices[0].at("reason").as_string(), "undecryptable");
  EXPECT_EQ(notices[0].at("devices").as_int64(), 1);
}

// Ack frames arriving while the socket's previous ack is being written are merged into the
// next write (at most 100 ids each): fewer transactions and audit records, none lost.
TEST_F(MessagingRoutesTest, AcksArrivingDuringAnAckWriteAreMergedAndNoneIsLost) {
  const std::string d1 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  auto ws_d1 = socket(doc_, d1);
  auto ws_p1 = socket(patient_, p1);
  constexpr int kMessages = 150;
  std::vector<std::string> ids;
  for (int i = 0; i < kMessages; ++i) {
    ids.push_back(random_id());
    wire::Send frame{ids.back(), doc_.id, {{d1, to_bytes("m" + std::to_string(i))}}};
    ASSERT_TRUE(ws_p1.send(*wire::encode(frame), true).ok());
  }
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE(std::holds_alternative<wire::SendResult>(next_frame(ws_p1)));
    EXPECT_EQ(next_delivery(ws_d1).message_id, ids[static_cast<std::size_t>(i)]);
  }
  const auto acks_before = audit_records("message.ack").size();
  // Hold the store's writer: the first ack's write waits, the next 149 frames queue up.
  testing::WriterGate gate(*store_);
  for (const auto& id : ids) ASSERT_TRUE(ws_d1.send(*wire::encode(wire::Ack{{id}}), true).ok());
  // Frames of one socket are handled in order: once this invalid send (a device named
  // twice, refused before any write) is answered, every ack frame above has been read.
  wire::Send probe{random_id(), patient_.id, {{p1, to_bytes("x")}, {p1, to_bytes("x")}}};
  ASSERT_TRUE(ws_d1.send(*wire::encode(probe), true).ok());
  auto answer = next_frame(ws_d1);
  ASSERT_TRUE(std::holds_alternative<wire::ErrorFrame>(answer));
  EXPECT_EQ(std::get<wire::ErrorFrame>(answer).code, "invalid_field");
  gate.release();
  std::vector<std::string> counts;
  for (int i = 0; i < 100; ++i) {
    auto records = audit_records("message.ack");
    if (records.size() >= acks_before + 3) {
      for (std::size_t r = 0; r < records.size() - acks_before; ++r)
        counts.push_back(records[r].record.detail);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  // Newest first: the lone first ack, then 100, then the remaining 49.
  EXPECT_EQ(counts, (std::vector<std::string>{"count=49", "count=100", "count=1"}));
  auto inbox = call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token);
  EXPECT_TRUE(parse(inbox).at("messages").as_array().empty()) << inbox.body;
}

// A message delivered early and acknowledged on the recipient's socket while its write
// still waits is never stored for that device; the sender's other device gets its
// envelope as usual, and the socket's ack write audits the acknowledgement.
TEST_F(MessagingRoutesTest, ADeliveryAcknowledgedBeforeItsWriteIsNotStoredForThatDevice) {
  const std::string d1 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  const std::string p2 = add_device(patient_);
  auto ws_d1 = socket(doc_, d1);
  auto ws_p1 = socket(patient_, p1);
  const auto acks_before = audit_records("message.ack").size();
  const std::string id = random_id();
  {
    testing::WriterGate gate(*store_);
    wire::Send frame{id, doc_.id, {{d1, to_bytes("early")}, {p2, to_bytes("early")}}};
    ASSERT_TRUE(ws_p1.send(*wire::encode(frame), true).ok());
    EXPECT_EQ(next_delivery(ws_d1).message_id, id);  // delivered while the write waits
    ASSERT_TRUE(ws_d1.send(*wire::encode(wire::Ack{{id}}), true).ok());
    // Once this invalid send is answered, the ack frame before it has been handled.
    wire::Send probe{random_id(), patient_.id, {{p1, to_bytes("x")}, {p1, to_bytes("x")}}};
    ASSERT_TRUE(ws_d1.send(*wire::encode(probe), true).ok());
    auto answer = next_frame(ws_d1);
    ASSERT_TRUE(std::holds_alternative<wire::ErrorFrame>(answer));
    EXPECT_EQ(std::get<wire::ErrorFrame>(answer).code, "invalid_field");
  }
  auto result = next_frame(ws_p1);
  ASSERT_TRUE(std::holds_alternative<wire::SendResult>(result));
  EXPECT_EQ(std::get<wire::SendResult>(result).message_id, id);
  std::string detail;
  for (int i = 0; i < 100 && detail.empty(); ++i) {
    auto records = audit_records("message.ack");
    if (records.size() > acks_before)
      detail = records[0].record.detail;
    else
      std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(detail, "count=1,before_write=1");
  auto doc_inbox = call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token);
  EXPECT_TRUE(parse(doc_inbox).at("messages").as_array().empty()) << doc_inbox.body;
  auto other = parse(call("GET", "/api/v1/devices/" + p2 + "/messages", patient_.token));
  ASSERT_EQ(other.at("messages").as_array().size(), 1u);
  EXPECT_EQ(other.at("messages").as_array()[0].at("message_id").as_string(), id);
}

TEST_F(MessagingRoutesTest, RevocationClosesTheSocketAndStopsDelivery) {
  const std::string d1 = add_device(doc_);
  const std::string d2 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  auto ws = socket(doc_, d2);
  auto revoke = call("POST", "/api/v1/devices/" + d2 + "/revoke", doc_.token, json::object{});
  ASSERT_EQ(revoke.status, 204) << revoke.body;
  auto closed = ws.receive(10s);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code(), "connection_closed");
  // It cannot reconnect; senders address only the remaining device.
  auto again = client::WebSocketClient::connect(server_->client_options(),
                                                "/api/v1/devices/" + d2 + "/socket",
                                                {{"authorization", "Bearer " + doc_.token}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), "upgrade_refused");
  auto with_revoked = call("POST", "/api/v1/messages", patient_.token,
                           message(patient_, p1, doc_, {d1, d2}, random_id()));
  EXPECT_EQ(with_revoked.status, 409);
  auto sent = call("POST", "/api/v1/messages", patient_.token,
                   message(patient_, p1, doc_, {d1}, random_id()));
  EXPECT_EQ(sent.status, 201) << sent.body;
  EXPECT_EQ(call("GET", "/api/v1/devices/" + d2 + "/messages", doc_.token).status, 404);
  // The owner uploads a list without it.
  auto list = call("PUT", "/api/v1/me/device-list", doc_.token,
                   json::object{{"device_list", base64url_encode(to_bytes("list-3"))},
                                {"device_list_version", 3},
                                {"device_ids", json::array{json::value(d1)}}});
  EXPECT_EQ(list.status, 200) << list.body;
  auto mine = parse(call("GET", "/api/v1/me/devices", doc_.token));
  EXPECT_EQ(mine.at("device_list_version").as_int64(), 3);
  ASSERT_EQ(mine.at("devices").as_array().size(), 2u);
  int revoked = 0;
  for (const auto& d : mine.at("devices").as_array())
    revoked += d.at("revoked_at").is_null() ? 0 : 1;
  EXPECT_EQ(revoked, 1);
}

// A session reaching its absolute expiry while its socket is open: the socket is closed
// (within a sweep), the other session's socket stays.
TEST_F(MessagingRoutesTest, ASocketClosesWhenItsSessionReachesItsAbsoluteExpiry) {
  const std::string p1 = add_device(patient_);
  const std::string d1 = add_device(doc_);
  auto ws_patient = socket(patient_, p1);
  auto ws_doc = socket(doc_, d1);
  // Patients' sessions last 24 h, staff's 12 h (auth defaults): 13 h ends only the staff one.
  clock_.advance(std::chrono::hours(13));
  auto closed = ws_doc.receive(10s);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code(), "connection_closed");
  // The patient's socket is still live (its session's idle expiry concerns requests; an
  // open socket is cut at the absolute expiry).
  const std::string id = random_id();
  auto frame = wire::encode(wire::Deliver{id, doc_.id, d1, 1, to_bytes("x")});
  ASSERT_TRUE(frame.ok());
  EXPECT_TRUE(messaging_->live().push(p1, *frame));
  EXPECT_EQ(next_delivery(ws_patient).message_id, id);
  clock_.advance(std::chrono::hours(12));
  auto closed_too = ws_patient.receive(10s);
  ASSERT_FALSE(closed_too.ok());
  EXPECT_EQ(closed_too.error().code(), "connection_closed");
}

TEST_F(MessagingRoutesTest, EndingTheSessionClosesItsSocket) {
  const std::string p1 = add_device(patient_);
  const std::string p2 = add_device(patient_);
  auto ws = socket(patient_, p1);
  // Another session of the same account, with its own socket on the other device.
  auto other = auth_->login(patient_.email, SecretBytes::from(std::string_view(kPassword)), {},
                            {"127.0.0.1", "second"});
  ASSERT_TRUE(other.ok()) << other.error().to_string();
  const std::string other_token(other->token.text.view());
  auto ws2 = client::WebSocketClient::connect(server_->client_options(),
                                              "/api/v1/devices/" + p2 + "/socket",
                                              {{"authorization", "Bearer " + other_token}});
  ASSERT_TRUE(ws2.ok()) << ws2.error().to_string();
  // Logging out of the second session closes its socket, not the first one.
  auto out = call("DELETE", "/api/v1/sessions/current", other_token, json::object{});
  ASSERT_EQ(out.status, 204) << out.body;
  auto closed = ws2->receive(10s);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code(), "connection_closed");
  EXPECT_EQ(messaging_->live().connected(), 1u);
  // The first still delivers.
  const std::string d1 = add_device(doc_);
  const std::string id = random_id();
  auto sent = call("POST", "/api/v1/messages", doc_.token,
                   message(doc_, d1, patient_, targets(doc_, d1, patient_), id));
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_EQ(next_delivery(ws).message_id, id);
}

TEST_F(MessagingRoutesTest, UnknownFramesGetAnErrorFrameAndAClose) {
  const std::string d1 = add_device(doc_);
  auto ws = socket(doc_, d1);
  auto bytes = *wire::encode(wire::Ack{{random_id()}});
  bytes[0] = 7;  // an unknown version
  ASSERT_TRUE(ws.send(bytes, true).ok());
  auto f = next_frame(ws);
  ASSERT_TRUE(std::holds_alternative<wire::ErrorFrame>(f));
  EXPECT_EQ(std::get<wire::ErrorFrame>(f).code, "unsupported_frame_version");
  EXPECT_EQ(ws.receive(10s).error().code(), "connection_closed");

  auto ws2 = socket(doc_, d1);
  ASSERT_TRUE(ws2.send("hello", false).ok());
  auto text = next_frame(ws2);
  EXPECT_EQ(std::get<wire::ErrorFrame>(text).code, "unexpected_text_frame");
  // Someone else's device cannot be opened.
  auto foreign = client::WebSocketClient::connect(server_->client_options(),
                                                  "/api/v1/devices/" + d1 + "/socket",
                                                  {{"authorization", "Bearer " + patient_.token}});
  EXPECT_FALSE(foreign.ok());
}

TEST_F(MessagingRoutesTest, CiphertextNeverReachesTheAccessLogNorTheAuditTrail) {
  const std::string d1 = add_device(doc_);
  const std::string p1 = add_device(patient_);
  const std::string p2 = add_device(patient_);
  const std::string marker = "MARKER" + random_id();
  auto sent = call("POST", "/api/v1/messages", patient_.token,
                   message(patient_, p1, doc_, targets(patient_, p1, doc_), random_id(), marker));
  ASSERT_EQ(sent.status, 201) << sent.body;
  auto ws = socket(patient_, p2);
  wire::Send frame{random_id(), doc_.id, {}};
  for (const auto& d : targets(patient_, p2, doc_))
    frame.envelopes.push_back({d, to_bytes(marker)});
  ASSERT_TRUE(ws.send(*wire::encode(frame), true).ok());
  // p2 first gets its copy of the HTTP message, then the send_result.
  EXPECT_TRUE(std::holds_alternative<wire::Deliver>(next_frame(ws)));
  EXPECT_TRUE(std::holds_alternative<wire::SendResult>(next_frame(ws)));
  auto inbox = call("GET", "/api/v1/devices/" + d1 + "/messages", doc_.token);
  ASSERT_EQ(parse(inbox).at("messages").as_array().size(), 2u);
  // The server does hold the bytes (in the mailbox), so the checks below can fail...
  auto in_mailbox = store_->read([&](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT ciphertext FROM mailbox"));
    std::int64_t n = 0;
    for (const auto& row : rows) {
      auto b = *row.blob(0);
      n += std::string(b.begin(), b.end()).find(marker) != std::string::npos ? 1 : 0;
    }
    return n;
  });
  EXPECT_EQ(*in_mailbox, 4);
  // ...but neither the access log nor any audit record carries it, in clear or encoded.
  EXPECT_TRUE(ws.close().ok());
  server_->stop();
  const std::string log = server_->access_log();
  EXPECT_NE(log.find("/api/v1/messages"), std::string::npos);
  const std::string encoded = base64url_encode(to_bytes(marker + ":" + d1));
  for (const auto& needle : {marker, encoded, base64url_encode(to_bytes(marker))}) {
    EXPECT_EQ(log.find(needle), std::string::npos) << needle;
  }
  auto records = audit_records("");
  ASSERT_GT(records.size(), 10u);
  for (const auto& r : records) {
    for (const auto& field :
         {r.record.account_id, r.record.session_id, r.record.device_id, r.record.source_address,
          r.record.action, r.record.resource, r.record.result, r.record.detail}) {
      EXPECT_EQ(field.find("MARKER"), std::string::npos) << r.record.action;
      EXPECT_EQ(field.find(encoded.substr(0, 12)), std::string::npos) << r.record.action;
    }
  }
}

// Issue 22.2: a device is a signed-in place. Revoking a messaging device ends the sessions
// that act as it (the one that registered it, or first used it; kept through a step-up),
// and no other session of the account.
TEST_F(MessagingRoutesTest, RevokingADeviceSignsItOut) {
  User phone = user("pat@example.org");
  const std::string phone_device = add_device(phone);
  User laptop = user("pat@example.org");
  laptop.devices = phone.devices;
  laptop.list_version = phone.list_version;
  const std::string laptop_device = add_device(laptop);
  // A later device is registered (and given its signed prekey) by an approving device in
  // the CLI's pairing: that does not bind; the new device's first use of its mailbox does.
  EXPECT_EQ(call("GET", "/api/v1/devices/" + laptop_device + "/messages", laptop.token).status,
            200);
  User approver = user("pat@example.org");  // signed in, registers a device for another
  approver.devices = laptop.devices;
  approver.list_version = laptop.list_version;
  const std::string paired = add_device(approver);
  laptop.devices = approver.devices;
  laptop.list_version = approver.list_version;
  ASSERT_EQ(call("POST", "/api/v1/devices/" + paired + "/revoke", laptop.token).status, 204);
  EXPECT_EQ(call("GET", "/api/v1/me", approver.token).status, 200);
  User tablet = user("pat@example.org");  // signs in, then reads the laptop's mailbox
  EXPECT_EQ(call("GET", "/api/v1/devices/" + laptop_device + "/messages", tablet.token).status,
            200);
  User web = user("pat@example.org");  // never acts as a device
  auto me = [&](const std::string& token) { return call("GET", "/api/v1/me", token).status; };

  // The laptop removes the phone: the phone is signed out, nobody else.
  ASSERT_EQ(call("POST", "/api/v1/devices/" + phone_device + "/revoke", laptop.token).status, 204);
  EXPECT_EQ(me(phone.token), 401);
  EXPECT_EQ(me(laptop.token), 200);
  EXPECT_EQ(me(tablet.token), 200);
  EXPECT_EQ(me(web.token), 200);

  // A step-up's new token acts as the same device as the one it replaces.
  auto up = call("POST", "/api/v1/me/step-up", laptop.token, json::object{{"password", kPassword}});
  ASSERT_EQ(up.status, 200) << up.body;
  const std::string stepped(parse(up).at("token").as_string());
  ASSERT_EQ(call("POST", "/api/v1/devices/" + laptop_device + "/revoke", web.token).status, 204);
  EXPECT_EQ(me(stepped), 401);
  EXPECT_EQ(me(tablet.token), 401);  // bound to the laptop by its first fetch
  EXPECT_EQ(me(web.token), 200);
  auto revoked = audit_records("device.revoke");
  ASSERT_FALSE(revoked.empty());
  EXPECT_NE(revoked.front().record.detail.find("sessions_ended=2"), std::string::npos)
      << revoked.front().record.detail;
}

}  // namespace
}  // namespace hippocrate::server
