// Claim keys: the same claim gets the same key wherever it is told and however its numbers and
// lists are written. The key hashes what the claim rests on, not its wording:
//
//   ck1 | entities | figures | dates | change | words
//
//   entities  "type:name" of each linked entity, lower-cased (Latin, Greek, Cyrillic capitals)
//   figures   "kind:value[..value_max]:unit or currency" of each figure but dates (the value is
//             the interpreted one: "$9.9 million" and "9.9m dollars" are both 9900000 USD)
//   dates     each date figure's ISO value, or "?" and its lower-cased text when unresolved
//   change    the direction the claim states (up, down) or nothing
//   words     the sentence's own words (runs of letters) outside figures and entity mentions,
//             lower-cased, of 2 letters or more, less the lexicon `key_stop_words`, a final s
//             dropped from words of 5 letters or more not ending in ss: what the claim says of
//             its entities and figures ("exports" differs from "imports")
// Each field's parts are sorted (by bytes) and unique.
//
// Fields are joined by U+001F and lists by U+001E; the key is "ck1-" and the 16 hex digits of
// FNV-1a 64 of that string (README: "Claim keys" gives the recipe to recompute it).
#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "claimx/json_writer.h"
#include "claimx/text.h"
#include "extract/internal.h"

namespace claimx {
namespace {

// Adds the parts sorted (by bytes) and unique, separated by U+001E: the key's canonical string
// is hashed as the recipe writes it, without writing it.
template <typename Part>
void add_joined(Fnv1a64& fnv, std::vector<Part>& parts) {
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) fnv.add("\x1e");
    fnv.add(parts[i]);
  }
}

// The lower case of the capitals of Latin (ASCII, Latin-1, Latin Extended-A), Greek and
// Cyrillic, the scripts of the news the packs read; other code points as they are.
uint32_t lower_cp(uint32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
      (c >= 0x391 && c <= 0x3AB && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
    return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  if (c == 0x178) return 0xFF;
  if (c == 0x130) return 'i';
  bool even_upper = (c >= 0x100 && c < 0x138) || (c >= 0x14A && c < 0x178);
  bool odd_upper = (c >= 0x139 && c < 0x149) || (c >= 0x179 && c < 0x17F);
  if ((even_upper && c % 2 == 0) || (odd_upper && c % 2 == 1)) return c + 1;
  return c;
}

// Appends the lower case of valid UTF-8 (the text is repaired on input), code point by code
// point.
void append_lower_utf8(std::string_view s, std::string* out) {
  for (size_t i = 0, n = 0; i < s.size(); i += n) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // most words are ASCII: no decoding
      *out += static_cast<char>(lower_cp(b));
      n = 1;
      continue;
    }
    append_utf8(lower_cp(decode_utf8(s, i, &n)), out);
  }
}

std::string lower_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_lower_utf8(s, &out);
  return out;
}

size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

// Whether a code point is a letter or a mark (\p{L}, \p{M}). ASCII is decided here; other code
// points are asked of RE2 once per thread (an RE2 search per word was 3% of a batch).
bool letter_or_mark(uint32_t cp) {
  if (cp < 0x80) return ascii_letter(cp);
  static thread_local std::unordered_map<uint32_t, bool> known;
  auto it = known.find(cp);
  if (it != known.end()) return it->second;
  static const RE2 kLetter("[\\p{L}\\p{M}]");
  std::string utf8;
  append_utf8(cp, &utf8);
  bool yes = RE2::FullMatch(utf8, kLetter);
  if (known.size() < (1 << 16)) known.emplace(cp, yes);  // bounded, whatever the text
  return yes;
}

// The sentence's words (runs of Unicode letters and marks: digits, spaces of any kind,
// punctuation and symbols separate them) outside `covered` (sorted by start), normalized: views
// into `buf`, which holds them all (no string of its own per word).
std::vector<std::string_view> content_words(const Context& ctx, TextRange sentence,
                                            const std::vector<TextRange>& covered,
                                            std::string* buf) {
  const Lexicon* stop = ctx.lexicon("key_stop_words");
  std::vector<std::pair<size_t, size_t>> at_size;  // in buf, which grows as words are added
  buf->clear();
  size_t c = 0;
  // Whether the code point at `at` is a letter or mark; *n gets its length. ASCII inline: most
  // of a sentence is.
  auto letter_at = [&](size_t at, size_t* n) {
    auto b = static_cast<unsigned char>(ctx.text[at]);
    if (b < 0x80) {
      *n = 1;
      return ascii_letter(b);
    }
    return letter_or_mark(decode_utf8(ctx.text, at, n));
  };
  for (size_t at = sentence.start, n = 0; at < sentence.end;) {
    if (!letter_at(at, &n)) {
      at += n;
      continue;
    }
    size_t start = at;
    while (at < sentence.end && letter_at(at, &n)) at += n;
    size_t end = std::min(at, sentence.end);
    std::string_view word(ctx.text.data() + start, end - start);
    while (c < covered.size() && covered[c].end <= start) ++c;
    bool inside = false;
    for (size_t k = c; k < covered.size() && covered[k].start < end && !inside; ++k)
      inside = covered[k].end > start;
    if (inside) continue;
    const size_t from = buf->size();
    append_lower_utf8(word, buf);
    std::string_view w(buf->data() + from, buf->size() - from);
    const size_t letters = code_points(w);
    if (letters < 2 || (stop && stop->find(w))) {
      buf->resize(from);
      continue;
    }
    if (letters >= 5 && w.back() == 's' && w[w.size() - 2] != 's') buf->pop_back();
    at_size.emplace_back(from, buf->size() - from);
  }
  std::vector<std::string_view> words;
  words.reserve(at_size.size());
  for (const auto& [from, size] : at_size) words.emplace_back(buf->data() + from, size);
  return words;
}

std::string hex16(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// A figure without a value ("last year" with no anchor date) is known by its words.
std::string unresolved(const Context& ctx, const Figure& f) {
  std::string out = "?";
  out += lower_utf8(ctx.slice(f.span));
  return out;
}

}  // namespace

std::string claim_key(const Context& ctx, const Claim& claim, const Result& r,
                      const std::vector<std::pair<TextRange, size_t>>& mentions) {
  std::vector<std::string> entities, figures, dates;
  std::vector<TextRange> covered;
  for (size_t ei : claim.entities) {
    const Entity& e = r.entities[ei];
    entities.push_back(e.type + ":" + lower_utf8(e.name));
  }
  for (const auto& [span, ei] : mentions) covered.push_back(span);
  for (size_t fi : claim.figures) {
    const Figure& f = r.figures[fi];
    covered.push_back(f.span);
    if (f.kind == "date") {
      dates.push_back(f.value.is_string() ? f.value.get<std::string>() : unresolved(ctx, f));
      continue;
    }
    std::string v = f.value.is_null() ? unresolved(ctx, f) : figure_value_text(f);
    figures.push_back(f.kind + ":" + v + ":" + (f.currency.empty() ? f.unit : f.currency));
  }
  std::sort(covered.begin(), covered.end(),
            [](const TextRange& a, const TextRange& b) { return a.start < b.start; });
  static thread_local std::string word_buf;
  std::vector<std::string_view> words = content_words(ctx, claim.span, covered, &word_buf);
  Fnv1a64 fnv;
  fnv.add("ck1\x1f");
  add_joined(fnv, entities);
  fnv.add("\x1f");
  add_joined(fnv, figures);
  fnv.add("\x1f");
  add_joined(fnv, dates);
  fnv.add("\x1f");
  if (claim.change) fnv.add(claim.change->direction);
  fnv.add("\x1f");
  add_joined(fnv, words);
  return "ck1-" + hex16(fnv.h);
}

}  // namespace claimx
