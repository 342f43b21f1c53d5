// The rpIdHash step of WebAuthn §7.1 and §7.2: the authenticator data's rpIdHash must be
// SHA-256 of the RP ID the relying party expects (§6.1), compared in constant time.
// An empty RP ID is refused too (it can only be a configuration mistake). Error
// "webauthn_rp_id". Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace hippocrate::auth::webauthn {

Status verify_rp_id_hash(const std::array<std::uint8_t, 32>& rp_id_hash, std::string_view rp_id);

}  // namespace hippocrate::auth::webauthn
