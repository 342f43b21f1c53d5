// TOTP (RFC 6238) / HOTP (RFC 4226): RFC known answers, the ± 1 step window, replay refusal,
// malformed input, an independent check against oathtool, and the otpauth:// URI.
#include "auth/totp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

#include "auth/base32.h"
#include "crypto/test_util.h"
#include "crypto/vector_file.h"

namespace hippocrate::auth {
namespace {

using crypto::testing::fails_with;
using crypto::testing::is_ok;

TimePoint at_unix(std::int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

SecretBytes rfc_key() { return SecretBytes::from(std::string_view("12345678901234567890")); }

std::uint64_t big_endian(const Bytes& bytes) {
  std::uint64_t v = 0;
  for (std::uint8_t b : bytes) v = (v << 8) | b;
  return v;
}

// RFC 6238 Appendix B (SHA1 rows): the step T, the 8-digit value, and its 6-digit truncation.
// TimePoint (system_clock, int64 nanoseconds) ends in 2262, so the year-2603 row
// (20000000000) is checked through hotp() with the RFC's T only.
TEST(Totp, Rfc6238AppendixB) {
  constexpr std::int64_t kLastRepresentable =
      std::chrono::duration_cast<std::chrono::seconds>(TimePoint::max().time_since_epoch()).count();
  int checked = 0;
  int through_totp_at = 0;
  for (const auto& c : crypto::testing::load_vectors("rfc6238_totp.txt")) {
    if (!c.has("totp8")) continue;
    SCOPED_TRACE(c.name);
    const SecretBytes key = c.secret("key");
    const auto unix_time = static_cast<std::int64_t>(c.number("time"));
    const std::uint64_t step = big_endian(c.hex("step"));
    const std::string& expected8 = c.text("totp8");
    EXPECT_EQ(static_cast<std::uint64_t>(unix_time / kTotpStepSeconds), step);
    EXPECT_EQ(hotp(key, step, 8), expected8);
    // Snum mod 10^6 is the last 6 digits of Snum mod 10^8.
    EXPECT_EQ(hotp(key, step, 6), expected8.substr(2));
    if (unix_time <= kLastRepresentable) {
      const TimePoint t = at_unix(unix_time);
      EXPECT_EQ(totp_step(t), static_cast<std::int64_t>(step));
      EXPECT_EQ(totp_at(key, t), expected8.substr(2));
      ++through_totp_at;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 6);
  EXPECT_EQ(through_totp_at, 5);
}

// RFC 4226 Appendix D: HOTP values for counters 0–9.
TEST(Totp, Rfc4226AppendixD) {
  int checked = 0;
  for (const auto& c : crypto::testing::load_vectors("rfc6238_totp.txt")) {
    if (!c.has("hotp6")) continue;
    SCOPED_TRACE(c.name);
    EXPECT_EQ(hotp(c.secret("key"), c.number("counter")), c.text("hotp6"));
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(Totp, StepIsFloorOfThirtySeconds) {
  EXPECT_EQ(totp_step(at_unix(0)), 0);
  EXPECT_EQ(totp_step(at_unix(29)), 0);
  EXPECT_EQ(totp_step(at_unix(30)), 1);
  EXPECT_EQ(totp_step(TimePoint(std::chrono::milliseconds(59'999))), 1);
  EXPECT_EQ(totp_step(at_unix(-1)), -1);  // floor, not truncation toward zero
}

TEST(Totp, GeneratedSecretsAre160BitsAndDistinct) {
  const SecretBytes a = generate_totp_secret();
  const SecretBytes b = generate_totp_secret();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_EQ(kTotpSecretBytes * 8, 160u);
  EXPECT_FALSE(a.constant_time_equals(b.span()));
}

TEST(Totp, PreconditionViolationsThrow) {
  const SecretBytes key = rfc_key();
  EXPECT_THROW((void)hotp(SecretBytes(), 0), std::invalid_argument);
  EXPECT_THROW((void)hotp(key, 0, 5), std::invalid_argument);
  EXPECT_THROW((void)hotp(key, 0, 9), std::invalid_argument);
  EXPECT_THROW((void)totp_at(key, at_unix(-30)), std::invalid_argument);
}

// RFC 6238 §5.2: one step of drift each way is accepted, two are not.
TEST(Totp, AcceptsOneStepEachWayAndNoMore) {
  // Fixed keys and times throughout: a random key could, once in ~10^6 runs, make two steps'
  // codes collide and the test flaky.
  const SecretBytes key = rfc_key();
  const std::int64_t base = 1'767'225'600;  // a step boundary (divisible by 30)
  const std::int64_t step = base / kTotpStepSeconds;
  const std::string code = totp_at(key, at_unix(base + 7));
  ManualClock clock(at_unix(base + 7));
  for (std::int64_t delta : {-1, 0, 1}) {
    SCOPED_TRACE(delta);
    clock.set(at_unix(base + 7 + delta * kTotpStepSeconds));
    const auto r = verify_totp(key, code, clock.now(), kTotpNeverUsedStep);
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(*r, step);
  }
  // The window is in steps, not seconds: from the first second of step-1 to the last of step+1.
  clock.set(at_unix(base - kTotpStepSeconds));
  EXPECT_TRUE(is_ok(verify_totp(key, code, clock.now(), kTotpNeverUsedStep)));
  clock.set(at_unix(base + 2 * kTotpStepSeconds - 1));
  EXPECT_TRUE(is_ok(verify_totp(key, code, clock.now(), kTotpNeverUsedStep)));
  for (std::int64_t seconds :
       {base - kTotpStepSeconds - 1, base + 2 * kTotpStepSeconds, base - 2 * kTotpStepSeconds + 7,
        base + 2 * kTotpStepSeconds + 7, base + 10 * kTotpStepSeconds}) {
    SCOPED_TRACE(seconds - base);
    clock.set(at_unix(seconds));
    EXPECT_TRUE(
        fails_with(verify_totp(key, code, clock.now(), kTotpNeverUsedStep), "totp_invalid"));
  }
}

TEST(Totp, WrongCodeAndWrongKeyAreInvalid) {
  const SecretBytes key = rfc_key();
  const TimePoint now = at_unix(1'800'000'000);
  const std::string code = totp_at(key, now);
  std::string wrong = code;
  wrong[5] = wrong[5] == '9' ? '0' : static_cast<char>(wrong[5] + 1);
  const auto r = verify_totp(key, wrong, now, kTotpNeverUsedStep);
  EXPECT_TRUE(fails_with(r, "totp_invalid"));
  EXPECT_EQ(r.error().kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(r.error().message().find(wrong), std::string::npos);
  const SecretBytes other = SecretBytes::from(std::string_view("abcdefghijklmnopqrst"));
  EXPECT_TRUE(fails_with(verify_totp(other, code, now, kTotpNeverUsedStep), "totp_invalid"));
}

// RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the same OTP".
TEST(Totp, RefusesReplays) {
  const SecretBytes key = rfc_key();
  const std::int64_t base = 1'900'000'020;  // a step boundary
  ManualClock clock(at_unix(base + 3));

  const std::string first = totp_at(key, clock.now());
  const auto used = verify_totp(key, first, clock.now(), kTotpNeverUsedStep);
  ASSERT_TRUE(is_ok(used));
  // The same code again, in the same step and in the next one (still inside the window).
  const auto again = verify_totp(key, first, clock.now(), *used);
  EXPECT_TRUE(fails_with(again, "totp_replayed"));
  EXPECT_EQ(again.error().kind(), ErrorKind::kUnauthenticated);
  clock.advance(std::chrono::seconds(kTotpStepSeconds));
  EXPECT_TRUE(fails_with(verify_totp(key, first, clock.now(), *used), "totp_replayed"));

  // The next step's code is fresh; afterwards the older step's code is refused too.
  const std::string second = totp_at(key, clock.now());
  const auto used2 = verify_totp(key, second, clock.now(), *used);
  ASSERT_TRUE(is_ok(used2));
  EXPECT_EQ(*used2, *used + 1);
  clock.advance(std::chrono::seconds(kTotpStepSeconds));
  const std::string older = totp_at(key, at_unix(base + 3));
  EXPECT_TRUE(fails_with(verify_totp(key, older, clock.now(), *used2), "totp_invalid"));
  clock.set(at_unix(base + 3 + kTotpStepSeconds));
  EXPECT_TRUE(fails_with(verify_totp(key, older, clock.now(), *used2), "totp_replayed"));
  // A code from the previous step, after the current one was used, is a replay.
  const std::string previous = totp_at(key, at_unix(base + 3 - kTotpStepSeconds));
  EXPECT_TRUE(fails_with(verify_totp(key, previous, at_unix(base + 3), *used), "totp_replayed"));
}

TEST(Totp, RejectsMalformedCodes) {
  const SecretBytes key = rfc_key();
  const TimePoint now = at_unix(1'234'567'890);  // RFC 6238 B: 89005924 → "005924"
  ASSERT_TRUE(is_ok(verify_totp(key, "005924", now, kTotpNeverUsedStep)));
  // Spaces anywhere are ignored ("005 924" is how apps display codes).
  EXPECT_TRUE(is_ok(verify_totp(key, " 005 924 ", now, kTotpNeverUsedStep)));
  for (std::string_view bad :
       {"", "      ", "05924", "0005924", "89005924", "00592a", "005-924", "+05924", "-05924",
        "005\t924", "00592\xd9\xa4", "\xd9\xa0\xd9\xa0\xd9\xa5\xd9\xa9\xd9\xa2\xd9\xa4"}) {
    SCOPED_TRACE(std::string(bad));
    const auto r = verify_totp(key, bad, now, kTotpNeverUsedStep);
    EXPECT_TRUE(fails_with(r, "totp_malformed"));
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument);
  }
  EXPECT_TRUE(
      fails_with(verify_totp(key, std::string_view("005\0924", 7), now, -1), "totp_malformed"));
}

TEST(Totp, ShortStoredKeyIsAnInternalError) {
  const SecretBytes short_key = SecretBytes::from(std::string_view("fifteen bytes!!"));
  EXPECT_TRUE(
      fails_with(verify_totp(short_key, "123456", at_unix(1'000'000'000), -1), "totp_key_invalid"));
}

// --- Independent implementation: oathtool (oath-toolkit), called through popen. ---

bool oathtool_installed() { return std::system("oathtool --version >/dev/null 2>&1") == 0; }

// Runs a shell command built only from base32, digits and fixed text; returns its stdout
// without the trailing newline, or "" (with a test failure) on a non-zero exit.
std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed: " << command;
    return {};
  }
  std::string out;
  char buffer[256];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) {
    ADD_FAILURE() << "exit status " << status << ": " << command;
    return {};
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string utc_text(std::int64_t unix_time) {
  const auto t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

TEST(Totp, MatchesOathtool) {
  ASSERT_TRUE(oathtool_installed())
      << "oathtool is required for this test (an independent TOTP implementation); run "
         "scripts/install-deps.sh, which installs the Debian package oathtool";
  const SecretBytes fixed = rfc_key();
  const SecretBytes random = generate_totp_secret();
  const std::int64_t times[] = {0,
                                59,
                                1'111'111'109,
                                1'234'567'890,
                                1'700'000'029,
                                1'767'225'599,
                                2'000'000'000,
                                4'102'444'800};
  for (const SecretBytes* key : {&fixed, &random}) {
    const std::string b32 = base32_encode(key->span());
    for (std::int64_t t : times) {
      const std::string command =
          "oathtool --totp --base32 " + b32 + " --now \"" + utc_text(t) + "\"";
      SCOPED_TRACE(utc_text(t));
      EXPECT_EQ(totp_at(*key, at_unix(t)), run(command));
    }
    for (std::uint64_t counter : {0ull, 1ull, 9ull, 123'456'789ull}) {
      const std::string command =
          "oathtool --hotp --base32 --digits=8 --counter=" + std::to_string(counter) + " " + b32;
      SCOPED_TRACE(counter);
      EXPECT_EQ(hotp(*key, counter, 8), run(command));
    }
  }
}

// --- otpauth:// URI (Key Uri Format) ---

TEST(Totp, OtpauthUriHasTheKeyUriFormat) {
  const SecretBytes key = rfc_key();
  EXPECT_EQ(otpauth_uri(key, "Hippocrate", "alice@example.org"),
            "otpauth://totp/Hippocrate:alice%40example.org"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Hippocrate"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(Totp, OtpauthUriPercentEncodesLabelAndIssuer) {
  const SecretBytes key = rfc_key();
  const std::string uri =
      otpauth_uri(key, "Cabinet Dr. M\xc3\xbcller & Fils", "bob:x/y?z#w+v=1~_-");
  EXPECT_EQ(uri,
            "otpauth://totp/Cabinet%20Dr.%20M%C3%BCller%20%26%20Fils:"
            "bob%3Ax%2Fy%3Fz%23w%2Bv%3D1~_-"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Cabinet%20Dr.%20M%C3%BCller%20%26%20Fils"
            "&algorithm=SHA1&digits=6&period=30");
  // Without an issuer the label is the account alone and there is no issuer parameter.
  EXPECT_EQ(otpauth_uri(key, "", "carol"),
            "otpauth://totp/carol?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(Totp, OtpauthUriSecretDecodesToTheKey) {
  const SecretBytes key = generate_totp_secret();
  const std::string uri = otpauth_uri(key, "Hippocrate", "dr.house");
  const auto begin = uri.find("secret=") + 7;
  const auto secret = base32_decode(uri.substr(begin, uri.find('&', begin) - begin));
  ASSERT_TRUE(is_ok(secret));
  EXPECT_TRUE(key.constant_time_equals(*secret));
  EXPECT_EQ(uri.find('='), begin - 1);  // unpadded
}

}  // namespace
}  // namespace hippocrate::auth
