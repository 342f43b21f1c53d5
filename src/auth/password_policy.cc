#include "auth/password_policy.h"

#include <zxcvbn.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "auth/common_passwords.h"

namespace hippocrate::auth {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one code point of strict UTF-8 (RFC 3629 §3-4: no overlong forms, no surrogates,
// nothing above U+10FFFF) at `s[i]` and advances `i`; kInvalid on a malformed sequence.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return kInvalid;
  }
  if (s.size() - i < len) return kInvalid;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return kInvalid;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
  i += len;
  return cp;
}

// Simple lower-casing beyond Latin-1 for the scripts names are most likely written in:
// Latin Extended-A, Greek and Cyrillic capitals. Each mapping keeps the UTF-8 length.
// (ASCII and Latin-1 are handled by comparison_form() below.)
char32_t fold(char32_t c) {
  if (c >= 0x100 && c <= 0x137) return c | 1;  // Ā/ā .. Ķ/ķ pairs
  if (c >= 0x139 && c <= 0x148) return (c & 1) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return c | 1;
  if (c >= 0x179 && c <= 0x17E) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek capitals
  if (c >= 0x400 && c <= 0x40F) return c + 80;                // Cyrillic Ѐ..Џ
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic А..Я
  return c;
}

// The Latin-1 letters U+00C0..U+00FF without their accents (nullptr: kept as they are).
// clang-format off
constexpr const char* kLatin1Base[64] = {
    "A", "A", "A", "A", "A",  "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I",  "I",
    "D", "N", "O", "O", "O",  "O", "O",  nullptr, "O", "U", "U", "U", "U", "Y", nullptr, "ss",
    "a", "a", "a", "a", "a",  "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o",  "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", nullptr, "y"};
// clang-format on

std::size_t put_utf8(char32_t c, std::uint8_t* out) {
  if (c < 0x80) {
    out[0] = static_cast<std::uint8_t>(c);
    return 1;
  }
  if (c < 0x800) {
    out[0] = static_cast<std::uint8_t>(0xC0 | (c >> 6));
    out[1] = static_cast<std::uint8_t>(0x80 | (c & 0x3F));
    return 2;
  }
  std::size_t n = c < 0x10000 ? 3 : 4;
  out[0] = static_cast<std::uint8_t>(n == 3 ? (0xE0 | (c >> 12)) : (0xF0 | (c >> 18)));
  for (std::size_t k = 1; k < n; ++k) {
    out[k] = static_cast<std::uint8_t>(0x80 | ((c >> (6 * (n - 1 - k))) & 0x3F));
  }
  return n;
}

std::size_t put_text(std::string_view text, std::uint8_t* out) {
  std::memcpy(out, text.data(), text.size());
  return text.size();
}

// Writes the comparison form of `c`: Latin letters without accents (é → e, Œ → OE,
// ß → ss) and, when `lower`, in lower case. Never longer than c's own UTF-8.
std::size_t put_comparison_form(char32_t c, bool lower, std::uint8_t* out) {
  if (c >= 'A' && c <= 'Z' && lower) return put_utf8(c + 32, out);
  if (c >= 0xC0 && c <= 0xFF) {
    const char32_t k = (lower && c <= 0xDE && c != 0xD7) ? c + 32 : c;
    if (const char* base = kLatin1Base[k - 0xC0]) return put_text(base, out);
    return put_utf8(k, out);
  }
  if (c == 0x152 || c == 0x153) return put_text((c == 0x152 && !lower) ? "OE" : "oe", out);
  if (c == 0x178) return put_text(lower ? "y" : "Y", out);
  return put_utf8(lower ? fold(c) : c, out);
}

bool is_control(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

struct Scan {
  bool valid = true;
  bool has_control = false;
  std::size_t code_points = 0;
  std::size_t out_size = 0;  // bytes written to `out`
};

// One pass over `text`: validity, control characters, length in code points. When `out`
// is given (room for text.size() bytes), it receives the comparison form of the text.
Scan scan(std::string_view text, std::uint8_t* out, bool lower) {
  Scan result;
  std::size_t i = 0;
  while (i < text.size()) {
    const char32_t c = next_code_point(text, i);
    if (c == kInvalid) {
      result.valid = false;
      return result;
    }
    ++result.code_points;
    if (is_control(c)) result.has_control = true;
    if (out != nullptr) result.out_size += put_comparison_form(c, lower, out + result.out_size);
  }
  return result;
}

// Lower-case comparison form of a non-secret word; empty when it is not valid UTF-8.
std::string comparison_form(std::string_view word) {
  std::string out(word.size(), '\0');
  const Scan s = scan(word, reinterpret_cast<std::uint8_t*>(out.data()), true);
  out.resize(s.valid ? s.out_size : 0);
  return out;
}

enum class WordKind { kEmail, kName, kProduct, kExtra };

struct PersonalWord {
  std::string form;  // comparison form: lower case, no Latin accents
  WordKind kind;
};

bool is_ascii_separator(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
}

// Adds `word` (in comparison form) when it is at least 3 code points long.
void add_word(std::vector<PersonalWord>& words, std::string_view word, WordKind kind) {
  if (scan(word, nullptr, false).code_points < 3) return;
  std::string form = comparison_form(word);
  if (!form.empty()) words.push_back({std::move(form), kind});
}

// Adds every run of letters/digits of `text` (split on ASCII spaces and punctuation).
void add_parts(std::vector<PersonalWord>& words, std::string_view text, WordKind kind) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || is_ascii_separator(text[i])) {
      if (i > start) add_word(words, text.substr(start, i - start), kind);
      start = i + 1;
    }
  }
}

std::vector<PersonalWord> personal_words(const PasswordContext& context) {
  std::vector<PersonalWord> words;
  add_word(words, context.email, WordKind::kEmail);
  const std::string_view email(context.email);
  const std::string_view local = email.substr(0, std::min(email.rfind('@'), email.size()));
  add_word(words, local, WordKind::kEmail);
  add_parts(words, local, WordKind::kEmail);  // "marie.dupont" → "marie", "dupont"
  add_parts(words, context.display_name, WordKind::kName);
  add_word(words, kProductName, WordKind::kProduct);
  for (const std::string& extra : context.extra_words) add_word(words, extra, WordKind::kExtra);
  return words;
}

Error refuse(const char* code, std::string message) {
  return Error::invalid_argument(code, std::move(message));
}

Error contains_error(WordKind kind) {
  const char* what = "a word linked to you or to this service";
  if (kind == WordKind::kEmail) what = "your e-mail address or part of it";
  if (kind == WordKind::kName) what = "your name";
  if (kind == WordKind::kProduct) what = "the name of this service";
  return refuse("password_contains_personal_info",
                std::string("This password contains ") + what +
                    ", which makes it easier to guess. Please choose a password without it.");
}

// zxcvbn's estimate in bits. zxcvbn reads a NUL-terminated string, so the password is
// copied into wiped memory, never into a std::string. It knows only ASCII words and scores
// every other byte as random (~8 bits each), so "ÀÉÈÊËÎÏÔÙÛÜÇ" would look strong: it is
// given the password with Latin accents removed (case kept), which estimates French,
// Spanish or German passphrases like their unaccented spelling, i.e. conservatively.
double estimate_entropy_bits(const SecretBytes& password, const std::vector<PersonalWord>& words) {
  SecretBytes terminated(password.size() + 1);  // zero-filled: the NUL is already there
  scan(password.view(), terminated.data(), false);
  std::vector<const char*> dictionary;
  dictionary.reserve(words.size() + 1);
  for (const PersonalWord& w : words) dictionary.push_back(w.form.c_str());
  dictionary.push_back(nullptr);
  return ZxcvbnMatch(reinterpret_cast<const char*>(terminated.data()), dictionary.data(), nullptr);
}

}  // namespace

Status check_password_policy(const SecretBytes& password, const PasswordContext& context,
                             const PasswordPolicy& policy) {
  const std::string too_long_message = "This password is too long: please use at most " +
                                       std::to_string(policy.max_length) + " characters.";
  if (password.size() > kPasswordMaxBytes) return refuse("password_too_long", too_long_message);

  // Lower-case, unaccented copy for the comparisons ("Éloïse" matches "ELOISE"), in wiped
  // memory. Only valid when s.valid.
  SecretBytes folded(password.size());
  const Scan s = scan(password.view(), folded.data(), true);
  const std::string_view comparable = folded.view().substr(0, s.out_size);
  if (!s.valid) {
    return refuse("password_invalid_encoding",
                  "This password contains characters that could not be read. Please type it "
                  "again; letters, digits, spaces, punctuation and accented letters are all "
                  "fine.");
  }
  if (s.has_control) {
    return refuse("password_invalid_character",
                  "This password contains an invisible control character, such as a tab or a "
                  "line break. Please remove it; spaces, punctuation and accented letters are "
                  "fine.");
  }
  if (s.code_points > policy.max_length) return refuse("password_too_long", too_long_message);
  if (s.code_points < policy.min_length) {
    return refuse("password_too_short",
                  "This password is too short: please use at least " +
                      std::to_string(policy.min_length) +
                      " characters. A few unrelated words separated by spaces are long enough "
                      "and easy to remember.");
  }
  if (is_common_password(comparable)) {
    return refuse("password_too_common",
                  "This password is one of the most commonly used passwords, so it would be "
                  "guessed quickly. Please choose another one, for example a few unrelated "
                  "words.");
  }
  const std::vector<PersonalWord> words = personal_words(context);
  for (const PersonalWord& w : words) {
    if (comparable.find(w.form) != std::string_view::npos) return contains_error(w.kind);
  }
  const double bits = estimate_entropy_bits(password, words);
  if (!(bits >= policy.min_entropy_bits)) {
    return refuse("password_too_weak",
                  "This password would be too easy to guess (estimated strength: about " +
                      std::to_string(static_cast<long>(std::floor(std::max(bits, 0.0)))) +
                      " bits, at least " +
                      std::to_string(static_cast<long>(std::ceil(policy.min_entropy_bits))) +
                      " are needed). Try a passphrase of four or five unrelated words, for "
                      "example words you would not normally put together.");
  }
  return ok_status();
}

}  // namespace hippocrate::auth
