// Shared fixtures for the e2ee tests: a deterministic KeySource, test accounts with signed
// device lists and prekeys, and a tiny "server" that hands out prekey bundles.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "base/ids.h"
#include "crypto/hash.h"
#include "e2ee/device_list.h"
#include "e2ee/fan_out.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"
#include "e2ee/message_content.h"
#include "e2ee/prekey_store.h"
#include "e2ee/prekeys.h"
#include "e2ee/session_cipher.h"

namespace hippocrate::e2ee::testing {

constexpr std::uint64_t kNow = 1'780'000'000;  // a fixed "now" (2026)

// X25519 keys from BLAKE2b(seed ‖ counter): reproducible runs.
class SeededKeySource final : public KeySource {
 public:
  explicit SeededKeySource(std::string seed) : seed_(std::move(seed)) {}
  crypto::X25519KeyPair generate_x25519() override {
    Bytes input = to_bytes(seed_);
    input.push_back(static_cast<std::uint8_t>(counter_ >> 8));
    input.push_back(static_cast<std::uint8_t>(counter_++));
    auto digest = crypto::blake2b(input, 32);
    SecretBytes priv = SecretBytes::from(*digest);
    auto pub = crypto::x25519_public_key(priv);
    return {std::move(priv), *pub};
  }

 private:
  std::string seed_;
  std::uint32_t counter_ = 0;
};

// One device with its private state, as its keystore would hold it.
struct TestDevice {
  DeviceIdentity identity;
  PrekeyStore prekeys;
  std::map<DeviceAddress, Session> sessions;

  const DevicePublicIdentity& pub() const { return identity.pub; }
  DeviceAddress address() const { return {identity.pub.account_id, identity.pub.device_id}; }
};

struct TestAccount {
  std::string account_id;
  AccountKey account_key;
  std::vector<TestDevice> devices;
  DeviceList list;
  Bytes signed_list;

  // Re-signs the list from `devices` with the next version.
  void publish() {
    list.account_id = account_id;
    list.version += 1;
    list.issued_at = kNow;
    list.devices.clear();
    for (const auto& d : devices) list.devices.push_back(d.identity.pub);
    signed_list = *sign_device_list(account_key, list);
    list = *verify_device_list(signed_list, account_key.public_key, account_id, 0);
  }
};

inline TestDevice make_device(const std::string& account_id) {
  TestDevice d;
  d.identity = *generate_device_identity(account_id, random_id());
  auto refreshed = refresh_prekeys(d.identity, PrekeyStore{}, 0, kNow, system_key_source());
  d.prekeys = std::move(refreshed->store);
  return d;
}

inline TestAccount make_account(std::size_t device_count) {
  TestAccount a;
  a.account_id = random_id();
  a.account_key = *generate_account_key(a.account_id);
  for (std::size_t i = 0; i < device_count; ++i) a.devices.push_back(make_device(a.account_id));
  a.publish();
  return a;
}

// What the server would hand out: the device's identity, current signed prekey and its
// first one-time prekey not yet handed out (tracked by the caller via `claimed`).
inline PrekeyBundle bundle_of(const TestDevice& d, bool with_one_time = true,
                              std::size_t otp_index = 0) {
  PrekeyBundle b;
  b.identity = d.identity.pub;
  b.signed_prekey = current_signed_prekey(d.prekeys)->pub;
  if (with_one_time && otp_index < d.prekeys.one_time_prekeys.size()) {
    b.one_time_prekey = d.prekeys.one_time_prekeys[otp_index].pub;
  }
  return b;
}

inline MessageContent text_from(const TestDevice& sender, const std::string& text) {
  MessageContent c;
  c.message_id = random_id();
  c.sender_account_id = sender.identity.pub.account_id;
  c.sender_device_id = sender.identity.pub.device_id;
  c.sent_at_ms = kNow * 1000;
  c.content_type = "text/plain; charset=utf-8";
  c.body = to_bytes(text);
  return c;
}

inline std::string body_text(const MessageContent& c) {
  return std::string(c.body.begin(), c.body.end());
}

// True when `needle` occurs in `haystack`.
inline bool contains_bytes(std::span<const std::uint8_t> haystack,
                           std::span<const std::uint8_t> needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

}  // namespace hippocrate::e2ee::testing
