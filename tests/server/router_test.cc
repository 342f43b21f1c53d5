#include "server/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hippocrate::server {
namespace {

Handler ok_handler() {
  return [](const RequestContext&) { return HttpResponse{}; };
}

TEST(Router, MatchesLiteralAndCapturedSegments) {
  Router r;
  r.add({"GET", "/api/v1/accounts/{id}", "accounts.read", ok_handler(), {}});
  r.add({"GET", "/api/v1/accounts/{id}/sessions/{sid}", "sessions.read", ok_handler(), {}});
  auto m = r.match("GET", "/api/v1/accounts/abc");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->route->path_template, "/api/v1/accounts/{id}");
  EXPECT_EQ(m->params.at("id"), "abc");
  auto m2 = r.match("GET", "/api/v1/accounts/a/sessions/b");
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->params.at("sid"), "b");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405) {
  Router r;
  r.add({"GET", "/healthz", std::string(kPublicAction), ok_handler(), {}});
  r.add({"POST", "/api/v1/items", "items.create", ok_handler(), {}});
  EXPECT_EQ(r.match("GET", "/nope").error().code(), "not_found");
  EXPECT_EQ(r.match("GET", "/healthz/extra").error().code(), "not_found");
  EXPECT_EQ(r.match("GET", "/api/v1/accounts/").error().code(), "not_found");
  EXPECT_EQ(r.match("DELETE", "/healthz").error().code(), "method_not_allowed");
  EXPECT_EQ(r.allowed_methods("/api/v1/items"), "POST");
}

TEST(Router, EmptyCaptureDoesNotMatch) {
  Router r;
  r.add({"GET", "/api/v1/accounts/{id}", "accounts.read", ok_handler(), {}});
  EXPECT_FALSE(r.match("GET", "/api/v1/accounts/").ok());
}

TEST(Router, RefusesRouteWithoutAction) {
  Router r;
  EXPECT_THROW(r.add({"GET", "/x", "", ok_handler(), {}}), std::logic_error);
  EXPECT_TRUE(r.routes().empty());
}

TEST(Router, RefusesMalformedAndDuplicateRoutes) {
  Router r;
  EXPECT_THROW(r.add({"GET", "x", "a", ok_handler(), {}}), std::logic_error);
  EXPECT_THROW(r.add({"GET", "/a//b", "a", ok_handler(), {}}), std::logic_error);
  EXPECT_THROW(r.add({"GET", "/a/{b", "a", ok_handler(), {}}), std::logic_error);
  EXPECT_THROW(r.add({"GET", "/a", "a", {}, {}}), std::logic_error);  // no handler
  r.add({"GET", "/a", "a", ok_handler(), {}});
  EXPECT_THROW(r.add({"GET", "/a", "b", ok_handler(), {}}), std::logic_error);
  EXPECT_EQ(r.routes().size(), 1u);
}

TEST(Router, WebSocketRoutesMustBeGet) {
  Router r;
  WebSocketFactory factory =
      [](const RequestContext&) -> Result<std::shared_ptr<WebSocketHandler>> {
    return Error::not_found("x", "x");
  };
  EXPECT_THROW(r.add({"POST", "/ws", "a", {}, factory}), std::logic_error);
  r.add({"GET", "/ws", "a", {}, factory});
  EXPECT_EQ(r.routes().size(), 1u);
}

}  // namespace
}  // namespace hippocrate::server
