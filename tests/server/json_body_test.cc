// parse_json_object / parse_json_body (src/server/json_body.h): a body is read one way only —
// duplicate names at any depth and fields a route does not declare are refused, with the
// name — and every block the parse allocated is wiped before it is freed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "server/json_body.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;

constexpr JsonField kEnvelope[] = {"device_id", "ciphertext"};
constexpr JsonField kSend[] = {"message_id", "recipient", {"envelopes", kEnvelope}};
constexpr JsonField kLogin[] = {"email", "password", "totp_code"};

// The code of the refusal, or "ok".
std::string outcome(std::string_view text, std::span<const JsonField> accepted = kSend) {
  auto r = parse_json_object(text, accepted);
  return r.ok() ? "ok" : r.error().code();
}
std::string message_of(std::string_view text, std::span<const JsonField> accepted = kSend) {
  auto r = parse_json_object(text, accepted);
  return r.ok() ? "" : r.error().message();
}

TEST(JsonBody, AcceptsTheDeclaredFieldsAndKeepsTheValues) {
  auto r = parse_json_object(
      R"({"message_id":"m","envelopes":[{"device_id":"d","ciphertext":"c"},{"device_id":"e"}],)"
      R"("recipient":null})",
      kSend);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->at("message_id").as_string(), "m");
  EXPECT_EQ(r->at("envelopes").at(1).at("device_id").as_string(), "e");
  EXPECT_TRUE(r->at("recipient").is_null());
  EXPECT_EQ(outcome("{}"), "ok");
  EXPECT_EQ(outcome(" {} \n"), "ok");
  // A declared field of another type is the route's to refuse (invalid_field).
  EXPECT_EQ(outcome(R"({"envelopes":"x","recipient":{"any":1}})"), "ok");
}

TEST(JsonBody, RefusesADuplicateNameAtTheTopLevel) {
  // Boost.JSON (like many parsers) keeps the last: another reader may keep the first.
  EXPECT_EQ(outcome(R"({"email":"a@b.c","password":"x","password":"y"})", kLogin),
            "duplicate_field");
  EXPECT_EQ(message_of(R"({"email":"a@b.c","password":"x","password":"y"})", kLogin),
            "the field 'password' appears more than once");
  EXPECT_EQ(outcome(R"({"email":1,"email":1})", kLogin), "duplicate_field");
  // Names are compared after unescaping: "\u0065mail" is "email".
  EXPECT_EQ(outcome(R"({"email":"a","\u0065mail":"b"})", kLogin), "duplicate_field");
  EXPECT_EQ(message_of(R"({"email":"a","\u0065mail":"b"})", kLogin),
            "the field 'email' appears more than once");
}

TEST(JsonBody, RefusesADuplicateNameAtAnyDepthAndNamesItsPath) {
  EXPECT_EQ(message_of(R"({"envelopes":[{"device_id":"d"},)"
                       R"({"device_id":"a","ciphertext":"1","ciphertext":"2"}]})"),
            "the field 'envelopes[1].ciphertext' appears more than once");
  // Also inside values no route reads as objects (refused whatever the shape).
  EXPECT_EQ(outcome(R"({"recipient":{"a":{"b":[1,{"c":1,"c":2}]}}})"), "duplicate_field");
  EXPECT_EQ(message_of(R"({"recipient":{"a":{"b":[1,{"c":1,"c":2}]}}})"),
            "the field 'recipient.a.b[1].c' appears more than once");
  // The first repeat in document order is named.
  EXPECT_EQ(message_of(R"({"z":1,"b":1,"z":2,"b":2})", kLogin),
            "the field 'z' appears more than once");
  // The same name in sibling objects is no duplicate.
  EXPECT_EQ(outcome(R"({"envelopes":[{"device_id":"a"},{"device_id":"b"}]})"), "ok");
  EXPECT_EQ(outcome(R"({"recipient":{"message_id":1},"message_id":2})"), "ok");
}

TEST(JsonBody, ADuplicateIsFoundAmongManyNames) {
  // Many names in one object (sorted once when it ends, not compared pairwise).
  std::string text = "{\"recipient\":{";
  for (int i = 0; i < 10000; ++i) {
    text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  }
  text += "\"k1234\":0}}";
  EXPECT_EQ(message_of(text), "the field 'recipient.k1234' appears more than once");
  text.replace(text.rfind("k1234"), 5, "k_last");
  EXPECT_EQ(outcome(text), "ok");
}

TEST(JsonBody, ANameSplitByTheParserIsStillCompared) {
  // A long name with escapes reaches the handler in parts (the parser's buffer is 4 KiB).
  const std::string long_name(6000, 'n');
  const std::string escaped = "\\u006e" + std::string(5999, 'n');
  EXPECT_EQ(outcome("{\"recipient\":{\"" + long_name + "\":1,\"" + escaped + "\":2}}"),
            "duplicate_field");
  EXPECT_EQ(message_of("{\"recipient\":{\"" + long_name + "\":1,\"" + escaped + "\":2}}"),
            "the field 'recipient.(a name of 6000 bytes)' appears more than once");
  EXPECT_EQ(outcome("{\"recipient\":{\"" + long_name + "\":1,\"" + escaped + "x\":2}}"), "ok");
}

TEST(JsonBody, RefusesAFieldTheShapeDoesNotDeclare) {
  EXPECT_EQ(outcome(R"({"email":"a@b.c","password":"x","remember_me":true})", kLogin),
            "unknown_field");
  EXPECT_EQ(message_of(R"({"email":"a@b.c","password":"x","remember_me":true})", kLogin),
            "the field 'remember_me' is not accepted here");
  // Nested, where the route declares the objects' fields.
  EXPECT_EQ(message_of(R"({"envelopes":[{"device_id":"d"},{"device_id":"d","padding":"p"}]})"),
            "the field 'envelopes[1].padding' is not accepted here");
  // Names are compared exactly (case, escapes resolved).
  EXPECT_EQ(outcome(R"({"Email":"a"})", kLogin), "unknown_field");
  EXPECT_EQ(outcome(R"({"\u0065mail":"a"})", kLogin), "ok");
  // Nothing is accepted where nothing is declared.
  EXPECT_EQ(outcome(R"({"a":1})", {}), "unknown_field");
  EXPECT_EQ(outcome("{}", {}), "ok");
}

TEST(JsonBody, NamesThatCannotBeEchoedAreDescribed) {
  EXPECT_EQ(message_of("{\"a\\u0007b\":1}", kLogin),
            "the field '(a name of 3 bytes)' is not accepted here");
  EXPECT_EQ(message_of("{\"" + std::string(65, 'x') + "\":1}", kLogin),
            "the field '(a name of 65 bytes)' is not accepted here");
  EXPECT_EQ(message_of("{\"\xc3\xa9\":1}", kLogin),
            "the field '(a name of 2 bytes)' is not accepted here");
}

TEST(JsonBody, OnlyAnObjectOfValidJsonIsABody) {
  for (const char* text : {"", " ", "[]", "[{}]", "\"x\"", "1", "-1", "null", "true", "{",
                           R"({"email":})", R"({"email":"a"} x)", R"({"email":"a"}{})",
                           R"({"email":"a",})", R"({"email":"a"/*c*/})", "{\"email\":\"\xff\"}"}) {
    EXPECT_EQ(outcome(text, kLogin), "malformed_json") << text;
  }
  EXPECT_EQ(outcome(std::string(31, '[') + std::string(31, ']')), "malformed_json");
  // 32 levels at most.
  std::string deep = "{\"recipient\":";
  for (int i = 0; i < 30; ++i) deep += "[";
  deep += "1";
  for (int i = 0; i < 30; ++i) deep += "]";
  EXPECT_EQ(outcome(deep + "}"), "ok");
  EXPECT_EQ(outcome("{\"recipient\":[" + deep + "}]}"), "malformed_json");
}

// Records what comes back to it: the parse must have wiped every block before.
class RecordingResource final : public json::memory_resource {
 public:
  std::vector<std::string> freed;
  std::size_t live = 0;

 private:
  // As the new-delete resource does: the aligned forms only past the default alignment,
  // the same form on both sides (ASan checks the pair).
  static constexpr bool over_aligned(std::size_t align) {
    return align > __STDCPP_DEFAULT_NEW_ALIGNMENT__;
  }
  void* do_allocate(std::size_t n, std::size_t align) override {
    ++live;
    return over_aligned(align) ? ::operator new(n, std::align_val_t(align)) : ::operator new(n);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    freed.emplace_back(static_cast<const char*>(p), n);
    --live;
    if (over_aligned(align)) {
      ::operator delete(p, n, std::align_val_t(align));
    } else {
      ::operator delete(p, n);
    }
  }
  bool do_is_equal(const json::memory_resource& other) const noexcept override {
    return this == &other;
  }
};

bool holds(const std::vector<std::string>& blocks, std::string_view secret) {
  for (const auto& b : blocks) {
    if (b.find(secret) != std::string::npos) return true;
  }
  return false;
}

TEST(JsonBody, ARefusedBodyIsWipedBeforeItsMemoryIsFreed) {
  const std::string secret = "Tr0ub4dor&3-horse-battery-staple-a-long-one";
  const std::string escaped = "Tr0ub4dor\\u0026" + secret.substr(10);  // built in parts
  for (const std::string& text :
       {R"({"email":"a@b.c","password":")" + secret + R"(","password":"x"})",
        R"({"email":"a@b.c","password":")" + escaped + R"(","email":"x"})",
        R"({"email":"a@b.c","password":")" + secret + R"(","remember_me":true})",
        R"({"email":"a@b.c","password":")" + secret + R"(",)"}) {
    RecordingResource upstream;
    EXPECT_FALSE(parse_json_object(text, kLogin, &upstream).ok()) << text;
    EXPECT_EQ(upstream.live, 0u);
    EXPECT_FALSE(upstream.freed.empty());
    EXPECT_FALSE(holds(upstream.freed, secret)) << text;
    EXPECT_FALSE(holds(upstream.freed, "horse-battery")) << text;
  }
  // An accepted body too, once the route is done with it.
  RecordingResource upstream;
  {
    auto r =
        parse_json_object(R"({"email":"a@b.c","password":")" + secret + "\"}", kLogin, &upstream);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->at("password").as_string(), secret);
  }
  EXPECT_EQ(upstream.live, 0u);
  EXPECT_FALSE(holds(upstream.freed, secret));
}

TEST(JsonBody, TheBodyMustBeDeclaredAsJson) {
  HttpRequest request;
  request.body = R"({"email":"a"})";
  EXPECT_EQ(parse_json_body(request, {"email"}).error().code(), "unsupported_media_type");
  request.headers.set("content-type", "text/plain");
  EXPECT_EQ(parse_json_body(request, {"email"}).error().code(), "unsupported_media_type");
  request.headers.set("content-type", "application/json; charset=utf-8");
  EXPECT_TRUE(parse_json_body(request, {"email"}).ok());
  EXPECT_EQ(parse_json_body(request, {"password"}).error().code(), "unknown_field");
}

}  // namespace
}  // namespace hippocrate::server
