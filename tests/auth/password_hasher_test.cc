// PasswordHasher: HMAC-SHA-256 pre-hash with the pepper, then Argon2id (libsodium string).
#include "auth/password_hasher.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "auth/password_policy.h"
#include "crypto/random.h"

namespace hippocrate::auth {
namespace {

// Cheap parameters for tests that are not about the cost.
constexpr crypto::Argon2Params kFast{1, 8u * 1024u * 1024u};

SecretBytes pepper(std::uint8_t fill) {
  SecretBytes p(32);
  for (auto& b : p.span()) b = fill;
  return p;
}

SecretBytes pw(std::string_view text) { return SecretBytes::from(text); }

TEST(PasswordHasher, DefaultsAreAboveTheOwaspMinimum) {
  EXPECT_GE(kPasswordHashParams.mem_bytes, 19u * 1024u * 1024u);
  EXPECT_GE(kPasswordHashParams.ops, 2u);
  EXPECT_EQ(kPasswordHashParams.mem_bytes, 64u * 1024u * 1024u);
  EXPECT_EQ(kPasswordHashParams.ops, 3u);
}

TEST(PasswordHasher, RoundTrip) {
  const PasswordHasher hasher(pepper(1), kFast);
  auto encoded = hasher.hash(pw("purple tractor violin ocean"));
  ASSERT_TRUE(encoded.ok()) << encoded.error().to_string();
  auto ok = hasher.verify(pw("purple tractor violin ocean"), *encoded);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_TRUE(*ok);
}

TEST(PasswordHasher, WrongPasswordIsFalseNotAnError) {
  const PasswordHasher hasher(pepper(1), kFast);
  auto encoded = hasher.hash(pw("purple tractor violin ocean"));
  ASSERT_TRUE(encoded.ok());
  for (const char* wrong : {"purple tractor violin ocean ", "Purple tractor violin ocean", ""}) {
    auto r = hasher.verify(pw(wrong), *encoded);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_FALSE(*r) << wrong;
  }
}

TEST(PasswordHasher, AnotherPepperDoesNotVerify) {
  const PasswordHasher hasher(pepper(1), kFast);
  const PasswordHasher other(pepper(2), kFast);
  auto encoded = hasher.hash(pw("purple tractor violin ocean"));
  ASSERT_TRUE(encoded.ok());
  auto r = other.verify(pw("purple tractor violin ocean"), *encoded);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  // Argon2id alone, without the pepper's HMAC, does not match either.
  EXPECT_FALSE(
      crypto::argon2id_verify_password(*encoded, pw("purple tractor violin ocean").span()).ok());
}

TEST(PasswordHasher, EncodedStringCarriesAlgorithmAndParameters) {
  const PasswordHasher hasher(pepper(1), kFast);
  auto encoded = hasher.hash(pw("purple tractor violin ocean"));
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0), 0u) << *encoded;
  EXPECT_EQ(encoded->find("purple"), std::string::npos);
}

TEST(PasswordHasher, SamePasswordTwiceGivesDifferentHashes) {
  const PasswordHasher hasher(pepper(1), kFast);
  auto a = hasher.hash(pw("purple tractor violin ocean"));
  auto b = hasher.hash(pw("purple tractor violin ocean"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);  // a fresh salt each time
  EXPECT_TRUE(*hasher.verify(pw("purple tractor violin ocean"), *b));
}

TEST(PasswordHasher, NeedsRehashOnlyWhenStoredParametersAreBelow) {
  const PasswordHasher weak(pepper(1), kFast);
  auto encoded = weak.hash(pw("purple tractor violin ocean"));
  ASSERT_TRUE(encoded.ok());
  EXPECT_FALSE(weak.needs_rehash(*encoded));
  EXPECT_TRUE(PasswordHasher(pepper(1), {2, kFast.mem_bytes}).needs_rehash(*encoded));
  EXPECT_TRUE(PasswordHasher(pepper(1), {1, 16u * 1024u * 1024u}).needs_rehash(*encoded));
  // A stronger stored hash is not downgraded.
  const PasswordHasher cheaper(pepper(1), {1, 4u * 1024u * 1024u});
  EXPECT_FALSE(cheaper.needs_rehash(*encoded));
  EXPECT_TRUE(weak.needs_rehash("not a hash"));
  EXPECT_TRUE(weak.needs_rehash("$argon2i$v=19$m=8192,t=1,p=1$c2FsdA$aGFzaA"));
}

TEST(PasswordHasher, OverlongPasswordsAreNeverHashed) {
  const PasswordHasher hasher(pepper(1), kFast);
  const SecretBytes huge = pw(std::string(kPasswordMaxBytes + 1, 'a'));
  auto h = hasher.hash(huge);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code(), "password_too_long");
  auto encoded = hasher.hash(pw(std::string(kPasswordMaxBytes, 'a')));
  ASSERT_TRUE(encoded.ok());
  // At login an over-long password is simply wrong: an error would differ from the
  // unknown-account path (dummy_verify) and reveal that the account exists.
  auto v = hasher.verify(huge, *encoded);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_FALSE(*v);
}

TEST(PasswordHasher, MalformedHashIsAnError) {
  const PasswordHasher hasher(pepper(1), kFast);
  auto r = hasher.verify(pw("purple tractor violin ocean"), "$argon2id$v=19$nonsense");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), "invalid_hash_format");
}

TEST(PasswordHasher, DummyVerifyIsCallable) {
  const PasswordHasher hasher(pepper(1), kFast);
  hasher.dummy_verify(pw("purple tractor violin ocean"));
  hasher.dummy_verify(pw(""));
  hasher.dummy_verify(pw(std::string(kPasswordMaxBytes + 1, 'a')));
}

TEST(PasswordHasher, RefusesAShortPepperOrBadParameters) {
  EXPECT_THROW(PasswordHasher(SecretBytes(16), kFast), std::invalid_argument);
  EXPECT_THROW(PasswordHasher(pepper(1), crypto::Argon2Params{0, kFast.mem_bytes}),
               std::invalid_argument);
}

}  // namespace
}  // namespace hippocrate::auth
