#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>

#include "claimx/text.h"
#include "extract/internal.h"

namespace claimx {

namespace {

// Digits as written ("1,234.5", "1 234 567", "1.111,11", "5,00") to plain "1234.5": a comma
// followed by one or two digits and nothing else, or after a dotted thousands group, is a
// decimal comma; other commas, spaces and no-break spaces group thousands.
std::string plain_digits(std::string_view s) {
  size_t comma = s.rfind(','), dot = s.rfind('.');
  bool decimal_comma = false;
  if (comma != std::string_view::npos) {
    size_t after = s.size() - comma - 1;
    if (dot != std::string_view::npos && dot < comma)
      decimal_comma = true;  // "1.111,11"
    else if (dot == std::string_view::npos && after >= 1 && after <= 2 && s.find(',') == comma)
      decimal_comma = true;  // "5,00", "1,3"
  }
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9')
      out += c;
    else if (c == (decimal_comma ? ',' : '.'))
      out += '.';
    else if (c == '.' || c == ',' || c == ' ' || static_cast<unsigned char>(c) >= 0x80)
      continue;
    else
      return "";
  }
  return out;
}

}  // namespace

std::optional<double> decimal_value(std::string_view written, int pow10) {
  // Build "<mantissa>e<exponent>" so strtod rounds once: 9.9 million is exactly 9900000.
  std::string digits = plain_digits(written);
  std::string mantissa;
  int exponent = pow10;
  bool point = false;
  for (char c : digits) {
    if (c == '.') {
      if (point) return std::nullopt;
      point = true;
      continue;
    }
    mantissa += c;
    if (point) --exponent;
  }
  if (mantissa.empty()) return std::nullopt;
  std::string s = mantissa + "e" + std::to_string(exponent);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<Date> parse_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t k = at; k < at + n; ++k) {
      if (s[k] < '0' || s[k] > '9') return -1;
      v = v * 10 + (s[k] - '0');
    }
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  Date date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

bool is_word_char(unsigned char c) {
  return std::isalnum(c) || c == '_';
}

namespace {

// Letters and digits of the scripts news is written in; punctuation (’ “ — …) is not.
bool word_codepoint(uint32_t cp) {
  if (cp < 0x80) return is_word_char(static_cast<unsigned char>(cp));
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0xC0 && cp < 0x2000) return true;
  if (cp >= 0x2000 && cp < 0x3040) return false;  // punctuation, symbols, CJK punctuation
  return cp >= 0x3040 && cp != 0xFEFF && cp != 0xFFFD;
}

bool word_before(std::string_view s, size_t i) {
  if (i == 0) return false;
  size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  return word_codepoint(decode_utf8(s, j));
}

bool word_after(std::string_view s, size_t i) {
  return i < s.size() && word_codepoint(decode_utf8(s, i));
}

}  // namespace

std::vector<size_t> find_words(std::string_view text, size_t begin, size_t end,
                               std::string_view needle) {
  std::vector<size_t> out;
  if (needle.empty()) return out;
  size_t pos = begin;
  std::string_view bounded = text.substr(0, end);  // never search past end
  while (pos < end) {
    size_t at = bounded.find(needle, pos);
    if (at == std::string_view::npos || at + needle.size() > end) break;
    bool left_ok = !word_before(text, at) || !word_after(needle, 0);
    bool right_ok = !word_after(text, at + needle.size()) || !word_before(needle, needle.size());
    if (left_ok && right_ok) out.push_back(at);
    pos = at + 1;
  }
  return out;
}

}  // namespace claimx

namespace claimx {
bool parse_iso_date_public(const std::string& s) {
  return parse_iso_date(s).has_value();
}
}  // namespace claimx
