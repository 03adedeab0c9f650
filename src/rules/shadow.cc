#include "rules/shadow.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "claimx/text.h"
#include "rules/book_impl.h"

namespace claimx {

namespace {

// RE2's \w and \b are ASCII.
constexpr bool is_word(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

struct WordBytes {
  bool table[256] = {};
  constexpr WordBytes() {
    for (int c = 0; c < 256; ++c) table[c] = is_word(static_cast<unsigned char>(c));
  }
};
constexpr WordBytes kWordBytes;

bool word_byte(unsigned char c) {
  return kWordBytes.table[c];
}

bool letter(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Mark code points: U+0780 + bit (Thaana letters: two bytes of UTF-8, DE (80 + bit), where
// the DFA steps least). Text that holds them can only make a Set fire a rule in vain.
constexpr int kMaxLexicons = 64;
const char* const kMarkClass = "[\\x{780}-\\x{7BF}]";

std::string mark_escape(int bit) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%X}", 0x780 + bit);
  return buf;
}

// Forms of letters that fold case and need \b after them. Without \b before them a form is
// any word's end, so one letter ("s" of per_units) would mark every plural: two at least.
bool qualifies(const Lexicon& lex) {
  if (!lex.ignore_case || !lex.right_boundary || lex.entries().empty()) return false;
  size_t shortest = lex.left_boundary ? 1 : 2;
  return std::all_of(lex.entries().begin(), lex.entries().end(), [&](const LexiconEntry& e) {
    return e.form.size() >= shortest && std::all_of(e.form.begin(), e.form.end(), [](char c) {
             return letter(static_cast<unsigned char>(c));
           });
  });
}

// A form a phrase lexicon's marks stand for: printable ASCII ending with a letter (so, with the
// lexicon's \b after it, a hit ends a word of the text as a word lexicon's does), single
// spaces inside. Without \b before it, two characters at least.
bool phrase_form(const Lexicon& lex, std::string_view f) {
  size_t shortest = lex.left_boundary ? 1 : 2;
  return f.size() >= shortest && letter(static_cast<unsigned char>(f.back())) && f[0] != ' ' &&
         f.find("  ") == std::string_view::npos &&
         std::all_of(f.begin(), f.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

// Lexicons of other forms than letters (phrases, codes, units glued to a number) with \b
// after them and most forms phrase forms. They are marked whatever their case (a
// case-sensitive lexicon gets more marks than its hits, never fewer); a reference also matches
// the other forms as they are (`residual_`).
bool qualifies_phrases(const Lexicon& lex) {
  if (!lex.right_boundary || lex.entries().empty()) return false;
  size_t phrases = std::count_if(lex.entries().begin(), lex.entries().end(),
                                 [&](const LexiconEntry& e) { return phrase_form(lex, e.form); });
  return phrases * 2 >= lex.entries().size();
}

// A phrase lexicon is shadowed only when its forms take this many bytes of the figure rules'
// Set patterns (RuleBook::Impl::lexicon_set_bytes). The rest cost little to compile, and a
// reference to a phrase lexicon (any words, then the mark) makes a Set's DFA take every word
// for the start of a hit: in a figure rule that happens next to a number, but in the entity and
// deal rules it happened everywhere (shadowing countries, cities and deal words too made the
// warm batch 7% slower at the same instruction count: more DFA states, more cache misses).
constexpr size_t kMinPhraseSetBytes = 2048;

}  // namespace

const std::string& optional_mark() {
  static const std::string mark = std::string("(?:_") + kMarkClass + "+_)?";
  return mark;
}

void Shadow::build(const LexiconMap& lexicons, const std::set<std::string>& used,
                   const std::map<std::string, size_t>& set_bytes) {
  *this = Shadow();
  for (const auto& [name, lex] : lexicons) {
    if (!used.count(name) || names_.size() == kMaxLexicons) continue;
    bool words = qualifies(*lex);
    auto bytes = set_bytes.find(name);
    bool phrases = !words && bytes != set_bytes.end() && bytes->second >= kMinPhraseSetBytes &&
                   qualifies_phrases(*lex);
    if (!words && !phrases) continue;
    uint64_t b = uint64_t{1} << names_.size();
    names_.push_back(name);
    left_bounded_.push_back(lex->left_boundary);
    words_.push_back(words ? 0 : 1);
    Lexicon* residual = nullptr;  // a phrase lexicon's forms that are no phrase
    if (phrases) {
      residual = &residual_[static_cast<int>(names_.size() - 1)];
      residual->name = name;
      residual->ignore_case = lex->ignore_case;
      residual->left_boundary = lex->left_boundary;
      residual->right_boundary = lex->right_boundary;
    }
    for (const auto& e : lex->entries()) {
      if (phrases && !phrase_form(*lex, e.form)) {
        residual->edit_entries().push_back({e.form, nullptr});
        continue;
      }
      std::string f = e.form;
      std::transform(f.begin(), f.end(), f.begin(), lower);
      (words ? (lex->left_boundary ? whole_ : suffix_) : phrases_)[f] |= b;
      if (phrases && f.find(' ') != std::string::npos) words_.back() = 2;
    }
  }
  for (const auto& kv : suffix_) suffix_lengths_.push_back(static_cast<uint32_t>(kv.first.size()));
  std::sort(suffix_lengths_.begin(), suffix_lengths_.end());
  suffix_lengths_.erase(std::unique(suffix_lengths_.begin(), suffix_lengths_.end()),
                        suffix_lengths_.end());
  index();
  index_phrases();
}

namespace {

size_t pair_index(char a, char b) {
  return static_cast<size_t>(a - 'a') * 26 + static_cast<size_t>(b - 'a');
}

}  // namespace

void Shadow::index() {
  keys_.clear();
  auto fill = [&](const Table& table, std::vector<Slot>* slots) {
    size_t n = 16;
    while (n < table.size() * 2) n *= 2;  // load factor at most 1/2
    slots->assign(n, Slot());
    for (const auto& [form, bits] : table) {
      uint64_t h = table_hash(form);
      size_t i = h & (n - 1);
      while ((*slots)[i].size != 0) i = (i + 1) & (n - 1);
      (*slots)[i] = {h, bits, static_cast<uint32_t>(keys_.size()),
                     static_cast<uint32_t>(form.size())};
      keys_ += form;
    }
  };
  fill(whole_, &whole_slots_);
  fill(suffix_, &suffix_slots_);
  whole_min_ = SIZE_MAX;
  whole_max_ = 0;
  whole_ends_.assign(26 * 26, 0);
  for (const auto& kv : whole_) {  // forms of lowercase letters
    whole_min_ = std::min(whole_min_, kv.first.size());
    whole_max_ = std::max(whole_max_, kv.first.size());
    whole_ends_[pair_index(kv.first.front(), kv.first.back())] = 1;
  }
  suffix_tails_.assign(26 * 26, 0);
  for (const auto& kv : suffix_) {  // two letters at least
    const std::string& f = kv.first;
    suffix_tails_[pair_index(f[f.size() - 2], f.back())] = 1;
  }
}

// The trie of the phrase forms read backwards, built with child maps, then laid out with each
// node's edges sorted by byte.
void Shadow::index_phrases() {
  uint64_t bounded_lexicons = 0;
  for (size_t b = 0; b < left_bounded_.size(); ++b)
    if (left_bounded_[b]) bounded_lexicons |= uint64_t{1} << b;
  std::vector<std::map<uint8_t, uint32_t>> children(1);
  std::vector<PhraseNode> nodes(1);
  for (const auto& [form, bits] : phrases_) {
    uint32_t at = 0;
    for (size_t i = form.size(); i-- > 0;) {
      auto c = static_cast<uint8_t>(form[i]);
      auto it = children[at].find(c);
      if (it == children[at].end()) {
        it = children[at].emplace(c, static_cast<uint32_t>(nodes.size())).first;
        children.emplace_back();
        nodes.emplace_back();
      }
      at = it->second;
    }
    // \b before the form only where it starts with a word character.
    uint64_t bounded = word_byte(static_cast<unsigned char>(form[0])) ? bits & bounded_lexicons : 0;
    nodes[at].bounded |= bounded;
    nodes[at].free |= bits & ~bounded;
  }
  phrase_edges_.clear();
  for (size_t n = 0; n < nodes.size(); ++n) {
    nodes[n].first_edge = static_cast<uint32_t>(phrase_edges_.size());
    nodes[n].edges = static_cast<uint32_t>(children[n].size());
    for (const auto& [c, child] : children[n]) phrase_edges_.push_back({c, child});
  }
  phrase_nodes_ = std::move(nodes);
  index_phrase_tails();
}

void Shadow::index_phrase_tails() {
  phrase_tails_.assign(256 * 256 / 64, 0);
  phrase_singles_.assign(256, 0);
  if (phrase_nodes_.empty()) return;
  const PhraseNode& root = phrase_nodes_[0];
  for (uint32_t e = root.first_edge; e < root.first_edge + root.edges; ++e) {
    const PhraseEdge& last = phrase_edges_[e];
    const PhraseNode& node = phrase_nodes_[last.child];
    if (node.bounded != 0 || node.free != 0) phrase_singles_[last.byte] = 1;
    for (uint32_t f = node.first_edge; f < node.first_edge + node.edges; ++f) {
      size_t bit = last.byte * 256 + phrase_edges_[f].byte;
      phrase_tails_[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
}

uint64_t Shadow::phrase_label(std::string_view text, size_t end) const {
  // Most word ends are no phrase form's end: two look-ups say so.
  auto last = static_cast<uint8_t>(lower(text[end - 1]));
  bool single = phrase_singles_[last] != 0;
  size_t tail = end >= 2 ? last * 256 + static_cast<uint8_t>(lower(text[end - 2])) : 0;
  if (!single && (end < 2 || !(phrase_tails_[tail / 64] >> (tail % 64) & 1))) return 0;
  uint64_t bits = 0;
  uint32_t at = 0;
  for (size_t i = end; i-- > 0;) {
    const PhraseNode& node = phrase_nodes_[at];
    auto c = static_cast<uint8_t>(lower(text[i]));
    auto first = phrase_edges_.begin() + node.first_edge, last = first + node.edges;
    auto edge =
        std::lower_bound(first, last, c, [](const PhraseEdge& e, uint8_t b) { return e.byte < b; });
    if (edge == last || edge->byte != c) break;
    at = edge->child;
    const PhraseNode& hit = phrase_nodes_[at];
    if (hit.free != 0) bits |= hit.free;
    if (hit.bounded != 0 && (i == 0 || !word_byte(static_cast<unsigned char>(text[i - 1]))))
      bits |= hit.bounded;
  }
  return bits;
}

bool Shadow::phrase_may_end(std::string_view text) const {
  std::string prefix(text);
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), lower);
  for (const auto& kv : phrases_) {
    std::string_view f = kv.first;
    if (f.size() <= prefix.size() ? prefix.substr(prefix.size() - f.size()) == f
                                  : f.substr(f.size() - prefix.size()) == prefix)
      return true;
  }
  return false;
}

uint64_t Shadow::find(const std::vector<Slot>& slots, std::string_view folded) const {
  uint64_t h = table_hash(folded);
  for (size_t i = h & (slots.size() - 1);; i = (i + 1) & (slots.size() - 1)) {
    const Slot& s = slots[i];
    if (s.size == 0) return 0;
    if (s.hash == h && std::string_view(keys_).substr(s.offset, s.size) == folded) return s.bits;
  }
}

std::string Shadow::stand_in(int i) {
  return mark_escape(kMaxLexicons + i);
}

int Shadow::bit(std::string_view lexicon) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == lexicon) return static_cast<int>(i);
  return -1;
}

std::string Shadow::reference(std::string_view lexicon) const {
  int b = bit(lexicon);
  std::string out = "(?:";
  if (phrases_of(b)) {
    // A phrase: words of any characters but spaces (marks inside), then its mark. Not counted
    // up to its most words: the Set's DFA would count too, a state for each count.
    if (words_[b] > 1) out += "(?:\\S+ )*";
    out += "\\S+_";
  } else {
    if (left_bounded_[b]) out += "\\b";
    out += "[A-Za-z]+_";
  }
  out += kMarkClass;
  out += '*';
  out += mark_escape(b);
  out += kMarkClass;
  out += "*_";
  auto residual = residual_.find(b);
  if (residual != residual_.end() && !residual->second.entries().empty())
    out += "|(?:" + marked_regex(residual->second) + ")" + optional_mark();
  out += ")";
  return out;
}

uint64_t Shadow::label(std::string_view word) const {
  char folded[64];
  size_t n = word.size();
  if (n == 0 || n > sizeof folded || whole_ends_.empty()) return 0;
  // Most words fail on their ends, before any folding or hashing.
  auto at = [&](size_t i) { return static_cast<unsigned char>(word[i]); };
  if (!letter(at(n - 1))) return 0;
  char last = lower(word[n - 1]);
  bool whole = n >= whole_min_ && n <= whole_max_ && letter(at(0)) &&
               whole_ends_[pair_index(lower(word[0]), last)];
  bool suffix = n >= 2 && letter(at(n - 2)) && suffix_tails_[pair_index(lower(word[n - 2]), last)];
  if (!whole && !suffix) return 0;
  size_t letters_from = word.size();
  while (letters_from > 0 && letter(static_cast<unsigned char>(word[letters_from - 1])))
    --letters_from;
  if (letters_from == word.size()) return 0;
  for (size_t i = letters_from; i < word.size(); ++i) folded[i] = lower(word[i]);
  std::string_view all(folded, word.size());
  uint64_t bits = 0;
  if (whole && letters_from == 0) bits |= find(whole_slots_, all);
  size_t letters = n - letters_from;
  if (suffix)
    for (uint32_t k : suffix_lengths_) {
      if (k > letters) break;
      bits |= find(suffix_slots_, all.substr(n - k));
    }
  return bits;
}

bool Shadow::ends_a_form(std::string_view word) const {
  std::string w(word);
  std::transform(w.begin(), w.end(), w.begin(), lower);
  for (const auto* table : {&whole_, &suffix_})
    for (const auto& kv : *table)
      if (kv.first.size() > w.size() &&
          kv.first.compare(kv.first.size() - w.size(), w.size(), w) == 0)
        return true;
  return false;
}

std::string Shadow::marked_regex(const Lexicon& lex) const {
  // Code points in no form: a mark may follow (inside a form), \b or a mark follows (at its end,
  // where the plain regex has \b, which a mark's `_` would fail).
  static const std::string kInside = "\xF3\xB0\x83\xBE", kEnd = "\xF3\xB0\x83\xBF";
  std::string re = lex.regex_with([&](std::string f) {
    std::string out;
    for (size_t a = 0; a < f.size();) {
      size_t b = a;
      while (b < f.size() && word_byte(static_cast<unsigned char>(f[b]))) ++b;
      if (b == a) {
        out += f[a++];
        continue;
      }
      out.append(f, a, b - a);
      // A word of the form that ends a word of the text and may be marked; at the form's start,
      // in a lexicon without \b before it, that word of the text may begin earlier.
      std::string_view w = std::string_view(f).substr(a, b - a);
      bool ends_word = b < f.size() || lex.right_boundary;
      if (ends_word && letter(static_cast<unsigned char>(f[b - 1])) &&
          (label(w) != 0 || (a == 0 && !lex.left_boundary && ends_a_form(w)) ||
           phrase_may_end(std::string_view(f).substr(0, b))))
        out += b < f.size() ? kInside : kEnd;
      a = b;
    }
    return out;
  });
  const std::string end = "(?:\\b|_" + std::string(kMarkClass) + "+_)";
  for (const auto& [code, text] : {std::pair{kInside, optional_mark()}, std::pair{kEnd, end}})
    for (size_t at; (at = re.find(code)) != std::string::npos;) re.replace(at, code.size(), text);
  return re;
}

bool Shadow::render(std::string_view text, std::string* out,
                    std::vector<std::pair<size_t, size_t>>* marks) const {
  // LONG S (C5 BF) and KELVIN SIGN (E2 84 AA), which (?i) folds to s and k.
  auto folds_to_ascii = [&](size_t i) {
    auto c = static_cast<unsigned char>(text[i]);
    return (c == 0xC5 && text.substr(i, 2) == "\xC5\xBF") ||
           (c == 0xE2 && text.substr(i, 3) == "\xE2\x84\xAA");
  };
  out->clear();
  out->reserve(text.size() + 64);
  size_t copied = 0;  // text before this is in *out
  for (size_t i = 0, n = text.size(); i < n;) {
    for (; i < n && !word_byte(static_cast<unsigned char>(text[i])); ++i)
      if (folds_to_ascii(i)) return false;
    size_t start = i;
    while (i < n && word_byte(static_cast<unsigned char>(text[i]))) ++i;
    // Marked words end with a letter; most words are not marked.
    if (i == start || !letter(static_cast<unsigned char>(text[i - 1]))) continue;
    uint64_t bits = label(text.substr(start, i - start));
    if (phrase_nodes_.size() > 1) bits |= phrase_label(text, i);
    if (bits == 0) continue;
    out->append(text.data() + copied, i - copied);
    copied = i;
    size_t before = out->size();
    *out += '_';
    for (int b = 0; b < kMaxLexicons; ++b) {
      const char code[2] = {'\xDE', static_cast<char>(0x80 + b)};
      if (bits >> b & 1) out->append(code, 2);
    }
    *out += '_';
    if (marks) marks->emplace_back(i, out->size() - before);
  }
  out->append(text.data() + copied, text.size() - copied);
  return true;
}

const std::string* ShadowCache::get(const Shadow& shadow, std::string_view text) {
  constexpr size_t kMaxBytes = 1 << 20;  // a window of sentences is 256 KB at most
  if (bytes_ > kMaxBytes) {
    entries_.clear();
    bytes_ = 0;
  }
  auto [it, added] = entries_.try_emplace(text.data());
  Entry& e = it->second;
  if (added || e.shadow != &shadow || e.text != text) {
    bytes_ -= e.text.size() + e.rendered.size();
    e.shadow = &shadow;
    e.text.assign(text);
    e.ok = shadow.render(text, &e.rendered);
    bytes_ += e.text.size() + e.rendered.size();
  }
  return e.ok ? &e.rendered : nullptr;
}

namespace {

enum class Kind {
  kOther,
  kNarrow,
  kWide
};  // matches no letter; letters (and \w); letters and more

bool is_ascii_word(uint32_t c) {
  return c < 128 && word_byte(static_cast<unsigned char>(c));
}

// What a class member range [lo, hi] may match.
void add_range(uint32_t lo, uint32_t hi, bool* letters, bool* others) {
  if (lo > hi) std::swap(lo, hi);
  if (!(hi < 'A' || lo > 'z' || (lo > 'Z' && hi < 'a'))) *letters = true;
  if (hi >= 128) {
    *others = true;
    return;
  }
  for (uint32_t c = lo; c <= hi; ++c)
    if (!is_ascii_word(c)) *others = true;
}

// An escape at s[i] ('\\'): its end, and what it matches as a class member (letters/others);
// a single code point in *cp when it stands for one. False when it cannot be read here.
bool read_escape(std::string_view s, size_t i, size_t* end, bool* letters, bool* others,
                 int64_t* cp) {
  *cp = -1;
  if (i + 1 >= s.size()) return false;
  char c = s[i + 1];
  *end = i + 2;
  switch (c) {
    case 'd':
      return true;
    case 'w':
      *letters = true;
      return true;
    case 's':
    case 'W':
      *others = true;
      return true;
    case 'D':
    case 'S':
    case 'C':
      *letters = *others = true;
      return true;
    case 'p':
    case 'P':
      if (i + 2 < s.size() && s[i + 2] == '{') {
        size_t close = s.find('}', i + 3);
        if (close == std::string_view::npos) return false;
        *end = close + 1;
      } else {
        *end = i + 3;
      }
      *letters = *others = true;
      return *end <= s.size();
    case 'b':
    case 'B':
    case 'A':
    case 'z':
      return true;  // empty width
    case 'Q':
      return false;
    case 'x': {
      std::string_view hex;
      if (i + 2 < s.size() && s[i + 2] == '{') {
        size_t close = s.find('}', i + 3);
        if (close == std::string_view::npos) return false;
        hex = s.substr(i + 3, close - i - 3);
        *end = close + 1;
      } else {
        if (i + 3 >= s.size()) return false;
        hex = s.substr(i + 2, 2);
        *end = i + 4;
      }
      if (hex.empty() || hex.size() > 6 || !std::all_of(hex.begin(), hex.end(), [](char h) {
            return std::isxdigit(static_cast<unsigned char>(h));
          }))
        return false;
      uint32_t v = static_cast<uint32_t>(std::stoul(std::string(hex), nullptr, 16));
      *cp = v;
      add_range(v, v, letters, others);
      return true;
    }
    case 'n':
    case 't':
    case 'r':
    case 'f':
    case 'v':
    case 'a':
      *others = true;
      *cp = c;
      return true;
    default:
      if (letter(static_cast<unsigned char>(c)) || (c >= '0' && c <= '9')) return false;
      *cp = static_cast<unsigned char>(c);
      add_range(*cp, *cp, letters, others);
      return true;
  }
}

// A class at s[i] ('['): its end and kind.
bool read_class(std::string_view s, size_t i, size_t* end, Kind* kind) {
  size_t j = i + 1;
  bool negated = j < s.size() && s[j] == '^';
  if (negated) ++j;
  bool letters = false, others = false, has_w = false;
  for (bool first = true; j < s.size(); first = false) {
    if (s[j] == ']' && !first) break;
    if (s[j] == '[' && j + 1 < s.size() && s[j + 1] == ':') {
      size_t close = s.find(":]", j + 2);
      if (close == std::string_view::npos) return false;
      if (s.substr(j + 2, close - j - 2) != "digit") letters = others = true;
      j = close + 2;
      continue;
    }
    int64_t lo = -1;
    if (s[j] == '\\') {
      size_t e;
      has_w = has_w || (j + 1 < s.size() && s[j + 1] == 'w');
      if (!read_escape(s, j, &e, &letters, &others, &lo)) return false;
      j = e;
    } else {
      size_t len;
      lo = decode_utf8(s, j, &len);
      j += len;
    }
    if (lo >= 0 && j + 1 < s.size() && s[j] == '-' && s[j + 1] != ']') {
      int64_t hi;
      if (s[j + 1] == '\\') {
        size_t e;
        bool l2 = false, o2 = false;
        if (!read_escape(s, j + 1, &e, &l2, &o2, &hi) || hi < 0) return false;
        j = e;
      } else {
        size_t len;
        hi = decode_utf8(s, j + 1, &len);
        j += 1 + len;
      }
      add_range(static_cast<uint32_t>(lo), static_cast<uint32_t>(hi), &letters, &others);
    } else if (lo >= 0) {
      add_range(static_cast<uint32_t>(lo), static_cast<uint32_t>(lo), &letters, &others);
    }
  }
  if (j >= s.size()) return false;
  *end = j + 1;
  if (negated)
    *kind = has_w ? Kind::kOther : Kind::kWide;
  else
    *kind = !letters ? Kind::kOther : others ? Kind::kWide : Kind::kNarrow;
  return true;
}

// The end of a group's opening syntax at s[i] ('('): "(", "(?:", "(?P<name>", "(?i)", "(?i:".
bool group_open_end(std::string_view s, size_t i, size_t* end) {
  if (i + 1 >= s.size() || s[i + 1] != '?') {
    *end = i + 1;
    return true;
  }
  size_t j = i + 2;
  if (j < s.size() && (s[j] == 'P' || s[j] == '<')) {
    size_t close = s.find('>', j);
    if (close == std::string_view::npos) return false;
    *end = close + 1;
    return true;
  }
  while (j < s.size() && (std::isalpha(static_cast<unsigned char>(s[j])) || s[j] == '-')) ++j;
  if (j >= s.size() || (s[j] != ':' && s[j] != ')')) return false;
  *end = j + 1;
  return true;
}

}  // namespace

bool widen_letters(std::string_view s, std::string* out) {
  bool in_run = false;
  auto end_run = [&] {
    if (in_run) *out += optional_mark();
    in_run = false;
  };
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    size_t end = i + 1;
    if (c == '(') {
      end_run();
      if (!group_open_end(s, i, &end)) return false;
      out->append(s.substr(i, end - i));
      i = end;
      continue;
    }
    if (c == ')' || c == '|' || c == '^' || c == '$') {
      end_run();
      *out += c;
      ++i;
      continue;
    }
    bool optional;
    if (size_t q = quantifier_end(s, i, &optional); q != i) {  // after a group or a reference
      end_run();
      out->append(s.substr(i, q - i));
      i = q;
      continue;
    }
    Kind kind = Kind::kOther;
    if (c == '\\') {
      bool letters = false, others = false;
      int64_t cp;
      if (!read_escape(s, i, &end, &letters, &others, &cp)) return false;
      kind = !letters ? Kind::kOther : others ? Kind::kWide : Kind::kNarrow;
    } else if (c == '[') {
      if (!read_class(s, i, &end, &kind)) return false;
    } else if (c == '.') {
      kind = Kind::kWide;
    } else {
      size_t len;
      decode_utf8(s, i, &len);
      end = i + len;
      kind = letter(static_cast<unsigned char>(c)) ? Kind::kNarrow : Kind::kOther;
    }
    size_t q = quantifier_end(s, end, &optional);
    std::string_view atom = s.substr(i, end - i), quant = s.substr(end, q - end);
    if (kind == Kind::kNarrow) {
      out->append(s.substr(i, q - i));
      in_run = true;
    } else if (kind == Kind::kWide) {
      // A wide atom may end a marked word and go on after its mark: a mark inside its repetition.
      end_run();
      if (quant.empty()) {
        out->append(atom);
        *out += optional_mark();
      } else {
        *out += "(?:";
        out->append(atom);
        *out += optional_mark() + ")";
        out->append(quant);
      }
    } else {
      end_run();
      out->append(s.substr(i, q - i));
    }
    i = q;
  }
  end_run();
  return true;
}

}  // namespace claimx
