#include "e2ee/safety_number.h"

#include <algorithm>

#include "base/encoding.h"
#include "crypto/compare.h"
#include "crypto/hash.h"
#include "e2ee/errors.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {
namespace {

constexpr std::uint8_t kQrVersion = 0x01;
constexpr std::size_t kQrFingerprintBytes = 32;

}  // namespace

Result<std::array<std::uint8_t, 64>> account_fingerprint(const AccountFingerprintInput& account) {
  HIPPO_ASSIGN_OR_RETURN(RawId raw_id, parse_id(account.account_id));
  // §7: h_0 = u16 version ‖ account_key ‖ account_id.
  Writer h0;
  h0.u16(kFingerprintVersion).raw(account.account_key).raw(raw_id);
  Bytes buf = h0.bytes();
  crypto::Sha512Digest h{};
  for (int i = 0; i < kFingerprintIterations; ++i) {
    // §7 (libsignal NumericFingerprintGenerator.getFingerprint): h = SHA-512(h ‖ key).
    buf.insert(buf.end(), account.account_key.begin(), account.account_key.end());
    h = crypto::sha512(buf);
    buf.assign(h.begin(), h.end());
  }
  return h;
}

Result<std::string> fingerprint_digits(const AccountFingerprintInput& account) {
  HIPPO_ASSIGN_OR_RETURN(auto h, account_fingerprint(account));
  std::string out;
  for (std::size_t chunk = 0; chunk < 6; ++chunk) {
    // §7: each 5-byte chunk as a big-endian u40, mod 100000, 5 zero-padded digits.
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 5; ++i) v = (v << 8) | h[chunk * 5 + i];
    const std::string digits = std::to_string(v % 100000);
    out += std::string(5 - digits.size(), '0') + digits;
  }
  return out;
}

Result<std::string> safety_number(const AccountFingerprintInput& local,
                                  const AccountFingerprintInput& remote) {
  HIPPO_ASSIGN_OR_RETURN(std::string a, fingerprint_digits(local));
  HIPPO_ASSIGN_OR_RETURN(std::string b, fingerprint_digits(remote));
  return a <= b ? a + b : b + a;
}

std::string format_safety_number(std::string_view digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 5) {
    if (!out.empty()) out += ' ';
    out += digits.substr(i, 5);
  }
  return out;
}

Result<std::string> safety_number_qr(const AccountFingerprintInput& local,
                                     const AccountFingerprintInput& remote) {
  HIPPO_ASSIGN_OR_RETURN(auto mine, account_fingerprint(local));
  HIPPO_ASSIGN_OR_RETURN(auto theirs, account_fingerprint(remote));
  Writer w;
  w.u8(kQrVersion);
  w.raw(std::span(mine).first(kQrFingerprintBytes));
  w.raw(std::span(theirs).first(kQrFingerprintBytes));
  return std::string(kSafetyNumberQrPrefix) + base64url_encode(w.view());
}

Status verify_safety_number_qr(std::string_view scanned, const AccountFingerprintInput& local,
                               const AccountFingerprintInput& remote) {
  if (!scanned.starts_with(kSafetyNumberQrPrefix)) return errors::malformed("safety number code");
  auto payload = base64url_decode(scanned.substr(kSafetyNumberQrPrefix.size()));
  if (!payload.ok()) return errors::malformed("safety number code");
  Reader r(*payload, "safety number code");
  const std::uint8_t version = r.u8();
  if (r.ok() && version != kQrVersion) return errors::unknown_version("safety number code");
  auto shown_by = r.take(kQrFingerprintBytes);
  auto other = r.take(kQrFingerprintBytes);
  HIPPO_RETURN_IF_ERROR(r.finish());
  HIPPO_ASSIGN_OR_RETURN(auto mine, account_fingerprint(local));
  HIPPO_ASSIGN_OR_RETURN(auto theirs, account_fingerprint(remote));
  if (!crypto::constant_time_equals(shown_by, std::span(theirs).first(kQrFingerprintBytes)) ||
      !crypto::constant_time_equals(other, std::span(mine).first(kQrFingerprintBytes))) {
    return errors::safety_number_mismatch();
  }
  return ok_status();
}

}  // namespace hippocrate::e2ee
