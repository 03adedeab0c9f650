// Claim keys: the same claim gets the same key wherever it is told and however its numbers and
// lists are written. The key hashes what the claim rests on, not its wording:
//
//   ck1 | entities | figures | dates | change | words
//
//   entities  "type:name" of each linked entity, lower-cased, sorted, unique
//   figures   "kind:value[..value_max]:unit or currency" of each figure but dates (the value is
//             the interpreted one: "$9.9 million" and "9.9m dollars" are both 9900000 USD)
//   dates     each date figure's ISO value, or "?" and its lower-cased text when unresolved
//   change    the direction the claim states (up, down) or nothing
//   words     the sentence's own words outside figures and entity mentions, lower-cased, less
//             the lexicon `key_stop_words`, a plural -s dropped (words of 5 letters or more);
//             sorted, unique: what the claim says of its entities and figures ("exports" differs
//             from "imports")
//
// Fields are joined by U+001F and lists by U+001E; the key is "ck1-" and the 16 hex digits of
// FNV-1a 64 of that string (README: "Claim keys" gives the recipe to recompute it).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "claimx/text.h"
#include "extract/internal.h"

namespace claimx {
namespace {

std::string joined(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::string out;
  for (const auto& p : parts) out.append(out.empty() ? "" : "\x1e").append(p);
  return out;
}

// Letters: ASCII ones and every non-ASCII character but General Punctuation (U+2000-U+206F:
// curly quotes and apostrophes, dashes, ellipses), whose UTF-8 starts E2 80 or E2 81.
bool word_byte(std::string_view text, size_t i) {
  unsigned char ch = static_cast<unsigned char>(text[i]);
  if (ch == 0xE2 && i + 1 < text.size() && (text[i + 1] == '\x80' || text[i + 1] == '\x81'))
    return false;
  if (ch >= 0x80 && ch < 0xC0 && i > 0 && !word_byte(text, i - 1)) return false;
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
}

// The sentence's words outside `covered` (sorted, disjoint byte ranges), normalized.
std::vector<std::string> content_words(const Context& ctx, TextRange sentence,
                                       const std::vector<TextRange>& covered) {
  const Lexicon* stop = ctx.lexicon("key_stop_words");
  std::vector<std::string> words;
  size_t i = sentence.start, c = 0;
  while (i < sentence.end) {
    while (c < covered.size() && covered[c].end <= i) ++c;
    if (c < covered.size() && covered[c].start <= i) {
      i = covered[c].end;
      continue;
    }
    if (!word_byte(ctx.text, i)) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < sentence.end && word_byte(ctx.text, end)) ++end;
    std::string w = lower_ascii(ctx.text.substr(i, end - i));
    i = end;
    if (w.size() < 2 || (stop && stop->find(w))) continue;
    if (w.size() >= 5 && w.back() == 's' && w[w.size() - 2] != 's') w.pop_back();
    words.push_back(std::move(w));
  }
  return words;
}

std::string fnv1a64_hex(std::string_view s) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(s)));
  return buf;
}

// A figure without a value ("last year" with no anchor date) is known by its words.
std::string unresolved(const Context& ctx, const Figure& f) {
  std::string out = "?";
  out += lower_ascii(ctx.slice(f.span));
  return out;
}

}  // namespace

std::string claim_key(const Context& ctx, const Claim& claim, const Result& r,
                      const std::vector<std::pair<TextRange, size_t>>& mentions) {
  std::vector<std::string> entities, figures, dates;
  std::vector<TextRange> covered;
  for (size_t ei : claim.entities) {
    const Entity& e = r.entities[ei];
    entities.push_back(e.type + ":" + lower_ascii(e.name));
  }
  for (const auto& [span, ei] : mentions) covered.push_back(span);
  for (size_t fi : claim.figures) {
    const Figure& f = r.figures[fi];
    covered.push_back(f.span);
    if (f.kind == "date") {
      dates.push_back(f.value.is_string() ? f.value.get<std::string>() : unresolved(ctx, f));
      continue;
    }
    std::string v = f.value.is_null() ? unresolved(ctx, f) : f.value.dump();
    if (!f.value_max.is_null()) v += ".." + f.value_max.dump();
    figures.push_back(f.kind + ":" + v + ":" + (f.currency.empty() ? f.unit : f.currency));
  }
  std::sort(covered.begin(), covered.end(),
            [](const TextRange& a, const TextRange& b) { return a.start < b.start; });
  std::string canonical = "ck1\x1f" + joined(entities) + "\x1f" + joined(figures) + "\x1f" +
                          joined(dates) + "\x1f" + (claim.change ? claim.change->direction : "") +
                          "\x1f" + joined(content_words(ctx, claim.span, covered));
  return "ck1-" + fnv1a64_hex(canonical);
}

}  // namespace claimx
