#include "server/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <openssl/crypto.h>

#include <deque>
#include <optional>

#include "base/clock.h"
#include "base/handoff_batch.h"
#include "base/ids.h"
#include "server/http_status.h"
#include "server/tls_stream.h"

namespace hippocrate::server::core {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kTlsCloseTimeout{2};
// A read buffer keeps at most this much capacity between messages: a large request or
// WebSocket message must not stay allocated for the rest of a long idle connection.
constexpr std::size_t kKeptBufferCapacity = 4 * 1024;

void release_spare(beast::flat_buffer& buffer) {
  if (buffer.capacity() > kKeptBufferCapacity) buffer.shrink_to_fit();
}

// The HTTP read buffer still holds the raw bytes of the requests already parsed (bodies may
// carry passwords or codes, like the parsed body wiped after dispatch): wipe everything
// but the unread bytes, then give back a large capacity.
void wipe_and_release_spare(beast::flat_buffer& buffer) {
  const auto spare = buffer.prepare(buffer.capacity() - buffer.size());
  OPENSSL_cleanse(spare.data(), spare.size());
  release_spare(buffer);
}

// Wipes the whole buffer when the HTTP phase ends (the connection closes or upgrades).
struct WipedOnExit {
  beast::flat_buffer& buffer;
  // Only a failed allocation can throw in here, and a destructor then terminates, as a
  // failed allocation does everywhere in the server.
  ~WipedOnExit() {  // NOLINT(bugprone-exception-escape)
    buffer.consume(buffer.size());
    wipe_and_release_spare(buffer);
  }
};

Error invalid_framing() {
  return Error::invalid_argument("invalid_framing",
                                 "the request's length is ambiguous: send one Content-Length "
                                 "or Transfer-Encoding: chunked, not both");
}

// Why a request's header cannot be served, if it cannot: its length or its target host is
// ambiguous. A front proxy and this server could then disagree on where the request ends,
// and the rest of the bytes would be read as a second request nobody checked (request
// smuggling), so it is refused with 400 and the connection closed:
// - RFC 9112 §6.1: Transfer-Encoding other than exactly one field "chunked" (e.g.
//   "identity", "chunked, identity", "xchunked", two fields), or any in an HTTP/1.0
//   request; Transfer-Encoding together with Content-Length (§6.3 item 3).
// - §6.3 item 5: Content-Length repeated (even with equal values) or a list.
// - §3.2: an HTTP/1.1 request without Host, or any with more than one Host or an empty one.
std::optional<Error> header_error(const http::request<http::string_body>& req) {
  int transfer_encodings = 0;
  int content_lengths = 0;
  int hosts = 0;
  bool chunked = false;
  bool plain_length = true;
  bool empty_host = false;
  for (const auto& field : req) {
    switch (field.name()) {
      case http::field::transfer_encoding:
        ++transfer_encodings;
        chunked = beast::iequals(field.value(), "chunked");
        break;
      case http::field::content_length:
        ++content_lengths;
        plain_length = plain_length && !field.value().empty() &&
                       field.value().find_first_not_of("0123456789") == beast::string_view::npos;
        break;
      case http::field::host:
        ++hosts;
        empty_host = empty_host || field.value().empty();
        break;
      default: break;
    }
  }
  if (transfer_encodings > 0 &&
      (transfer_encodings > 1 || !chunked || content_lengths > 0 || req.version() < 11)) {
    return invalid_framing();
  }
  if (content_lengths > 1 || !plain_length) return invalid_framing();
  if (hosts > 1 || empty_host || (hosts == 0 && req.version() >= 11)) {
    return Error::invalid_argument("invalid_host", "the request needs exactly one Host header");
  }
  return std::nullopt;
}

// Beast's own framing refusals (it sees Transfer-Encoding and Content-Length in the order
// they come): the same code as header_error's, whatever the order.
bool is_framing_error(const boost::system::error_code& ec) {
  return ec == http::error::bad_transfer_encoding || ec == http::error::bad_content_length ||
         ec == http::error::multiple_content_length;
}

HttpRequest to_request(http::request<http::string_body>& req, const std::string& remote,
                       const std::vector<std::string>& allowed_origins) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  std::tie(out.path, out.query) = split_target(out.target);
  for (const auto& field : req) {
    out.headers.add(field.name_string(), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.remote_address = remote;
  out.allowed_origins = &allowed_origins;
  return out;
}

bool is_http_parse_error(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

class TlsConnection final : public Connection,
                            public WebSocketConnection,
                            public std::enable_shared_from_this<TlsConnection> {
 public:
  TlsConnection(SharedState& shared, asio::ip::tcp::socket socket, std::string remote,
                ConnectionsPerSource::Slot slot);
  ~TlsConnection() override;

  asio::awaitable<void> run() override;
  void shutdown() override;

  bool send_text(std::string text) override;
  bool send_binary(std::string bytes) override;
  void close() override;

 private:
  struct Frame {
    std::string data;
    bool binary = false;
    bool close = false;
  };

  // An accepted upgrade: what serve_websocket needs once serve_http has returned (so that
  // serve_http's coroutine frame, ~2.6 KiB, is not kept for the WebSocket's life).
  struct Upgrade {
    http::request<http::string_body> request;
    std::shared_ptr<WebSocketHandler> handler;
  };

  asio::awaitable<std::optional<Upgrade>> serve_http();
  // False when the response could not be written (the peer is gone).
  asio::awaitable<bool> write_response(HttpResponse response, bool keep_alive, unsigned version);
  asio::awaitable<void> reject(Error error, std::string_view method);
  asio::awaitable<void> serve_websocket(http::request<http::string_body> request,
                                        std::shared_ptr<WebSocketHandler> handler);
  asio::awaitable<void> write_frames();
  bool enqueue(Frame frame);  // any thread
  void log(std::string_view request_id, std::string_view method, std::string_view route, int status,
           std::chrono::steady_clock::time_point started);

  SharedState& shared_;
  std::string remote_;
  ConnectionsPerSource::Slot slot_;  // this connection's place in shared_.sources
  asio::any_io_executor executor_;
  std::optional<TlsStream> tls_;                    // until an upgrade
  std::optional<websocket::stream<TlsStream>> ws_;  // after an upgrade
  bool idle_ = true;                                // waiting for a request (io thread only)
  bool writing_ = false;                            // a frame writer runs (io thread only)
  bool ws_closed_ = false;                          // io thread only
  std::deque<Frame> queue_;                         // io thread only
  std::atomic<std::size_t> queued_{0};
};

}  // namespace

std::shared_ptr<Connection> make_connection(SharedState& shared, asio::ip::tcp::socket socket,
                                            std::string remote, ConnectionsPerSource::Slot slot) {
  return std::make_shared<TlsConnection>(shared, std::move(socket), std::move(remote),
                                         std::move(slot));
}

TlsContextPtr SharedState::tls_context() {
  MutexLock lock(tls_mutex_);
  return tls_;
}

void SharedState::set_tls_context(TlsContextPtr ctx) {
  MutexLock lock(tls_mutex_);
  tls_ = std::move(ctx);  // connections made with the old one hold their own reference
}

void SharedState::track(const std::shared_ptr<Connection>& c) {
  MutexLock lock(mutex_);
  std::erase_if(connections_, [](const auto& w) { return w.expired(); });
  connections_.push_back(c);
}

std::vector<std::shared_ptr<Connection>> SharedState::snapshot() {
  std::vector<std::shared_ptr<Connection>> out;
  MutexLock lock(mutex_);
  for (const auto& w : connections_) {
    if (auto c = w.lock()) out.push_back(std::move(c));
  }
  return out;
}

TlsConnection::TlsConnection(SharedState& shared, asio::ip::tcp::socket socket, std::string remote,
                             ConnectionsPerSource::Slot slot)
    : shared_(shared),
      remote_(std::move(remote)),
      slot_(std::move(slot)),
      executor_(socket.get_executor()) {
  const TlsContextPtr ctx = shared_.tls_context();  // SSL_new takes its own reference
  tls_.emplace(std::move(socket), ctx.get());
  ++shared_.live;
}

TlsConnection::~TlsConnection() { --shared_.live; }

void TlsConnection::log(std::string_view request_id, std::string_view method,
                        std::string_view route, int status,
                        std::chrono::steady_clock::time_point started) {
  const auto elapsed = std::chrono::steady_clock::now() - started;
  shared_.access_log.write(AccessLogEntry{
      SystemClock::instance().now(), request_id, method, route, status,
      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count(), remote_});
}

asio::awaitable<void> TlsConnection::run() {
  auto self = shared_from_this();
  tls_->expires_after(shared_.options.handshake_timeout);
  auto [ec] = co_await tls_->async_handshake(kTuple);
  if (ec) co_return;  // not TLS, or a refused version/suite: nothing to answer
  auto upgrade = co_await serve_http();
  if (upgrade) co_await serve_websocket(std::move(upgrade->request), std::move(upgrade->handler));
}

void TlsConnection::shutdown() {
  asio::post(executor_, [self = shared_from_this()] {
    if (self->ws_) {
      self->enqueue(Frame{{}, false, true});
    } else if (self->idle_ && self->tls_) {
      boost::system::error_code ignored;
      self->tls_->next_layer().cancel(ignored);  // the pending read ends: operation_aborted
    }
    // Otherwise a request is in flight: serve_http sees `stopping` after its response.
  });
}

asio::awaitable<bool> TlsConnection::write_response(HttpResponse response, bool keep_alive,
                                                    unsigned version) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers.all()) res.set(name, value);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  tls_->expires_after(shared_.options.request_timeout);
  auto [ec, n] = co_await http::async_write(*tls_, res, kTuple);
  co_return !ec;
}

asio::awaitable<void> TlsConnection::reject(Error error, std::string_view method) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = random_id();
  HttpRequest dummy;
  HttpResponse response = error_response(error);
  Dispatcher::finish(dummy, request_id, response);
  const int status = response.status;
  co_await write_response(std::move(response), false, 11);
  log(request_id, method, "-", status, started);
}

asio::awaitable<std::optional<TlsConnection::Upgrade>> TlsConnection::serve_http() {
  const auto& options = shared_.options;
  beast::flat_buffer buffer;
  const WipedOnExit wiped{buffer};
  for (;;) {
    if (shared_.stopping) break;
    wipe_and_release_spare(buffer);
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(options.body_limit);
    idle_ = true;
    if (buffer.size() == 0) {
      // Keep-alive wait, under the idle timeout, until the next request's first bytes
      // (as much as Beast's header read would ask for).
      tls_->expires_after(options.idle_timeout);
      auto [iec, in] =
          co_await tls_->async_read_some(buffer.prepare(beast::read_size(buffer, 65536)), kTuple);
      if (iec) break;  // timeout, cancellation, peer closed: nothing to answer
      buffer.commit(in);
    }
    idle_ = false;
    // From the request's first byte, its whole header within header_timeout: a client
    // sending a header line now and then cannot hold the connection for the idle timeout.
    tls_->expires_after(options.header_timeout);
    auto [hec, hn] = co_await http::async_read_header(*tls_, buffer, parser, kTuple);
    const auto started = std::chrono::steady_clock::now();
    const std::string method =
        parser.is_header_done() ? std::string(parser.get().method_string()) : std::string("-");
    if (hec == http::error::header_limit) {
      co_await reject(
          Error::resource_exhausted("headers_too_large", "the request headers are too large"),
          method);
      break;
    }
    if (hec == http::error::body_limit) {
      co_await reject(
          Error::resource_exhausted("payload_too_large", "the request body is too large"), method);
      break;
    }
    if (is_framing_error(hec)) {
      co_await reject(invalid_framing(), method);
      break;
    }
    if (hec) {
      if (is_http_parse_error(hec)) {
        co_await reject(
            Error::invalid_argument("malformed_request", "the request is not valid HTTP/1.1"),
            method);
      }
      break;  // timeout, cancellation, peer closed
    }
    if (auto refused = header_error(parser.get())) {
      co_await reject(std::move(*refused), method);
      break;  // whatever follows in the buffer is never read as a request
    }
    if (parser.get()[http::field::expect] == "100-continue") {
      http::response<http::empty_body> cont{http::status::continue_, parser.get().version()};
      auto [cec, cn] = co_await http::async_write(*tls_, cont, kTuple);
      if (cec) break;
    }
    tls_->expires_after(options.request_timeout);
    if (!parser.is_done()) {
      auto [bec, bn] = co_await http::async_read(*tls_, buffer, parser, kTuple);
      if (bec == http::error::body_limit) {
        co_await reject(
            Error::resource_exhausted("payload_too_large", "the request body is too large"),
            method);
        break;
      }
      if (bec) {
        if (is_http_parse_error(bec)) {
          co_await reject(
              Error::invalid_argument("malformed_request", "the request is not valid HTTP/1.1"),
              method);
        }
        break;
      }
    }
    auto req = parser.release();
    const unsigned version = req.version();
    const bool wants_keep_alive = req.keep_alive();
    const std::string request_id = random_id();

    if (websocket::is_upgrade(req)) {
      // The HttpRequest copy (headers may carry a token) ends with this statement.
      auto upgrade =
          shared_.dispatcher.upgrade(to_request(req, remote_, shared_.allowed_origins), request_id);
      if (upgrade.handler) {
        log(request_id, method, upgrade.refusal.route_template, 101, started);
        co_return Upgrade{std::move(req), std::move(upgrade.handler)};
      }
      const int status = upgrade.refusal.response.status;
      co_await write_response(std::move(upgrade.refusal.response), false, version);
      log(request_id, method, upgrade.refusal.route_template, status, started);
      break;
    }

    HttpRequest request = to_request(req, remote_, shared_.allowed_origins);
    Dispatched out = shared_.dispatcher.dispatch(request, request_id);
    // Bodies may hold passwords or codes: wipe them before the memory is reused.
    OPENSSL_cleanse(request.body.data(), request.body.size());
    const bool keep_alive = wants_keep_alive && !shared_.stopping;
    const int status = out.response.status;
    const bool written = co_await write_response(std::move(out.response), keep_alive, version);
    log(request_id, method, out.route_template, status, started);
    if (!keep_alive || !written) break;  // not written: do not serve pipelined requests
  }
  // Send close_notify; wait only briefly for the peer's (not at all when shutting down).
  tls_->expires_after(shared_.stopping ? std::chrono::milliseconds(50) : kTlsCloseTimeout);
  co_await tls_->async_shutdown(kTuple);
  boost::system::error_code ignored;
  tls_->next_layer().close(ignored);
  co_return std::nullopt;
}

asio::awaitable<void> TlsConnection::serve_websocket(http::request<http::string_body> request,
                                                     std::shared_ptr<WebSocketHandler> handler) {
  auto self = shared_from_this();
  ws_.emplace(std::move(*tls_));
  tls_.reset();
  ws_->next_layer().expires_never();  // Beast's WebSocket timeouts apply from here
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = shared_.options.handshake_timeout;
  timeouts.idle_timeout = shared_.options.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_->set_option(timeouts);
  ws_->read_message_max(shared_.options.websocket_message_limit);
  ws_->set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
  }));
  auto [aec] = co_await ws_->async_accept(request, kTuple);
  request = {};  // its fields are not needed for the connection's life
  if (aec) {
    ws_closed_ = true;
    co_return;
  }
  // From here the connection writes its frames itself (write_frames); Beast writes only
  // its control frames, and every write is held back until flushed (TlsStream::hold_writes).
  ws_->next_layer().hold_writes();
  handler->on_open(std::static_pointer_cast<WebSocketConnection>(self));
  beast::flat_buffer buffer;
  for (;;) {
    auto [rec, n] = co_await ws_->async_read(buffer, kTuple);
    if (rec) break;
    handler->on_message(beast::buffers_to_string(buffer.data()), ws_->got_binary());
    buffer.consume(buffer.size());
    release_spare(buffer);
  }
  ws_closed_ = true;
  queue_.clear();
  queued_ = 0;
  handler->on_close();
  boost::system::error_code ignored;
  beast::get_lowest_layer(*ws_).close(ignored);
}

bool TlsConnection::send_text(std::string text) { return enqueue(Frame{std::move(text), false}); }
bool TlsConnection::send_binary(std::string bytes) {
  return enqueue(Frame{std::move(bytes), true});
}
void TlsConnection::close() { enqueue(Frame{{}, false, true}); }

bool TlsConnection::enqueue(Frame frame) {
  if (!frame.close && queued_.fetch_add(1) >= shared_.options.websocket_queue_limit) {
    --queued_;
    return false;
  }
  auto deliver = [self = shared_from_this(), frame = std::move(frame)]() mutable {
    if (self->ws_closed_ || !self->ws_) {
      if (!frame.close) --self->queued_;
      return;
    }
    self->queue_.push_back(std::move(frame));
    if (!self->writing_) {
      self->writing_ = true;
      asio::co_spawn(
          self->executor_, [self] { return self->write_frames(); }, asio::detached);
    }
  };
  // From the store's writer finishing a group commit: one post per I/O thread per batch
  // (base/handoff_batch.h), so a network thread is woken once, not once per frame.
  if (HandoffBatch::open()) {
    HandoffBatch::Fn fn = std::move(deliver);
    HandoffBatch::defer(
        &asio::query(executor_, asio::execution::context),
        [executor = executor_](HandoffBatch::Fn f) { asio::post(executor, std::move(f)); }, fn);
    return true;
  }
  asio::post(executor_, std::move(deliver));
  return true;
}

namespace {

// Appends one unfragmented, unmasked server frame (RFC 6455 §5.2: FIN, opcode, payload
// length in 7, 7+16 or 7+64 bits; a server never masks).
void append_frame(std::string& out, bool binary, std::string_view payload) {
  const std::size_t n = payload.size();
  out += static_cast<char>(0x80 | (binary ? 0x2 : 0x1));
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xffff) {
    out += static_cast<char>(126);
    for (int i = 1; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  } else {
    out += static_cast<char>(127);
    for (int i = 7; i >= 0; --i)
      out += static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xff);
  }
  out += payload;
}

}  // namespace

// Writes the queued frames in runs: the frames of a run (everything queued when it starts,
// up to kMaxRunBytes plus its last frame; the first run starts after one turn of the
// event loop) are framed here and encrypted together by one
// SSL_write (TLS records of up to 16 KiB each, not one per frame), held back, then sent
// with as few send() calls as the socket takes (async_flush), which the next run waits
// for (back-pressure). Under load a connection thus makes one record and one system call
// for many frames; alone, a frame leaves at once. Beast's own control frames (pong,
// keep-alive ping) are whole records of their own between runs (TlsStream::hold_writes).
asio::awaitable<void> TlsConnection::write_frames() {
  static constexpr std::size_t kMaxRunBytes = 64 * 1024;
  auto self = shared_from_this();
  // Started by the first frame queued: the frames whose hand-over to this thread is already
  // posted behind it (a handler's or a group commit's several frames) join its run.
  co_await asio::post(executor_, asio::use_awaitable);
  bool failed = false;
  while (!queue_.empty() && !ws_closed_ && !failed) {
    std::size_t run_bytes = 0;
    do {
      std::string part;
      while (!queue_.empty() && !queue_.front().close && run_bytes < kMaxRunBytes) {
        Frame frame = std::move(queue_.front());
        queue_.pop_front();
        --queued_;
        run_bytes += frame.data.size();
        append_frame(part, frame.binary, frame.data);
      }
      // Nothing after a close frame (Beast answers the peer's close, or its read failed):
      // the frames are dropped, as Beast's own write would refuse them.
      if (!part.empty() &&
          (!ws_->is_open() || !ws_->next_layer().write_held(part.data(), part.size()))) {
        failed = true;
        break;
      }
      // One turn of the event loop: frames handed over meanwhile (other sockets' reads,
      // a group commit's completions) join this run's send.
      co_await asio::post(executor_, asio::use_awaitable);
    } while (!queue_.empty() && !queue_.front().close && run_bytes < kMaxRunBytes && !ws_closed_);
    // Always: records held back (ours, or a control frame Beast answered meanwhile) must
    // leave before anything waits for the peer.
    auto [fec] = co_await ws_->next_layer().async_flush(kTuple);
    if (fec) break;
    if (!failed && !queue_.empty() && queue_.front().close) {
      queue_.pop_front();
      ws_closed_ = true;
      co_await ws_->async_close(websocket::close_code::normal, kTuple);
    }
  }
  writing_ = false;
}

}  // namespace hippocrate::server::core
