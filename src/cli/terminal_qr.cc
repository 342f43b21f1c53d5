#include "cli/terminal_qr.h"

#include <qrencode.h>
#include <sodium.h>

#include <cerrno>
#include <cstddef>
#include <memory>

namespace hippocrate::cli {
namespace {

struct QrCodeDeleter {
  void operator()(QRcode* code) const {
    // The modules encode the text (a TOTP secret during enrolment): wipe before freeing.
    const auto width = static_cast<std::size_t>(code->width);
    sodium_memzero(code->data, width * width);
    QRcode_free(code);
  }
};
using QrCodePtr = std::unique_ptr<QRcode, QrCodeDeleter>;

constexpr std::string_view kUpperHalf = "\u2580";  // ▀
constexpr std::string_view kLowerHalf = "\u2584";  // ▄
constexpr std::string_view kFullBlock = "\u2588";  // █

}  // namespace

Result<std::string> render_terminal_qr(std::string_view text, TerminalTheme theme) {
  if (text.empty()) return Error::invalid_argument("qr_empty_text", "nothing to encode");
  if (text.find('\0') != std::string_view::npos) {
    return Error::invalid_argument("qr_invalid_text", "the text contains a NUL byte");
  }
  std::string c_text(text);  // QRcode_encodeString wants a NUL-terminated string
  errno = 0;
  // Version 0 = the smallest that fits; level M; 8-bit mode; case-sensitive.
  QrCodePtr code(QRcode_encodeString(c_text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  const int encode_errno = errno;
  sodium_memzero(c_text.data(), c_text.size());
  if (!code) {
    if (encode_errno == ERANGE) {
      return Error::invalid_argument("qr_text_too_long", "the text is too long for a QR code");
    }
    return Error::internal("qr_encode_failed", "the QR code could not be generated");
  }

  const int width = code->width;
  const int size = width + 2 * kTerminalQrQuietZone;
  // Bit 0 of each module byte is "dark" (qrencode.h); everything outside is quiet zone.
  auto dark = [&](int x, int y) {
    x -= kTerminalQrQuietZone;
    y -= kTerminalQrQuietZone;
    if (x < 0 || y < 0 || x >= width || y >= width) return false;
    const auto index =
        static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x);
    return (code->data[index] & 1) != 0;
  };
  const bool ink_is_dark = theme == TerminalTheme::kLightBackground;
  auto ink = [&](int x, int y) { return dark(x, y) == ink_is_dark; };

  std::string out;
  out.reserve(static_cast<std::size_t>((size + 1) / 2) * (static_cast<std::size_t>(size) * 3 + 1));
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; ++x) {
      const bool top = ink(x, y);
      const bool bottom = ink(x, y + 1);  // y + 1 == size is quiet zone
      if (top && bottom) {
        out += kFullBlock;
      } else if (top) {
        out += kUpperHalf;
      } else if (bottom) {
        out += kLowerHalf;
      } else {
        out += ' ';
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace hippocrate::cli
