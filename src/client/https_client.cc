#include "client/https_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <charconv>
#include <optional>

namespace hippocrate::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Runs `op` (an awaitable producing Result<T>) to completion on `ioc`.
template <typename T>
Result<T> run_sync(asio::io_context& ioc, asio::awaitable<Result<T>> op) {
  std::optional<Result<T>> out;
  ioc.restart();
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        out.emplace(co_await std::move(op));
        ioc.stop();  // do not wait for unrelated timers (e.g. WebSocket keep-alive)
      },
      asio::detached);
  ioc.run();
  if (!out) return Error::internal("client_failed", "the operation did not complete");
  return std::move(*out);
}

Result<std::unique_ptr<asio::ssl::context>> make_tls_context(const ClientOptions& options) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(asio::ssl::verify_peer);
  boost::system::error_code ec;
  if (options.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(options.ca_file.string(), ec);
  }
  if (ec) {
    return Error::invalid_argument("tls_failed",
                                   "cannot load the CA file " + options.ca_file.string());
  }
  return ctx;
}

Error error_for(const boost::system::error_code& ec, std::string_view during) {
  if (ec == beast::error::timeout) {
    return Error::unavailable("request_timeout", std::string(during) + " timed out");
  }
  return Error::unavailable("connection_lost", std::string(during) + " failed: " + ec.message());
}

// SHA-256 of the DER encoding of the peer's (leaf) certificate, lowercase hex; empty when
// there is none.
std::string peer_certificate_sha256(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const bool ok = X509_digest(cert, EVP_sha256(), digest, &length) == 1;
  X509_free(cert);
  if (!ok) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

Error certificate_mismatch(const ClientOptions& options) {
  return Error::permission_denied(
      "certificate_mismatch", "the server at " + options.host + ":" + std::to_string(options.port) +
                                  " presents another certificate than the expected one");
}

struct TlsConnection {
  std::unique_ptr<TlsStream> stream;
  std::string certificate_sha256;
};

// Connects TCP + TLS with certificate and host verification, and the pin when one is set.
asio::awaitable<Result<TlsConnection>> open_tls(asio::io_context& ioc, asio::ssl::context& tls,
                                                const ClientOptions& options) {
  auto stream = std::make_unique<TlsStream>(ioc, tls);
  asio::ip::tcp::resolver resolver(ioc);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(options.host, std::to_string(options.port), kTuple);
  if (rec) co_return Error::unavailable("connection_failed", "cannot resolve " + options.host);
  auto& lowest = beast::get_lowest_layer(*stream);
  lowest.expires_after(options.timeout);
  auto [cec, ep] = co_await lowest.async_connect(endpoints, kTuple);
  if (cec) {
    co_return Error::unavailable("connection_failed", "cannot connect to " + options.host + ":" +
                                                          std::to_string(options.port) + ": " +
                                                          cec.message());
  }
  SSL_set_tlsext_host_name(stream->native_handle(), options.host.c_str());
  stream->set_verify_callback(asio::ssl::host_name_verification(options.host));
  auto [hec] = co_await stream->async_handshake(asio::ssl::stream_base::client, kTuple);
  if (hec) {
    co_return Error::unavailable("tls_failed", "TLS handshake failed: " + hec.message());
  }
  std::string fingerprint = peer_certificate_sha256(stream->native_handle());
  TlsConnection out{std::move(stream), std::move(fingerprint)};
  if (!options.certificate_sha256.empty() && out.certificate_sha256 != options.certificate_sha256) {
    co_return certificate_mismatch(options);  // the stream closes unused
  }
  co_return out;
}

}  // namespace

Result<ClientOptions> parse_server_url(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  const auto bad = [&] {
    return Error::invalid_argument(
        "invalid_server_url",
        "'" + std::string(url) + "' is not https://HOST[:PORT] (plain http is refused)");
  };
  if (!url.starts_with(kScheme)) return bad();
  std::string_view rest = url.substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) return bad();
  ClientOptions options;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return bad();
    options.host = std::string(rest.substr(1, close - 1));
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return bad();
      port_text = rest.substr(close + 2);
    }
  } else {
    const auto colon = rest.find(':');
    options.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (options.host.empty()) return bad();
  options.port = 443;
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || v == 0 || v > 65535) {
      return bad();
    }
    options.port = static_cast<std::uint16_t>(v);
  }
  return options;
}

struct HttpsClient::Impl {
  ClientOptions options;
  asio::io_context ioc{1};
  std::unique_ptr<asio::ssl::context> tls;
  std::unique_ptr<TlsStream> stream;
  std::string certificate_sha256;  // of `stream`'s server (kept after it closes)
  beast::flat_buffer buffer;
  int opened = 0;

  // `req` must outlive the operation (the caller waits for it).
  asio::awaitable<Result<ClientResponse>> send(http::request<http::string_body>& req, bool retry) {
    if (stream && !options.certificate_sha256.empty() &&
        certificate_sha256 != options.certificate_sha256) {
      stream.reset();  // kept alive for requests the pin did not cover: not for this one
    }
    if (!stream) {
      auto s = co_await open_tls(ioc, *tls, options);
      if (!s) co_return s.error();
      stream = std::move(s->stream);
      certificate_sha256 = std::move(s->certificate_sha256);
      buffer.clear();
      ++opened;
    }
    auto& lowest = beast::get_lowest_layer(*stream);
    lowest.expires_after(options.timeout);
    auto [wec, wn] = co_await http::async_write(*stream, req, kTuple);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    boost::system::error_code rec;
    if (!wec)
      std::tie(rec, std::ignore) = co_await http::async_read(*stream, buffer, parser, kTuple);
    const auto ec = wec ? wec : rec;
    if (ec) {
      stream.reset();
      // A kept-alive connection the server closed meanwhile: one fresh attempt.
      const bool stale = ec == http::error::end_of_stream || ec == asio::error::eof ||
                         ec == asio::error::connection_reset ||
                         ec == asio::ssl::error::stream_truncated;
      if (retry && stale) co_return co_await send(req, false);
      co_return error_for(ec, "the request");
    }
    auto res = parser.release();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.add(f.name_string(), std::string(f.value()));
    out.body = std::move(res.body());
    if (!res.keep_alive()) stream.reset();
    co_return out;
  }
};

HttpsClient::HttpsClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
HttpsClient::~HttpsClient() = default;
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;

int HttpsClient::connections_opened() const { return impl_->opened; }

void HttpsClient::require_certificate(std::string sha256_hex) {
  impl_->options.certificate_sha256 = std::move(sha256_hex);
}

const std::string& HttpsClient::certificate_sha256() const { return impl_->certificate_sha256; }

Result<ClientResponse> HttpsClient::request(
    std::string_view method, std::string_view target, std::string body,
    std::vector<std::pair<std::string, std::string>> headers) {
  if (!impl_->tls) {
    auto tls = make_tls_context(impl_->options);
    if (!tls) return tls.error();
    impl_->tls = std::move(*tls);
  }
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, impl_->options.host);
  req.set(http::field::user_agent, "hippocrate-cli");
  for (auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() && req[http::field::content_type].empty()) {
    req.set(http::field::content_type, "application/json");
  }
  req.body() = std::move(body);
  req.keep_alive(true);
  req.prepare_payload();
  auto response = run_sync<ClientResponse>(impl_->ioc, impl_->send(req, true));
  // Request bodies may hold passwords, headers a bearer token: wipe before freeing.
  OPENSSL_cleanse(req.body().data(), req.body().size());
  for (auto& field : req) {
    auto value = field.value();
    OPENSSL_cleanse(const_cast<char*>(value.data()), value.size());
  }
  for (auto& header : headers) OPENSSL_cleanse(header.second.data(), header.second.size());
  return response;
}

struct WebSocketClient::Impl {
  asio::io_context ioc{1};
  std::unique_ptr<asio::ssl::context> tls;
  std::optional<websocket::stream<TlsStream>> ws;
  beast::flat_buffer buffer;
};

WebSocketClient::WebSocketClient() : impl_(std::make_unique<Impl>()) {}
WebSocketClient::~WebSocketClient() = default;
WebSocketClient::WebSocketClient(WebSocketClient&&) noexcept = default;
WebSocketClient& WebSocketClient::operator=(WebSocketClient&&) noexcept = default;

Result<WebSocketClient> WebSocketClient::connect(
    const ClientOptions& options, std::string_view target,
    std::vector<std::pair<std::string, std::string>> headers) {
  WebSocketClient client;
  auto& im = *client.impl_;
  HIPPO_ASSIGN_OR_RETURN(im.tls, make_tls_context(options));
  auto op = [&]() -> asio::awaitable<Result<bool>> {
    auto s = co_await open_tls(im.ioc, *im.tls, options);
    if (!s) co_return s.error();
    im.ws.emplace(std::move(*s->stream));
    beast::get_lowest_layer(*im.ws).expires_never();
    im.ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    im.ws->set_option(websocket::stream_base::decorator([headers](websocket::request_type& r) {
      for (const auto& [name, value] : headers) r.set(name, value);
    }));
    websocket::response_type res;
    auto [ec] = co_await im.ws->async_handshake(
        res, options.host + ":" + std::to_string(options.port), std::string(target), kTuple);
    if (ec) {
      co_return Error::permission_denied(
          "upgrade_refused",
          "the server refused the WebSocket upgrade with HTTP " + std::to_string(res.result_int()));
    }
    co_return true;
  };
  HIPPO_RETURN_IF_ERROR(run_sync<bool>(im.ioc, op()));
  return client;
}

Status WebSocketClient::send(std::string_view data, bool binary) {
  auto& im = *impl_;
  auto op = [&]() -> asio::awaitable<Result<bool>> {
    im.ws->binary(binary);
    auto [ec, n] = co_await im.ws->async_write(asio::buffer(data), kTuple);
    if (ec) co_return error_for(ec, "sending");
    co_return true;
  };
  auto r = run_sync<bool>(im.ioc, op());
  if (!r) return r.error();
  return ok_status();
}

Result<WebSocketClient::Message> WebSocketClient::receive(std::chrono::milliseconds timeout) {
  auto& im = *impl_;
  auto op = [&]() -> asio::awaitable<Result<Message>> {
    im.buffer.clear();
    // The timer cancels the pending read when the deadline passes.
    asio::steady_timer timer(im.ioc, timeout);
    bool timed_out = false;
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) {
        timed_out = true;
        beast::get_lowest_layer(*im.ws).cancel();
      }
    });
    auto [ec, n] = co_await im.ws->async_read(im.buffer, kTuple);
    timer.cancel();
    if (timed_out) co_return Error::unavailable("request_timeout", "no message in time");
    if (ec) co_return Error::unavailable("connection_closed", "the WebSocket closed");
    co_return Message{beast::buffers_to_string(im.buffer.data()), im.ws->got_binary()};
  };
  return run_sync<Message>(im.ioc, op());
}

Status WebSocketClient::close() {
  auto& im = *impl_;
  auto op = [&]() -> asio::awaitable<Result<bool>> {
    auto [ec] = co_await im.ws->async_close(websocket::close_code::normal, kTuple);
    if (ec) co_return error_for(ec, "closing");
    co_return true;
  };
  auto r = run_sync<bool>(im.ioc, op());
  if (!r) return r.error();
  return ok_status();
}

}  // namespace hippocrate::client
