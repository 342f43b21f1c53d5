#include "server/dispatcher.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hippocrate::server {
namespace {

HttpRequest get(std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.target = path;
  r.path = path;
  return r;
}

void expect_security_headers(const HttpResponse& res) {
  EXPECT_EQ(res.headers.get("strict-transport-security"), "max-age=31536000; includeSubDomains");
  EXPECT_EQ(res.headers.get("x-content-type-options"), "nosniff");
  EXPECT_EQ(res.headers.get("referrer-policy"), "no-referrer");
  EXPECT_EQ(res.headers.get("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'");
}

TEST(Dispatcher, AddsSecurityHeadersAndRequestIdToEveryResponse) {
  Router router;
  router.add({"GET",
              "/api/v1/thing",
              "public",
              [](const RequestContext&) {
                HttpResponse r;
                r.headers.set("cache-control", "max-age=3600");  // must be overridden
                r.body = "{}";
                return r;
              },
              {}});
  Dispatcher d(router);
  for (const char* path : {"/api/v1/thing", "/missing"}) {
    auto out = d.dispatch(get(path), "rid-1");
    expect_security_headers(out.response);
    EXPECT_EQ(out.response.headers.get("cache-control"), "no-store") << path;
    EXPECT_EQ(out.response.headers.get("x-request-id"), "rid-1");
  }
}

TEST(Dispatcher, ReportsRouteTemplateNotRawPath) {
  Router router;
  router.add({"GET",
              "/api/v1/items/{id}",
              "items.read",
              [](const RequestContext& ctx) {
                HttpResponse r;
                r.body = ctx.params.at("id");
                return r;
              },
              {}});
  Dispatcher d(router);
  auto out = d.dispatch(get("/api/v1/items/42"), "rid");
  EXPECT_EQ(out.route_template, "/api/v1/items/{id}");
  EXPECT_EQ(out.response.body, "42");
  EXPECT_EQ(d.dispatch(get("/api/v1/nothing"), "rid").route_template, "-");
}

TEST(Dispatcher, MethodNotAllowedCarriesAllow) {
  Router router;
  router.add({"POST",
              "/api/v1/items",
              "items.create",
              [](const RequestContext&) { return HttpResponse{}; },
              {}});
  Dispatcher d(router);
  auto out = d.dispatch(get("/api/v1/items"), "rid");
  EXPECT_EQ(out.response.status, 405);
  EXPECT_EQ(out.response.headers.get("allow"), "POST");
  EXPECT_NE(out.response.body.find("\"code\":\"method_not_allowed\""), std::string::npos);
}

TEST(Dispatcher, HandlerExceptionBecomesOpaque500) {
  Router router;
  router.add({"GET",
              "/api/v1/boom",
              "public",
              [](const RequestContext&) -> HttpResponse {
                throw std::runtime_error("SELECT secret FROM table at /srv/db");
              },
              {}});
  Dispatcher d(router);
  auto out = d.dispatch(get("/api/v1/boom"), "rid");
  EXPECT_EQ(out.response.status, 500);
  EXPECT_NE(out.response.body.find("internal_error"), std::string::npos);
  EXPECT_EQ(out.response.body.find("secret"), std::string::npos);
  EXPECT_EQ(out.response.body.find("/srv"), std::string::npos);
}

TEST(Dispatcher, WebSocketRouteWithoutUpgradeIs426) {
  Router router;
  router.add({"GET",
              "/api/v1/ws",
              "public",
              {},
              [](const RequestContext&) -> Result<std::shared_ptr<WebSocketHandler>> {
                return Error::internal("x", "x");
              }});
  Dispatcher d(router);
  EXPECT_EQ(d.dispatch(get("/api/v1/ws"), "rid").response.status, 426);
}

}  // namespace
}  // namespace hippocrate::server
