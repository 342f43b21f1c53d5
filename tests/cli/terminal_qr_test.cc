// Terminal QR rendering: geometry, the module pattern read back from the text against
// libqrencode's own matrix (both themes), determinism, and errors.
#include "cli/terminal_qr.h"

#include <gtest/gtest.h>
#include <qrencode.h>

#include <memory>
#include <string>
#include <vector>

#include "crypto/test_util.h"

namespace hippocrate::cli {
namespace {

using crypto::testing::fails_with;
using crypto::testing::is_ok;

constexpr std::string_view kUri =
    "otpauth://totp/Hippocrate:alice%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    "&issuer=Hippocrate&algorithm=SHA1&digits=6&period=30";

// The rendered text as rows of glyphs (each glyph one UTF-8 sequence).
std::vector<std::vector<std::string>> glyph_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\n') {
      rows.emplace_back();
      ++i;
      continue;
    }
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t len = lead < 0x80 ? 1 : lead >= 0xe0 ? 3 : 2;
    rows.back().push_back(text.substr(i, len));
    i += len;
  }
  EXPECT_TRUE(rows.back().empty()) << "the last row must end with a newline";
  rows.pop_back();
  return rows;
}

// Reads the modules back: true = ink in the (top, bottom) half of each glyph.
std::vector<std::vector<bool>> ink_grid(const std::string& text) {
  std::vector<std::vector<bool>> grid;
  for (const auto& row : glyph_rows(text)) {
    std::vector<bool> top, bottom;
    for (const std::string& g : row) {
      if (g == " ") {
        top.push_back(false), bottom.push_back(false);
      } else if (g == "\u2580") {
        top.push_back(true), bottom.push_back(false);
      } else if (g == "\u2584") {
        top.push_back(false), bottom.push_back(true);
      } else if (g == "\u2588") {
        top.push_back(true), bottom.push_back(true);
      } else {
        ADD_FAILURE() << "unexpected glyph '" << g << "'";
      }
    }
    grid.push_back(top);
    grid.push_back(bottom);
  }
  return grid;
}

struct QrFree {
  void operator()(QRcode* c) const { QRcode_free(c); }
};

// The reference: libqrencode's matrix with the same parameters, plus the quiet zone;
// true = dark.
std::vector<std::vector<bool>> reference_modules(const std::string& text) {
  std::unique_ptr<QRcode, QrFree> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  EXPECT_NE(code, nullptr);
  if (!code) return {};
  const int q = kTerminalQrQuietZone;
  const int size = code->width + 2 * q;
  std::vector<std::vector<bool>> grid(static_cast<std::size_t>(size),
                                      std::vector<bool>(static_cast<std::size_t>(size), false));
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      grid[static_cast<std::size_t>(y + q)][static_cast<std::size_t>(x + q)] =
          (code->data[y * code->width + x] & 1) != 0;
    }
  }
  return grid;
}

TEST(TerminalQr, GeometryMatchesModulesPlusQuietZone) {
  for (std::string_view text : {std::string_view("a"), std::string_view("hello"), kUri}) {
    SCOPED_TRACE(std::string(text));
    const auto r = render_terminal_qr(text);
    ASSERT_TRUE(is_ok(r));
    ASSERT_FALSE(r->empty());
    const auto rows = glyph_rows(*r);
    ASSERT_FALSE(rows.empty());
    const std::size_t columns = rows[0].size();
    for (const auto& row : rows) EXPECT_EQ(row.size(), columns);
    const std::size_t modules = columns - 2 * kTerminalQrQuietZone;
    EXPECT_EQ((modules - 21) % 4, 0u) << "a QR code is 21 + 4·(version-1) modules wide";
    EXPECT_EQ(modules, reference_modules(std::string(text)).size() - 2 * kTerminalQrQuietZone);
    EXPECT_EQ(rows.size(), (modules + 2 * kTerminalQrQuietZone + 1) / 2);
  }
}

TEST(TerminalQr, DarkBackgroundThemeInksLightModules) {
  const auto r = render_terminal_qr(kUri, TerminalTheme::kDarkBackground);
  ASSERT_TRUE(is_ok(r));
  const auto ink = ink_grid(*r);
  const auto dark = reference_modules(std::string(kUri));
  ASSERT_EQ(ink.size(), dark.size() + 1);  // odd size: one extra half row of quiet zone
  for (std::size_t y = 0; y < ink.size(); ++y) {
    for (std::size_t x = 0; x < ink[y].size(); ++x) {
      const bool is_dark = y < dark.size() && dark[y][x];
      ASSERT_EQ(ink[y][x], !is_dark) << "module " << x << "," << y;
    }
  }
  // The quiet zone is drawn: the first rows are full blocks.
  EXPECT_EQ(r->substr(0, 3), "\u2588");
}

TEST(TerminalQr, LightBackgroundThemeInksDarkModules) {
  const auto r = render_terminal_qr(kUri, TerminalTheme::kLightBackground);
  ASSERT_TRUE(is_ok(r));
  const auto ink = ink_grid(*r);
  const auto dark = reference_modules(std::string(kUri));
  ASSERT_EQ(ink.size(), dark.size() + 1);
  for (std::size_t y = 0; y < ink.size(); ++y) {
    for (std::size_t x = 0; x < ink[y].size(); ++x) {
      const bool is_dark = y < dark.size() && dark[y][x];
      ASSERT_EQ(ink[y][x], is_dark) << "module " << x << "," << y;
    }
  }
}

TEST(TerminalQr, SameTextSameRenderingDifferentTextDifferent) {
  const auto a1 = render_terminal_qr(kUri);
  const auto a2 = render_terminal_qr(kUri);
  std::string other(kUri);
  other.back() = '1';
  const auto b = render_terminal_qr(other);
  ASSERT_TRUE(is_ok(a1));
  ASSERT_TRUE(is_ok(a2));
  ASSERT_TRUE(is_ok(b));
  EXPECT_EQ(*a1, *a2);
  EXPECT_NE(*a1, *b);
  // Case is preserved (byte mode, case-sensitive).
  EXPECT_NE(*render_terminal_qr("abc"), *render_terminal_qr("ABC"));
}

TEST(TerminalQr, Errors) {
  EXPECT_TRUE(fails_with(render_terminal_qr(""), "qr_empty_text"));
  EXPECT_TRUE(fails_with(render_terminal_qr(std::string_view("a\0b", 3)), "qr_invalid_text"));
  // Version 40-M holds 2331 bytes in byte mode.
  EXPECT_TRUE(is_ok(render_terminal_qr(std::string(2331, 'x'))));
  const auto too_long = render_terminal_qr(std::string(2332, 'x'));
  EXPECT_TRUE(fails_with(too_long, "qr_text_too_long"));
  EXPECT_EQ(too_long.error().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace hippocrate::cli
