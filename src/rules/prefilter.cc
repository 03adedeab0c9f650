#include "rules/prefilter.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>

#include "claimx/text.h"

namespace claimx::prefilter {
namespace {

// Bounds that keep the analysis and the filters small; they cost selectivity, never soundness.
constexpr size_t kMaxExact = 16;          // strings an exact set may hold
constexpr size_t kMaxClauseStrings = 64;  // strings a clause may hold
constexpr size_t kMaxClauses = 4;         // clauses a need keeps (the most selective)
constexpr double kUselessCost = 0.95;     // a clause this likely to hold filters nothing

using Bytes = std::bitset<256>;
using Strings = std::vector<std::string>;  // sorted, distinct

// What is known of a sub-pattern: either every string it can match (exact), or clauses that
// every match satisfies.
struct Info {
  bool exact = false;
  Strings strings;
  std::vector<Clause> clauses;
};

Info any_match() {
  return {};
}
Info exact_of(Strings s) {
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  Info i;
  i.exact = true;
  i.strings = std::move(s);
  return i;
}
Info empty_width() {
  return exact_of({""});
}

bool is_upper(int c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(int c) {
  return c >= 'a' && c <= 'z';
}
char lower(char c) {
  return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

// A guide to which clauses to keep and how to group rules, not a measurement.
double likelihood(const Clause& c) {
  double p = 0;
  for (size_t b = c.bytes._Find_first(); b < 256; b = c.bytes._Find_next(b)) {
    if (b == ' ')
      p += 1.0;
    else if (is_lower(b))
      p += 0.6;
    else if (is_upper(b))
      p += 0.15;
    else if (b >= 0x80)
      p += 0.005;
    else
      p += 0.02;
  }
  for (const auto& s : c.strings) {
    double q = 1;
    for (size_t k = 0; k < s.size() && q > 1e-4; ++k) q *= 0.55;
    p += q;
  }
  return std::min(p, 1.0);
}

namespace {

// Keeps the clauses that filter something, the most selective first, at most kMaxClauses.
std::vector<Clause> prune(std::vector<Clause> in) {
  std::vector<std::pair<double, size_t>> ranked;
  for (size_t k = 0; k < in.size(); ++k) {
    if (in[k].strings.size() > kMaxClauseStrings) continue;
    double c = likelihood(in[k]);
    if (c < kUselessCost) ranked.push_back({c, k});
  }
  std::stable_sort(ranked.begin(), ranked.end());
  std::vector<Clause> out;
  for (const auto& ranked_clause : ranked) {
    if (out.size() == kMaxClauses) break;
    Clause& c = in[ranked_clause.second];
    // A clause implied by a kept one (its bytes and strings include the kept one's) adds nothing.
    bool implied = std::any_of(out.begin(), out.end(), [&](const Clause& o) {
      return (o.bytes & ~c.bytes).none() &&
             std::includes(c.strings.begin(), c.strings.end(), o.strings.begin(), o.strings.end());
    });
    if (!implied) out.push_back(std::move(c));
  }
  return out;
}

std::vector<Clause> clauses_of(const Info& i) {
  if (!i.exact) return i.clauses;
  if (i.strings.empty() || i.strings.front().empty()) return {};  // "" matches anywhere
  if (i.strings.size() > kMaxClauseStrings) return {};
  return prune({Clause{{}, i.strings}});
}

// Clauses of a text matching A or B: for each pair, one clause or the other holds.
std::vector<Clause> either(const std::vector<Clause>& a, const std::vector<Clause>& b) {
  if (a.empty() || b.empty()) return {};
  std::vector<Clause> out;
  for (const auto& x : a)
    for (const auto& y : b) {
      Clause c{x.bytes | y.bytes, {}};
      std::set_union(x.strings.begin(), x.strings.end(), y.strings.begin(), y.strings.end(),
                     std::back_inserter(c.strings));
      out.push_back(std::move(c));
    }
  return prune(std::move(out));
}

Info cross(const Info& a, const Info& b) {
  Strings s;
  s.reserve(a.strings.size() * b.strings.size());
  for (const auto& x : a.strings)
    for (const auto& y : b.strings) s.push_back(x + y);
  return exact_of(std::move(s));
}

// A sequence: runs of exact parts are joined into strings ("mill" "ion" -> "million") as long
// as their product stays small; the rest contributes its clauses.
class Sequence {
 public:
  void add(Info i) {
    if (i.exact && run_.strings.size() * i.strings.size() <= kMaxExact) {
      run_ = cross(run_, i);
      return;
    }
    flush();
    broken_ = true;  // the sequence's strings are no longer known one by one
    if (i.exact) {
      run_ = std::move(i);
    } else {
      for (auto& c : i.clauses) clauses_.push_back(std::move(c));
    }
  }
  Info done() {
    if (!broken_) return run_;
    flush();
    Info r;
    r.clauses = prune(std::move(clauses_));
    return r;
  }

 private:
  void flush() {
    for (auto& c : clauses_of(run_)) clauses_.push_back(std::move(c));
    run_ = empty_width();
  }
  Info run_ = empty_width();
  std::vector<Clause> clauses_;
  bool broken_ = false;
};

Info alternation(std::vector<Info> branches) {
  bool all_exact =
      std::all_of(branches.begin(), branches.end(), [](const Info& i) { return i.exact; });
  if (all_exact) {  // one exact set, or one clause of its strings, or nothing when too many
    Strings s;
    for (auto& b : branches) s.insert(s.end(), b.strings.begin(), b.strings.end());
    Info u = exact_of(std::move(s));
    if (u.strings.size() <= kMaxExact) return u;
    Info r;
    r.clauses = clauses_of(u);
    return r;
  }
  std::vector<Clause> acc = clauses_of(branches[0]);
  for (size_t k = 1; k < branches.size() && !acc.empty(); ++k)
    acc = either(acc, clauses_of(branches[k]));
  Info r;
  r.clauses = std::move(acc);
  return r;
}

const Bytes& high_bytes() {
  static const Bytes b = [] {
    Bytes h;
    for (int c = 0x80; c < 256; ++c) h.set(c);
    return h;
  }();
  return b;
}
const Bytes& ascii_letters() {
  static const Bytes b = [] {
    Bytes l;
    for (int c = 'a'; c <= 'z'; ++c) l.set(c).set(c - 'a' + 'A');
    return l;
  }();
  return b;
}
Bytes range(int lo, int hi) {
  Bytes b;
  for (int c = lo; c <= hi; ++c) b.set(c);
  return b;
}
Bytes complement_ascii(const Bytes& b) {
  Bytes out = high_bytes();
  for (int c = 0; c < 128; ++c)
    if (!b[c]) out.set(c);
  return out;
}

Info from_class(const Bytes& b, bool exact_ok) {
  if (exact_ok && (b & high_bytes()).none()) {
    Strings s;
    for (int c = 0; c < 128; ++c)
      if (b[c] && !is_upper(c)) s.push_back(std::string(1, static_cast<char>(c)));
    for (int c = 'A'; c <= 'Z'; ++c)
      if (b[c] && !b[c - 'A' + 'a']) s.push_back(std::string(1, static_cast<char>(c - 'A' + 'a')));
    if (s.size() <= 4) return exact_of(std::move(s));
  }
  Info i;
  i.clauses = prune({Clause{b, {}}});
  return i;
}

// The UTF-8 bytes of a code point (escapes such as \x{20AC} name one).
std::string utf8_of(unsigned u) {
  std::string s;
  append_utf8(u, &s);
  return s;
}

struct Unknown {};  // syntax the analysis does not read: the whole pattern needs nothing

using GroupMemo = std::unordered_map<std::string, Info>;

class Parser {
 public:
  Parser(std::string_view p, GroupMemo* memo) : p_(p), memo_(memo) {}

  Info parse() {
    Info i = alternation_at(false);
    if (pos_ != p_.size()) throw Unknown{};
    return i;
  }

 private:
  struct Flags {
    bool fold = false;  // (?i)
  };

  bool more() const { return pos_ < p_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < p_.size() ? p_[pos_ + ahead] : '\0'; }

  // A group's body is read once per pack: the figure rules repeat the same number-word and
  // scale alternations dozens of times. What a body needs depends on its text and the flags
  // in force where it starts, nothing else.
  Info alternation_at(bool in_group) {
    constexpr size_t kMemoBytes = 8;  // shorter bodies cost less to read than to look up
    if (!in_group || memo_ == nullptr) return branches_at(in_group);
    size_t end = group_end(pos_);
    if (end == std::string_view::npos || end - pos_ < kMemoBytes) return branches_at(in_group);
    std::string key(1, flags_.fold ? 'i' : '-');
    key.append(p_.substr(pos_, end - pos_));
    if (auto it = memo_->find(key); it != memo_->end()) {
      pos_ = end + 1;
      return it->second;
    }
    Info i = branches_at(in_group);
    if (pos_ != end + 1) throw Unknown{};  // the scan and the parse disagree: read nothing
    memo_->emplace(std::move(key), i);
    return i;
  }

  // The index of the ')' that closes the group whose body starts at `from`, or npos.
  size_t group_end(size_t from) const {
    int depth = 0;
    for (size_t i = from; i < p_.size(); ++i) {
      char c = p_[i];
      if (c == '\\') {
        if (i + 1 < p_.size() && p_[i + 1] == 'Q') {
          size_t e = p_.find("\\E", i + 2);
          if (e == std::string_view::npos) return e;
          i = e + 1;
        } else {
          ++i;
        }
      } else if (c == '[') {
        i = class_end(i);
        if (i == std::string_view::npos) return i;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (depth == 0) return i;
        --depth;
      }
    }
    return std::string_view::npos;
  }

  // The index of the ']' that closes the class opening at `i`, or npos.
  size_t class_end(size_t i) const {
    ++i;
    if (i < p_.size() && p_[i] == '^') ++i;
    if (i < p_.size() && p_[i] == ']') ++i;  // a ']' first is a member
    while (i < p_.size()) {
      if (p_[i] == '\\') {
        i += 2;
      } else if (p_[i] == '[' && i + 1 < p_.size() && p_[i + 1] == ':') {
        size_t e = p_.find(":]", i + 2);
        if (e == std::string_view::npos) return e;
        i = e + 2;
      } else if (p_[i] == ']') {
        return i;
      } else {
        ++i;
      }
    }
    return std::string_view::npos;
  }

  Info branches_at(bool in_group) {
    std::vector<Info> branches;
    Flags saved = flags_;
    size_t strings = 0;  // of the branches so far: more than a clause holds means no filter
    bool hopeless = false;
    for (;;) {
      branches.push_back(sequence_at());
      const Info& b = branches.back();
      strings += b.exact ? b.strings.size() : b.clauses.empty() ? kMaxClauseStrings + 1 : 0;
      if (more() && peek() == '|') {
        ++pos_;
        if (strings > kMaxClauseStrings) {  // a lexicon's thousands of names: skip the rest
          hopeless = true;
          break;
        }
        continue;
      }
      break;
    }
    if (hopeless) pos_ = in_group ? group_end(pos_) : p_.size();
    if (in_group) {
      if (!more() || peek() != ')') throw Unknown{};
      ++pos_;
    }
    flags_ = saved;  // inline flags end with their group
    if (hopeless) return any_match();
    return branches.size() == 1 ? std::move(branches[0]) : alternation(std::move(branches));
  }

  Info sequence_at() {
    Sequence seq;
    while (more() && peek() != '|' && peek() != ')') {
      if (std::string run = plain_run(); !run.empty()) {
        seq.add(exact_of({std::move(run)}));
        continue;
      }
      Info atom = atom_at();
      seq.add(repeat_at(std::move(atom)));
    }
    return seq.done();
  }

  // Plain ASCII letters, digits and spaces not under a quantifier, taken in one step (the
  // lexicon alternations are mostly these); empty when the next character is anything else.
  std::string plain_run() {
    auto plain = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
    };
    size_t end = pos_;
    while (end < p_.size() && plain(p_[end])) ++end;
    bool quantified =
        end < p_.size() && (p_[end] == '*' || p_[end] == '+' || p_[end] == '?' || p_[end] == '{');
    if (quantified && end > pos_) --end;  // the last character is quantified: atom_at reads it
    std::string run;
    for (; pos_ < end; ++pos_) {
      char l = lower(p_[pos_]);
      if (flags_.fold && (l == 'k' || l == 's')) break;  // two strings each: atom_at
      run += l;
    }
    return run;
  }

  // A quantifier, if one follows: {n,m} is one only when well formed (else RE2 reads '{').
  Info repeat_at(Info atom) {
    for (;;) {
      if (!more()) return atom;
      char c = peek();
      int min = -1;
      bool upto_one = false;
      if (c == '*') {
        min = 0;
        ++pos_;
      } else if (c == '+') {
        min = 1;
        ++pos_;
      } else if (c == '?') {
        min = 0;
        upto_one = true;
        ++pos_;
      } else if (c == '{') {
        size_t save = pos_;
        std::optional<std::pair<int, int>> r = counted();
        if (!r) {
          pos_ = save;
          return atom;
        }
        min = r->first;
        upto_one = r->second == 1;
      } else {
        return atom;
      }
      if (more() && peek() == '?') ++pos_;  // non-greedy
      if (bare_) throw Unknown{};
      atom = repeated(std::move(atom), min, upto_one);
    }
  }

  // {n}, {n,}, {n,m}: (n, m), m = -1 when open; nullopt when not a repetition.
  std::optional<std::pair<int, int>> counted() {
    ++pos_;  // '{'
    auto number = [&]() -> int {
      int v = -1;
      while (more() && peek() >= '0' && peek() <= '9') {
        v = (v < 0 ? 0 : v) * 10 + (peek() - '0');
        if (v > 100000) v = 100000;
        ++pos_;
      }
      return v;
    };
    int n = number();
    if (n < 0) return std::nullopt;
    int m = n;
    if (more() && peek() == ',') {
      ++pos_;
      m = number();
    }
    if (!more() || peek() != '}') return std::nullopt;
    ++pos_;
    return std::make_pair(n, m);
  }

  static Info repeated(Info atom, int min, bool upto_one) {
    if (min >= 1) {  // at least one copy: the atom's own needs hold
      Info r;
      r.clauses = clauses_of(atom);
      return r;
    }
    if (upto_one && atom.exact) {  // x? -> x or ""
      atom.strings.push_back("");
      return exact_of(std::move(atom.strings));
    }
    return any_match();
  }

  Info atom_at() {
    bare_ = false;
    char c = peek();
    switch (c) {
      case '(':
        return group_at();
      case '[':
        return class_at();
      case '.':
        ++pos_;
        return any_match();
      case '^':
      case '$':
        ++pos_;
        return empty_width();
      case '\\':
        return escape_at();
      case '*':
      case '+':
      case '?':
        throw Unknown{};  // RE2 rejects a quantifier with nothing before it
      default:
        return literal(next_char());
    }
  }

  // One UTF-8 character from the pattern, as its bytes.
  std::string next_char() {
    unsigned char b = static_cast<unsigned char>(p_[pos_]);
    size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (pos_ + n > p_.size()) throw Unknown{};
    std::string s(p_.substr(pos_, n));
    pos_ += n;
    return s;
  }

  // A character the pattern names literally, under the current flags.
  Info literal(const std::string& ch) {
    unsigned char b = static_cast<unsigned char>(ch[0]);
    if (b >= 0x80) {
      if (!flags_.fold) return exact_of({ch});
      // Folded, a non-ASCII letter may match another of any script, or an ASCII one.
      return from_class(high_bytes() | ascii_letters(), false);
    }
    if (!flags_.fold) return exact_of({std::string(1, lower(ch[0]))});
    char l = lower(ch[0]);
    // The only ASCII letters whose case orbit leaves ASCII: k (KELVIN SIGN), s (LONG S).
    if (l == 'k') return exact_of({"k", "\xE2\x84\xAA"});
    if (l == 's') return exact_of({"s", "\xC5\xBF"});
    return exact_of({std::string(1, l)});
  }

  Info group_at() {
    ++pos_;  // '('
    if (peek() != '?') return alternation_at(true);
    ++pos_;
    if (peek() == 'P' || peek() == '<') {  // (?P<name>...) or (?<name>...)
      if (peek() == 'P') ++pos_;
      if (peek() != '<') throw Unknown{};
      size_t close = p_.find('>', pos_);
      if (close == std::string_view::npos) throw Unknown{};
      pos_ = close + 1;
      return alternation_at(true);
    }
    // Flags: (?flags) for the rest of the group, or (?flags:...) for a group.
    Flags f = flags_;
    bool negate = false;
    while (more() && peek() != ')' && peek() != ':') {
      char c = p_[pos_++];
      if (c == '-')
        negate = true;
      else if (c == 'i')
        f.fold = !negate;
      else if (c == 'm' || c == 's' || c == 'U')
        continue;
      else
        throw Unknown{};
    }
    if (!more()) throw Unknown{};
    if (p_[pos_++] == ')') {
      flags_ = f;
      bare_ = true;
      return empty_width();
    }
    Flags saved = flags_;
    flags_ = f;
    Info i = alternation_at(true);
    flags_ = saved;
    return i;
  }

  // \d \s \w and their negations, as bytes; nullopt for other letters.
  static std::optional<Bytes> perl_class(char c) {
    Bytes b;
    switch (c) {
      case 'd':
      case 'D':
        b = range('0', '9');
        break;
      case 's':
      case 'S':
        b.set('\t').set('\n').set('\f').set('\r').set(' ');
        break;
      case 'w':
      case 'W':
        b = range('0', '9') | ascii_letters();
        b.set('_');
        break;
      default:
        return std::nullopt;
    }
    return is_upper(c) ? complement_ascii(b) : b;
  }

  // A character escape (\n, \x41, \x{20AC}, \., octal): its UTF-8 bytes; nullopt otherwise.
  std::optional<std::string> char_escape() {
    char c = peek(1);
    static constexpr std::string_view kLetters = "aftnrv", kControls = "\a\f\t\n\r\v";
    if (size_t k = kLetters.find(c); c != '\0' && k != std::string_view::npos) {
      pos_ += 2;
      return std::string(1, kControls[k]);
    }
    if (c == 'x') {
      pos_ += 2;
      unsigned u = 0;
      auto hex = [&](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      if (peek() == '{') {
        ++pos_;
        while (more() && peek() != '}') {
          int h = hex(p_[pos_++]);
          if (h < 0) throw Unknown{};
          u = u * 16 + static_cast<unsigned>(h);
          if (u > 0x10FFFF) throw Unknown{};
        }
        if (!more()) throw Unknown{};
        ++pos_;
      } else {
        for (int k = 0; k < 2; ++k) {
          int h = hex(peek());
          if (h < 0) throw Unknown{};
          u = u * 16 + static_cast<unsigned>(h);
          ++pos_;
        }
      }
      return utf8_of(u);
    }
    if (c >= '0' && c <= '7') {  // octal, up to three digits
      pos_ += 1;
      unsigned u = 0;
      for (int k = 0; k < 3 && peek() >= '0' && peek() <= '7'; ++k) u = u * 8 + (p_[pos_++] - '0');
      if (u == 0 && c != '0') throw Unknown{};
      return utf8_of(u);
    }
    unsigned char uc = static_cast<unsigned char>(c);
    if (uc < 0x80 && !std::isalnum(uc) && c != '\0') {  // \. \$ \\ ...
      pos_ += 2;
      return std::string(1, c);
    }
    return std::nullopt;
  }

  Info escape_at() {
    char c = peek(1);
    if (c == 'b' || c == 'B' || c == 'A' || c == 'z') {
      pos_ += 2;
      return empty_width();
    }
    if (auto b = perl_class(c)) {
      pos_ += 2;
      return from_class(flags_.fold ? fold(*b) : *b, !is_upper(c));
    }
    if (c == 'p' || c == 'P') {  // Unicode class: some character, of any bytes
      skip_unicode_class();
      return any_match();
    }
    if (c == 'C') {
      pos_ += 2;
      return any_match();
    }
    if (c == 'Q') {  // \Q...\E: literal text
      pos_ += 2;
      size_t end = p_.find("\\E", pos_);
      std::string_view lit = p_.substr(pos_, end == std::string_view::npos ? end : end - pos_);
      pos_ = end == std::string_view::npos ? p_.size() : end + 2;
      Sequence seq;
      Parser inner(lit, nullptr);
      while (inner.more()) seq.add(literal_in(inner));
      bare_ = true;
      return seq.done();
    }
    if (auto ch = char_escape()) return literal(*ch);
    throw Unknown{};
  }

  // Steps over \pX, \PX, \p{Name} or \P{^Name}.
  void skip_unicode_class() {
    pos_ += 2;
    if (peek() != '{') {
      next_char();
      return;
    }
    size_t close = p_.find('}', pos_);
    if (close == std::string_view::npos) throw Unknown{};
    pos_ = close + 1;
  }

  Info literal_in(Parser& inner) {
    std::string ch = inner.next_char();
    return literal(ch);
  }

  Bytes fold(const Bytes& b) const {
    Bytes out = b;
    for (int c = 'a'; c <= 'z'; ++c)
      if (b[c] || b[c - 'a' + 'A']) out.set(c).set(c - 'a' + 'A');
    if (out[static_cast<unsigned char>('k')] || out[static_cast<unsigned char>('s')])
      out |= high_bytes();  // KELVIN SIGN, LONG S
    return out;
  }

  // [...]: the bytes a member can start with. Non-ASCII members add every high byte (and,
  // folded, every ASCII letter); a negated class adds every byte it does not name.
  Info class_at() {
    ++pos_;  // '['
    bool negated = false;
    if (peek() == '^') {
      negated = true;
      ++pos_;
    }
    Bytes b;
    bool exact_ok = !negated;
    bool simple = !negated;            // single characters only (no ranges, no classes)
    bool ascii_known = true;           // b's ASCII part is exactly the members' (for negation)
    std::vector<std::string> singles;  // those characters
    bool first = true;
    while (more() && (first || peek() != ']')) {
      first = false;
      if (peek() == '[' && peek(1) == ':') {
        size_t close = p_.find(":]", pos_ + 2);
        if (close == std::string_view::npos) throw Unknown{};
        std::string_view name = p_.substr(pos_ + 2, close - pos_ - 2);
        pos_ = close + 2;
        bool neg = !name.empty() && name[0] == '^';
        if (neg) name.remove_prefix(1);
        Bytes pb = posix(name);
        b |= neg ? complement_ascii(pb) : pb;
        exact_ok = simple = false;
        continue;
      }
      int lo = -1;  // a single ASCII character, else -1 with `b` already updated
      if (peek() == '\\') {
        char e = peek(1);
        if (auto pc = perl_class(e)) {
          pos_ += 2;
          b |= *pc;
          exact_ok = exact_ok && !is_upper(e);
          simple = false;
          continue;
        }
        if (e == 'p' || e == 'P') {
          skip_unicode_class();
          b |= range(0, 255);
          exact_ok = simple = false;
          ascii_known = false;  // which ASCII characters it holds is not known here
          continue;
        }
        auto ch = char_escape();
        if (!ch) throw Unknown{};
        lo = member(*ch, &b, &exact_ok);
        singles.push_back(*ch);
      } else {
        singles.push_back(next_char());
        lo = member(singles.back(), &b, &exact_ok);
      }
      if (peek() == '-' && peek(1) != ']' && peek(1) != '\0') {
        ++pos_;
        std::string hi_ch;
        if (peek() == '\\') {
          auto ch = char_escape();
          if (!ch) throw Unknown{};
          hi_ch = *ch;
        } else {
          hi_ch = next_char();
        }
        unsigned char h = static_cast<unsigned char>(hi_ch[0]);
        if (lo >= 0 && h < 0x80) {
          b |= range(lo, h);
        } else {
          if (lo >= 0) b |= range(lo, 127);
          b |= high_bytes();
        }
        exact_ok = false;
        simple = false;
      }
    }
    if (!more()) throw Unknown{};
    ++pos_;  // ']'
    // A few single characters, as ['’]: each is a literal, so "n['’]t" stays two strings.
    constexpr size_t kFewMembers = 4;
    if (simple && !singles.empty() && singles.size() <= kFewMembers) {
      std::vector<Info> each;
      for (const auto& ch : singles) each.push_back(literal(ch));
      return alternation(std::move(each));
    }
    if (flags_.fold) {
      b = fold(b);
      // Folded, a non-ASCII member may match an ASCII letter: LONG S is s, KELVIN SIGN is k
      // (the only two, by a search of every code point). A negated class needs no such care:
      // leaving out what its members fold to only lets more through.
      if (!negated && (b & high_bytes()).any()) b.set('k').set('K').set('s').set('S');
    }
    if (negated) {
      // The complement is sound only of an exact (or smaller) member set.
      if (!ascii_known) return any_match();
      return from_class(complement_ascii(b), false);
    }
    return from_class(b, exact_ok);
  }

  // Adds one class member; returns its byte when it is ASCII, else -1.
  static int member(const std::string& ch, Bytes* b, bool* exact_ok) {
    unsigned char c = static_cast<unsigned char>(ch[0]);
    if (c < 0x80) {
      b->set(c);
      return c;
    }
    *b |= high_bytes();
    *exact_ok = false;
    return -1;
  }

  static Bytes posix(std::string_view name) {
    Bytes b;
    if (name == "digit") return range('0', '9');
    if (name == "lower") return range('a', 'z');
    if (name == "upper") return range('A', 'Z');
    if (name == "alpha") return ascii_letters();
    if (name == "alnum") return ascii_letters() | range('0', '9');
    if (name == "word") return (ascii_letters() | range('0', '9')).set('_');
    if (name == "xdigit") return range('0', '9') | range('a', 'f') | range('A', 'F');
    if (name == "space") return b.set('\t').set('\n').set('\v').set('\f').set('\r').set(' ');
    if (name == "blank") return b.set('\t').set(' ');
    if (name == "punct")
      return range(0x21, 0x2F) | range(0x3A, 0x40) | range(0x5B, 0x60) | range(0x7B, 0x7E);
    if (name == "print") return range(0x20, 0x7E);
    if (name == "graph") return range(0x21, 0x7E);
    if (name == "cntrl") return range(0x00, 0x1F).set(0x7F);
    if (name == "ascii") return range(0x00, 0x7F);
    throw Unknown{};  // RE2 knows no other
  }

  std::string_view p_;
  GroupMemo* memo_;
  // The last atom was a flag group or \Q...\E: RE2 applies a quantifier after it to what came
  // before (the last literal character, or the atom before), which this reading does not track.
  bool bare_ = false;
  size_t pos_ = 0;
  Flags flags_;
};

}  // namespace

struct Analyzer::Memo {
  GroupMemo groups;
};

Analyzer::Analyzer() : memo_(std::make_unique<Memo>()) {}
Analyzer::~Analyzer() = default;

Need Analyzer::analyze(std::string_view pattern) {
  try {
    Info i = Parser(pattern, &memo_->groups).parse();
    return Need{clauses_of(i)};
  } catch (const Unknown&) {
    return Need{};
  }
}

Need analyze(std::string_view pattern) {
  return Analyzer().analyze(pattern);
}

namespace {
constexpr size_t kByteClasses = 63;                 // bits 0..62 of a scan's `present`
constexpr uint64_t kAlwaysBit = uint64_t{1} << 63;  // set by every scan
}  // namespace

Filter::Filter(const std::vector<Need>& needs) {
  // Atoms: every distinct clause string, numbered.
  std::unordered_map<std::string, int> atom_ids;
  std::vector<std::string> atoms;
  std::vector<std::vector<int>> atom_clauses;  // atom -> the clauses it satisfies
  std::unordered_map<std::string, size_t> byte_sets;
  rules_.resize(needs.size());
  for (size_t r = 0; r < needs.size(); ++r)
    for (const auto& c : needs[r].clauses) {
      CompiledClause cc{0, clause_count_++};
      if (c.bytes.any()) {
        // Each distinct byte class is a bit; past 63 classes a clause gets the bit every scan
        // sets, so it always holds (it then filters nothing, which is safe).
        auto [it, added] = byte_sets.emplace(c.bytes.to_string(), byte_sets.size());
        if (it->second >= kByteClasses) {
          cc.bytes = kAlwaysBit;
        } else {
          cc.bytes = uint64_t{1} << it->second;
          for (size_t b = c.bytes._Find_first(); b < 256; b = c.bytes._Find_next(b))
            byte_bits_[b] |= cc.bytes;
        }
      }
      for (const auto& s : c.strings) {
        auto [it, added] = atom_ids.emplace(s, static_cast<int>(atoms.size()));
        if (added) {
          atoms.push_back(s);
          atom_clauses.emplace_back();
        }
        atom_clauses[it->second].push_back(cc.id);
      }
      rules_[r].clauses.push_back(cc);
      any_clause_ = true;
    }
  atom_count_ = atoms.size();
  for (const auto& cs : atom_clauses) {
    atom_clause_begin_.push_back(static_cast<int32_t>(atom_clause_ids_.size()));
    atom_clause_ids_.insert(atom_clause_ids_.end(), cs.begin(), cs.end());
  }
  atom_clause_begin_.push_back(static_cast<int32_t>(atom_clause_ids_.size()));
  // Symbols: one per byte that occurs in an atom, 0 for every other byte.
  for (const auto& a : atoms)
    for (unsigned char c : a)
      if (symbol_[c] == 0) symbol_[c] = static_cast<uint16_t>(symbols_++);
  // The trie, then failure links breadth first, filling every missing transition.
  std::vector<int32_t> fail(1, 0);
  // While building: state x symbol -> state, and each state's first output (or -1).
  std::vector<int32_t> next(symbols_, -1), out_head(1, -1);
  for (size_t id = 0; id < atoms.size(); ++id) {
    int32_t s = 0;
    for (unsigned char c : atoms[id]) {
      int32_t& t = next[s * symbols_ + symbol_[c]];
      if (t < 0) {
        t = static_cast<int32_t>(out_head.size());
        out_head.push_back(-1);
        fail.push_back(0);
        next.resize(next.size() + symbols_, -1);
      }
      s = next[s * symbols_ + symbol_[c]];
    }
    out_atom_.push_back(static_cast<int32_t>(id));
    out_next_.push_back(out_head[s]);
    out_head[s] = static_cast<int32_t>(out_atom_.size() - 1);
  }
  std::deque<int32_t> queue;
  for (int a = 0; a < symbols_; ++a) {
    int32_t& t = next[a];
    if (t < 0) {
      t = 0;
    } else {
      fail[t] = 0;
      queue.push_back(t);
    }
  }
  next[0] = 0;  // symbol 0 (no atom has it) always returns to the root
  while (!queue.empty()) {
    int32_t s = queue.front();
    queue.pop_front();
    // A state also reports what its failure state reports: append that chain once.
    if (fail[s] != s && out_head[fail[s]] >= 0) {
      int32_t tail = out_head[s];
      if (tail < 0) {
        out_head[s] = out_head[fail[s]];
      } else {
        while (out_next_[tail] >= 0) tail = out_next_[tail];
        out_next_[tail] = out_head[fail[s]];
      }
    }
    for (int a = 0; a < symbols_; ++a) {
      int32_t& t = next[s * symbols_ + a];
      if (t < 0) {
        t = next[fail[s] * symbols_ + a];
      } else {
        fail[t] = next[fail[s] * symbols_ + a];
        queue.push_back(t);
      }
    }
  }
  // One flat table for the scan: rows of symbols_ + 1 entries (the transitions as row offsets,
  // then the state's first output), and upper case read as lower case.
  const int stride = symbols_ + 1;
  table_.resize(out_head.size() * stride);
  for (size_t st = 0; st < out_head.size(); ++st) {
    for (int a = 0; a < symbols_; ++a) table_[st * stride + a] = next[st * symbols_ + a] * stride;
    table_[st * stride + symbols_] = out_head[st];
  }
  for (int c = 'A'; c <= 'Z'; ++c) symbol_[c] = symbol_[c + 32];
}

void Filter::passing(std::string_view text, std::vector<char>* pass) const {
  pass->assign(rules_.size(), 1);
  if (!any_clause_) return;
  uint64_t present = kAlwaysBit;  // bit k: a byte of the k-th byte class occurs
  // Stamps of the scan that found an atom, and that found a string of a clause: nothing is
  // cleared between scans.
  thread_local std::vector<uint32_t> seen, met;
  thread_local uint32_t generation = 0;
  if (seen.size() < atom_count_) seen.resize(atom_count_, 0);
  if (met.size() < static_cast<size_t>(clause_count_)) met.resize(clause_count_, 0);
  if (++generation == 0) {
    std::fill(seen.begin(), seen.end(), 0);
    std::fill(met.begin(), met.end(), 0);
    generation = 1;
  }
  const int32_t* table = table_.data();
  int32_t s = 0;  // a row offset into table_
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    present |= byte_bits_[c];
    s = table[s + symbol_[c]];
    for (int32_t o = table[s + symbols_]; o >= 0; o = out_next_[o]) {
      int32_t a = out_atom_[o];
      if (seen[a] == generation) break;  // the rest of the chain was seen with it
      seen[a] = generation;
      for (int32_t k = atom_clause_begin_[a]; k < atom_clause_begin_[a + 1]; ++k)
        met[atom_clause_ids_[k]] = generation;
    }
  }
  for (size_t r = 0; r < rules_.size(); ++r)
    for (const auto& c : rules_[r].clauses) {
      bool ok = (c.bytes & present) != 0 || met[c.id] == generation;
      if (!ok) {
        (*pass)[r] = 0;
        break;
      }
    }
}

}  // namespace claimx::prefilter
