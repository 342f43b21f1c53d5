#include "server/routes/device_socket.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <iterator>
#include <utility>

#include "base/mutex.h"
#include "messaging/wire_frame.h"
#include "server/routes/messaging_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace wire = messaging::wire;
using messaging::Actor;

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
      MutexLock lock(mutex_);
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
    MutexLock lock(mutex_);
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
      MutexLock lock(mutex_);
      if (backlog_in_flight_) return;
      backlog_in_flight_ = true;
      after = last_seq_;
    }
    std::weak_ptr<DeviceSocket> weak = weak_from_this();
    service_.mailbox().fetch_async(actor_, device_id_, messaging::kMaxFetch, "socket", after,
                                   [weak](Result<messaging::FetchResult> batch) {
                                     if (auto self = weak.lock())
                                       self->on_backlog(std::move(batch));
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
      MutexLock lock(mutex_);
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
          auto bytes =
              wire::encode(wire::SendResult{id, static_cast<std::uint64_t>(result->stored_at)});
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
      MutexLock lock(mutex_);
      // Bounded like sends: past the limit the ids are dropped with an error frame; the
      // envelopes stay in the mailbox and come again (delivery is at-least-once).
      overflow = pending_acks_.size() + f.message_ids.size() > kMaxPendingAcks;
    }
    if (overflow) return send_error({}, "too_many_pending_acks");
    const std::int64_t before_write =
        service_.mailbox().acknowledge_before_write(device_id_, f.message_ids);
    {
      MutexLock lock(mutex_);
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
      MutexLock lock(mutex_);
      if (pending_acks_.empty() && acknowledged_before_write_ == 0) {
        ack_in_flight_ = false;
        return;
      }
      ack_in_flight_ = true;
      const std::size_t n = std::min(pending_acks_.size(), messaging::kMaxAck);
      ids.assign(std::make_move_iterator(pending_acks_.begin()),
                 std::make_move_iterator(pending_acks_.begin() + static_cast<std::ptrdiff_t>(n)));
      pending_acks_.erase(pending_acks_.begin(),
                          pending_acks_.begin() + static_cast<std::ptrdiff_t>(n));
      before_write = std::exchange(acknowledged_before_write_, 0);
    }
    std::weak_ptr<DeviceSocket> weak = weak_from_this();
    service_.mailbox().ack_async(actor_, device_id_, std::move(ids), before_write,
                                 [weak](const Result<std::int64_t>& done) {
                                   auto self = weak.lock();
                                   if (!self) return;
                                   if (!done) self->send_error({}, done.error().code());
                                   bool more = false;
                                   {
                                     MutexLock lock(self->mutex_);
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
  Mutex mutex_;
  std::shared_ptr<WebSocketConnection> connection_ GUARDED_BY(mutex_);
  bool backlog_in_flight_ GUARDED_BY(mutex_) = false;
  bool told_expired_ GUARDED_BY(mutex_) = false;
  bool told_undelivered_ GUARDED_BY(mutex_) = false;
  bool more_ GUARDED_BY(mutex_) = false;
  std::int64_t last_seq_ GUARDED_BY(mutex_) = 0;
  std::vector<std::string> pending_acks_ GUARDED_BY(mutex_);
  bool ack_in_flight_ GUARDED_BY(mutex_) = false;
  std::int64_t acknowledged_before_write_ GUARDED_BY(mutex_) = 0;  // for the next ack write
  // Sends queued for the writer and not answered yet (I/O thread increments, the writer's
  // completion decrements).
  static constexpr int kMaxPendingSends = 256;
  std::atomic<int> pending_sends_{0};
  static constexpr std::size_t kMaxPendingAcks = 10'000;
  // I/O thread only:
  bool closing_ = false;
};

}  // namespace

Route device_socket_route(auth::AuthService& auth, messaging::MessagingService& service) {
  static constexpr std::string_view kPath = "/api/v1/devices/{device_id}/socket";
  static constexpr std::string_view kAction = "message.socket";
  WebSocketFactory factory =
      [&auth, &service](const RequestContext& ctx) -> Result<std::shared_ptr<WebSocketHandler>> {
    // The same guard as every route (credentials, CSRF, enrolment gate, policy decision,
    // audited refusals).
    HIPPO_ASSIGN_OR_RETURN(auth::SessionInfo s, guard_session(ctx, kAction, auth));
    Actor actor = actor_of(ctx, s);
    const std::string& device_id = ctx.params.at("device_id");
    // A session not yet bound to a device becomes this device's (its sign-in ends when the
    // device is revoked); a bound one only checks the device is its own.
    HIPPO_RETURN_IF_ERROR(s.device_id.empty()
                              ? service.devices().bind_session(actor, device_id)
                              : service.devices().check_own_device(actor, device_id));
    return std::shared_ptr<WebSocketHandler>(std::make_shared<DeviceSocket>(
        service, std::move(actor), device_id, s.absolute_expires_at));
  };
  return Route{"GET", std::string(kPath), std::string(kAction), {}, std::move(factory)};
}

}  // namespace hippocrate::server
