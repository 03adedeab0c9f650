// Figures: turns matches of figure rules into typed values (see patterns/en/figures.yaml for the
// group names each rule provides; dates, times and durations are in dates.cc).
#include <cmath>

#include "extract/internal.h"

namespace claimx {

const LexiconEntry* lookup(const Context& ctx, const char* lexicon, std::string_view form) {
  const Lexicon* lex = ctx.lexicon(lexicon);
  return lex ? lex->find(form) : nullptr;
}

bool known(const Context& ctx, const char* lexicon, std::string_view form) {
  const Lexicon* lex = ctx.lexicon(lexicon);
  return lex && lex->contains(form);
}

// Digits or number words in the groups `num` / `words` (with the prefix `den` for a
// denominator), scaled by a scale word.
std::optional<double> number_in(const Context& ctx, const Match& m, const std::string& prefix,
                                int p) {
  if (auto num = ctx.group(m, prefix + "num"); !num.empty()) return decimal_value(num, p);
  if (auto words = ctx.group(m, prefix + "words"); !words.empty()) {
    if (auto v = words_value(words, ctx.numbers)) return *v * std::pow(10.0, p);
  }
  return std::nullopt;
}

namespace {

// The exponent of "1.1^23" (a rule group of digits, sign and point).
double exponent_of(std::string_view digits) {
  return std::strtod(std::string(digits).c_str(), nullptr);
}

// The power of ten of the scale in the groups prefix + scale (word), scalel / scalem (letter);
// without a prefix also the exponent ("1.3e6").
int pow10_of(const Context& ctx, const Match& m, const std::string& prefix = "") {
  int p = 0;
  if (auto s = ctx.group(m, prefix + "scale"); !s.empty())
    if (auto* e = lookup(ctx, "scale_words", s)) p = e->attrs.value("pow10", 0);
  for (const char* name : {"scalel", "scalem"})  // a glued letter: "10k", "10M"
    if (auto s = ctx.group(m, prefix + name); !s.empty())
      if (auto* e = lookup(ctx, "scale_letters", s)) p = e->attrs.value("pow10", 0);
  if (!prefix.empty()) return p;
  if (auto e = ctx.group(m, "exp"); !e.empty()) {  // "1.3e6", "6.23x10^-4"
    bool minus = e[0] == '-';
    if (e[0] == '-' || e[0] == '+') e.remove_prefix(1);
    int x = 0;
    for (char c : e) x = std::min(x * 10 + (c - '0'), 100000);  // past 10^308 anyway
    p += minus ? -x : x;
  }
  return p;
}

}  // namespace

// The value of a figure match: digits or words (with a whole part, a unicode fraction, a power,
// negated, divided by a denominator), else a multiplier or ordinal word.
std::optional<double> amount(const Context& ctx, const Match& m) {
  int p = pow10_of(ctx, m);
  std::optional<double> v = number_in(ctx, m, "", p);
  auto frac = ctx.group(m, "frac");  // "2½", "⅔"
  if (!frac.empty())
    if (auto* e = lookup(ctx, "vulgar_fractions", frac))
      v = v.value_or(0) + e->attrs.value("value", 0.0);
  if (v) {
    if (auto pw = ctx.group(m, "pow"); !pw.empty()) {  // "1.1^23"
      v = std::pow(*v, exponent_of(pw));
      if (!std::isfinite(*v)) return std::nullopt;
    }
    bool has_den = !ctx.group(m, "dennum").empty() || !ctx.group(m, "denwords").empty();
    if (has_den) {
      auto den = number_in(ctx, m, "den", 0);  // "one out of three", "2 1/4"
      if (!den || *den == 0) return std::nullopt;
      // "12 out of 10" and "12 in six" are two numbers, not a share.
      if (m.rule->attrs.value("proper_ratio", false) && *v > *den) return std::nullopt;
      *v /= *den;
    }
    if (auto whole = ctx.group(m, "whole"); !whole.empty())
      if (auto w = decimal_value(whole, 0)) *v += *w;
    if (!ctx.group(m, "neg").empty()) *v = -*v;
    return v;
  }
  if (auto mult = ctx.group(m, "mult"); !mult.empty())
    if (auto* e = lookup(ctx, "multipliers", mult)) return e->attrs.value("value", 0.0);
  if (auto ord = ctx.group(m, "ord"); !ord.empty()) {
    if (auto* e = lookup(ctx, "ordinal_words", ord)) return e->attrs.value("value", 0.0);
    return ordinal_words_value(ord, ctx.numbers);  // "twenty-fifth"
  }
  return std::nullopt;
}

namespace {

// Digits too large for a double ("$" and 500 nines, "10^400"): the figure stays, value null.
bool overflows(const Context& ctx, const Match& m) {
  auto num = ctx.group(m, "num");
  if (num.empty()) return false;
  int digits = 0;
  for (char c : num) {
    if (c == '.') break;
    if (c >= '0' && c <= '9' && (digits > 0 || c != '0')) ++digits;
  }
  double magnitude = digits + pow10_of(ctx, m);
  if (auto pw = ctx.group(m, "pow"); !pw.empty()) magnitude = digits * exponent_of(pw);
  return magnitude > 308;
}

// A code that is also an English word ("ALL", "CUP", "TOP", "MOP": lexicon common_words) is
// money only inside a sentence in mixed case: "ALL 100 PASSENGERS SAFE" and a sentence opening
// "Top 10 ..." read as words.
bool wordlike_code_as_word(const Context& ctx, const Match& m, std::string_view code) {
  if (!known(ctx, "common_words", lower_ascii(code))) return false;
  int si = ctx.sentence_at(code.data() - ctx.text.data());
  if (si < 0 || !ctx.sentences) return true;
  const TextRange& sentence = (*ctx.sentences)[static_cast<size_t>(si)].span;
  std::string_view before = ctx.text.substr(sentence.start, m.span.start - sentence.start);
  if (before.find_first_not_of(" \t\n\"'“‘(") == std::string_view::npos) return true;
  size_t upper = 0, letters = 0;
  for (char c : ctx.text.substr(sentence.start, sentence.end - sentence.start))
    if (std::isalpha(static_cast<unsigned char>(c))) {
      ++letters;
      upper += std::isupper(static_cast<unsigned char>(c)) ? 1 : 0;
    }
  return letters > 0 && upper * 10 >= letters * 8;  // 80% capitals: a headline in capitals
}

// The code of a currency lexicon entry, and the others it may stand for: kept until the
// document's places are known (mark_currency_context).
void take_currency(const LexiconEntry& e, std::string* code, std::vector<std::string>* candidates) {
  *code = e.attrs.value("code", "");
  if (e.attrs.contains("ambiguous") && candidates)
    for (const auto& alt : e.attrs["ambiguous"]) candidates->push_back(alt.get<std::string>());
}

// The currencies CLDR gives an English name other than `code` ("dinars": the Iraqi, Jordanian
// ... ones beside the news list's Kuwaiti): candidates a place in the story may choose.
void other_named_currencies(const Context& ctx, std::string_view name, const std::string& code,
                            std::vector<std::string>* candidates) {
  const LexiconEntry* e = candidates ? lookup(ctx, "currency_names_cldr", name) : nullptr;
  if (!e) return;
  std::string first;
  std::vector<std::string> all;
  take_currency(*e, &first, &all);
  all.push_back(first);
  for (const auto& c : all)
    if (c != code) candidates->push_back(c);
}

// The ISO code of a money match; *factor scales a subunit ("cents") to its currency.
std::string currency_of(const Context& ctx, const Match& m, double* factor,
                        std::vector<std::string>* candidates = nullptr) {
  std::string code;
  if (auto c = ctx.group(m, "cur"); !c.empty()) {
    const LexiconEntry* e = lookup(ctx, "currency_symbols", c);  // the news forms first
    if (!e) e = lookup(ctx, "currency_symbols_cldr", c);         // then CLDR's signs
    if (e) take_currency(*e, &code, candidates);
  }
  if (auto c = ctx.group(m, "code"); !c.empty()) {  // glued forms match any three capitals
    if (wordlike_code_as_word(ctx, m, c)) return "";
    if (!m.rule->attrs.value("known_codes_only", false) || lookup(ctx, "currency_codes", c))
      code = std::string(c);
  }
  if (auto c = ctx.group(m, "lcode"); !c.empty())  // "usd 20": a code in lower case
    if (auto* e = lookup(ctx, "currency_codes_lower", c)) code = e->attrs.value("code", "");
  if (auto c = ctx.group(m, "dcode"); !c.empty())  // "mxn$ 15": a code before "$"
    if (auto* e = lookup(ctx, "dollar_codes", c)) code = e->attrs.value("code", "");
  if (auto c = ctx.group(m, "curw"); !c.empty())
    if (auto* e = lookup(ctx, "currency_words", c)) {
      code = e->attrs.value("code", "");
      if (factor) *factor = e->attrs.value("factor", 1.0);
      if (ctx.group(m, "curadj").empty()) other_named_currencies(ctx, c, code, candidates);
    }
  if (auto c = ctx.group(m, "curn"); !c.empty())  // a currency's English name, from CLDR
    if (auto* e = lookup(ctx, "currency_names_cldr", c)) take_currency(*e, &code, candidates);
  if (auto c = ctx.group(m, "curadj"); !c.empty())
    if (auto* e = lookup(ctx, "currency_adjectives", c)) code = e->attrs.value("code", code);
  return code;
}

// A lone word that is rarely a figure by itself: those of the rule attribute
// reject_single_words ("one" of the, "a", "half" of them) and a lone scale or multiplier
// ("million" in "1.2 million people" belongs to another figure). A qualifier or a sign makes
// it one ("more than half", "minus one").
bool lone_word_rejected(const Context& ctx, const Match& m, std::string_view words) {
  const Rule& r = *m.rule;
  auto reject = r.attrs.find("reject_single_words");
  if (reject == r.attrs.end() || words.empty() ||
      words.find_first_of(" -") != std::string_view::npos)
    return false;
  if (!ctx.group(m, "qual").empty() || !ctx.group(m, "neg").empty()) return false;
  const LexiconEntry* e = lookup(ctx, "number_words", words);
  std::string role = e ? e->attrs.value("role", "") : "";
  if (role == "scale" || role == "multiplier") return true;
  std::string lower = lower_ascii(words);
  for (const auto& w : *reject)
    if (w.get<std::string>() == lower) return true;
  return false;
}

// The entry for form in the first lexicon of rule r (in pattern order) that knows it.
const LexiconEntry* rule_lexicon_entry(const Context& ctx, const Rule& r, std::string_view form) {
  for (const auto& name : r.lexicons)
    if (const Lexicon* lex = ctx.book.lexicon(name))
      if (const LexiconEntry* e = lex->find(form)) return e;
  return nullptr;
}

// Brackets around a unit pair up: "20 (kg)", not "45{kg)".
bool brackets_pair(std::string_view open, std::string_view close) {
  if (open.empty() && close.empty()) return true;
  static constexpr std::string_view kOpen = "([{<", kClose = ")]}>";
  return open.size() == 1 && close.size() == 1 && kOpen.find(open[0]) == kClose.find(close[0]);
}

// Whether b is a at most one edit away: a letter replaced, added, dropped, or two swapped.
bool within_one_edit(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (i == a.size()) return true;
  if (a.size() == b.size()) {
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // replaced
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);  // swapped
  }
  return a.substr(i) == b.substr(i + 1);  // one letter more in b
}

// A misspelt unit word ("centigrate", "farenhiet"): the unit of the one form of at least seven
// letters in the rule's lexicon `fuzzy_units` that is one edit away (short forms stay exact:
// "deg" and "deal" are two words). A word spelt right is left to the lexicon's own rule.
std::string misspelt_unit(const Context& ctx, const Match& m) {
  auto word = ctx.group(m, "fuzzy");
  const Lexicon* lex = ctx.book.lexicon(m.rule->attrs.value("fuzzy_units", ""));
  if (word.empty() || !lex || lex->find(word)) return "";  // spelt right: measure.temperature
  std::string folded = lex->fold(word), unit;
  for (const auto& e : lex->entries()) {
    std::string form = lex->fold(e.form);
    if (form.size() < 7 || !within_one_edit(folded, form)) continue;
    std::string u = e.attrs.value("unit", "");
    if (!unit.empty() && u != unit) return "";  // near two units: no guess
    unit = u;
  }
  return unit;
}

// The unit of a measure or age: the rule lexicon's normalised name for the group `unit`, else
// the rule's; a rate adds its time unit ("kilometre per millisecond"). Empty: not a measure.
std::string measure_unit(const Context& ctx, const Match& m) {
  const Rule& r = *m.rule;
  std::string unit = r.attrs.value("unit", "");
  if (auto u = ctx.group(m, "unit"); !u.empty())
    if (const LexiconEntry* e = rule_lexicon_entry(ctx, r, u)) unit = e->attrs.value("unit", unit);
  if (!ctx.group(m, "fuzzy").empty()) unit = misspelt_unit(ctx, m);
  if (!brackets_pair(ctx.group(m, "open"), ctx.group(m, "close"))) return "";
  if (auto per = ctx.group(m, "per"); !per.empty() && !unit.empty()) {
    const LexiconEntry* e = lookup(ctx, "per_units", per);
    if (!e) return "";
    unit += " per " + e->attrs.value("unit", "");
  }
  return unit;
}

// A figure of rule m over span, its value still to come.
Figure figure_of(const Match& m, TextRange span) {
  Figure f;
  f.kind = m.rule->kind;
  f.span = span;
  f.rule = m.rule->stable_id;
  f.priority = m.rule->priority;
  return f;
}

// A run of number words that is not one number ("three-nought-four", "twenty twenty") gives
// each of its numbers, where the rule says so (split_words) and the run is the whole span.
void split_figures(const Context& ctx, const Match& m, std::vector<Figure>* out) {
  const Rule& r = *m.rule;
  auto words = ctx.group(m, "words");
  if (!r.attrs.value("split_words", false) || words.empty() || !ctx.group(m, "neg").empty()) return;
  size_t base = static_cast<size_t>(words.data() - ctx.text.data());
  for (const auto& part : split_number_words(words, ctx.numbers)) {
    std::string_view text = words.substr(part.offset, part.length);
    if (lone_word_rejected(ctx, m, text)) continue;
    Figure f = figure_of(m, {base + part.offset, base + part.offset + part.length});
    f.value = part.value;
    out->push_back(std::move(f));
  }
}

}  // namespace

void interpret_figures(const Context& ctx, const Match& m, std::vector<Figure>* out) {
  if (auto f = interpret_figure(ctx, m)) {
    out->push_back(std::move(*f));
  } else {
    split_figures(ctx, m, out);
  }
}

std::optional<Figure> interpret_figure(const Context& ctx, const Match& m) {
  const Rule& r = *m.rule;
  if (!ctx.group(m, "veto").empty()) return std::nullopt;  // context that makes it no figure
  Figure f = figure_of(m, m.span);
  if (auto q = ctx.group(m, "qual"); !q.empty())
    if (auto* e = lookup(ctx, "qualifiers", q)) f.qualifier = e->attrs.value("value", "");
  if (auto q = ctx.group(m, "postqual"); !q.empty())  // "500 or more"
    if (auto* e = lookup(ctx, "post_qualifiers", q)) {
      std::string v = e->attrs.value("value", "");
      if (v != "or-equal")
        f.qualifier = v;
      else if (f.qualifier == "gt" || f.qualifier == "lt")
        f.qualifier += "e";  // "or equal to"
      else
        return std::nullopt;
    }
  if (r.type == RuleKind::kDate) {
    if (!interpret_date(ctx, m, &f)) return std::nullopt;
    return f;
  }
  if (r.type == RuleKind::kTime) {
    if (!interpret_time(ctx, m, &f)) return std::nullopt;
    return f;
  }
  if (r.type == RuleKind::kDuration || r.type == RuleKind::kFrequency) {
    if (!interpret_duration(ctx, m, &f)) return std::nullopt;
    return f;
  }
  if (auto rel = ctx.group(m, "relord"); !rel.empty()) {  // "penultimate": "end-1"
    const LexiconEntry* e = rule_lexicon_entry(ctx, r, rel);
    if (!e) return std::nullopt;
    f.value = e->attrs.value("value", "");
    return f;
  }
  auto v = amount(ctx, m);
  if (!v && overflows(ctx, m)) {
    f.overflow = true;
    if (r.type == RuleKind::kMoney) f.currency = currency_of(ctx, m, nullptr);
    return f;
  }
  if (!v) return std::nullopt;
  if (lone_word_rejected(ctx, m, ctx.group(m, "words"))) return std::nullopt;
  if (*v < r.attrs.value("min_value", -HUGE_VAL)) return std::nullopt;  // "won 3-2" is a score
  // A smaller unit after the larger: "3 dollars 50 (cents)" (hundredths), "5 feet 2 inches"
  // (twelfths, rule attribute sub_divisor).
  // The part may be in words: "thirteen dollars and forty-five cents".
  if (auto sub = ctx.group(m, "sub"); !sub.empty()) {
    auto part = decimal_value(sub, 0);
    if (!part) part = words_value(sub, ctx.numbers);
    double divisor = r.attrs.value("sub_divisor", 100.0);
    if (!part || *part >= divisor) return std::nullopt;
    v = (*v * divisor + *part) / divisor;
  }
  // A rule whose unit is a part of the kind's ("25 basis points" is 0.25 percentage points,
  // "5‰" 0.5 percent) divides by the rule attribute divisor.
  if (double divisor = r.attrs.value("divisor", 1.0); divisor != 1.0) *v /= divisor;
  f.value = *v;
  if (r.type == RuleKind::kMoney) {
    double factor = 1;
    f.currency = currency_of(ctx, m, &factor, &f.candidates);
    if (f.currency.empty()) return std::nullopt;
    if (factor != 1)
      f.value = *v / std::round(1 / factor);  // 470 pence: 4.7, not 4.7000000000000002
  }
  if (r.type == RuleKind::kRange) {
    // "above 1000 and below 1500": a lower bound, then an upper one.
    auto bound = [&](const char* group) {
      auto q = ctx.group(m, group);
      const LexiconEntry* e = q.empty() ? nullptr : lookup(ctx, "qualifiers", q);
      return e ? e->attrs.value("value", "") : std::string();
    };
    auto lower = [](const std::string& q) { return q == "gt" || q == "gte"; };
    auto upper = [](const std::string& q) { return q == "lt" || q == "lte"; };
    std::string low = bound("lowq"), high = bound("highq");
    // "no more than 50 and no less than 20": the upper bound first.
    bool swapped = upper(low) && lower(high);
    if (!swapped && !ctx.group(m, "lowq").empty() && !lower(low)) return std::nullopt;
    if (!swapped && !ctx.group(m, "highq").empty() && !upper(high)) return std::nullopt;
    // The scale after the upper bound applies to both: "$5-10 million", "2 and 3 million".
    auto hi = number_in(ctx, m, "max", pow10_of(ctx, m));
    // Unless the lower bound has its own: "£500k to £1m", "$2bn and $3bn".
    if (!ctx.group(m, "lowscale").empty() || !ctx.group(m, "lowscalel").empty())
      v = number_in(ctx, m, "", pow10_of(ctx, m, "low"));
    if (hi && swapped) std::swap(*hi, *v);
    // "from 30 to 20" is a change, "50-50" an even split: neither is a range.
    if (!hi || *hi <= *v) return std::nullopt;
    f.value = *v;
    f.value_max = *hi;
    if (!ctx.group(m, "cur").empty()) {
      double factor = 1;
      f.currency = currency_of(ctx, m, &factor);
    }
    if (!ctx.group(m, "pct").empty()) f.unit = "percent";
    if (f.unit.empty()) f.unit = r.attrs.value("unit", "");
  }
  if (r.type == RuleKind::kMeasure || r.type == RuleKind::kAge) {
    f.unit = measure_unit(ctx, m);
    if (f.unit.empty()) return std::nullopt;
  }
  if (r.type == RuleKind::kPercent) f.unit = "percent";
  if (f.unit.empty()) f.unit = r.attrs.value("unit", "");
  if (r.type == RuleKind::kPercentagePoints) f.unit = "percentage-points";
  if (auto noun = ctx.group(m, "count"); !noun.empty()) {
    // A bare four-digit 1800-2100 before a noun is a year ("in 2024 prices rose").
    bool year_like = *v >= 1800 && *v <= 2100 && *v == std::floor(*v) &&
                     ctx.group(m, "num").find(',') == std::string_view::npos;
    if (year_like && r.attrs.value("reject_year_like", false)) return std::nullopt;
    // "two thirds", "three hundreds": number words are not the counted noun.
    if (auto not_in = r.attrs.find("count_not_in"); not_in != r.attrs.end())
      for (const auto& name : *not_in)
        if (const Lexicon* lex = ctx.book.lexicon(name.get<std::string>()); lex && lex->find(noun))
          return std::nullopt;
    f.unit = std::string(noun);
  }
  return f;
}

// The currency a place named in the story suggests: dollar_context's (places that make "$" a
// local dollar), else its country's own (region_currencies: the currency CLDR says a country
// uses). A country, a province or state ("Nova Scotia": CA-NS) and a city ("Halifax": CA) each
// give their country's ISO code; "" when no lexicon knows the place.
std::string place_currency(const Context& ctx, const std::string& place) {
  if (const LexiconEntry* e = lookup(ctx, "dollar_context", place))
    return e->attrs.value("currency", "");
  const LexiconEntry* known = nullptr;
  for (const char* lexicon : {"countries", "subdivisions", "cities", "place_aliases"})
    if (!known) known = lookup(ctx, lexicon, place);
  if (!known && std::none_of(place.begin(), place.end(),
                             [](char c) { return std::islower(static_cast<unsigned char>(c)); })) {
    std::string titled = place;                   // a dateline's capitals: "OTTAWA", "NEW YORK"
    for (size_t i = 1; i < titled.size(); ++i) {  // "ST. JOHN'S": "St. John's"
      unsigned char before = static_cast<unsigned char>(titled[i - 1]);
      if (std::isalpha(before) || before >= 0x80 || before == '\'')
        titled[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(titled[i])));
    }
    return titled == place ? "" : place_currency(ctx, titled);
  }
  if (!known) return "";
  std::string country = known->attrs.value("code", "").substr(0, 2);
  if (const LexiconEntry* e = lookup(ctx, "region_currencies", country))
    return e->attrs.value("currency", "");
  return "";
}

// The currency of the place the dateline names ("OTTAWA -": CAD), or "".
std::string dateline_currency(const Context& ctx, const Result& out) {
  for (const auto& s : out.sentences) {
    if (s.zone != "dateline") continue;
    for (const auto& e : out.entities)
      if (e.type == "place")
        for (const auto& m : e.mentions)
          if (s.span.start <= m.span.start && m.span.end <= s.span.end)
            if (std::string code = place_currency(ctx, e.name); !code.empty()) return code;
  }
  return "";
}

void mark_currency_context(const Context& ctx, Result* out) {
  // Currencies the document's places suggest, most-mentioned place first.
  std::vector<std::pair<size_t, std::string>> suggested;  // (mentions, currency)
  for (const auto& e : out->entities)
    if (e.type == "place")
      if (std::string code = place_currency(ctx, e.name); !code.empty()) {
        // Several places of one country ("Halifax", "Nova Scotia") count together.
        auto same = std::find_if(suggested.begin(), suggested.end(),
                                 [&](const auto& s) { return s.second == code; });
        if (same != suggested.end())
          same->first += e.mentions.size();
        else
          suggested.emplace_back(e.mentions.size(), code);
      }
  std::stable_sort(suggested.begin(), suggested.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string filed_in = dateline_currency(ctx, *out);
  for (auto& f : out->figures) {
    std::vector<std::string> possible = std::move(f.candidates);
    f.candidates.clear();
    for (const auto& [count, code] : suggested)
      if (std::find(possible.begin(), possible.end(), code) != possible.end() && code != f.currency)
        f.candidates.push_back(code);
    f.currency_ambiguous = !f.candidates.empty();
    if (!f.currency_ambiguous) continue;
    f.candidates.insert(f.candidates.begin(), f.currency);
    // A story filed in a country means its currency by a bare symbol ("OTTAWA - ... $28.4
    // billion" is Canadian dollars): that candidate comes first and becomes the currency.
    auto home = std::find(f.candidates.begin(), f.candidates.end(), filed_in);
    if (home != f.candidates.end()) {
      std::rotate(f.candidates.begin(), home, home + 1);
      f.currency = filed_in;
    }
  }
}

void finish_figures(const Context& ctx, std::vector<Figure> candidates, Result* out) {
  out->figures = resolve_overlaps(
      std::move(candidates), [](const Figure& f) { return f.span; },
      [](const Figure& f) { return f.priority; });
  for (auto& f : out->figures) f.sentence = ctx.sentence_at(f.span.start);
}

}  // namespace claimx
