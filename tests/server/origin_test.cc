// server.allowed_origins over real TLS (server/allowed_origins.h, session_guard.h): a
// cookie-authenticated WebSocket upgrade needs an allowed Origin (a sibling origin of the
// same site would otherwise receive the user's pushed messages), a cookie-authenticated
// state-changing request must not carry a foreign Origin, and bearer requests (the CLI)
// are not concerned. Refusals are 403 "origin_not_allowed" and audited.
#include <gtest/gtest.h>

#include "deployment.h"
#include "server/allowed_origins.h"
#include "server/session_guard.h"
#include "support/raw_tls.h"

namespace hippocrate::server {
namespace {

using namespace std::chrono_literals;
using testing::Deployment;
using testing::RawTls;

class SilentSocket : public WebSocketHandler {
 public:
  void on_open(std::shared_ptr<WebSocketConnection>) override {}
  void on_message(std::string, bool) override {}
  void on_close() override {}
};

constexpr const char* kAction = "account.read_self";  // every role, even before enrolment

void add_test_routes(Router& router, Deployment& d) {
  auth::AuthService& auth = *d.auth;
  // A WebSocket route behind the session guard, as the messaging socket is.
  WebSocketFactory factory =
      [&auth](const RequestContext& ctx) -> Result<std::shared_ptr<WebSocketHandler>> {
    bool opened = false;
    Route guard = session_route("GET", "/api/v1/test/socket", kAction, auth,
                                [&](const RequestContext&, const auth::SessionInfo&) {
                                  opened = true;
                                  return HttpResponse{101, {}, {}};
                                });
    HttpResponse response = guard.handler(ctx);
    if (opened) return std::shared_ptr<WebSocketHandler>(std::make_shared<SilentSocket>());
    const std::string code(boost::json::parse(response.body).at("error").at("code").as_string());
    if (response.status == 401) return Error::unauthenticated(code, "refused");
    return Error::permission_denied(code, "refused");
  };
  router.add(Route{"GET", "/api/v1/test/socket", kAction, {}, std::move(factory)});
  router.add(session_route("POST", "/api/v1/test/poke", kAction, auth,
                           [](const RequestContext&, const auth::SessionInfo&) {
                             return HttpResponse{200, {}, "poked"};
                           }));
}

class OriginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto boot = dep_.auth->bootstrap("Clinique", "admin@a.org");
    dep_.accept(boot->token.text.view(), "admin@a.org", "Admin");
    own_ = own_origin("127.0.0.1", dep_.server->port());
  }

  // The first response line (and headers) to `request` sent on a fresh connection.
  std::string send(const std::string& request) {
    RawTls raw(dep_.server->port(), dep_.server->ca_file());
    EXPECT_TRUE(raw.write(request));
    std::string reply;
    for (int i = 0; i < 50 && reply.find("\r\n\r\n") == std::string::npos; ++i) {
      reply += raw.read_some(200ms);
    }
    return reply;
  }

  std::string upgrade(const std::string& credentials, const std::string& origin) {
    return send(
        "GET /api/v1/test/socket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        credentials + (origin.empty() ? "" : "Origin: " + origin + "\r\n") + "\r\n");
  }

  std::string cookie() {
    auto l = dep_.login("admin@a.org");
    session_ = l.session;
    return "Cookie: " + std::string(kSessionCookie) + "=" + std::string(l.token.text.view()) +
           "\r\n";
  }
  std::string bearer() {
    auto l = dep_.login("admin@a.org");
    return "Authorization: Bearer " + std::string(l.token.text.view()) + "\r\n";
  }

  std::size_t refusals() {
    std::size_t n = 0;
    for (const auto& r : dep_.audit_records(kAction, "denied")) {
      n += r.record.detail == "origin_not_allowed" ? 1 : 0;
    }
    return n;
  }

  Deployment dep_{add_test_routes};
  std::string own_;
  auth::SessionInfo session_;
};

TEST_F(OriginTest, CookieUpgradeFromAForeignOriginIsRefusedAndAudited) {
  const std::string sibling =
      "https://evil.127.0.0.1.nip.io:" + std::to_string(dep_.server->port());
  for (const std::string& origin :
       {sibling, std::string("null"), std::string("http://127.0.0.1")}) {
    SCOPED_TRACE(origin);
    const auto before = refusals();
    auto reply = upgrade(cookie(), origin);
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 403")) << reply;
    EXPECT_NE(reply.find("origin_not_allowed"), std::string::npos) << reply;
    EXPECT_EQ(refusals(), before + 1);
  }
  // No Origin at all: a browser always sends one with a WebSocket handshake.
  auto none = upgrade(cookie(), "");
  EXPECT_TRUE(none.starts_with("HTTP/1.1 403")) << none;
  EXPECT_NE(none.find("origin_not_allowed"), std::string::npos) << none;
}

TEST_F(OriginTest, CookieUpgradeFromTheServersOwnOriginIsAccepted) {
  const std::string localhost = "https://localhost:" + std::to_string(dep_.server->port());
  ASSERT_EQ(dep_.server->server().allowed_origins(), (std::vector<std::string>{own_, localhost}));
  auto reply = upgrade(cookie(), own_);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 101")) << reply;
  // The name a local user types (and where passkeys work) is the server's own too.
  auto named = upgrade(cookie(), localhost);
  EXPECT_TRUE(named.starts_with("HTTP/1.1 101")) << named;
  // Origins compare in their serialized form: the host's case does not matter.
  auto upper = upgrade(cookie(), "HTTPS://127.0.0.1:" + std::to_string(dep_.server->port()));
  EXPECT_TRUE(upper.starts_with("HTTP/1.1 101")) << upper;
}

TEST_F(OriginTest, BearerUpgradeIsNotConcernedByOrigin) {
  EXPECT_TRUE(upgrade(bearer(), "https://elsewhere.example").starts_with("HTTP/1.1 101"));
  EXPECT_TRUE(upgrade(bearer(), "").starts_with("HTTP/1.1 101"));
}

TEST_F(OriginTest, CookieStateChangingRequestWithAForeignOriginIsRefused) {
  const std::string c = cookie();
  const std::string csrf = "X-CSRF-Token: " + dep_.auth->csrf_token(session_) + "\r\n";
  auto post = [&](const std::string& extra) {
    return send("POST /api/v1/test/poke HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n" + c +
                csrf + extra + "\r\n");
  };
  auto foreign = post("Origin: https://sibling.example.org\r\n");
  EXPECT_TRUE(foreign.starts_with("HTTP/1.1 403")) << foreign;
  EXPECT_NE(foreign.find("origin_not_allowed"), std::string::npos) << foreign;
  EXPECT_TRUE(post("Origin: " + own_ + "\r\n").starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(post("").starts_with("HTTP/1.1 200"));  // no Origin: the CSRF token decides
  // Bearer: no Origin check (nor CSRF token).
  EXPECT_TRUE(send("POST /api/v1/test/poke HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n" +
                   bearer() + "Origin: https://sibling.example.org\r\n\r\n")
                  .starts_with("HTTP/1.1 200"));
}

TEST(AllowedOrigins, NormalizedAndCompared) {
  EXPECT_EQ(*normalize_origin("HTTPS://Care.Example.org:443"), "https://care.example.org");
  EXPECT_EQ(*normalize_origin("https://[::1]:8443"), "https://[::1]:8443");
  EXPECT_EQ(*normalize_origin("https://care.example.org:8443"), "https://care.example.org:8443");
  for (const char* bad :
       {"http://care.example.org", "https://care.example.org/", "https://", "https://a@b",
        "https://host:0", "https://host:", "https://ho st", "null", "https://host:99999"}) {
    EXPECT_FALSE(normalize_origin(bad).ok()) << bad;
  }
  EXPECT_EQ(own_origin("0.0.0.0", 443), "https://127.0.0.1");
  EXPECT_EQ(own_origin("::1", 8443), "https://[::1]:8443");
  // Listening locally, https://localhost is allowed too (passkeys need a name); elsewhere not.
  EXPECT_EQ(default_origins("127.0.0.1", 8443),
            (std::vector<std::string>{"https://127.0.0.1:8443", "https://localhost:8443"}));
  EXPECT_EQ(default_origins("::", 443),
            (std::vector<std::string>{"https://[::1]", "https://localhost"}));
  EXPECT_EQ(default_origins("192.0.2.10", 8443),
            std::vector<std::string>{"https://192.0.2.10:8443"});
  const std::vector<std::string> allowed{"https://care.example.org"};
  EXPECT_TRUE(origin_allowed(allowed, "https://care.example.org"));
  EXPECT_TRUE(origin_allowed(allowed, "https://care.example.org:443"));
  EXPECT_FALSE(origin_allowed(allowed, "https://app.care.example.org"));
  EXPECT_FALSE(origin_allowed(allowed, "https://care.example.org:8443"));
  EXPECT_FALSE(origin_allowed(allowed, "null"));
}

}  // namespace
}  // namespace hippocrate::server
