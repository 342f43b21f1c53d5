// Integration tests: a real HttpServer on loopback with real TLS, spoken to by the project's
// client, by raw TLS sockets, and (in tests/cli) by curl and openssl s_client.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <fstream>
#include <future>
#include <thread>

#include "server/http_status.h"
#include "server/json_body.h"
#include "server/routes/system_routes.h"
#include "store/store.h"
#include "support/raw_tls.h"
#include "test_server.h"

namespace hippocrate::server {
namespace {

using namespace std::chrono_literals;
using testing::RawTls;
using testing::TestServer;

// A WebSocket handler that echoes every message back, in the same mode.
class EchoHandler : public WebSocketHandler {
 public:
  void on_open(std::shared_ptr<WebSocketConnection> c) override { connection_ = std::move(c); }
  void on_message(std::string data, bool binary) override {
    if (binary) {
      connection_->send_binary(std::move(data));
    } else {
      connection_->send_text(std::move(data));
    }
  }
  void on_close() override { connection_.reset(); }

 private:
  std::shared_ptr<WebSocketConnection> connection_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so;
    so.url = (db_dir_.path() / "test.db").string();
    auto opened = store::open_store(so);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    store_ = std::move(*opened);
    add_system_routes(router_, *store_);
    router_.add({"POST",
                 "/api/v1/test/echo",
                 "public",
                 [](const RequestContext& ctx) {
                   auto body = parse_json_body(ctx.request, {"a"});
                   if (!body) return error_response(body.error());
                   return json_response(200, *body);
                 },
                 {}});
    router_.add({"GET",
                 "/api/v1/test/items/{id}",
                 "public",
                 [](const RequestContext&) {
                   return json_response(200, {{"ok", true}});
                 },
                 {}});
    router_.add({"GET",
                 "/api/v1/test/slow",
                 "public",
                 [this](const RequestContext&) {
                   slow_entered_.set_value();
                   release_slow_.wait();
                   return json_response(200, {{"slow", "done"}});
                 },
                 {}});
    router_.add({"GET",
                 "/api/v1/test/ws",
                 "public",
                 {},
                 [](const RequestContext&) -> Result<std::shared_ptr<WebSocketHandler>> {
                   return std::shared_ptr<WebSocketHandler>(std::make_shared<EchoHandler>());
                 }});
  }

  std::unique_ptr<TestServer> start(ServerOptions options = {}) {
    return std::make_unique<TestServer>(router_, options);
  }

  testing::TempDir db_dir_;
  std::unique_ptr<store::Store> store_;
  Router router_;
  std::promise<void> slow_entered_;
  std::promise<void> release_promise_;
  std::shared_future<void> release_slow_ = release_promise_.get_future().share();
};

TEST_F(ServerTest, HealthzAnswers200WithSecurityHeaders) {
  auto server = start();
  auto client = server->client();
  auto res = client.request("GET", "/healthz");
  ASSERT_TRUE(res.ok()) << res.error().to_string();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"status":"ok","database":"ok"})");
  EXPECT_EQ(res->headers.get("strict-transport-security"), "max-age=31536000; includeSubDomains");
  EXPECT_EQ(res->headers.get("x-content-type-options"), "nosniff");
  EXPECT_EQ(res->headers.get("referrer-policy"), "no-referrer");
  EXPECT_EQ(res->headers.get("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'");
  EXPECT_EQ(res->headers.get("cache-control"), "no-store");
  EXPECT_EQ(res->headers.get("x-request-id")->size(), 32u);
  EXPECT_FALSE(res->headers.has("server"));
}

// Regression: a port already in use crashed `serve` (SIGSEGV) instead of saying so.
TEST_F(ServerTest, APortInUseIsAClearErrorNotACrash) {
  auto first = start();
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = first->port();
  options.certificate = first->ca_file();
  options.private_key = first->ca_file().parent_path() / "key.pem";
  AccessLog log(nullptr);
  HttpServer second(options, router_, log);
  auto started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code(), "listen_failed");
  // The first one still answers.
  auto r = first->client().request("GET", "/healthz");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, VersionEndpoint) {
  auto server = start();
  auto client = server->client();
  auto res = client.request("GET", "/api/v1/version");
  ASSERT_TRUE(res.ok());
  auto v = boost::json::parse(res->body).as_object();
  EXPECT_EQ(v.at("name").as_string(), "hippocrate");
  EXPECT_EQ(v.at("api").as_string(), "v1");
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  auto server = start();
  auto client = server->client();
  for (int i = 0; i < 5; ++i) {
    auto res = client.request("GET", "/healthz");
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(ServerTest, UnknownRouteAndWrongMethodAreJsonErrors) {
  auto server = start();
  auto client = server->client();
  auto missing = client.request("GET", "/api/v1/nothing-here");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, R"({"error":{"code":"not_found","message":"no such resource"}})");
  auto wrong = client.request("DELETE", "/healthz");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers.get("allow"), "GET");
}

TEST_F(ServerTest, MalformedJsonIs400AndWrongMediaTypeIs415) {
  auto server = start();
  auto client = server->client();
  auto ok = client.request("POST", "/api/v1/test/echo", R"({"a":1})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, R"({"a":1})");
  auto bad = client.request("POST", "/api/v1/test/echo", R"({"a":)");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("\"code\":\"malformed_json\""), std::string::npos);
  auto deep =
      client.request("POST", "/api/v1/test/echo", std::string(100, '[') + std::string(100, ']'));
  EXPECT_EQ(deep->status, 400);
  auto media = client.request("POST", "/api/v1/test/echo", "a=1",
                              {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(media->status, 415);
  EXPECT_NE(media->body.find("unsupported_media_type"), std::string::npos);
}

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  ServerOptions o;
  o.body_limit = 4096;
  auto server = start(o);
  auto client = server->client();
  auto res = client.request("POST", "/api/v1/test/echo", std::string(8192, 'x'));
  ASSERT_TRUE(res.ok()) << res.error().to_string();
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find("\"code\":\"payload_too_large\""), std::string::npos);
  // A declared length over the limit is refused from the headers alone.
  RawTls raw(server->port(), server->ca_file());
  raw.write(
      "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 100000000\r\n\r\n");
  bool closed = false;
  auto reply = raw.read_until_close(5s, &closed);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply;
  EXPECT_TRUE(closed);
}

TEST_F(ServerTest, HeadersOverTheLimitAre431) {
  auto server = start();
  auto client = server->client();
  auto res = client.request("GET", "/healthz", {}, {{"x-filler", std::string(32 * 1024, 'a')}});
  ASSERT_TRUE(res.ok()) << res.error().to_string();
  EXPECT_EQ(res->status, 431);
  EXPECT_NE(res->body.find("\"code\":\"headers_too_large\""), std::string::npos);
}

TEST_F(ServerTest, MalformedHttpIs400) {
  auto server = start();
  RawTls raw(server->port(), server->ca_file());
  raw.write("GET /healthz HTTP/1.1\r\nHost x\r\n\r\n");  // header without a colon
  bool closed = false;
  auto reply = raw.read_until_close(5s, &closed);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
  EXPECT_NE(reply.find("malformed_request"), std::string::npos);
  EXPECT_TRUE(closed);
}

TEST_F(ServerTest, IdleClientIsDisconnected) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  auto server = start(o);
  RawTls raw(server->port(), server->ca_file());
  bool closed = false;
  raw.read_until_close(10s, &closed);  // sends nothing
  EXPECT_TRUE(closed);
}

TEST_F(ServerTest, SlowClientIsDisconnected) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  o.request_timeout = 300ms;
  o.header_timeout = 300ms;
  auto server = start(o);
  RawTls raw(server->port(), server->ca_file());
  raw.write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");  // then stalls
  bool closed = false;
  auto reply = raw.read_until_close(10s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(reply.find("200 OK"), std::string::npos);
}

// A client sending one header line now and then is cut at the header deadline, long before
// the idle timeout it was able to stretch its header over.
TEST_F(ServerTest, SlowHeaderClientIsCutAtTheHeaderDeadline) {
  ServerOptions o;
  o.idle_timeout = 60s;
  o.request_timeout = 60s;
  o.header_timeout = 300ms;
  auto server = start(o);
  RawTls raw(server->port(), server->ca_file());
  raw.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  bool closed = false;
  std::string reply;
  int lines = 0;
  // At most 200 lines, one per 50 ms (10 s): the header would never end.
  for (; lines < 200 && !closed; ++lines) {
    raw.write("X-Slow-" + std::to_string(lines) + ": a\r\n");
    reply += raw.read_until_close(50ms, &closed);
  }
  EXPECT_TRUE(closed) << "still open after " << lines << " header lines";
  EXPECT_LT(lines, 200);
  EXPECT_EQ(reply.find("200 OK"), std::string::npos);
}

// A keep-alive connection may wait for its next request for the idle timeout: the header
// deadline starts with the request's first byte, not before.
TEST_F(ServerTest, HeaderDeadlineStartsAtTheRequestsFirstByte) {
  ServerOptions o;
  o.header_timeout = 200ms;
  o.idle_timeout = 60s;
  auto server = start(o);
  RawTls raw(server->port(), server->ca_file());
  bool closed = false;
  raw.read_until_close(600ms, &closed);  // idle, longer than the header deadline
  ASSERT_FALSE(closed);
  raw.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto reply = raw.read_until_close(5s, &closed);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
}

// RFC 9112 §6.1, §6.3, §3.2: a request whose length or host is ambiguous gets one 400 and
// the connection closes, so the bytes after it (here a second request, smuggled in what a
// front proxy would take for its body) are never answered.
TEST_F(ServerTest, AmbiguousFramingIsOne400AndTheConnectionCloses) {
  auto server = start();
  const std::string smuggled = "GET /api/v1/version HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string body = R"({"a":1})";
  struct Case {
    const char* what;
    std::string request;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"Transfer-Encoding: identity",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n" + smuggled,
       "invalid_framing"},
      {"Transfer-Encoding: chunked, identity",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n" +
           smuggled,
       "invalid_framing"},
      {"Transfer-Encoding: gzip, chunked",
       "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: gzip, chunked\r\n\r\n7\r\n" +
           body + "\r\n0\r\n\r\n" + smuggled,
       "invalid_framing"},
      {"two Transfer-Encoding fields",
       "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n" +
           body + "\r\n0\r\n\r\n" + smuggled,
       "invalid_framing"},
      {"xchunked then Content-Length",
       "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: xchunked\r\nContent-Length: 7\r\n\r\n" +
           body + smuggled,
       "invalid_framing"},
      {"chunked then Content-Length",
       "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n7\r\n" +
           body + "\r\n0\r\n\r\n" + smuggled,
       "invalid_framing"},
      {"Content-Length then chunked",
       "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n" +
           body + "\r\n0\r\n\r\n" + smuggled,
       "invalid_framing"},
      {"Transfer-Encoding in HTTP/1.0",
       "POST /api/v1/test/echo HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n" +
           body + "\r\n0\r\n\r\n" + smuggled,
       "invalid_framing"},
      {"two equal Content-Length fields",
       "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 7\r\nContent-Length: 7\r\n\r\n" +
           body + smuggled,
       "invalid_framing"},
      {"a Content-Length list",
       "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 7, 7\r\n\r\n" +
           body + smuggled,
       "invalid_framing"},
      {"conflicting Content-Length fields",
       "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 7\r\nContent-Length: 8\r\n\r\n" +
           body + smuggled,
       "invalid_framing"},
      {"no Host", "GET /healthz HTTP/1.1\r\n\r\n" + smuggled, "invalid_host"},
      {"two Host fields", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n" + smuggled,
       "invalid_host"},
      {"an empty Host", "GET /healthz HTTP/1.1\r\nHost:\r\n\r\n" + smuggled, "invalid_host"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    RawTls raw(server->port(), server->ca_file());
    ASSERT_TRUE(raw.write(c.request));
    bool closed = false;
    const std::string reply = raw.read_until_close(5s, &closed);
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
    EXPECT_NE(reply.find(std::string("\"code\":\"") + c.code + "\""), std::string::npos) << reply;
    std::size_t responses = 0;
    for (auto at = reply.find("HTTP/1.1 "); at != std::string::npos;
         at = reply.find("HTTP/1.1 ", at + 1)) {
      ++responses;
    }
    EXPECT_EQ(responses, 1u) << reply;
    EXPECT_TRUE(closed);
  }
  // Well-framed requests still pass: chunked alone, HTTP/1.0 without Host.
  RawTls chunked(server->port(), server->ca_file());
  chunked.write(
      "POST /api/v1/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n7\r\n" +
      body + "\r\n0\r\n\r\n");
  bool closed = false;
  auto ok = chunked.read_until_close(5s, &closed);
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 200")) << ok;
  RawTls old(server->port(), server->ca_file());
  old.write("GET /healthz HTTP/1.0\r\n\r\n");
  auto ok10 = old.read_until_close(5s, &closed);
  EXPECT_TRUE(ok10.starts_with("HTTP/1.0 200")) << ok10;
}

// server.max_connections_per_address: the N+1th connection from one address is closed at
// once while N are open, and accepted again once one of them has closed.
TEST_F(ServerTest, ConnectionsPerAddressAreCapped) {
  ServerOptions o;
  o.max_connections_per_address = 3;
  auto server = start(o);
  std::vector<std::unique_ptr<RawTls>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<RawTls>(server->port(), server->ca_file()));
  }
  EXPECT_THROW(RawTls(server->port(), server->ca_file()), std::runtime_error);
  // The 3 still work.
  for (auto& c : open) {
    ASSERT_TRUE(c->write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_TRUE(c->read_some(5s).starts_with("HTTP/1.1 200"));
  }
  open.front()->shutdown();
  open.erase(open.begin());
  // Once the server has seen the close, there is room for one more (bounded wait).
  std::unique_ptr<RawTls> again;
  for (int i = 0; i < 250 && !again; ++i) {
    try {
      again = std::make_unique<RawTls>(server->port(), server->ca_file());
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(20ms);
    }
  }
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(again->read_some(5s).starts_with("HTTP/1.1 200"));
  EXPECT_THROW(RawTls(server->port(), server->ca_file()), std::runtime_error);
}

// reload_tls() (SIGHUP in `serve`): new connections get the certificate now on disk, open
// ones keep theirs and keep working; files that are refused leave the current one in place.
TEST_F(ServerTest, ReloadTlsServesTheNewCertificateToNewConnections) {
  auto server = start();
  const auto cert = server->ca_file();
  const auto key = cert.parent_path() / "key.pem";
  const std::string first = testing::certificate_file_sha256(cert);
  RawTls before(server->port(), cert);
  EXPECT_EQ(before.peer_certificate_sha256(), first);

  testing::TempDir other;
  auto renewed = ensure_self_signed_certificate(other.path() / "tls");
  ASSERT_TRUE(renewed.ok());
  const std::string second = testing::certificate_file_sha256(renewed->certificate);
  ASSERT_NE(first, second);
  // Replaced in place, as a renewal does (the key keeps its 0600 file).
  std::filesystem::copy_file(renewed->certificate, cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed->private_key, key,
                             std::filesystem::copy_options::overwrite_existing);
  auto reloaded = server->server().reload_tls();
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().to_string();

  RawTls after(server->port(), cert);
  EXPECT_EQ(after.peer_certificate_sha256(), second);
  ASSERT_TRUE(before.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(before.read_some(5s).starts_with("HTTP/1.1 200"));

  // A broken certificate file is refused; the renewed certificate stays in use.
  const auto saved = other.path() / "saved.pem";
  std::filesystem::copy_file(cert, saved);
  { std::ofstream(cert, std::ios::trunc) << "not a certificate\n"; }
  auto broken = server->server().reload_tls();
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code(), "tls_certificate_unreadable");
  RawTls still(server->port(), saved);
  EXPECT_EQ(still.peer_certificate_sha256(), second);
  ASSERT_TRUE(still.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(still.read_some(5s).starts_with("HTTP/1.1 200"));
}

TEST_F(ServerTest, AccessLogHasRouteTemplateAndNoSecrets) {
  auto server = start();
  auto client = server->client();
  auto res = client.request("GET", "/api/v1/test/items/patient-4242?token=QUERYSECRET", {},
                            {{"authorization", "Bearer AUTHSECRET"}, {"cookie", "s=COOKIESECRET"}});
  ASSERT_TRUE(res.ok());
  server->stop();
  const std::string log = server->access_log();
  EXPECT_NE(log.find(R"("route":"/api/v1/test/items/{id}")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("status":200)"), std::string::npos);
  EXPECT_NE(log.find(R"("method":"GET")"), std::string::npos);
  EXPECT_NE(log.find(std::string(*res->headers.get("x-request-id"))), std::string::npos);
  for (const char* secret : {"patient-4242", "QUERYSECRET", "AUTHSECRET", "COOKIESECRET"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
  auto line = log.substr(0, log.find('\n'));
  auto entry = boost::json::parse(line).as_object();
  EXPECT_TRUE(entry.contains("time"));
  EXPECT_TRUE(entry.at("time").as_string().ends_with("Z"));
  EXPECT_TRUE(entry.at("duration_us").is_int64());
}

TEST_F(ServerTest, GracefulShutdownFinishesInFlightAndRefusesNew) {
  auto server = start();
  std::promise<Result<client::ClientResponse>> done;
  std::thread in_flight([&] {
    auto client = server->client();
    done.set_value(client.request("GET", "/api/v1/test/slow"));
  });
  slow_entered_.get_future().wait();
  std::thread stopper([&] { server->stop(); });
  // The listener closes while the request is still running...
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    refused = !testing::tcp_connects(server->port());
    if (!refused) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(refused);
  // ...and the request in flight still gets its full answer.
  release_promise_.set_value();
  auto res = done.get_future().get();
  in_flight.join();
  stopper.join();
  ASSERT_TRUE(res.ok()) << res.error().to_string();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"slow":"done"})");
  EXPECT_EQ(res->headers.get("connection"), "close");
}

TEST_F(ServerTest, WebSocketEchoesTextAndBinary) {
  auto server = start();
  auto ws = client::WebSocketClient::connect(server->client_options(), "/api/v1/test/ws");
  ASSERT_TRUE(ws.ok()) << ws.error().to_string();
  ASSERT_TRUE(ws->send("hello", false).ok());
  auto m1 = ws->receive(5s);
  ASSERT_TRUE(m1.ok()) << m1.error().to_string();
  EXPECT_EQ(m1->data, "hello");
  EXPECT_FALSE(m1->binary);
  const std::string bytes("\x00\x01\xff", 3);
  ASSERT_TRUE(ws->send(bytes, true).ok());
  auto m2 = ws->receive(5s);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->data, bytes);
  EXPECT_TRUE(m2->binary);
  EXPECT_TRUE(ws->close().ok());
}

TEST_F(ServerTest, WebSocketUpgradeOnPlainRouteIsRefused) {
  auto server = start();
  auto ws = client::WebSocketClient::connect(server->client_options(), "/healthz");
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.error().code(), "upgrade_refused");
}

TEST_F(ServerTest, ShutdownClosesWebSocketsNormally) {
  auto server = start();
  auto ws = client::WebSocketClient::connect(server->client_options(), "/api/v1/test/ws");
  ASSERT_TRUE(ws.ok());
  std::thread stopper([&] { server->stop(); });
  auto m = ws->receive(10s);
  stopper.join();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), "connection_closed");
}

TEST_F(ServerTest, UntrustedCertificateIsRejectedByTheClient) {
  auto server = start();
  testing::TempDir other;
  auto other_cert = ensure_self_signed_certificate(other.path() / "tls");
  auto options = server->client_options();
  options.ca_file = other_cert->certificate;
  client::HttpsClient client(options);
  auto res = client.request("GET", "/healthz");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), "tls_failed");
}

}  // namespace
}  // namespace hippocrate::server
