#include "crypto/secretstream.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/aead.h"
#include "crypto/random.h"
#include "test_util.h"

namespace hippocrate::crypto {
namespace {

using testing::fails_with;
using testing::is_ok;

struct Encrypted {
  Bytes header;
  std::vector<Bytes> chunks;
};

Encrypted encrypt(const SecretBytes& key, const std::vector<Bytes>& plaintext_chunks) {
  auto push = SecretStreamPush::create(key);
  EXPECT_TRUE(push.ok());
  Encrypted out;
  out.header.assign(push->header().begin(), push->header().end());
  for (std::size_t i = 0; i < plaintext_chunks.size(); ++i) {
    auto c = push->push(plaintext_chunks[i], i + 1 == plaintext_chunks.size());
    EXPECT_TRUE(c.ok());
    out.chunks.push_back(std::move(*c));
  }
  return out;
}

std::vector<Bytes> three_chunks() {
  return {random_bytes(64 * 1024), random_bytes(64 * 1024), to_bytes("tail")};
}

TEST(SecretStream, RoundTrip) {
  const SecretBytes key = aead_keygen();
  const auto plain = three_chunks();
  const Encrypted enc = encrypt(key, plain);
  ASSERT_EQ(enc.header.size(), kSecretStreamHeaderBytes);
  auto pull = SecretStreamPull::create(key, enc.header);
  ASSERT_TRUE(pull.ok());
  for (std::size_t i = 0; i < enc.chunks.size(); ++i) {
    EXPECT_EQ(enc.chunks[i].size(), plain[i].size() + kSecretStreamOverheadBytes);
    auto chunk = pull->pull(enc.chunks[i]);
    ASSERT_TRUE(is_ok(chunk));
    EXPECT_EQ(chunk->plaintext, plain[i]);
    EXPECT_EQ(chunk->final, i + 1 == enc.chunks.size());
  }
  EXPECT_TRUE(pull->finished());
  EXPECT_TRUE(is_ok(pull->finish()));
}

TEST(SecretStream, SingleEmptyFinalChunk) {
  const SecretBytes key = aead_keygen();
  const Encrypted enc = encrypt(key, {Bytes{}});
  auto pull = SecretStreamPull::create(key, enc.header);
  ASSERT_TRUE(pull.ok());
  auto chunk = pull->pull(enc.chunks[0]);
  ASSERT_TRUE(is_ok(chunk));
  EXPECT_TRUE(chunk->plaintext.empty());
  EXPECT_TRUE(chunk->final);
  EXPECT_TRUE(is_ok(pull->finish()));
}

TEST(SecretStream, TruncatedStreamIsDetected) {
  const SecretBytes key = aead_keygen();
  const Encrypted enc = encrypt(key, three_chunks());
  auto pull = SecretStreamPull::create(key, enc.header);
  ASSERT_TRUE(pull.ok());
  ASSERT_TRUE(pull->pull(enc.chunks[0]).ok());
  ASSERT_TRUE(pull->pull(enc.chunks[1]).ok());
  // The last chunk never arrives: every chunk so far was authentic, but the stream is not.
  EXPECT_FALSE(pull->finished());
  EXPECT_TRUE(fails_with(pull->finish(), "truncated_stream"));
}

TEST(SecretStream, ReorderedOrDroppedChunksAreDetected) {
  const SecretBytes key = aead_keygen();
  const Encrypted enc = encrypt(key, three_chunks());
  {
    auto pull = SecretStreamPull::create(key, enc.header);
    ASSERT_TRUE(pull.ok());
    EXPECT_TRUE(fails_with(pull->pull(enc.chunks[1]), "decryption_failed"));  // swapped
    // Poisoned: even the right chunk is now refused.
    EXPECT_TRUE(fails_with(pull->pull(enc.chunks[0]), "stream_failed"));
    EXPECT_TRUE(fails_with(pull->finish(), "stream_failed"));
  }
  {
    auto pull = SecretStreamPull::create(key, enc.header);
    ASSERT_TRUE(pull.ok());
    ASSERT_TRUE(pull->pull(enc.chunks[0]).ok());
    EXPECT_TRUE(fails_with(pull->pull(enc.chunks[2]), "decryption_failed"));  // dropped #1
  }
  {
    auto pull = SecretStreamPull::create(key, enc.header);
    ASSERT_TRUE(pull.ok());
    ASSERT_TRUE(pull->pull(enc.chunks[0]).ok());
    EXPECT_TRUE(fails_with(pull->pull(enc.chunks[0]), "decryption_failed"));  // replayed
  }
}

TEST(SecretStream, TamperedChunkHeaderKeyOrAdIsDetected) {
  const SecretBytes key = aead_keygen();
  const Encrypted enc = encrypt(key, {to_bytes("chunk one"), to_bytes("chunk two")});
  for (std::size_t i = 0; i < enc.chunks[0].size(); ++i) {
    Bytes bad = enc.chunks[0];
    bad[i] ^= 0x04;
    auto pull = SecretStreamPull::create(key, enc.header);
    ASSERT_TRUE(pull.ok());
    EXPECT_TRUE(fails_with(pull->pull(bad), "decryption_failed")) << "byte " << i;
  }
  Bytes bad_header = enc.header;
  bad_header[0] ^= 1;
  auto pull = SecretStreamPull::create(key, bad_header);
  ASSERT_TRUE(pull.ok());
  EXPECT_TRUE(fails_with(pull->pull(enc.chunks[0]), "decryption_failed"));

  auto wrong_key = SecretStreamPull::create(aead_keygen(), enc.header);
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_TRUE(fails_with(wrong_key->pull(enc.chunks[0]), "decryption_failed"));

  auto wrong_ad = SecretStreamPull::create(key, enc.header);
  ASSERT_TRUE(wrong_ad.ok());
  EXPECT_TRUE(fails_with(wrong_ad->pull(enc.chunks[0], to_bytes("x")), "decryption_failed"));

  auto too_short = SecretStreamPull::create(key, enc.header);
  ASSERT_TRUE(too_short.ok());
  EXPECT_TRUE(fails_with(too_short->pull(Bytes(16, 0)), "decryption_failed"));
}

TEST(SecretStream, AssociatedDataRoundTrip) {
  const SecretBytes key = aead_keygen();
  auto push = SecretStreamPush::create(key);
  ASSERT_TRUE(push.ok());
  auto c = push->push(to_bytes("x"), true, to_bytes("doc-id"));
  ASSERT_TRUE(c.ok());
  auto pull = SecretStreamPull::create(key, push->header());
  ASSERT_TRUE(pull.ok());
  auto chunk = pull->pull(*c, to_bytes("doc-id"));
  ASSERT_TRUE(is_ok(chunk));
  EXPECT_EQ(chunk->plaintext, to_bytes("x"));
}

TEST(SecretStream, DataAfterFinalAndPushAfterFinalAreRefused) {
  const SecretBytes key = aead_keygen();
  auto push = SecretStreamPush::create(key);
  ASSERT_TRUE(push.ok());
  auto last = push->push(to_bytes("end"), true);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(push->finished());
  EXPECT_TRUE(fails_with(push->push(to_bytes("more"), false), "stream_finished"));

  auto pull = SecretStreamPull::create(key, push->header());
  ASSERT_TRUE(pull.ok());
  ASSERT_TRUE(pull->pull(*last).ok());
  EXPECT_TRUE(fails_with(pull->pull(*last), "trailing_data"));
}

TEST(SecretStream, BadKeyOrHeaderLengths) {
  EXPECT_TRUE(
      fails_with(SecretStreamPush::create(SecretBytes::from(Bytes(16, 1))), "invalid_key_length"));
  EXPECT_TRUE(fails_with(SecretStreamPull::create(SecretBytes::from(Bytes(33, 1)), Bytes(24, 0)),
                         "invalid_key_length"));
  EXPECT_TRUE(fails_with(SecretStreamPull::create(aead_keygen(), Bytes(23, 0)), "invalid_header"));
}

TEST(SecretStream, MovedFromObjectsFailCleanly) {
  const SecretBytes key = aead_keygen();
  auto push = SecretStreamPush::create(key);
  ASSERT_TRUE(push.ok());
  SecretStreamPush moved = std::move(*push);
  EXPECT_TRUE(fails_with(push->push(to_bytes("x"), false), "stream_failed"));  // NOLINT
  EXPECT_TRUE(moved.push(to_bytes("x"), true).ok());
}

}  // namespace
}  // namespace hippocrate::crypto
