// The one mapping between Errors and HTTP statuses (src/http/status.h), both ways: what the
// server answers (server/http_status.h) reads back, on the client side, as the same Error.
#include "server/http_status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/status.h"

namespace hippocrate::server {
namespace {

struct KindCase {
  ErrorKind kind;
  int status;
};
// docs/api.md "Errors".
const std::vector<KindCase> kKinds = {
    {ErrorKind::kInvalidArgument, 400},   {ErrorKind::kUnauthenticated, 401},
    {ErrorKind::kPermissionDenied, 403},  {ErrorKind::kNotFound, 404},
    {ErrorKind::kConflict, 409},          {ErrorKind::kFailedPrecondition, 409},
    {ErrorKind::kResourceExhausted, 429}, {ErrorKind::kUnavailable, 503},
    {ErrorKind::kInternal, 500},          {ErrorKind::kDataLoss, 500},
};

struct CodeCase {
  const char* code;
  ErrorKind kind;  // the kind the server raises it with
  int status;
};
const std::vector<CodeCase> kCodes = {
    {"payload_too_large", ErrorKind::kResourceExhausted, 413},
    {"headers_too_large", ErrorKind::kResourceExhausted, 431},
    {"unsupported_media_type", ErrorKind::kInvalidArgument, 415},
    {"method_not_allowed", ErrorKind::kInvalidArgument, 405},
    {"rate_limited", ErrorKind::kResourceExhausted, 429},
    {"request_timeout", ErrorKind::kUnavailable, 408},
};

TEST(HttpStatus, EveryKindHasItsStatus) {
  for (const auto& c : kKinds) {
    EXPECT_EQ(http::status_for(Error(c.kind, "some_code", "m")), c.status)
        << error_kind_name(c.kind);
  }
}

TEST(HttpStatus, SomeCodesHaveAMorePreciseStatus) {
  for (const auto& c : kCodes) {
    EXPECT_EQ(http::status_for(Error(c.kind, c.code, "m")), c.status) << c.code;
  }
}

TEST(HttpStatus, AnErrorResponseReadsBackAsTheSameError) {
  std::vector<Error> errors;
  for (const auto& c : kKinds) {
    // Two kinds share 409 and 500: a status comes back as the first one.
    if (c.kind == ErrorKind::kFailedPrecondition || c.kind == ErrorKind::kDataLoss) continue;
    errors.emplace_back(c.kind, "some_code", "plain words");
  }
  for (const auto& c : kCodes) errors.emplace_back(c.kind, c.code, "plain words");
  for (const Error& sent : errors) {
    const HttpResponse response = error_response(sent);
    const Error got = http::error_from_response(response.status, response.body);
    EXPECT_EQ(got.kind(), sent.kind()) << sent.to_string();
    EXPECT_EQ(got.code(), sent.code());
    EXPECT_EQ(got.message(), sent.message());
  }
}

TEST(HttpStatus, PayloadTooLargeIsAResourceLimit) {
  const HttpResponse response = error_response(
      Error::resource_exhausted("payload_too_large", "the request body is too large"));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(http::error_from_response(413, response.body).kind(), ErrorKind::kResourceExhausted);
  EXPECT_EQ(http::error_for_status(413, "x", "y").kind(), ErrorKind::kResourceExhausted);
}

TEST(HttpStatus, SharedStatusesComeBackAsTheirFirstKind) {
  EXPECT_EQ(http::error_for_status(409, "c", "m").kind(), ErrorKind::kConflict);
  EXPECT_EQ(http::error_for_status(500, "c", "m").kind(), ErrorKind::kInternal);
}

TEST(HttpStatus, AnAnswerWithoutAnErrorBodyIsNamedByItsStatus) {
  for (const std::string body : {"", "<html>bad gateway</html>", "[]", R"({"error":"x"})"}) {
    const Error got = http::error_from_response(502, body);
    EXPECT_EQ(got.kind(), ErrorKind::kInternal) << body;
    EXPECT_EQ(got.code(), "http_502");
    EXPECT_EQ(got.message(), "the server answered HTTP 502");
  }
  const Error partial = http::error_from_response(404, R"({"error":{"code":"no_such_thing"}})");
  EXPECT_EQ(partial.kind(), ErrorKind::kNotFound);
  EXPECT_EQ(partial.code(), "no_such_thing");
  EXPECT_EQ(partial.message(), "the server answered HTTP 404");
}

TEST(HttpStatus, ErrorResponsesAreJsonAndAskForBearerOn401) {
  const HttpResponse r = error_response(Error::unauthenticated("unauthenticated", "log in first"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.get("content-type"), "application/json");
  EXPECT_EQ(r.headers.get("www-authenticate"), "Bearer");
  EXPECT_EQ(r.body, R"({"error":{"code":"unauthenticated","message":"log in first"}})");
  EXPECT_FALSE(error_response(Error::not_found("not_found", "m")).headers.has("www-authenticate"));
}

}  // namespace
}  // namespace hippocrate::server
