#include "server/routes/messaging_routes.h"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <charconv>
#include <cstdint>
#include <mutex>
#include <utility>

#include "base/ids.h"
#include "messaging/wire_frame.h"
#include "server/http_status.h"
#include "server/json_body.h"
#include "server/json_fields.h"
#include "server/query_params.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;
namespace wire = messaging::wire;
using messaging::Actor;

messaging::Actor actor_of(const RequestContext& ctx, const auth::SessionInfo& s) {
  return Actor{s.account.id, s.account.organisation_id, s.account.role, s.session_id,
               ctx.request.remote_address};
}

Error invalid(std::string_view key, std::string_view what) {
  return Error::invalid_argument("invalid_field",
                                 "the field '" + std::string(key) + "' " + std::string(what));
}

// base64url text length for `n` bytes (no padding), to bound a field before decoding.
constexpr std::size_t b64_length(std::size_t n) { return (n * 4 + 2) / 3; }

Result<Bytes> required_blob(const json::object& body, std::string_view key, std::size_t max) {
  HIPPO_ASSIGN_OR_RETURN(std::string text, required_string(body, key, b64_length(max)));
  auto bytes = base64url_decode(text);
  if (!bytes) return invalid(key, "must be base64url without padding");
  return std::move(*bytes);
}

Result<std::optional<Bytes>> optional_blob(const json::object& body, std::string_view key,
                                           std::size_t max) {
  if (const auto* v = body.if_contains(key); v == nullptr || v->is_null()) {
    return std::optional<Bytes>();
  }
  HIPPO_ASSIGN_OR_RETURN(Bytes b, required_blob(body, key, max));
  return std::optional<Bytes>(std::move(b));
}

Result<std::int64_t> required_int(const json::object& body, std::string_view key) {
  const auto* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return Error::invalid_argument("missing_field",
                                   "the field '" + std::string(key) + "' is required");
  }
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  return invalid(key, "must be an integer");
}

// An array of ids (any strings: the services validate them), at most `max`.
Result<std::optional<std::vector<std::string>>> optional_ids(const json::object& body,
                                                             std::string_view key,
                                                             std::size_t max) {
  const auto* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return invalid(key, "must be an array of ids");
  const auto& a = v->get_array();
  if (a.size() > max) return invalid(key, "holds too many ids");
  std::vector<std::string> out;
  for (const auto& e : a) {
    if (!e.is_string() || e.get_string().size() != kIdHexLength) {
      return invalid(key, "must hold 32-hex ids");
    }
    out.emplace_back(e.get_string().data(), e.get_string().size());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::vector<std::string>> required_ids(const json::object& body, std::string_view key,
                                              std::size_t max) {
  HIPPO_ASSIGN_OR_RETURN(auto ids, optional_ids(body, key, max));
  if (!ids) {
    return Error::invalid_argument("missing_field",
                                   "the field '" + std::string(key) + "' is required");
  }
  return std::move(*ids);
}

Result<messaging::DeviceListUpdate> list_update(const json::object& body) {
  messaging::DeviceListUpdate u;
  HIPPO_ASSIGN_OR_RETURN(u.blob, required_blob(body, "device_list", messaging::kMaxDeviceListBytes));
  HIPPO_ASSIGN_OR_RETURN(u.version, required_int(body, "device_list_version"));
  HIPPO_ASSIGN_OR_RETURN(u.device_ids,
                         required_ids(body, "device_ids", messaging::kMaxDevicesPerAccount));
  return u;
}

// The objects inside message and prekey bodies (parse_json_body checks their fields).
constexpr JsonField kEnvelope[] = {"device_id", "ciphertext"};
constexpr JsonField kOneTimePrekey[] = {"id", "key"};

json::value nullable_int(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object devices_json(const messaging::DeviceMap& devices) {
  json::object o;
  for (const auto& [account, ids] : devices) {
    json::array a;
    for (const auto& id : ids) a.emplace_back(id);
    o[account] = std::move(a);
  }
  return o;
}

HttpResponse mismatch_response(const messaging::DeviceMap& devices) {
  json::object body{
      {"error", json::object{{"code", "device_list_mismatch"},
                             {"message", "the devices do not match the current device lists"}}},
      {"devices", devices_json(devices)}};
  return json_response(409, body);
}

json::object listing_json(const messaging::DeviceListing& l) {
  json::array devices;
  for (const auto& d : l.devices) {
    devices.push_back(json::object{{"device_id", d.device_id},
                                   {"identity", base64url_encode(d.identity)},
                                   {"registered_at", d.registered_at},
                                   {"revoked_at", nullable_int(d.revoked_at)}});
  }
  return json::object{
      {"account_id", l.account_id},
      {"device_list", l.device_list ? json::value(base64url_encode(*l.device_list))
                                    : json::value(nullptr)},
      {"device_list_version", l.device_list_version},
      {"devices", std::move(devices)}};
}

HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  return r;
}

// The Error a guard's error response stands for (the guard builds its refusals with
// error_response, so the round trip keeps the code, the message and the status).
Error error_of(const HttpResponse& r) {
  std::string code = "internal_error";
  std::string message = "an unexpected error occurred";
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.as_object().if_contains("error"); e && e->is_object()) {
      if (const auto* c = e->as_object().if_contains("code"); c && c->is_string()) {
        code = std::string(c->get_string());
      }
      if (const auto* m = e->as_object().if_contains("message"); m && m->is_string()) {
        message = std::string(m->get_string());
      }
    }
  }
  switch (r.status) {
    case 400: return Error::invalid_argument(code, message);
    case 401: return Error::unauthenticated(code, message);
    case 403: return Error::permission_denied(code, message);
    case 404: return Error::not_found(code, message);
    case 409: return Error::conflict(code, message);
    case 429: return Error::resource_exhausted(code, message);
    case 503: return Error::unavailable(code, message);
    default: return Error::internal(code, message);
  }
}

// "?limit=N" (1..100, default 100). Errors: "invalid_query" (400); an out-of-range
// number is refused by the mailbox ("invalid_field").
Result<std::size_t> fetch_limit(std::string_view query) {
  HIPPO_ASSIGN_OR_RETURN(auto params, parse_query(query, {"limit"}));
  auto it = params.find("limit");
  if (it == params.end()) return messaging::kMaxFetch;
  std::size_t n = 0;
  const auto& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return invalid("limit", "must be a number between 1 and 100");
  }
  return n;
}

// One device's WebSocket: the live connection the registry pushes to, and the receiver of
// the client's send/ack frames. Handler callbacks run on the connection's I/O thread, one at
// a time; they never wait for the store: sends, acks and backlog reads are asynchronous
// writes (Mailbox::*_async) whose completions run on the store's writer thread and only
// queue frames (WebSocketConnection is thread-safe). So one I/O thread keeps many writes in
// flight, and they share group commits.
class DeviceSocket final : public WebSocketHandler,
                           public messaging::LiveConnection,
                           public std::enable_shared_from_this<DeviceSocket> {
 public:
  DeviceSocket(messaging::MessagingService& service, Actor actor, std::string device_id,
               std::int64_t session_expires_at)
      : service_(service),
        actor_(std::move(actor)),
        device_id_(std::move(device_id)),
        session_expires_at_(session_expires_at) {}

  void on_open(std::shared_ptr<WebSocketConnection> connection) override {
    {
      std::lock_guard lock(mutex_);
      connection_ = std::move(connection);
    }
    // Attach first, then read the backlog: a message committed in between is pushed live
    // and may also come with the backlog (clients de-duplicate by message id).
    service_.live().attach(device_id_, shared_from_this(), actor_.account_id, actor_.session_id,
                           session_expires_at_);
    push_backlog();
  }

  void on_message(std::string data, bool binary) override {
    if (closing_) return;
    if (!binary) return fatal("unexpected_text_frame");
    auto frame = wire::decode(data);
    if (!frame) return fatal(frame.error().code());
    if (auto* send = std::get_if<wire::Send>(&*frame)) return handle_send(std::move(*send));
    if (auto* ack = std::get_if<wire::Ack>(&*frame)) return handle_ack(std::move(*ack));
    fatal("unexpected_frame_type");
  }

  void on_close() override {
    closing_ = true;
    service_.live().detach(device_id_, this);
  }

  bool push(std::string frame) override {
    auto c = connection();
    return c && c->send_binary(std::move(frame));
  }
  void close() override {
    if (auto c = connection()) c->close();
  }

 private:
  std::shared_ptr<WebSocketConnection> connection() {
    std::lock_guard lock(mutex_);
    return connection_;
  }

  void send_error(const std::string& message_id, const std::string& code,
                  messaging::DeviceMap devices = {}) {
    auto bytes = wire::encode(wire::ErrorFrame{message_id, code, std::move(devices)});
    if (!bytes) bytes = wire::encode(wire::ErrorFrame{message_id, "internal_error", {}});
    if (bytes) push(std::move(*bytes));
  }

  void fatal(const std::string& code) {
    closing_ = true;
    send_error({}, code);
    close();
  }

  // Reads the next batch of the backlog (at most one read in flight) and pushes it.
  void push_backlog() {
    std::int64_t after = 0;
    {
      std::lock_guard lock(mutex_);
      if (backlog_in_flight_) return;
      backlog_in_flight_ = true;
      after = last_seq_;
    }
    std::weak_ptr<DeviceSocket> weak = weak_from_this();
    service_.mailbox().fetch_async(
        actor_, device_id_, messaging::kMaxFetch, "socket", after,
        [weak](Result<messaging::FetchResult> batch) {
          if (auto self = weak.lock()) self->on_backlog(std::move(batch));
        });
  }

  void on_backlog(Result<messaging::FetchResult> batch) {
    if (!batch) {
      // Revoked meanwhile, or the store failed: the client reconnects later.
      send_error({}, batch.error().code());
      return close();
    }
    bool tell_expired = false;
    bool tell_undelivered = false;
    {
      std::lock_guard lock(mutex_);
      backlog_in_flight_ = false;
      more_ = batch->more;
      if (!batch->messages.empty()) last_seq_ = batch->messages.back().seq;
      tell_expired = batch->expired > 0 && !told_expired_;
      told_expired_ = told_expired_ || tell_expired;
      tell_undelivered = batch->undelivered > 0 && !told_undelivered_;
      told_undelivered_ = told_undelivered_ || tell_undelivered;
    }
    // Notices, each once per connection (the socket stays open): envelopes for this device
    // expired unread (the count is given, and reset, by the next HTTP fetch); messages this
    // account sent were never received (listed by GET .../undelivered). The retention sweep
    // also pushes the second to the sender's devices connected when it runs.
    if (tell_expired) send_error({}, "messages_expired");
    if (tell_undelivered) send_error({}, "messages_undelivered");
    for (const auto& m : batch->messages) {
      auto frame = messaging::Mailbox::deliver_frame(m);
      if (!frame || !push(std::move(*frame))) {
        return close();  // the queue is full: the rest waits for the next connection
      }
    }
  }

  void handle_send(wire::Send f) {
    // Bounded: a client cannot queue unbounded work for the writer. Past the limit a send
    // is answered with an error frame at once (the client retries after its send_results).
    if (pending_sends_.load() >= kMaxPendingSends) {
      return send_error(f.message_id, "too_many_pending_sends");
    }
    ++pending_sends_;
    messaging::SendRequest request{f.message_id, f.recipient_account, device_id_, {}};
    for (auto& e : f.envelopes) request.envelopes.push_back({e.device_id, std::move(e.ciphertext)});
    std::weak_ptr<DeviceSocket> weak = weak_from_this();
    service_.mailbox().send_async(
        actor_, std::move(request),
        [weak, id = f.message_id](Result<messaging::SendResult> result) {
          auto self = weak.lock();
          if (!self) return;
          --self->pending_sends_;
          if (!result) return self->send_error(id, result.error().code());
          if (result->mismatch) {
            return self->send_error(id, "device_list_mismatch", std::move(*result->mismatch));
          }
          // After the durable commit: the sender's acknowledgement.
          auto bytes = wire::encode(
              wire::SendResult{id, static_cast<std::uint64_t>(result->stored_at)});
          if (bytes) self->push(std::move(*bytes));
        });
  }

  // At most one ack write in flight per socket: ids arriving meanwhile are merged and go
  // in the next write (up to kMaxAck per write, one audit record each). Under load a
  // receiver's acks thus share one transaction and one record instead of one per message.
  // First, envelopes this device (authenticated when the socket opened) acknowledges while
  // their write still waits are withdrawn from it (Mailbox::acknowledge_before_write): only
  // their count goes to the ack write, for its audit record.
  void handle_ack(wire::Ack f) {
    bool overflow = false;
    {
      std::lock_guard lock(mutex_);
      // Bounded like sends: past the limit the ids are dropped with an error frame; the
      // envelopes stay in the mailbox and come again (delivery is at-least-once).
      overflow = pending_acks_.size() + f.message_ids.size() > kMaxPendingAcks;
    }
    if (overflow) return send_error({}, "too_many_pending_acks");
    const std::int64_t before_write =
        service_.mailbox().acknowledge_before_write(device_id_, f.message_ids);
    {
      std::lock_guard lock(mutex_);
      for (auto& id : f.message_ids) pending_acks_.push_back(std::move(id));
      acknowledged_before_write_ += before_write;
      if (ack_in_flight_) return;
    }
    start_ack();
  }

  void start_ack() {
    std::vector<std::string> ids;
    std::int64_t before_write = 0;
    {
      std::lock_guard lock(mutex_);
      if (pending_acks_.empty() && acknowledged_before_write_ == 0) {
        ack_in_flight_ = false;
        return;
      }
      ack_in_flight_ = true;
      const std::size_t n = std::min(pending_acks_.size(), messaging::kMaxAck);
      ids.assign(std::make_move_iterator(pending_acks_.begin()),
                 std::make_move_iterator(pending_acks_.begin() + static_cast<std::ptrdiff_t>(n)));
      pending_acks_.erase(pending_acks_.begin(), pending_acks_.begin() + static_cast<std::ptrdiff_t>(n));
      before_write = std::exchange(acknowledged_before_write_, 0);
    }
    std::weak_ptr<DeviceSocket> weak = weak_from_this();
    service_.mailbox().ack_async(actor_, device_id_, std::move(ids), before_write,
                                 [weak](Result<std::int64_t> done) {
                                   auto self = weak.lock();
                                   if (!self) return;
                                   if (!done) self->send_error({}, done.error().code());
                                   bool more = false;
                                   {
                                     std::lock_guard lock(self->mutex_);
                                     more = self->more_;
                                   }
                                   self->start_ack();
                                   if (done && more) self->push_backlog();
                                 });
  }

  messaging::MessagingService& service_;
  const Actor actor_;
  const std::string device_id_;
  const std::int64_t session_expires_at_;  // Unix seconds: the socket closes then
  std::mutex mutex_;
  std::shared_ptr<WebSocketConnection> connection_;  // guarded by mutex_
  bool backlog_in_flight_ = false;                   // guarded by mutex_
  bool told_expired_ = false;                        // guarded by mutex_
  bool told_undelivered_ = false;                    // guarded by mutex_
  bool more_ = false;                                // guarded by mutex_
  std::int64_t last_seq_ = 0;                        // guarded by mutex_
  std::vector<std::string> pending_acks_;            // guarded by mutex_
  bool ack_in_flight_ = false;                       // guarded by mutex_
  std::int64_t acknowledged_before_write_ = 0;       // guarded by mutex_; for the next ack write
  // Sends queued for the writer and not answered yet (I/O thread increments, the writer's
  // completion decrements).
  static constexpr int kMaxPendingSends = 256;
  std::atomic<int> pending_sends_{0};
  static constexpr std::size_t kMaxPendingAcks = 10'000;
  // I/O thread only:
  bool closing_ = false;
};

Route socket_route(auth::AuthService& auth, messaging::MessagingService& service) {
  static constexpr std::string_view kPath = "/api/v1/devices/{device_id}/socket";
  static constexpr std::string_view kAction = "message.socket";
  WebSocketFactory factory =
      [&auth, &service](const RequestContext& ctx) -> Result<std::shared_ptr<WebSocketHandler>> {
    // The same guard as every route (credentials, CSRF, enrolment gate, policy decision,
    // audited refusals), built for this request so its handler can hand the socket back.
    std::shared_ptr<WebSocketHandler> handler;
    Route guard = session_route(
        "GET", std::string(kPath), std::string(kAction), auth,
        [&](const RequestContext& c, const auth::SessionInfo& s) {
          Actor actor = actor_of(c, s);
          const std::string& device_id = c.params.at("device_id");
          // A session not yet bound to a device becomes this device's (its sign-in ends
          // when the device is revoked); a bound one only checks the device is its own.
          if (auto owned = s.device_id.empty()
                               ? service.devices().bind_session(actor, device_id)
                               : service.devices().check_own_device(actor, device_id);
              !owned) {
            return error_response(owned.error());
          }
          handler = std::make_shared<DeviceSocket>(service, std::move(actor), device_id,
                                                   s.absolute_expires_at);
          HttpResponse r;
          r.status = 101;
          return r;
        });
    HttpResponse response = guard.handler(ctx);
    if (handler) return handler;
    return error_of(response);
  };
  return Route{"GET", std::string(kPath), std::string(kAction), {}, std::move(factory)};
}

}  // namespace

void add_messaging_routes(Router& router, auth::AuthService& auth,
                          messaging::MessagingService& svc) {
  // A live socket lives no longer than the session it was opened with.
  auth.add_sessions_ended_listener([&svc](const auth::SessionsEnded& ended) {
    svc.live().disconnect_sessions(ended.account_id, ended.session_id, ended.except_session_id);
  });
  // Devices.
  router.add(session_route(
      "PUT", "/api/v1/devices/{device_id}", "device.register", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto body = parse_json_body(
            ctx.request, {"identity", "device_list", "device_list_version", "device_ids"});
        if (!body) return error_response(body.error());
        auto identity = required_blob(*body, "identity", messaging::kMaxIdentityBytes);
        if (!identity) return error_response(identity.error());
        auto list = list_update(*body);
        if (!list) return error_response(list.error());
        auto done = svc.devices().register_device(actor_of(ctx, s), ctx.params.at("device_id"),
                                                  *identity, *list);
        if (!done) return error_response(done.error());
        if (done->mismatch) return mismatch_response(*done->mismatch);
        return json_response(done->changed ? 201 : 200,
                             json::object{{"device_id", ctx.params.at("device_id")},
                                          {"registered_at", done->registered_at},
                                          {"device_list_version", done->device_list_version}});
      }));
  router.add(session_route(
      "PUT", "/api/v1/me/device-list", "device.register", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto body =
            parse_json_body(ctx.request, {"device_list", "device_list_version", "device_ids"});
        if (!body) return error_response(body.error());
        auto list = list_update(*body);
        if (!list) return error_response(list.error());
        auto done = svc.devices().update_device_list(actor_of(ctx, s), *list);
        if (!done) return error_response(done.error());
        if (done->mismatch) return mismatch_response(*done->mismatch);
        return json_response(200, json::object{{"device_list_version", done->device_list_version}});
      }));
  router.add(session_route("GET", "/api/v1/me/devices", "device.list", auth,
                           [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto l = svc.devices().own_devices(actor_of(ctx, s));
                             if (!l) return error_response(l.error());
                             return json_response(200, listing_json(*l));
                           }));
  router.add(session_route("GET", "/api/v1/accounts/{account_id}/devices", "device.list", auth,
                           [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto l = svc.devices().devices_of(actor_of(ctx, s),
                                                               ctx.params.at("account_id"));
                             if (!l) return error_response(l.error());
                             return json_response(200, listing_json(*l));
                           }));
  router.add(session_route("GET", "/api/v1/contacts", "contacts.list", auth,
                           [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto list = svc.devices().contacts(actor_of(ctx, s));
                             if (!list) return error_response(list.error());
                             json::array out;
                             for (const auto& c : *list) {
                               out.push_back(json::object{{"account_id", c.account_id},
                                                          {"display_name", c.display_name},
                                                          {"email", c.email},
                                                          {"role", c.role}});
                             }
                             return json_response(200, json::object{{"contacts", out}});
                           }));
  router.add(session_route("POST", "/api/v1/devices/{device_id}/revoke", "device.revoke", auth,
                           [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto done = svc.devices().revoke(actor_of(ctx, s),
                                                              ctx.params.at("device_id"));
                             if (!done) return error_response(done.error());
                             return no_content();
                           }));

  // Prekeys.
  router.add(session_route(
      "PUT", "/api/v1/devices/{device_id}/prekeys", "prekeys.upload", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto body =
            parse_json_body(ctx.request, {"signed_prekey", {"one_time_prekeys", kOneTimePrekey}});
        if (!body) return error_response(body.error());
        messaging::PrekeyUpload upload;
        auto signed_prekey = optional_blob(*body, "signed_prekey", messaging::kMaxSignedPrekeyBytes);
        if (!signed_prekey) return error_response(signed_prekey.error());
        upload.signed_prekey = std::move(*signed_prekey);
        if (const auto* v = body->if_contains("one_time_prekeys"); v && !v->is_null()) {
          if (!v->is_array() || v->get_array().size() > messaging::kMaxPrekeysPerUpload) {
            return error_response(invalid("one_time_prekeys", "must be an array of at most 200"));
          }
          for (const auto& e : v->get_array()) {
            if (!e.is_object()) {
              return error_response(invalid("one_time_prekeys", "must hold {id, key} objects"));
            }
            auto id = required_int(e.get_object(), "id");
            if (!id) return error_response(id.error());
            if (*id < 0 || *id > static_cast<std::int64_t>(UINT32_MAX)) {
              return error_response(invalid("id", "must be a 32-bit unsigned integer"));
            }
            auto key = required_blob(e.get_object(), "key", messaging::kMaxOneTimePrekeyBytes);
            if (!key) return error_response(key.error());
            upload.one_time.push_back({static_cast<std::uint32_t>(*id), std::move(*key)});
          }
        }
        auto stored = svc.prekeys().upload(actor_of(ctx, s), ctx.params.at("device_id"), upload);
        if (!stored) return error_response(stored.error());
        return json_response(200, json::object{{"one_time_prekeys", *stored}});
      }));
  router.add(session_route(
      "GET", "/api/v1/devices/{device_id}/prekeys/count", "prekeys.upload", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto c = svc.prekeys().count(actor_of(ctx, s), ctx.params.at("device_id"));
        if (!c) return error_response(c.error());
        return json_response(200, json::object{{"one_time_prekeys", c->one_time},
                                               {"signed_prekey_uploaded_at",
                                                nullable_int(c->signed_prekey_uploaded_at)}});
      }));
  router.add(session_route(
      "POST", "/api/v1/accounts/{account_id}/prekey-bundles", "prekeys.claim", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto body = parse_json_body(ctx.request, {"device_ids"});
        if (!body) return error_response(body.error());
        auto ids = optional_ids(*body, "device_ids", messaging::kMaxDevicesPerAccount);
        if (!ids) return error_response(ids.error());
        auto set = svc.prekeys().claim(actor_of(ctx, s), ctx.params.at("account_id"), *ids);
        if (!set) return error_response(set.error());
        json::array bundles;
        for (const auto& b : set->bundles) {
          json::value one_time = nullptr;
          if (b.one_time_prekey) {
            one_time = json::object{{"id", b.one_time_prekey->id},
                                    {"key", base64url_encode(b.one_time_prekey->key)}};
          }
          bundles.push_back(json::object{
              {"device_id", b.device_id},
              {"identity", base64url_encode(b.identity)},
              {"signed_prekey", b.signed_prekey ? json::value(base64url_encode(*b.signed_prekey))
                                                : json::value(nullptr)},
              {"one_time_prekey", std::move(one_time)}});
        }
        return json_response(
            200, json::object{{"account_id", set->account_id},
                              {"device_list", set->device_list
                                                  ? json::value(base64url_encode(*set->device_list))
                                                  : json::value(nullptr)},
                              {"device_list_version", set->device_list_version},
                              {"bundles", std::move(bundles)}});
      }));

  // Messages.
  router.add(session_route(
      "POST", "/api/v1/messages", "message.send", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto body = parse_json_body(
            ctx.request, {"message_id", "recipient", "sender_device", {"envelopes", kEnvelope}});
        if (!body) return error_response(body.error());
        messaging::SendRequest request;
        auto message_id = required_string(*body, "message_id", kIdHexLength);
        if (!message_id) return error_response(message_id.error());
        auto recipient = required_string(*body, "recipient", kIdHexLength);
        if (!recipient) return error_response(recipient.error());
        auto sender_device = required_string(*body, "sender_device", kIdHexLength);
        if (!sender_device) return error_response(sender_device.error());
        request.message_id = std::move(*message_id);
        request.recipient = std::move(*recipient);
        request.sender_device = std::move(*sender_device);
        const auto* envelopes = body->if_contains("envelopes");
        if (envelopes == nullptr || !envelopes->is_array() ||
            envelopes->get_array().size() > wire::kMaxEnvelopes) {
          return error_response(invalid("envelopes", "must be an array of at most 32"));
        }
        for (const auto& e : envelopes->get_array()) {
          if (!e.is_object()) return error_response(invalid("envelopes", "must hold objects"));
          auto device = required_string(e.get_object(), "device_id", kIdHexLength);
          if (!device) return error_response(device.error());
          auto ciphertext = required_blob(e.get_object(), "ciphertext", wire::kMaxCiphertextBytes);
          if (!ciphertext) return error_response(ciphertext.error());
          request.envelopes.push_back({std::move(*device), std::move(*ciphertext)});
        }
        auto sent = svc.mailbox().send(actor_of(ctx, s), request);
        if (!sent) return error_response(sent.error());
        if (sent->mismatch) return mismatch_response(*sent->mismatch);
        // A session that sends as its device is that device's from now on. The send is
        // stored either way; a binding lost to a revocation in between changes nothing (the
        // revocation ended the sessions bound by then, and this device is gone).
        if (s.device_id.empty()) (void)svc.devices().bind_session(actor_of(ctx, s), request.sender_device);
        return json_response(201, json::object{{"message_id", sent->message_id},
                                               {"stored_at", sent->stored_at}});
      }));
  router.add(session_route(
      "GET", "/api/v1/devices/{device_id}/messages", "message.fetch", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto limit = fetch_limit(ctx.request.query);
        if (!limit) return error_response(limit.error());
        if (s.device_id.empty()) {
          if (auto bound = svc.devices().bind_session(actor_of(ctx, s), ctx.params.at("device_id"));
              !bound) {
            return error_response(bound.error());
          }
        }
        auto got = svc.mailbox().fetch(actor_of(ctx, s), ctx.params.at("device_id"), *limit,
                                       "http", 0, /*report_expired=*/true);
        if (!got) return error_response(got.error());
        json::array messages;
        for (const auto& m : got->messages) {
          messages.push_back(json::object{{"message_id", m.message_id},
                                          {"sender", m.sender},
                                          {"sender_device", m.sender_device},
                                          {"stored_at", m.stored_at},
                                          {"ciphertext", base64url_encode(m.ciphertext)}});
        }
        return json_response(200, json::object{{"messages", std::move(messages)},
                                               {"more", got->more},
                                               {"expired", got->expired},
                                               {"undelivered", got->undelivered}});
      }));
  router.add(session_route(
      "GET", "/api/v1/devices/{device_id}/undelivered", "message.undelivered", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto limit = fetch_limit(ctx.request.query);
        if (!limit) return error_response(limit.error());
        auto got = svc.undelivered().list(actor_of(ctx, s), ctx.params.at("device_id"), *limit);
        if (!got) return error_response(got.error());
        json::array notices;
        for (const auto& n : got->notices) {
          notices.push_back(json::object{{"message_id", n.message_id},
                                         {"recipient", n.recipient},
                                         {"sent_at", n.sent_at},
                                         {"reason", messaging::reason_name(n.reason)},
                                         {"devices", n.devices},
                                         {"expired_at", n.expired_at}});
        }
        return json_response(200, json::object{{"undelivered", std::move(notices)},
                                               {"more", got->more}});
      }));
  router.add(session_route(
      "POST", "/api/v1/devices/{device_id}/undelivered/ack", "message.undelivered_ack", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto body = parse_json_body(ctx.request, {"message_ids"});
        if (!body) return error_response(body.error());
        auto ids = required_ids(*body, "message_ids", messaging::kMaxAck);
        if (!ids) return error_response(ids.error());
        auto deleted =
            svc.undelivered().ack(actor_of(ctx, s), ctx.params.at("device_id"), *ids);
        if (!deleted) return error_response(deleted.error());
        return json_response(200, json::object{{"deleted", *deleted}});
      }));
  router.add(session_route(
      "POST", "/api/v1/devices/{device_id}/messages/ack", "message.ack", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto body = parse_json_body(ctx.request, {"message_ids"});
        if (!body) return error_response(body.error());
        auto ids = required_ids(*body, "message_ids", messaging::kMaxAck);
        if (!ids) return error_response(ids.error());
        auto deleted = svc.mailbox().ack(actor_of(ctx, s), ctx.params.at("device_id"), *ids);
        if (!deleted) return error_response(deleted.error());
        return json_response(200, json::object{{"deleted", *deleted}});
      }));

  router.add(session_route(
      "POST", "/api/v1/devices/{device_id}/messages/refuse", "message.refuse", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto body = parse_json_body(ctx.request, {"message_ids", "reason"});
        if (!body) return error_response(body.error());
        auto ids = required_ids(*body, "message_ids", messaging::kMaxAck);
        if (!ids) return error_response(ids.error());
        const auto* word = body->if_contains("reason");
        const auto reason = word != nullptr && word->is_string()
                                ? messaging::refusal_reason(word->as_string())
                                : std::nullopt;
        if (!reason) {
          return error_response(Error::invalid_argument(
              "invalid_field", "the field 'reason' must be undecryptable or sender_unverified"));
        }
        auto refused =
            svc.mailbox().refuse(actor_of(ctx, s), ctx.params.at("device_id"), *ids, *reason);
        if (!refused) return error_response(refused.error());
        return json_response(200, json::object{{"refused", *refused}});
      }));

  // Live delivery.
  router.add(socket_route(auth, svc));
}

}  // namespace hippocrate::server
