#include "e2ee/prekey_store.h"

#include <algorithm>

namespace hippocrate::e2ee {
namespace {

constexpr std::uint64_t kKeepReplacedSeconds = kSignedPrekeyMaxAgeSeconds + 24 * 3600;

}  // namespace

const SignedPrekey* find_signed_prekey(const PrekeyStore& store, std::uint32_t id) {
  for (const auto& p : store.signed_prekeys) {
    if (p.pub.id == id) return &p;
  }
  return nullptr;
}

const OneTimePrekey* find_one_time_prekey(const PrekeyStore& store, std::uint32_t id) {
  for (const auto& p : store.one_time_prekeys) {
    if (p.pub.id == id) return &p;
  }
  return nullptr;
}

const SignedPrekey* current_signed_prekey(const PrekeyStore& store) {
  return store.signed_prekeys.empty() ? nullptr : &store.signed_prekeys.back();
}

PrekeyStore without_one_time_prekey(const PrekeyStore& store, std::uint32_t id) {
  PrekeyStore next = store;
  std::erase_if(next.one_time_prekeys, [id](const OneTimePrekey& p) { return p.pub.id == id; });
  return next;
}

Result<PrekeyRefresh> refresh_prekeys(const DeviceIdentity& device, const PrekeyStore& store,
                                      std::size_t one_time_remaining_on_server, std::uint64_t now,
                                      KeySource& keys) {
  PrekeyRefresh out{store, std::nullopt, {}};
  PrekeyStore& next = out.store;
  const SignedPrekey* current = current_signed_prekey(next);
  if (current == nullptr || signed_prekey_needs_rotation(current->pub, now)) {
    HIPPO_ASSIGN_OR_RETURN(SignedPrekey fresh,
                           generate_signed_prekey(device, next.next_signed_prekey_id, now, keys));
    ++next.next_signed_prekey_id;
    out.new_signed_prekey = fresh.pub;
    next.signed_prekeys.push_back(std::move(fresh));
  }
  // Keep replaced signed prekeys while a sender may still accept them (§2.3).
  const std::uint32_t current_id = next.signed_prekeys.back().pub.id;
  std::erase_if(next.signed_prekeys, [&](const SignedPrekey& p) {
    return p.pub.id != current_id && now > p.pub.created_at &&
           now - p.pub.created_at > kKeepReplacedSeconds;
  });
  const std::size_t count = one_time_prekeys_to_generate(one_time_remaining_on_server);
  auto fresh = generate_one_time_prekeys(next.next_one_time_prekey_id, count, keys);
  next.next_one_time_prekey_id += static_cast<std::uint32_t>(count);
  for (auto& p : fresh) {
    out.new_one_time_prekeys.push_back(p.pub);
    next.one_time_prekeys.push_back(std::move(p));
  }
  return out;
}

}  // namespace hippocrate::e2ee
