// Shared helpers of the extraction stages (not part of the public API).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "claimx/extract.h"
#include "claimx/rules.h"

namespace claimx {

using Date = std::chrono::year_month_day;

// Number words (number_words.cc): the lexicons that give words their values and roles.
struct NumberLexicons {
  const Lexicon* words = nullptr;      // number_words: "two", "hundred", "million", "point"
  const Lexicon* fractions = nullptr;  // fraction_words: denominators "half", "thirds"
  const Lexicon* articles = nullptr;   // number_articles: "a" in "a million"
  const Lexicon* ordinals = nullptr;   // ordinal_words: "fifth", "hundredth"
};

// What every stage reads: the document, its sentences, the rule book, the options.
struct Context {
  std::string_view text;
  const RuleBook& book;
  std::optional<Date> anchor;
  const std::vector<Sentence>* sentences = nullptr;
  std::vector<size_t> item_sentences;  // indices of sentences items may come from
  std::vector<bool> is_item_sentence;  // by sentence index
  std::vector<bool> shouting;          // by sentence index: (almost) no lowercase letters
  NumberLexicons numbers;              // the number-word lexicons (made once per book)
  // Lexicons by (literal) name, filled as stages ask: one book lookup per document and name,
  // then a probe of a small open-addressing table keyed by the literal's address (a few dozen
  // names, asked hundreds of thousands of times a batch; a hash map's node walk was a third of
  // the cost of an entity word's look-up).
  struct LexiconCache {
    static constexpr size_t kSlots = 256;  // kept at most half full
    std::array<const char*, kSlots> names{};
    std::array<const Lexicon*, kSlots> lexicons{};
    size_t used = 0;
  };
  mutable LexiconCache lexicon_cache;
  // The entities model of a name rule's pack, read into tables (entities.cc), by rule.
  mutable std::unordered_map<const Rule*, const struct EntityModel*> entity_models;

  // The lexicon `name` (a string literal: its address is the cache key), or null.
  const Lexicon* lexicon(const char* name) const {
    LexiconCache& c = lexicon_cache;
    constexpr size_t kMask = LexiconCache::kSlots - 1;
    size_t at = ((reinterpret_cast<uintptr_t>(name) * 0x9E3779B97F4A7C15ull) >> 56) & kMask;
    for (; c.names[at]; at = (at + 1) & kMask)
      if (c.names[at] == name) return c.lexicons[at];
    const Lexicon* l = book.lexicon(name);
    if (c.used < LexiconCache::kSlots / 2) {  // else asked of the book each time
      c.names[at] = name;
      c.lexicons[at] = l;
      ++c.used;
    }
    return l;
  }

  std::string_view slice(const TextRange& r) const { return text.substr(r.start, r.end - r.start); }
  std::string_view group(const Match& m, std::string_view name) const {
    return RuleBook::group(m, text, name);
  }
  int sentence_at(size_t byte) const;  // index of the sentence holding byte, or -1
  // Whole-word occurrences of needle inside item sentences: one scan of the document.
  std::vector<size_t> find_in_items(std::string_view needle) const;
};

// A cue-like match kept after its sentence is done: claim cues, attributions, hedges, status.
struct Hit {
  const Rule* rule = nullptr;
  TextRange span;
  TextRange speaker{kNoPos, kNoPos};  // group `speaker`, when the rule has one
  TextRange verb{kNoPos, kNoPos};     // group `verb`
  int sentence = -1;
};
Hit make_hit(const Context& ctx, const Match& m, int sentence);

struct EntityCandidate {
  Mention mention;
  std::string type, subtype, name;
  int priority = 0;
  // name.capitalised: typed by evidence (person, organization, place), voted per document.
  bool auto_typed = false;
  std::string acronym;  // defined in parentheses after the name ("(KDP)")
  size_t words = 0;
  std::array<double, 3> evidence{};
  // A context rule (attribute `evidence`): no mention of its own, its evidence goes to the
  // name its span overlaps (or, with `create: true`, to a new name when there is none).
  std::string evidence_of;
  // The first context rule that gave this name evidence, and the type that rule argues for:
  // the mention carries that rule's id when the name ends up of that type.
  std::string_view evidence_rule;
  std::string evidence_type;
  // A lexicon place that context retyped (its lexicon subtype, kept should it stay a place).
  std::string lexicon_subtype;
};

struct AgreementCandidate {
  TextRange whole;
  std::vector<Mention> mentions;
  std::string name, type, acronym;
  nlohmann::json parties;  // ISO 3166 codes from a known agreement
  int priority = 0;
  // Deals (rule kinds `deal` and `deal-mention`, deals.cc): a frame with party slots, or a
  // later mention ("the deal") that joins an earlier deal.
  const Rule* rule = nullptr;
  bool deal = false, reference = false;
  TextRange head{kNoPos, kNoPos}, verb{kNoPos, kNoPos};
  std::vector<std::pair<std::string, TextRange>> slots;  // (group name, span), as matched
  int sentence = -1;
};

// Keeps non-overlapping items: higher priority first, then longer, then earlier (spaCy's
// filter_spans with priorities). Returns them sorted by start.
template <class T, class SpanOf, class PriorityOf>
std::vector<T> resolve_overlaps(std::vector<T> items, SpanOf span_of, PriorityOf priority_of) {
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    TextRange sa = span_of(items[a]), sb = span_of(items[b]);
    int pa = priority_of(items[a]), pb = priority_of(items[b]);
    if (pa != pb) return pa > pb;
    if (sa.end - sa.start != sb.end - sb.start) return sa.end - sa.start > sb.end - sb.start;
    return sa.start < sb.start;
  });
  std::map<size_t, size_t> taken;  // start -> end of kept spans, which never overlap
  std::vector<size_t> kept;
  for (size_t i : order) {
    TextRange s = span_of(items[i]);
    auto it = taken.lower_bound(s.start);
    bool clash = (it != taken.end() && it->first < s.end) ||
                 (it != taken.begin() && std::prev(it)->second > s.start);
    if (clash) continue;
    taken.emplace(s.start, s.end);
    kept.push_back(i);
  }
  // Sorted as indices and moved once: an item (a Figure is ~270 bytes) is costly to shuffle.
  std::sort(kept.begin(), kept.end(), [&](size_t a, size_t b) {
    size_t sa = span_of(items[a]).start, sb = span_of(items[b]).start;
    return sa != sb ? sa < sb : a < b;
  });
  std::vector<T> out;
  out.reserve(kept.size());
  for (size_t i : kept) out.push_back(std::move(items[i]));
  return out;
}

// Numbers. Digits may carry thousands commas; pow10 scales the value exactly.
std::optional<double> decimal_value(std::string_view digits, int pow10);
const NumberLexicons& number_lexicons(const RuleBook& book);  // once per book
// The value of a run of number words (digits may stand for counts: "3 hundred and 21"):
// cardinals, fractions ("two thirds", "three twenty-firsts"), "N and a half", "half a billion".
std::optional<double> words_value(std::string_view words, const NumberLexicons& lx);
// An ordinal said in words: "twenty-fifth" 25, "one hundred twenty fifth" 125.
std::optional<double> ordinal_words_value(std::string_view words, const NumberLexicons& lx);
// A run that is not one number ("three-nought-four") as its numbers, by byte offset and length.
struct NumberPart {
  size_t offset, length;
  double value;
};
std::vector<NumberPart> split_number_words(std::string_view words, const NumberLexicons& lx);

std::optional<Date> parse_iso_date(std::string_view s);
std::string format_date(const Date& d);

bool is_word_char(unsigned char c);
// ASCII letters lowered; other bytes as they are.
std::string lower_ascii(std::string_view s);

// Spans sorted by start, for overlap tests in O(log n).
class SpanIndex {
 public:
  void add(TextRange r) { spans_.emplace(r.start, r.end); }
  bool overlaps(TextRange r) const {
    auto it = spans_.lower_bound(r.start);
    if (it != spans_.end() && it->first < r.end) return true;
    return it != spans_.begin() && std::prev(it)->second > r.start;
  }

 private:
  std::multimap<size_t, size_t> spans_;
};
// Whole-word occurrences of needle in text[begin, end): word characters may not touch it.
std::vector<size_t> find_words(std::string_view text, size_t begin, size_t end,
                               std::string_view needle);

// Each stage interprets one match at a time (as the matcher finds it, so matches are never all
// held at once), then finishes with the whole document's candidates: overlaps, linking.
std::optional<Figure> interpret_figure(const Context& ctx, const Match& m);
// All the figures of one match: one, or the numbers of a run that is not one number.
void interpret_figures(const Context& ctx, const Match& m, std::vector<Figure>* out);
// Date, time and duration matches (dates.cc): false when the match is not one after all.
bool interpret_date(const Context& ctx, const Match& m, Figure* f);
bool interpret_time(const Context& ctx, const Match& m, Figure* f);
bool interpret_duration(const Context& ctx, const Match& m, Figure* f);
// Neighbouring dates, times and durations joined by the words of the lexicon `date_joins` become
// one figure: ranges ("from May to June": an ISO 8601 interval), a day and its time ("Tuesday at
// 5 pm"), a weekday and its date, a period from a date ("2 weeks after May 13"). Figures sorted.
void compose_dates(const Context& ctx, std::vector<Figure>* figures);
// Shared by the interpreters: the entry of `lexicon` for form, or null.
const LexiconEntry* lookup(const Context& ctx, const char* lexicon, std::string_view form);
// Whether the lexicon holds the form: lookup() != nullptr, without making its entries.
bool known(const Context& ctx, const char* lexicon, std::string_view form);
// Digits or number words in the groups `<prefix>num` / `<prefix>words`, times 10^pow10.
std::optional<double> number_in(const Context& ctx, const Match& m, const std::string& prefix,
                                int pow10);
// The value a figure match states (number, fraction, multiplier or ordinal word).
std::optional<double> amount(const Context& ctx, const Match& m);
void finish_figures(const Context& ctx, std::vector<Figure> candidates, Result* out);
// A bare "$" in a document about Canada, Australia, ... is ambiguous: currency_ambiguous and
// the candidates, the default first. Runs once entities are known.
void mark_currency_context(const Context& ctx, Result* out);
// Appends the mentions a match yields (a capitalised sequence may hold several names).
void interpret_entity(const Context& ctx, const Match& m, std::vector<EntityCandidate>* out);
// Whether a sentence shouts: letters, and (almost) none of them lowercase.
bool is_shouting(std::string_view sentence);
void finish_entities(const Context& ctx, std::vector<EntityCandidate> candidates, Result* out);
std::optional<AgreementCandidate> interpret_agreement(const Context& ctx, const Match& m,
                                                      int sentence);
std::optional<AgreementCandidate> interpret_deal(const Context& ctx, const Match& m, int sentence);
void finish_agreements(const Context& ctx, std::vector<AgreementCandidate> candidates,
                       const std::vector<Hit>& status, Result* out);
// Deals from their frames: parties resolved to entities (new organizations where no rule found
// one), kind, status, value and date; later mentions join them. Runs after the named ones.
void finish_deals(const Context& ctx, std::vector<AgreementCandidate> candidates,
                  const std::vector<Hit>& status, Result* out);
// The status cue rules' priority for a status ("agreed" 35), so that cues, verbs and frames
// compare on one scale; 0 when no rule gives it.
int status_priority(const Context& ctx, std::string_view status);
// The claim's stable key (claim_key.cc): a hash of its entities, figure values, dates, change
// and the words outside them. `mentions`: the entity mentions of the claim's sentence (a claim
// reads only its own: an entity named 50,000 times must not be scanned for each claim).
std::string claim_key(const Context& ctx, const Claim& claim, const Result& r,
                      const std::vector<std::pair<TextRange, size_t>>& mentions);
void finish_claims(const Context& ctx, const std::vector<Hit>& cues, const ExtractOptions& options,
                   Result* out);
// The rules (by index into book.rules()) whose hits finish_claims reads only for their rule and
// sentence, not their span or groups: cues, hedges and negations without a `direction`.
// RuleBook::for_each_match may then give one hit per sentence without searching for each.
std::vector<char> claims_fire_only(const RuleBook& book);

}  // namespace claimx
