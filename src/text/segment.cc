// Paragraph and sentence segmentation (see include/claimx/segment.h).
//
// The sentence splitter works on whitespace-separated tokens. A boundary can only fall in the
// white space between two tokens, and is decided from the token before it (A), the token after
// it (B) and, for spaced ellipses (". . ."), the run of dot tokens between them. Periods inside a
// token ("3.5", "www.example.com", "Jane.Doe@example.com", "Jr.'s") are therefore never
// boundaries. The rules, in order:
//
//   * a line break is always a boundary (news text is one paragraph per line);
//   * list items ("1.", "2.)", "3)", "(a)", "b.", "• ", "⁃9.") start a new sentence when they
//     continue a numbered or lettered run, and bullets always do;
//   * a terminator (. ? ! … and their full-width forms), followed by any closing quotes or
//     brackets, ends a sentence only if B looks like a sentence opening (capital, digit, currency,
//     bullet, caseless script), never before a lower-case word ("Yahoo! in", "'Great.' she said");
//   * "?" and "!" then always end the sentence;
//   * a period after a title abbreviation never does ("Mr.", "Dr.");
//   * a period after a number abbreviation or any abbreviation does not when a number follows
//     ("No. 3", "p. 55", "Jan. 5");
//   * a period after an abbreviation, an acronym ("U.S.", "E.U.") or a single letter ("E.",
//     "I.") does only when B is a sentence starter ("U.S. Now, ..." vs "U.S. Government");
//   * an ellipsis attached to a word ("that..." "that…") ends the sentence like a period, a
//     detached one ("plan … Smith") only before a sentence starter; four dots ("that....") are a
//     period; a spaced ". . ." is an omission inside the sentence, while four spaced dots, or a
//     period followed by ". . .", end the sentence when a capitalised word follows;
//   * an omission mark in brackets ("[...]") never ends a sentence.
//
// Every step looks at a bounded neighbourhood of each token, and every token is looked at a
// bounded number of times, so the whole pass is linear in the size of the range.
#include "claimx/segment.h"

#include <string>

namespace claimx {

namespace {

// Longest word looked up in a lexicon; longer words are never abbreviations or starters.
constexpr size_t kMaxLookup = 32;

// ---- UTF-8 ------------------------------------------------------------------------------------

struct CodePoint {
  char32_t c;
  size_t len;
};

constexpr char32_t kInvalid = 0xFFFD;

// Decodes the code point at s[i] (i < end). Invalid bytes decode as U+FFFD of length 1.
CodePoint decode(std::string_view s, size_t i, size_t end) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1};
  size_t len;
  char32_t c;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    c = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    c = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    c = b0 & 0x07;
  } else {
    return {kInvalid, 1};
  }
  if (end - i < len) return {kInvalid, 1};
  for (size_t k = 1; k < len; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return {kInvalid, 1};
    c = (c << 6) | (b & 0x3F);
  }
  return {c, len};
}

// Decodes the code point that ends at s[pos] (lo < pos): its start goes to *start.
CodePoint decode_before(std::string_view s, size_t lo, size_t pos, size_t* start) {
  size_t p = pos - 1;
  while (p > lo && pos - p < 4 && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) --p;
  CodePoint cp = decode(s, p, pos);
  if (p + cp.len != pos) {  // not a whole sequence: take the last byte alone
    *start = pos - 1;
    return {kInvalid, 1};
  }
  *start = p;
  return cp;
}

// ---- Character classes --------------------------------------------------------------------------

bool is_line_break(char32_t c) {
  return c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x85 || c == 0x2028 ||
         c == 0x2029;
}

bool is_space(char32_t c) {
  return c == ' ' || c == '\t' || is_line_break(c) || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

// Closing quotes and brackets that may follow a terminator: . " ) ] } ” ’ » › 」 』 ）
bool is_closer(char32_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == 0x201D || c == 0x2019 ||
         c == 0xBB || c == 0x203A || c == 0x300D || c == 0x300F || c == 0xFF09;
}

// Opening quotes and brackets that may precede a word: " ' ( [ { “ ‘ « ‹ „ ¿ ¡ 「 『 （
bool is_opener(char32_t c) {
  return c == '"' || c == '\'' || c == '(' || c == '[' || c == '{' || c == 0x201C || c == 0x2018 ||
         c == 0xAB || c == 0x2039 || c == 0x201E || c == 0xBF || c == 0xA1 || c == 0x300C ||
         c == 0x300E || c == 0xFF08;
}

// Sentence terminators that may follow an abbreviation: the period and its look-alikes.
int dot_weight(char32_t c) {
  if (c == '.' || c == 0xFF0E) return 1;
  if (c == 0x2026) return 3;  // …
  return 0;
}

// Terminators that always end a sentence before a sentence opening: ? ! ‼ ⁇ ⁈ ⁉ 。 ！ ？
bool is_strong_terminator(char32_t c) {
  return c == '?' || c == '!' || c == 0x203C || c == 0x2047 || c == 0x2048 || c == 0x2049 ||
         c == 0x3002 || c == 0xFF01 || c == 0xFF1F;
}

bool is_terminator(char32_t c) {
  return dot_weight(c) > 0 || is_strong_terminator(c);
}

bool is_bullet(char32_t c) {
  switch (c) {
    case 0x2022:  // •
    case 0x2023:  // ‣
    case 0x2043:  // ⁃
    case 0x2219:  // ∙
    case 0x25A0:  // ■
    case 0x25A1:  // □
    case 0x25AA:  // ▪
    case 0x25AB:  // ▫
    case 0x25B6:  // ▶
    case 0x25BA:  // ►
    case 0x25C6:  // ◆
    case 0x25C7:  // ◇
    case 0x25CF:  // ●
    case 0x25E6:  // ◦
    case 0x2610:  // ☐
    case 0x2611:  // ☑
    case 0x2612:  // ☒
    case 0x2713:  // ✓
    case 0x2714:  // ✔
    case 0x2756:  // ❖
    case 0x27A2:  // ➢
    case 0x29BE:  // ⦾
    case 0x29BF:  // ⦿
      return true;
    default:
      return false;
  }
}

bool is_currency(char32_t c) {
  return c == '$' || c == 0xA2 || c == 0xA3 || c == 0xA5 || (c >= 0x20A0 && c <= 0x20CF);
}

bool is_ascii_upper(char32_t c) {
  return c >= 'A' && c <= 'Z';
}
bool is_ascii_lower(char32_t c) {
  return c >= 'a' && c <= 'z';
}
bool is_ascii_alpha(char32_t c) {
  return is_ascii_upper(c) || is_ascii_lower(c);
}
bool is_digit(char32_t c) {
  return c >= '0' && c <= '9';
}

enum class Case { kUpper, kLower, kNone, kCaseless };

// Case of a letter, for the scripts where news text has capitals; kCaseless for letters of
// scripts without case, kNone for punctuation and symbols.
Case letter_case(char32_t c) {
  if (is_ascii_upper(c)) return Case::kUpper;
  if (is_ascii_lower(c)) return Case::kLower;
  if (c < 0xC0) return Case::kNone;
  if (c <= 0xDE) return c == 0xD7 ? Case::kNone : Case::kUpper;     // À-Þ
  if (c <= 0xFF) return c == 0xF7 ? Case::kNone : Case::kLower;     // ß-ÿ
  if (c <= 0x17F) return c % 2 == 0 ? Case::kUpper : Case::kLower;  // Latin Extended-A, roughly
  if (c <= 0x24F) return Case::kCaseless;
  if (c >= 0x391 && c <= 0x3A9) return Case::kUpper;  // Greek
  if (c >= 0x3AC && c <= 0x3CE) return Case::kLower;
  if (c >= 0x400 && c <= 0x42F) return Case::kUpper;  // Cyrillic
  if (c >= 0x430 && c <= 0x45F) return Case::kLower;
  if (c >= 0x2000 && c <= 0x2BFF) return Case::kNone;  // punctuation, symbols, arrows, shapes
  if (c >= 0x3000 && c <= 0x303F) return Case::kNone;  // CJK punctuation
  if (c >= 0xFF00 && c <= 0xFF20) return Case::kNone;  // full-width punctuation and digits
  if (c == kInvalid) return Case::kNone;
  return Case::kCaseless;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return out;
}

// ---- Tokens -------------------------------------------------------------------------------------

struct Token {
  size_t b = 0;
  size_t e = 0;
  bool line_before = false;  // a line break separates it from the previous token
};

// Whitespace-separated tokens of s[begin, end), one at a time.
class TokenStream {
 public:
  TokenStream(std::string_view s, size_t begin, size_t end) : s_(s), pos_(begin), end_(end) {}

  bool next(Token* t) {
    bool line = false;
    while (pos_ < end_) {
      size_t len;
      bool br;
      if (!space_at(pos_, &len, &br)) break;
      line = line || br;
      pos_ += len;
    }
    if (pos_ >= end_) return false;
    t->b = pos_;
    t->line_before = line && started_;
    started_ = true;
    size_t len;
    bool br;
    while (pos_ < end_ && !space_at(pos_, &len, &br)) {
      unsigned char ch = static_cast<unsigned char>(s_[pos_]);
      pos_ += ch < 0x80 ? 1 : decode(s_, pos_, end_).len;
    }
    t->e = pos_;
    return true;
  }

 private:
  bool space_at(size_t i, size_t* len, bool* line_break) const {
    unsigned char ch = static_cast<unsigned char>(s_[i]);
    if (ch < 0x80) {
      *len = 1;
      *line_break = is_line_break(ch);
      return ch == ' ' || (ch >= '\t' && ch <= '\r');
    }
    CodePoint cp = decode(s_, i, end_);
    *len = cp.len;
    *line_break = is_line_break(cp.c);
    return is_space(cp.c);
  }

  std::string_view s_;
  size_t pos_;
  size_t end_;
  bool started_ = false;
};

// The end of a token, read backwards: [word_b, term_b) is the word, [term_b, core_e) the
// terminators, [core_e, e) the closing quotes and brackets.
struct Tail {
  size_t word_b = 0;
  size_t term_b = 0;
  size_t core_e = 0;
  int dots = 0;         // periods in the terminators, "…" counting three
  bool strong = false;  // a "?", "!" or the like among the terminators
  bool has_terminator() const { return term_b < core_e; }
  size_t word_size() const { return term_b - word_b; }
};

Tail read_tail(std::string_view s, const Token& t) {
  Tail tail;
  size_t p = t.e;
  while (p > t.b) {
    size_t start;
    CodePoint cp = decode_before(s, t.b, p, &start);
    if (!is_closer(cp.c)) break;
    p = start;
  }
  tail.core_e = p;
  while (p > t.b) {
    size_t start;
    CodePoint cp = decode_before(s, t.b, p, &start);
    if (!is_terminator(cp.c)) break;
    tail.dots += dot_weight(cp.c);
    tail.strong = tail.strong || is_strong_terminator(cp.c);
    p = start;
  }
  tail.term_b = p;
  size_t w = t.b;
  while (w < tail.term_b) {
    CodePoint cp = decode(s, w, tail.term_b);
    if (!is_opener(cp.c)) break;
    w += cp.len;
  }
  tail.word_b = w;
  return tail;
}

// True for a token made only of terminators and closing marks: one dot of ". . .", "?", "…".
bool is_terminator_only(std::string_view s, const Token& t) {
  size_t i = t.b;
  bool any = false;
  while (i < t.e) {
    CodePoint cp = decode(s, i, t.e);
    if (is_terminator(cp.c)) {
      any = true;
    } else if (!(any && is_closer(cp.c))) {
      return false;
    }
    i += cp.len;
  }
  return any;
}

size_t skip_openers(std::string_view s, const Token& t) {
  size_t i = t.b;
  while (i < t.e) {
    CodePoint cp = decode(s, i, t.e);
    if (!is_opener(cp.c)) break;
    i += cp.len;
  }
  return i;
}

// The leading run of ASCII letters of a token, after its opening quotes and brackets.
std::string_view lead_word(std::string_view s, const Token& t) {
  size_t b = skip_openers(s, t);
  size_t e = b;
  while (e < t.e && e - b <= kMaxLookup && is_ascii_alpha(static_cast<unsigned char>(s[e]))) ++e;
  return s.substr(b, e - b);
}

// Whether a token may open a sentence: after opening quotes and brackets, a capital letter, a
// digit, a currency sign, a bullet, a letter of a caseless script, or a lower-case word with a
// capital inside ("iPhone", "eBay").
bool opens_sentence(std::string_view s, const Token& t) {
  size_t i = skip_openers(s, t);
  if (i >= t.e) return false;
  CodePoint cp = decode(s, i, t.e);
  if (is_digit(cp.c) || is_currency(cp.c) || is_bullet(cp.c)) return true;
  switch (letter_case(cp.c)) {
    case Case::kUpper:
    case Case::kCaseless:
      return true;
    case Case::kNone:
      return false;
    case Case::kLower:
      break;
  }
  for (size_t k = i + cp.len; k < t.e && k - i <= kMaxLookup; ++k) {
    unsigned char ch = static_cast<unsigned char>(s[k]);
    if (is_ascii_upper(ch)) return true;
    if (!is_ascii_lower(ch)) break;
  }
  return false;
}

bool starts_with_digit(std::string_view s, const Token& t) {
  size_t i = skip_openers(s, t);
  return i < t.e && (is_digit(static_cast<unsigned char>(s[i])) || s[i] == '#');
}

// Whether the token's first word is a sentence starter ("The", "Now,", "It's", "THE").
bool is_starter(std::string_view s, const Token& t, const SegmentRules& rules) {
  std::string_view w = lead_word(s, t);
  if (w.empty() || w.size() > kMaxLookup) return false;
  std::string key(w);
  if (rules.sentence_starters.count(key)) return true;
  if (key.size() < 2) return false;
  for (char ch : key)
    if (!is_ascii_upper(static_cast<unsigned char>(ch))) return false;
  for (size_t k = 1; k < key.size(); ++k) key[k] = static_cast<char>(key[k] - 'A' + 'a');
  return rules.sentence_starters.count(key) > 0;
}

// "U.S", "e.g", "U.S.A", "J.R.R": single letters joined by periods.
bool is_acronym(std::string_view w) {
  if (w.size() < 3 || w.size() > kMaxLookup || w.size() % 2 == 0) return false;
  for (size_t k = 0; k < w.size(); ++k) {
    unsigned char ch = static_cast<unsigned char>(w[k]);
    if (k % 2 == 0 ? !is_ascii_alpha(ch) : ch != '.') return false;
  }
  return true;
}

// The part of a word after its last hyphen, dash or slash ("anti-U.S" -> "U.S").
std::string_view last_part(std::string_view w) {
  size_t from = 0;
  for (size_t i = 0; i < w.size();) {
    CodePoint cp = decode(w, i, w.size());
    i += cp.len;
    if (cp.c == '-' || cp.c == '/' || cp.c == 0x2013 || cp.c == 0x2014) from = i;
  }
  return w.substr(from);
}

enum class Abbrev { kNone, kTitle, kNumber, kGeneral };

// How a word before a period reads, looked up whole and then by its last part.
Abbrev classify(std::string_view word, const SegmentRules& rules) {
  if (word.empty() || word.size() > kMaxLookup) return Abbrev::kNone;
  Abbrev found = Abbrev::kNone;
  for (std::string_view w : {word, last_part(word)}) {
    if (w.empty()) continue;
    std::string key = ascii_lower(w);
    if (rules.title_abbreviations.count(key)) return Abbrev::kTitle;
    if (found == Abbrev::kNone && rules.abbreviations.count(key)) found = Abbrev::kGeneral;
    if (found == Abbrev::kNone && rules.number_abbreviations.count(key)) found = Abbrev::kNumber;
    if (found == Abbrev::kNone && is_acronym(w)) found = Abbrev::kGeneral;
  }
  return found;
}

// ---- List items ---------------------------------------------------------------------------------

// "1." "2.)" "3)" "(4)" "a." "b)" "(c)" "•" "⁃9.": the shape of a list-item marker.
struct Marker {
  bool valid = false;        // a numbered or lettered marker
  bool bullet = false;       // starts with a bullet
  bool bullet_only = false;  // is nothing but bullets
  int style = 0;             // numbering kind and punctuation; equal styles continue a run
  int value = 0;             // 1 for "1" and "a"
  bool bare_period = false;  // "1." or "a.": the forms that also end ordinary sentences
  bool upper = false;        // "A." "B)": upper-case letter
};

Marker read_marker(std::string_view s, const Token& t) {
  Marker m;
  size_t i = t.b;
  while (i < t.e) {
    CodePoint cp = decode(s, i, t.e);
    if (!is_bullet(cp.c)) break;
    m.bullet = true;
    i += cp.len;
  }
  if (i == t.e) {
    m.bullet_only = m.bullet;
    return m;
  }
  bool paren = s[i] == '(';
  if (paren) ++i;
  int kind;
  size_t v = i;
  while (v < t.e && v - i < 3 && is_digit(static_cast<unsigned char>(s[v]))) ++v;
  if (v > i && v - i <= 2) {
    kind = 0;
    m.value = 0;
    for (size_t k = i; k < v; ++k) m.value = m.value * 10 + (s[k] - '0');
  } else if (v == i && i < t.e && is_ascii_alpha(static_cast<unsigned char>(s[i]))) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    m.upper = is_ascii_upper(ch);
    kind = m.upper ? 2 : 1;
    m.value = (m.upper ? ch - 'A' : ch - 'a') + 1;
    v = i + 1;
  } else {
    return m;
  }
  std::string_view rest = s.substr(v, t.e - v);
  int punct;
  if (paren) {
    if (rest != ")") return m;
    punct = 3;
  } else if (rest == ".") {
    punct = 0;
    m.bare_period = true;
  } else if (rest == ".)") {
    punct = 1;
  } else if (rest == ")") {
    punct = 2;
  } else {
    return m;
  }
  m.valid = true;
  m.style = kind * 4 + punct;
  return m;
}

// Quick test before read_marker: list markers start with a digit, a letter, "(" or a bullet.
bool may_be_marker(std::string_view s, const Token& t) {
  unsigned char ch = static_cast<unsigned char>(s[t.b]);
  return ch >= 0x80 || ch == '(' || is_digit(ch) || is_ascii_alpha(ch);
}

// Numbered and lettered runs of list items, followed token by token.
class ListTracker {
 public:
  struct Step {
    bool marker = false;  // the token is a list-item marker: no sentence ends right after it
    bool split = false;   // a sentence starts at the token
  };

  // Token t, after token prev (null for the first token) and before token next (null at the
  // end); tokens must come in order, each once.
  Step step(std::string_view s, const Token* prev, const Token& t, const Token* next) {
    Step out;
    const bool after_bullet = prev != nullptr && prev_bullet_only_;
    Marker m = may_be_marker(s, t) ? read_marker(s, t) : Marker{};
    prev_bullet_only_ = m.bullet_only;
    if (m.bullet && prev != nullptr && !after_bullet) out.split = true;
    if (!m.valid) return out;
    const bool next_opens = next != nullptr && !next->line_before && opens_sentence(s, *next);
    if (!next_opens) return out;
    if (active_ && m.style == style_ && m.value == expected_) {
      out.marker = true;
      if (prev != nullptr && !after_bullet) out.split = true;
      ++expected_;
      return out;
    }
    // A run starts at the start of a line, after a bullet or a colon; the forms that cannot be
    // read as a sentence's last word ("2)", "3.)", "(c)") also after a terminator.
    const bool at_start = prev == nullptr || t.line_before || after_bullet || m.bullet;
    const bool after_colon = prev != nullptr && s[prev->e - 1] == ':';
    const bool after_terminator =
        prev != nullptr && !m.bare_period && read_tail(s, *prev).has_terminator();
    const bool first_value = m.style / 4 == 0 || m.value == 1 || m.bullet;
    const bool shape_ok = !(m.bare_period && m.upper && !m.bullet);  // "A." reads as an initial
    if ((at_start || after_colon || after_terminator) && first_value && shape_ok) {
      out.marker = true;
      active_ = true;
      style_ = m.style;
      expected_ = m.value + 1;
    }
    return out;
  }

 private:
  bool active_ = false;
  int style_ = 0;
  int expected_ = 0;
  bool prev_bullet_only_ = false;
};

// ---- Boundaries ---------------------------------------------------------------------------------

// Whether the sentence ends after token a, given token b after it (no dots run in between).
bool ends_after(std::string_view s, const Token& a, const Token& b, const SegmentRules& rules) {
  const unsigned char last = static_cast<unsigned char>(s[a.e - 1]);
  if (last < 0x80 && !is_terminator(last) && !is_closer(last)) return false;  // fast path
  Tail tail = read_tail(s, a);
  if (!tail.has_terminator()) return false;
  // An omission mark with no word of its own, "[...]", "(…)", is part of the sentence.
  if (tail.word_size() == 0 && !tail.strong) return false;
  if (!opens_sentence(s, b)) return false;
  if (tail.strong) return true;
  if (tail.dots == 3) return true;  // "word..." or "word…"
  if (tail.dots >= 4) return true;  // a period and an ellipsis
  std::string_view word = s.substr(tail.word_b, tail.word_size());
  switch (classify(word, rules)) {
    case Abbrev::kTitle:
      return false;
    case Abbrev::kNumber:
      // "P. DeFreitas": a capital letter alone is an initial (below), not "p." (page).
      if (word.size() == 1 && word[0] >= 'A' && word[0] <= 'Z') break;
      return !starts_with_digit(s, b);
    case Abbrev::kGeneral:
      return !starts_with_digit(s, b) && is_starter(s, b, rules);
    case Abbrev::kNone:
      break;
  }
  // A single letter is an initial ("Jonas E. Smith") unless a sentence starter follows.
  if (word.size() == 1 && is_ascii_alpha(static_cast<unsigned char>(word[0])))
    return is_starter(s, b, rules);
  return true;
}

}  // namespace

std::vector<TextRange> split_paragraphs(std::string_view text) {
  std::vector<TextRange> out;
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Skip white space (line breaks included) to the first character of a paragraph.
    CodePoint cp = decode(text, i, n);
    if (is_space(cp.c)) {
      i += cp.len;
      continue;
    }
    size_t start = i;
    size_t last = i;  // end of the last non-space character
    while (i < n) {
      unsigned char ch = static_cast<unsigned char>(text[i]);
      if (ch < 0x80) {  // fast path
        if (is_line_break(ch)) break;
        ++i;
        if (ch != ' ' && ch != '\t') last = i;
        continue;
      }
      cp = decode(text, i, n);
      if (is_line_break(cp.c)) break;
      i += cp.len;
      if (!is_space(cp.c)) last = i;
    }
    out.push_back({start, last});
  }
  return out;
}

std::vector<TextRange> split_sentences(std::string_view text, size_t begin, size_t end,
                                       const SegmentRules& rules) {
  std::vector<TextRange> out;
  if (end > text.size()) end = text.size();
  if (begin >= end) return out;

  // One pass over the tokens with one token of look-ahead: the gap between a (before) and b
  // (after) is decided when c (after b) is known. Only the current sentence's start is kept,
  // so memory does not grow with the input.
  TokenStream stream(text, begin, end);
  Token a, b, c;
  if (!stream.next(&a)) return out;
  bool has_b = stream.next(&b);
  ListTracker lists;
  bool a_marker = lists.step(text, nullptr, a, has_b ? &b : nullptr).marker;
  size_t sentence_start = a.b;

  // A run of terminator-only tokens (". . .", "word ?", "word …") after a token: decided when
  // the token after the run is known.
  struct Run {
    bool active = false;
    size_t before_end = 0;     // end of the token before the run
    size_t start = 0;          // start of the run's first token
    bool before_term = false;  // the token before ends with a terminator after a word
    int dots = 0;
    bool strong = false;
    size_t tokens = 0;
  } run;

  while (has_b) {
    const bool has_c = stream.next(&c);
    const ListTracker::Step step = lists.step(text, &a, b, has_c ? &c : nullptr);
    bool split = b.line_before || step.split;
    bool decided = false;
    if (run.active) {
      if (!split && is_terminator_only(text, b)) {
        Tail t = read_tail(text, b);
        run.dots += t.dots;
        run.strong = run.strong || t.strong;
        ++run.tokens;
        a = b;
        a_marker = false;
        b = c;
        has_b = has_c;
        continue;
      }
      run.active = false;
      decided = true;
      if (!split && opens_sentence(text, b)) {
        if (run.strong) {
          split = true;
        } else if (run.dots >= 4) {
          // "compounds. . . . The": the period ends the sentence and the ellipsis opens the
          // next; "period . . . . Next": the last dot is the period.
          if (run.before_term) {
            out.push_back({sentence_start, run.before_end});
            sentence_start = run.start;
          } else {
            split = true;
          }
        } else if (run.dots == 3) {
          // ". . ." spaced out is an omission inside the sentence; "word ..." before a
          // sentence starter ends it.
          split = run.tokens == 1 && is_starter(text, b, rules);
        } else {
          split = !run.before_term;  // "word . Next": a detached period
        }
      }
    }
    if (!split && !decided && !a_marker) {
      if (is_terminator_only(text, b)) {
        Tail at = read_tail(text, a);
        Tail bt = read_tail(text, b);
        run.active = true;
        run.before_end = a.e;
        run.start = b.b;
        run.before_term = at.has_terminator() && at.word_size() > 0;
        run.dots = (at.has_terminator() ? at.dots : 0) + bt.dots;
        run.strong = bt.strong;
        run.tokens = 1;
      } else {
        split = ends_after(text, a, b, rules);
      }
    }
    if (split) {
      out.push_back({sentence_start, a.e});
      sentence_start = b.b;
    }
    a = b;
    a_marker = step.marker;
    b = c;
    has_b = has_c;
  }
  out.push_back({sentence_start, a.e});
  return out;
}

}  // namespace claimx
