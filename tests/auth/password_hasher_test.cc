// PasswordHasher: HMAC-SHA-256 pre-hash with the pepper, then Argon2id (libsodium string).
#include "auth/password_hasher.h"

#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <chrono>
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

// The CPU time this thread spends in `f` (Argon2id with p = 1 runs on the calling thread):
// unlike the elapsed time, hardly changed by other work on a busy machine.
template <typename F>
std::chrono::nanoseconds cpu_time_of(F f) {
  timespec start{}, end{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
  f();
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
  return std::chrono::seconds(end.tv_sec - start.tv_sec) +
         std::chrono::nanoseconds(end.tv_nsec - start.tv_nsec);
}

// An unknown e-mail costs what a wrong password costs (no user enumeration by timing):
// dummy_verify() runs one Argon2id verify with this hasher's parameters, not less (a
// dummy_verify that returned at once, or hashed far more cheaply, is caught) and not more;
// an over-long password is answered at once by both, without hashing. The calls alternate
// and the cheapest of each kind is compared, within a factor of 5: on a busy machine with
// shared caches the same hash now and then costs 3 times more; a missing hash costs
// thousands of times less.
TEST(PasswordHasher, DummyVerifyCostsWhatAWrongPasswordCosts) {
  // Costly enough (about 10 ms) that Argon2id dominates each call.
  const crypto::Argon2Params params{2, 16u * 1024u * 1024u};
  const PasswordHasher hasher(pepper(1), params);
  auto encoded = hasher.hash(pw("purple tractor violin ocean"));
  ASSERT_TRUE(encoded.ok()) << encoded.error().to_string();
  const SecretBytes wrong_pw = pw("orange tractor violin ocean");
  const SecretBytes empty_pw = pw("");
  const SecretBytes huge = pw(std::string(kPasswordMaxBytes + 1, 'a'));
  using ns = std::chrono::nanoseconds;
  ns wrong = ns::max(), dummy = ns::max(), empty = ns::max();
  ns huge_dummy = ns::max(), huge_verify = ns::max();
  for (int round = 0; round < 9; ++round) {
    wrong = std::min(wrong, cpu_time_of([&] {
                       auto v = hasher.verify(wrong_pw, *encoded);
                       ASSERT_TRUE(v.ok());
                       EXPECT_FALSE(*v);
                     }));
    dummy = std::min(dummy, cpu_time_of([&] { hasher.dummy_verify(wrong_pw); }));
    empty = std::min(empty, cpu_time_of([&] { hasher.dummy_verify(empty_pw); }));
    huge_dummy = std::min(huge_dummy, cpu_time_of([&] { hasher.dummy_verify(huge); }));
    huge_verify = std::min(huge_verify, cpu_time_of([&] {
                             auto v = hasher.verify(huge, *encoded);
                             ASSERT_TRUE(v.ok());
                             EXPECT_FALSE(*v);
                           }));
  }
  EXPECT_GT(dummy, wrong / 5) << "dummy " << dummy.count() << " ns, verify " << wrong.count();
  EXPECT_LT(dummy, wrong * 5) << "dummy " << dummy.count() << " ns, verify " << wrong.count();
  EXPECT_GT(empty, wrong / 5) << "empty " << empty.count() << " ns, verify " << wrong.count();
  EXPECT_LT(huge_dummy, wrong / 50) << "over-long: " << huge_dummy.count() << " ns";
  EXPECT_LT(huge_verify, wrong / 50) << "over-long: " << huge_verify.count() << " ns";
}

TEST(PasswordHasher, RefusesAShortPepperOrBadParameters) {
  EXPECT_THROW(PasswordHasher(SecretBytes(16), kFast), std::invalid_argument);
  EXPECT_THROW(PasswordHasher(pepper(1), crypto::Argon2Params{0, kFast.mem_bytes}),
               std::invalid_argument);
}

}  // namespace
}  // namespace hippocrate::auth
