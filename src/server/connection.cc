#include "server/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <openssl/crypto.h>

#include "base/clock.h"
#include "base/ids.h"
#include "server/http_status.h"

namespace hippocrate::server::core {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kTlsCloseTimeout{2};

HttpRequest to_request(http::request<http::string_body>& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  std::tie(out.path, out.query) = split_target(out.target);
  for (const auto& field : req) {
    out.headers.add(field.name_string(), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.remote_address = remote;
  return out;
}

bool is_http_parse_error(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace

void SharedState::track(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mutex_);
  std::erase_if(connections_, [](const auto& w) { return w.expired(); });
  connections_.push_back(c);
}

std::vector<std::shared_ptr<Connection>> SharedState::snapshot() {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard lock(mutex_);
  for (const auto& w : connections_) {
    if (auto c = w.lock()) out.push_back(std::move(c));
  }
  return out;
}

Connection::Connection(SharedState& shared, asio::ip::tcp::socket socket, std::string remote)
    : shared_(shared), remote_(std::move(remote)), executor_(socket.get_executor()) {
  tls_.emplace(beast::tcp_stream(std::move(socket)), shared_.ssl);
  ++shared_.live;
}

Connection::~Connection() { --shared_.live; }

void Connection::log(std::string_view request_id, std::string_view method,
                     std::string_view route, int status,
                     std::chrono::steady_clock::time_point started) {
  const auto elapsed = std::chrono::steady_clock::now() - started;
  shared_.access_log.write(AccessLogEntry{
      SystemClock::instance().now(), request_id, method, route, status,
      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count(), remote_});
}

asio::awaitable<void> Connection::run() {
  auto self = shared_from_this();
  auto& lowest = beast::get_lowest_layer(*tls_);
  lowest.expires_after(shared_.options.handshake_timeout);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, kTuple);
  if (ec) co_return;  // not TLS, or a refused version/suite: nothing to answer
  co_await serve_http();
}

void Connection::shutdown() {
  asio::post(executor_, [self = shared_from_this()] {
    if (self->ws_) {
      self->enqueue(Frame{{}, false, true});
    } else if (self->idle_ && self->tls_) {
      beast::get_lowest_layer(*self->tls_).cancel();
    }
    // Otherwise a request is in flight: serve_http sees `stopping` after its response.
  });
}

asio::awaitable<void> Connection::write_response(HttpResponse response, bool keep_alive,
                                                 unsigned version) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers.all()) res.set(name, value);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  beast::get_lowest_layer(*tls_).expires_after(shared_.options.request_timeout);
  co_await http::async_write(*tls_, res, kTuple);
}

asio::awaitable<void> Connection::reject(Error error, std::string_view method) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = random_id();
  HttpRequest dummy;
  HttpResponse response = error_response(error);
  Dispatcher::finish(dummy, request_id, response);
  const int status = response.status;
  co_await write_response(std::move(response), false, 11);
  log(request_id, method, "-", status, started);
}

asio::awaitable<void> Connection::serve_http() {
  const auto& options = shared_.options;
  auto& lowest = beast::get_lowest_layer(*tls_);
  beast::flat_buffer buffer;
  for (;;) {
    if (shared_.stopping) break;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(options.body_limit);
    idle_ = true;
    lowest.expires_after(options.idle_timeout);
    auto [hec, hn] = co_await http::async_read_header(*tls_, buffer, parser, kTuple);
    idle_ = false;
    const auto started = std::chrono::steady_clock::now();
    const std::string method = parser.is_header_done()
                                   ? std::string(parser.get().method_string())
                                   : std::string("-");
    if (hec == http::error::header_limit) {
      co_await reject(Error::resource_exhausted("headers_too_large",
                                                "the request headers are too large"),
                      method);
      break;
    }
    if (hec == http::error::body_limit) {
      co_await reject(Error::resource_exhausted("payload_too_large",
                                                "the request body is too large"),
                      method);
      break;
    }
    if (hec) {
      if (is_http_parse_error(hec)) {
        co_await reject(Error::invalid_argument("malformed_request",
                                                "the request is not valid HTTP/1.1"),
                        method);
      }
      break;  // timeout, cancellation, peer closed
    }
    if (parser.get()[http::field::expect] == "100-continue") {
      http::response<http::empty_body> cont{http::status::continue_, parser.get().version()};
      auto [cec, cn] = co_await http::async_write(*tls_, cont, kTuple);
      if (cec) break;
    }
    lowest.expires_after(options.request_timeout);
    if (!parser.is_done()) {
      auto [bec, bn] = co_await http::async_read(*tls_, buffer, parser, kTuple);
      if (bec == http::error::body_limit) {
        co_await reject(Error::resource_exhausted("payload_too_large",
                                                  "the request body is too large"),
                        method);
        break;
      }
      if (bec) {
        if (is_http_parse_error(bec)) {
          co_await reject(Error::invalid_argument("malformed_request",
                                                  "the request is not valid HTTP/1.1"),
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
      HttpRequest request = to_request(req, remote_);
      auto upgrade = shared_.dispatcher.upgrade(request, request_id);
      if (upgrade.handler) {
        log(request_id, method, upgrade.refusal.route_template, 101, started);
        co_await serve_websocket(std::move(req), std::move(upgrade.handler));
        co_return;
      }
      const int status = upgrade.refusal.response.status;
      co_await write_response(std::move(upgrade.refusal.response), false, version);
      log(request_id, method, upgrade.refusal.route_template, status, started);
      break;
    }

    HttpRequest request = to_request(req, remote_);
    Dispatched out = shared_.dispatcher.dispatch(request, request_id);
    // Bodies may hold passwords or codes: wipe them before the memory is reused.
    OPENSSL_cleanse(request.body.data(), request.body.size());
    const bool keep_alive = wants_keep_alive && !shared_.stopping;
    const int status = out.response.status;
    co_await write_response(std::move(out.response), keep_alive, version);
    log(request_id, method, out.route_template, status, started);
    if (!keep_alive) break;
  }
  // Send close_notify; wait only briefly for the peer's (not at all when shutting down).
  lowest.expires_after(shared_.stopping ? std::chrono::milliseconds(50) : kTlsCloseTimeout);
  co_await tls_->async_shutdown(kTuple);
  lowest.close();
}

asio::awaitable<void> Connection::serve_websocket(http::request<http::string_body> request,
                                                  std::shared_ptr<WebSocketHandler> handler) {
  auto self = shared_from_this();
  ws_.emplace(std::move(*tls_));
  tls_.reset();
  beast::get_lowest_layer(*ws_).expires_never();
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
  if (aec) {
    ws_closed_ = true;
    co_return;
  }
  handler->on_open(std::static_pointer_cast<WebSocketConnection>(self));
  beast::flat_buffer buffer;
  for (;;) {
    auto [rec, n] = co_await ws_->async_read(buffer, kTuple);
    if (rec) break;
    handler->on_message(beast::buffers_to_string(buffer.data()), ws_->got_binary());
    buffer.consume(buffer.size());
  }
  ws_closed_ = true;
  queue_.clear();
  queued_ = 0;
  handler->on_close();
  beast::get_lowest_layer(*ws_).close();
}

bool Connection::send_text(std::string text) { return enqueue(Frame{std::move(text), false}); }
bool Connection::send_binary(std::string bytes) {
  return enqueue(Frame{std::move(bytes), true});
}
void Connection::close() { enqueue(Frame{{}, false, true}); }

bool Connection::enqueue(Frame frame) {
  if (!frame.close && queued_.fetch_add(1) >= shared_.options.websocket_queue_limit) {
    --queued_;
    return false;
  }
  asio::post(executor_, [self = shared_from_this(), frame = std::move(frame)]() mutable {
    if (self->ws_closed_ || !self->ws_) {
      if (!frame.close) --self->queued_;
      return;
    }
    self->queue_.push_back(std::move(frame));
    if (!self->writing_) {
      self->writing_ = true;
      asio::co_spawn(self->executor_, [self] { return self->write_frames(); }, asio::detached);
    }
  });
  return true;
}

asio::awaitable<void> Connection::write_frames() {
  auto self = shared_from_this();
  while (!queue_.empty() && !ws_closed_) {
    Frame frame = std::move(queue_.front());
    queue_.pop_front();
    if (frame.close) {
      ws_closed_ = true;
      co_await ws_->async_close(websocket::close_code::normal, kTuple);
      break;
    }
    --queued_;
    ws_->binary(frame.binary);
    auto [ec, n] = co_await ws_->async_write(asio::buffer(frame.data), kTuple);
    if (ec) break;
  }
  writing_ = false;
}

}  // namespace hippocrate::server::core
