// QR codes drawn with text, for `hippocrate` CLI enrolment of a TOTP second factor (the
// otpauth:// URI of auth/totp.h) on a terminal.
//
// Encoding: libqrencode, error-correction level M (15 % recovery), 8-bit byte mode, the
// smallest version that fits, case preserved.
//
// Rendering: two module rows per text row with the Unicode block elements U+2580 '▀',
// U+2584 '▄', U+2588 '█' and the space, and a quiet zone of kTerminalQrQuietZone modules on
// every side (ISO/IEC 18004 §7.3.7 asks for 4). A QR code of width w therefore takes
// w + 2·4 columns and ceil((w + 2·4) / 2) rows, each ending in '\n'; when w + 8 is odd the
// bottom half of the last row is light (quiet zone). A terminal can only colour "ink"
// (foreground glyph) and "paper" (background), so the theme says which modules get ink:
//   - TerminalTheme::kDarkBackground (default) — the convention of `qrencode -t UTF8`: light
//     modules and the quiet zone are ink, dark modules are paper. Right for the usual light
//     text on a dark background; the quiet zone is drawn explicitly, so the code always
//     stands on a light frame.
//   - TerminalTheme::kLightBackground — `qrencode -t UTF8i`: dark modules are ink, light
//     modules and the quiet zone are spaces. Right for dark text on a light background.
// On the wrong theme the code appears inverted, which many (not all) scanners still read.
//
// Contract: the output encodes `text`, which for enrolment contains the TOTP secret: never
// log it. The QRcode is wiped and freed through a unique_ptr deleter. Errors (kinds: invalid
// argument unless noted; messages never quote the text): "qr_empty_text", "qr_invalid_text"
// (contains a NUL byte), "qr_text_too_long" (beyond version 40 at level M), and
// "qr_encode_failed" (kInternal). Thread-safe as long as libqrencode is built with its default
// --enable-thread-safety.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace hippocrate::cli {

constexpr int kTerminalQrQuietZone = 4;

enum class TerminalTheme { kDarkBackground, kLightBackground };

Result<std::string> render_terminal_qr(std::string_view text,
                                       TerminalTheme theme = TerminalTheme::kDarkBackground);

}  // namespace hippocrate::cli
