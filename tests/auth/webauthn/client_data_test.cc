// clientDataJSON (client_data.h): parsed as JSON — reordered and unknown members accepted,
// duplicates, wrong types and non-JSON refused — and each expectation refused by its step.
#include "auth/webauthn/client_data.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "support/result_matchers.h"

namespace hippocrate::auth::webauthn::testing {
namespace {

const Bytes kChallenge(32, 0x5a);
const std::string kChallengeText = base64url_encode(kChallenge);
const std::vector<std::string> kOrigins = {"https://example.org"};

Status check(const std::string& json, Ceremony ceremony = Ceremony::kAuthentication,
             const Bytes& challenge = kChallenge,
             const std::vector<std::string>& origins = kOrigins) {
  return verify_client_data(as_bytes(json), {ceremony, challenge, origins});
}

std::string get(const std::string& rest = ",\"crossOrigin\":false") {
  return "{\"type\":\"webauthn.get\",\"challenge\":\"" + kChallengeText +
         "\",\"origin\":\"https://example.org\"" + rest + "}";
}

TEST(ClientData, TheBrowsersSerialisationPasses) {
  EXPECT_OK(check(get()));
  EXPECT_OK(check(get("")));  // crossOrigin absent (Level 1 clients)
  EXPECT_OK(check("{\"type\":\"webauthn.create\",\"challenge\":\"" + kChallengeText +
                      "\",\"origin\":\"https://example.org\"}",
                  Ceremony::kRegistration));
}

TEST(ClientData, ParsedNotCompared) {
  // Reordered, whitespace, escapes, unknown members of any type (§5.8.1 "be tolerant").
  EXPECT_OK(
      check(" {\n \"origin\" : \"https:\\/\\/example.org\", \"other\": {\"a\": [1, 2.5, null]},"
            " \"type\": \"webauthn\\u002eget\", \"challenge\": \"" +
            kChallengeText +
            "\", \"extra_keys_may_be_added_here\": \"do not compare clientDataJSON against a "
            "template\", \"tokenBinding\": {\"status\": \"supported\"} } "));
  // A leading byte order mark is stripped (WHATWG "UTF-8 decode").
  EXPECT_OK(check("\xEF\xBB\xBF" + get()));
}

TEST(ClientData, NotJsonOrNotAnObjectIsMalformed) {
  for (const std::string& bad :
       {std::string(""), std::string("null"), std::string("[]"), std::string("\"webauthn.get\""),
        std::string("{"), get() + "x", get() + "{}", std::string("{\"type\":\"webauthn.get\",}"),
        std::string("{\"type\":'webauthn.get'}"), std::string("{/* */}"),
        std::string("{\"type\":\"webauthn.get\xff\"}"), std::string("{\"a\":\"\xed\xa0\x80\"}"),
        std::string("\xEF\xBB\xBF\xEF\xBB\xBF{}")}) {
    SCOPED_TRACE(bad);
    EXPECT_ERROR_CODE(check(bad), "webauthn_malformed");
  }
  EXPECT_ERROR_CODE(check(get(",\"pad\":\"" + std::string(kMaxClientDataJsonBytes, 'a') + "\"")),
                    "webauthn_malformed");
  std::string deep = "{\"a\":";
  for (int i = 0; i < 20; ++i) deep += "[";
  for (int i = 0; i < 20; ++i) deep += "]";
  EXPECT_ERROR_CODE(check(deep + "}"), "webauthn_malformed");
}

TEST(ClientData, RepeatedNamesAreRefusedAtAnyDepth) {
  // A second "origin" would be read differently by another parser (first vs last wins).
  EXPECT_ERROR_CODE(check(get(",\"origin\":\"https://evil.example\"")), "webauthn_malformed");
  EXPECT_ERROR_CODE(check(get(",\"type\":\"webauthn.get\"")), "webauthn_malformed");
  EXPECT_ERROR_CODE(check(get(",\"x\":{\"a\":1,\"a\":2}")), "webauthn_malformed");
  EXPECT_OK(check(get(",\"x\":{\"a\":1},\"y\":{\"a\":2}")));  // same name, different objects
}

TEST(ClientData, Type) {
  EXPECT_ERROR_CODE(check(get(), Ceremony::kRegistration), "webauthn_type");
  for (const std::string type : {"\"webauthn.create\"", "\"WEBAUTHN.GET\"", "\"webauthn.get \"",
                                 "\"payment.get\"", "\"\"", "1", "null", "[\"webauthn.get\"]"}) {
    SCOPED_TRACE(type);
    EXPECT_ERROR_CODE(check("{\"type\":" + type + ",\"challenge\":\"" + kChallengeText +
                            "\",\"origin\":\"https://example.org\"}"),
                      "webauthn_type");
  }
  EXPECT_ERROR_CODE(
      check("{\"challenge\":\"" + kChallengeText + "\",\"origin\":\"https://example.org\"}"),
      "webauthn_type");
}

TEST(ClientData, Challenge) {
  for (std::size_t i = 0; i < kChallenge.size(); ++i) {
    Bytes other = kChallenge;
    other[i] ^= 0x01;
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(check(get(), Ceremony::kAuthentication, other), "webauthn_challenge");
    }
  }
  // Too short to be the RP's (fewer than 16 bytes), even when it matches.
  const Bytes short_challenge(15, 0x5a);
  EXPECT_ERROR_CODE(
      check("{\"type\":\"webauthn.get\",\"challenge\":\"" + base64url_encode(short_challenge) +
                "\",\"origin\":\"https://example.org\"}",
            Ceremony::kAuthentication, short_challenge),
      "webauthn_challenge");
  // Padding, standard base64, a missing or non-string challenge.
  for (const std::string& value : {"\"" + kChallengeText + "=\"", "\"" + kChallengeText + "A\"",
                                   std::string("\"\""), std::string("42")}) {
    SCOPED_TRACE(value);
    EXPECT_ERROR_CODE(check("{\"type\":\"webauthn.get\",\"challenge\":" + value +
                            ",\"origin\":\"https://example.org\"}"),
                      "webauthn_challenge");
  }
}

TEST(ClientData, OriginIsAnExactMember) {
  for (const std::string origin :
       {"https://EXAMPLE.org", "https://example.org:443", "https://example.org/",
        "http://example.org", "https://sub.example.org", "https://example.org.evil.com",
        "https://evilexample.org", "https://exampleaorg.evil.com", "example.org", "null", ""}) {
    SCOPED_TRACE(origin);
    EXPECT_ERROR_CODE(check("{\"type\":\"webauthn.get\",\"challenge\":\"" + kChallengeText +
                            "\",\"origin\":\"" + origin + "\"}"),
                      "webauthn_origin");
  }
  EXPECT_ERROR_CODE(check(get(), Ceremony::kAuthentication, kChallenge, {}), "webauthn_origin");
  EXPECT_OK(check(get(), Ceremony::kAuthentication, kChallenge,
                  {"https://a.example", "https://example.org"}));
}

TEST(ClientData, CrossOriginAndTopOrigin) {
  EXPECT_ERROR_CODE(check(get(",\"crossOrigin\":true")), "webauthn_cross_origin");
  EXPECT_ERROR_CODE(check(get(",\"crossOrigin\":\"false\"")), "webauthn_cross_origin");
  EXPECT_ERROR_CODE(check(get(",\"crossOrigin\":0")), "webauthn_cross_origin");
  EXPECT_ERROR_CODE(check(get(",\"crossOrigin\":null")), "webauthn_cross_origin");
  EXPECT_ERROR_CODE(check(get(",\"crossOrigin\":true,\"topOrigin\":\"https://example.org\"")),
                    "webauthn_cross_origin");
  EXPECT_ERROR_CODE(check(get(",\"topOrigin\":\"https://example.com\"")), "webauthn_top_origin");
  EXPECT_ERROR_CODE(check(get(",\"topOrigin\":true")), "webauthn_top_origin");
  EXPECT_OK(check(get(",\"topOrigin\":\"https://example.org\"")));
}

TEST(ClientData, ParseKeepsTheMembers) {
  ASSERT_OK_AND_ASSIGN(auto c,
                       parse_client_data(as_bytes(get(",\"crossOrigin\":false,\"topOrigin\":7"))));
  EXPECT_EQ(c.type.kind, ClientDataMember::Kind::kString);
  EXPECT_EQ(c.type.text, "webauthn.get");
  EXPECT_EQ(c.cross_origin.kind, ClientDataMember::Kind::kBool);
  EXPECT_FALSE(c.cross_origin.boolean);
  EXPECT_EQ(c.top_origin.kind, ClientDataMember::Kind::kOther);
}

TEST(ClientData, MessagesHoldNoInput) {
  const std::string evil = "https://attacker.example";
  auto r = check("{\"type\":\"webauthn.get\",\"challenge\":\"" + kChallengeText +
                 "\",\"origin\":\"" + evil + "\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().find("attacker"), std::string::npos);
  auto c = check(get(), Ceremony::kAuthentication, Bytes(32, 1));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message().find(kChallengeText), std::string::npos);
}

}  // namespace
}  // namespace hippocrate::auth::webauthn::testing
