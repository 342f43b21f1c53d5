#include "base/encoding.h"

#include <sodium.h>

#include "base/sodium_init.h"

namespace hippocrate {

std::string hex_encode(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

Result<Bytes> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Error::invalid_argument("invalid_hex", "hex text must have an even length");
  }
  Bytes out(hex.size() / 2);
  HIPPO_RETURN_IF_ERROR(hex_decode_into(hex, out));
  return out;
}

Status hex_decode_into(std::string_view hex, std::span<std::uint8_t> out) {
  if (hex.size() != 2 * out.size()) {
    return Error::invalid_argument("invalid_hex", "hex text does not have the expected length");
  }
  if (hex.empty()) return ok_status();  // libsodium must not see a null buffer
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &written, &end) !=
          0 ||
      end != hex.data() + hex.size() || written != out.size()) {
    return Error::invalid_argument("invalid_hex", "text is not valid hexadecimal");
  }
  return ok_status();
}

std::string base64url_encode(std::span<const std::uint8_t> bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<Bytes> base64url_decode(std::string_view text) {
  ensure_sodium_initialized();
  if (text.empty()) return Bytes{};
  Bytes out(text.size() * 3 / 4 + 1);
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &written, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return Error::invalid_argument("invalid_base64url", "text is not valid base64url");
  }
  out.resize(written);
  return out;
}

}  // namespace hippocrate
