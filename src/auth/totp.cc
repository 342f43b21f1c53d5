#include "auth/totp.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "auth/base32.h"
#include "base/encoding.h"
#include "crypto/compare.h"
#include "crypto/random.h"

namespace hippocrate::auth {
namespace {

constexpr std::size_t kSha1Bytes = 20;
using Sha1Mac = std::array<std::uint8_t, kSha1Bytes>;

struct EvpMacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct EvpMacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }  // cleanses the key
};

[[noreturn]] void openssl_failure() {
  throw std::runtime_error("OpenSSL HMAC-SHA-1 failed (is the default provider available?)");
}

// HMAC-SHA-1(K, C), RFC 4226 §5.3 step 1 (HMAC per RFC 2104). Written into `out`, which the
// caller wipes.
void hmac_sha1(const SecretBytes& key, const std::array<std::uint8_t, 8>& message, Sha1Mac& out) {
  // EVP_MAC objects are immutable once fetched and safe to share between threads.
  static const std::unique_ptr<EVP_MAC, EvpMacDeleter> hmac(
      EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!hmac) openssl_failure();
  std::unique_ptr<EVP_MAC_CTX, EvpMacCtxDeleter> ctx(EVP_MAC_CTX_new(hmac.get()));
  if (!ctx) openssl_failure();
  char digest[] = "SHA1";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  std::size_t written = 0;
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), message.data(), message.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size()) {
    openssl_failure();
  }
}

// All-ones when a == b, else zero, without a branch.
std::uint32_t equal_mask(std::uint32_t a, std::uint32_t b) {
  const std::uint32_t x = a ^ b;
  return ((x | (0u - x)) >> 31) - 1u;
}

// RFC 4226 §5.3 steps 2–3: DT(HS) then Snum mod 10^Digit. The offset is read from the MAC,
// so the 4-byte window is selected by masking over all 16 offsets rather than by indexing.
std::string truncate_to_digits(const Sha1Mac& hs, int digits) {
  const std::uint32_t offset = hs[kSha1Bytes - 1] & 0x0f;  // low 4 bits of String[19]
  std::uint32_t p = 0;
  for (std::uint32_t i = 0; i < 16; ++i) {
    const std::uint32_t word = (std::uint32_t{hs[i]} << 24) | (std::uint32_t{hs[i + 1]} << 16) |
                               (std::uint32_t{hs[i + 2]} << 8) | std::uint32_t{hs[i + 3]};
    p |= word & equal_mask(i, offset);
  }
  std::uint32_t snum = p & 0x7fffffffu;  // "Return the Last 31 bits of P" (§5.3)
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int k = digits - 1; k >= 0; --k) {  // D = Snum mod 10^Digit, zero-padded
    out[static_cast<std::size_t>(k)] = static_cast<char>('0' + snum % 10);
    snum /= 10;
  }
  p = 0;
  return out;
}

Error malformed() { return Error::invalid_argument("totp_malformed", "the code must be 6 digits"); }

// RFC 3986 §2.1 percent-encoding of everything outside the unreserved set (§2.3).
void append_percent_encoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                            (u >= '0' && u <= '9') || u == '-' || u == '.' || u == '_' || u == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0f]);
    }
  }
}

}  // namespace

SecretBytes generate_totp_secret() { return crypto::random_secret(kTotpSecretBytes); }

std::string hotp(const SecretBytes& key, std::uint64_t counter, int digits) {
  if (key.empty()) throw std::invalid_argument("hotp: empty key");
  if (digits < 6 || digits > 8) throw std::invalid_argument("hotp: digits must be 6 to 8");
  // RFC 4226 §5.1: C is an 8-byte counter, high-order byte first.
  std::array<std::uint8_t, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(counter);
    counter >>= 8;
  }
  Sha1Mac hs;
  hmac_sha1(key, message, hs);
  std::string code = truncate_to_digits(hs, digits);
  sodium_memzero(hs.data(), hs.size());
  return code;
}

std::int64_t totp_step(TimePoint t) {
  // RFC 6238 §4.2: T = (Current Unix time - T0) / X, "the default floor function".
  const std::int64_t seconds = unix_seconds(t);
  std::int64_t step = seconds / kTotpStepSeconds;
  if (seconds % kTotpStepSeconds < 0) --step;
  return step;
}

std::string totp_at(const SecretBytes& key, TimePoint t) {
  const std::int64_t step = totp_step(t);
  if (step < 0) throw std::invalid_argument("totp_at: time before the Unix epoch");
  return hotp(key, static_cast<std::uint64_t>(step), kTotpDigits);  // RFC 6238 §4.2
}

Result<std::int64_t> verify_totp(const SecretBytes& key, std::string_view code, TimePoint now,
                                 std::int64_t last_used_step) {
  std::array<char, kTotpDigits> typed{};
  std::size_t n = 0;
  for (char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9' || n == typed.size()) return malformed();
    typed[n++] = c;
  }
  if (n != typed.size()) return malformed();
  if (key.size() < kTotpMinSecretBytes) {
    return Error::internal("totp_key_invalid", "the stored second-factor key is unusable");
  }

  // RFC 6238 §5.2: accept the previous and next step too. All three are computed and
  // compared whatever matches, so the time taken does not say which step (if any) matched.
  const std::int64_t current = totp_step(now);
  bool any_match = false;
  std::int64_t fresh_step = kTotpNeverUsedStep;
  bool fresh = false;
  for (std::int64_t step = current - kTotpWindowSteps; step <= current + kTotpWindowSteps; ++step) {
    const std::uint64_t counter = step < 0 ? 0 : static_cast<std::uint64_t>(step);
    std::string expected = hotp(key, counter, kTotpDigits);
    const bool match =
        crypto::constant_time_equals(as_bytes(expected), as_bytes({typed.data(), typed.size()})) &&
        step >= 0;
    sodium_memzero(expected.data(), expected.size());
    any_match = any_match || match;
    // RFC 6238 §5.2: never accept a step already used; ascending order lets the latest win.
    const bool usable = match && step > last_used_step;
    fresh_step = usable ? step : fresh_step;
    fresh = fresh || usable;
  }
  sodium_memzero(typed.data(), typed.size());
  if (fresh) return fresh_step;
  if (any_match) {
    return Error::unauthenticated("totp_replayed", "this code has already been used");
  }
  return Error::unauthenticated("totp_invalid", "the code is not valid");
}

std::string otpauth_uri(const SecretBytes& key, std::string_view issuer,
                        std::string_view account_name) {
  std::string uri;
  // Reserved up front so that appending the secret never reallocates and leaves a copy behind.
  uri.reserve(96 + 6 * issuer.size() + 3 * account_name.size() + 2 * key.size());
  uri += "otpauth://totp/";
  // Key Uri Format, "Label": issuer prefix, a literal ':' separator, then the account name.
  if (!issuer.empty()) {
    append_percent_encoded(uri, issuer);
    uri.push_back(':');
  }
  append_percent_encoded(uri, account_name);
  std::string secret = base32_encode(key.span());  // "Secret": base32, padding omitted
  uri += "?secret=";
  uri += secret;
  sodium_memzero(secret.data(), secret.size());
  if (!issuer.empty()) {
    uri += "&issuer=";
    append_percent_encoded(uri, issuer);
  }
  uri += "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpStepSeconds);
  return uri;
}

}  // namespace hippocrate::auth
