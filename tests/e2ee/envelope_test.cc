// Envelope and plaintext encodings (docs/protocol.md §5): strict, canonical, bounded.
#include <gtest/gtest.h>

#include "e2ee/envelope.h"
#include "e2ee/message_content.h"
#include "e2ee_test_util.h"
#include "support/result_matchers.h"

namespace hippocrate::e2ee::testing {
namespace {

Envelope sample(bool prekey, bool one_time) {
  Envelope e;
  if (prekey) {
    PrekeyFields p;
    p.sender_signing_key.fill(1);
    p.sender_dh_key.fill(2);
    p.ephemeral_key.fill(3);
    p.signed_prekey_id = 7;
    if (one_time) p.one_time_prekey_id = 42;
    e.prekey = p;
  }
  e.header.dh.fill(4);
  e.header.pn = 3;
  e.header.n = 9;
  e.ciphertext = Bytes(80, 0xAB);
  return e;
}

TEST(Envelope, RoundTripsEveryShape) {
  for (auto [prekey, one_time] : {std::pair{false, false}, {true, false}, {true, true}}) {
    const Envelope e = sample(prekey, one_time);
    const Bytes bytes = encode_envelope(e);
    auto d = decode_envelope(bytes);
    ASSERT_OK(d);
    EXPECT_EQ(d->prekey, e.prekey);
    EXPECT_EQ(d->header, e.header);
    EXPECT_EQ(d->ciphertext, e.ciphertext);
    EXPECT_EQ(encode_envelope(*d), bytes);
    const std::size_t prefix = prekey ? (one_time ? 2 + 105 + 40 : 2 + 101 + 40) : 2 + 40;
    EXPECT_EQ(bytes.size(), prefix + 4 + 80);
    EXPECT_EQ(encode_envelope_prefix(e.prekey, e.header),
              Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(prefix)));
  }
}

TEST(Envelope, UnknownVersionHasAStableCode) {
  Bytes bytes = encode_envelope(sample(false, false));
  for (std::uint8_t v : {0x00, 0x02, 0xFF}) {
    bytes[0] = v;
    EXPECT_ERROR_CODE(decode_envelope(bytes), "e2ee_unknown_version");
  }
}

TEST(Envelope, StructuralErrorsAreMalformed) {
  const Bytes good = encode_envelope(sample(true, true));
  Bytes bad_type = good;
  bad_type[1] = 0x03;
  EXPECT_ERROR_CODE(decode_envelope(bad_type), "e2ee_malformed");
  Bytes bad_flag = good;
  bad_flag[2 + 96 + 4] = 0x02;
  EXPECT_ERROR_CODE(decode_envelope(bad_flag), "e2ee_malformed");
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{50}, good.size() - 1}) {
    SCOPED_TRACE(len);
    EXPECT_ERROR_CODE(decode_envelope(std::span(good).first(len)), "e2ee_malformed");
  }
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_ERROR_CODE(decode_envelope(trailing), "e2ee_malformed");
  Envelope tiny = sample(false, false);
  tiny.ciphertext = Bytes(15, 0);  // shorter than a tag
  EXPECT_ERROR_CODE(decode_envelope(encode_envelope(tiny)), "e2ee_malformed");
}

TEST(Envelope, SizeIsBounded) {
  Envelope big = sample(false, false);
  big.ciphertext = Bytes(kMaxCiphertextBytes, 0);
  EXPECT_OK(decode_envelope(encode_envelope(big)));
  big.ciphertext.push_back(0);
  EXPECT_ERROR_CODE(decode_envelope(encode_envelope(big)), "e2ee_malformed");
  EXPECT_ERROR_CODE(decode_envelope(Bytes(kMaxEnvelopeBytes + 1, 1)), "e2ee_too_large");
}

MessageContent sample_content(std::size_t body) {
  MessageContent c;
  c.message_id = random_id();
  c.sender_account_id = random_id();
  c.sender_device_id = random_id();
  c.sent_at_ms = 1'780'000'000'123;
  c.content_type = "text/plain; charset=utf-8";
  c.body = Bytes(body, 'x');
  return c;
}

TEST(MessageContent, RoundTripAndPaddingToSixtyFourBytes) {
  for (std::size_t body : {0, 1, 5, 63, 64, 200, 1000}) {
    const MessageContent c = sample_content(body);
    auto bytes = encode_content(c);
    ASSERT_OK(bytes);
    EXPECT_EQ(bytes->size() % kContentPaddingBlock, 0u) << body;
    auto d = decode_content(*bytes);
    ASSERT_OK(d);
    EXPECT_EQ(*d, c);
  }
}

TEST(MessageContent, RejectsBadInput) {
  MessageContent c = sample_content(10);
  c.content_type = "";
  EXPECT_ERROR_CODE(encode_content(c), "e2ee_malformed");
  c.content_type = "text/\x01";
  EXPECT_ERROR_CODE(encode_content(c), "e2ee_malformed");
  c = sample_content(kMaxBodyBytes + 1);
  EXPECT_ERROR_CODE(encode_content(c), "e2ee_too_large");
  Bytes bytes = *encode_content(sample_content(10));
  bytes.back() = 1;  // non-zero padding
  EXPECT_ERROR_CODE(decode_content(bytes), "e2ee_malformed");
  bytes = *encode_content(sample_content(10));
  bytes[0] = 2;
  EXPECT_ERROR_CODE(decode_content(bytes), "e2ee_unknown_version");
}

}  // namespace
}  // namespace hippocrate::e2ee::testing
