// Figures: turns matches of figure rules into typed values (see patterns/en/figures.yaml for the
// group names each rule provides; dates, times and durations are in dates.cc).
#include <cmath>

#include "extract/internal.h"

namespace claimx {

const LexiconEntry* lookup(const Context& ctx, const char* lexicon, std::string_view form) {
  const Lexicon* lex = ctx.book.lexicon(lexicon);
  return lex ? lex->find(form) : nullptr;
}

// Digits or number words in the groups `num` / `words` (with the prefix `den` for a
// denominator), scaled by a scale word.
std::optional<double> number_in(const Context& ctx, const Match& m, const std::string& prefix,
                                int p) {
  if (auto num = ctx.group(m, prefix + "num"); !num.empty()) return decimal_value(num, p);
  if (auto words = ctx.group(m, prefix + "words"); !words.empty()) {
    const Lexicon* lex = ctx.book.lexicon("number_words");
    if (!lex) return std::nullopt;
    auto v = words_value(words, *lex, ctx.book.lexicon("fraction_words"),
                         ctx.book.lexicon("number_articles"));
    if (v) return *v * std::pow(10.0, p);
  }
  return std::nullopt;
}

namespace {

int pow10_of(const Context& ctx, const Match& m) {
  if (auto s = ctx.group(m, "scale"); !s.empty())
    if (auto* e = lookup(ctx, "scale_words", s)) return e->attrs.value("pow10", 0);
  if (auto s = ctx.group(m, "scalel"); !s.empty())
    if (auto* e = lookup(ctx, "scale_letters", s)) return e->attrs.value("pow10", 0);
  return 0;
}

}  // namespace

// The value of a figure match: digits or words (negated, divided by a denominator), else a
// multiplier or ordinal word.
std::optional<double> amount(const Context& ctx, const Match& m) {
  int p = pow10_of(ctx, m);
  if (auto v = number_in(ctx, m, "", p)) {
    if (!ctx.group(m, "neg").empty()) *v = -*v;
    if (ctx.group(m, "dennum").empty() && ctx.group(m, "denwords").empty()) return v;
    auto den = number_in(ctx, m, "den", 0);  // "one out of three"
    if (!den || *den == 0) return std::nullopt;
    return *v / *den;
  }
  if (auto mult = ctx.group(m, "mult"); !mult.empty())
    if (auto* e = lookup(ctx, "multipliers", mult)) return e->attrs.value("value", 0.0);
  if (auto ord = ctx.group(m, "ord"); !ord.empty())
    if (auto* e = lookup(ctx, "ordinal_words", ord)) return e->attrs.value("value", 0.0);
  return std::nullopt;
}

namespace {

// The ISO code of a money match; *factor scales a subunit ("cents") to its currency.
std::string currency_of(const Context& ctx, const Match& m, double* factor,
                        std::vector<std::string>* candidates = nullptr) {
  std::string code;
  if (auto c = ctx.group(m, "cur"); !c.empty())
    if (auto* e = lookup(ctx, "currency_symbols", c)) {
      code = e->attrs.value("code", "");
      // Kept until the document's places are known (mark_currency_context).
      if (e->attrs.contains("ambiguous") && candidates)
        for (const auto& alt : e->attrs["ambiguous"]) candidates->push_back(alt.get<std::string>());
    }
  if (auto c = ctx.group(m, "code"); !c.empty()) code = std::string(c);
  if (auto c = ctx.group(m, "curw"); !c.empty())
    if (auto* e = lookup(ctx, "currency_words", c)) {
      code = e->attrs.value("code", "");
      *factor = e->attrs.value("factor", 1.0);
    }
  if (auto c = ctx.group(m, "curadj"); !c.empty())
    if (auto* e = lookup(ctx, "currency_adjectives", c)) code = e->attrs.value("code", code);
  return code;
}

}  // namespace

std::optional<Figure> interpret_figure(const Context& ctx, const Match& m) {
  const Rule& r = *m.rule;
  Figure f;
  f.kind = r.kind;
  f.span = m.span;
  f.rule = r.id;
  f.priority = r.priority;
  if (auto q = ctx.group(m, "qual"); !q.empty())
    if (auto* e = lookup(ctx, "qualifiers", q)) f.qualifier = e->attrs.value("value", "");
  if (r.kind == "date") {
    if (!interpret_date(ctx, m, &f)) return std::nullopt;
    return f;
  }
  if (r.kind == "time") {
    if (!interpret_time(ctx, m, &f)) return std::nullopt;
    return f;
  }
  if (r.kind == "duration" || r.kind == "frequency") {
    if (!interpret_duration(ctx, m, &f)) return std::nullopt;
    return f;
  }
  auto v = amount(ctx, m);
  if (!v) return std::nullopt;
  // A lone "one", "a" or "half" is rarely a figure (rule attribute min_single_word_value).
  auto words = ctx.group(m, "words");
  if (r.attrs.contains("min_single_word_value") && !words.empty() &&
      words.find_first_of(" -") == std::string_view::npos) {
    // ... and a lone scale ("million" in "1.2 million people") is part of another figure.
    const LexiconEntry* e = lookup(ctx, "number_words", words);
    std::string role = e ? e->attrs.value("role", "") : "";
    if (*v < r.attrs["min_single_word_value"].get<double>() || role == "scale" ||
        role == "multiplier")
      return std::nullopt;
  }
  f.value = *v;
  if (r.kind == "money") {
    double factor = 1;
    f.currency = currency_of(ctx, m, &factor, &f.candidates);
    if (f.currency.empty()) return std::nullopt;
    if (factor != 1)
      f.value = *v / std::round(1 / factor);  // 470 pence: 4.7, not 4.7000000000000002
  }
  if (r.kind == "range") {
    // The scale after the upper bound applies to both: "$5-10 million", "2 and 3 million".
    auto hi = number_in(ctx, m, "max", pow10_of(ctx, m));
    if (!hi || *hi < *v) return std::nullopt;  // "from 30 to 20" is a change, not a range
    f.value_max = *hi;
    if (!ctx.group(m, "cur").empty()) {
      double factor = 1;
      f.currency = currency_of(ctx, m, &factor);
    }
    if (!ctx.group(m, "pct").empty()) f.unit = "percent";
    if (f.unit.empty()) f.unit = r.attrs.value("unit", "");
  }
  if (r.kind == "measure" || r.kind == "age") {
    // The unit's normalised name from the lexicon that knows the `unit` group, else the rule's.
    f.unit = r.attrs.value("unit", "");
    if (auto u = ctx.group(m, "unit"); !u.empty())
      for (const auto& name : r.lexicons)
        if (const Lexicon* lex = ctx.book.lexicon(name))
          if (const LexiconEntry* e = lex->find(u)) {
            f.unit = e->attrs.value("unit", f.unit);
            break;
          }
    if (f.unit.empty()) return std::nullopt;
  }
  if (r.kind == "percent") f.unit = "percent";
  if (f.unit.empty()) f.unit = r.attrs.value("unit", "");
  if (r.kind == "percentage-points") f.unit = "percentage-points";
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

void mark_currency_context(const Context& ctx, Result* out) {
  // Currencies the document's places suggest, most-mentioned place first.
  const Lexicon* context = ctx.book.lexicon("dollar_context");
  std::vector<std::pair<size_t, std::string>> suggested;  // (-mentions, currency)
  for (const auto& e : out->entities)
    if (const LexiconEntry* le = context && e.type == "place" ? context->find(e.name) : nullptr)
      suggested.emplace_back(e.mentions.size(), le->attrs.value("currency", ""));
  std::stable_sort(suggested.begin(), suggested.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& f : out->figures) {
    std::vector<std::string> possible = std::move(f.candidates);
    f.candidates.clear();
    for (const auto& [count, code] : suggested)
      if (std::find(possible.begin(), possible.end(), code) != possible.end() && code != f.currency)
        f.candidates.push_back(code);
    f.currency_ambiguous = !f.candidates.empty();
    if (f.currency_ambiguous) f.candidates.insert(f.candidates.begin(), f.currency);
  }
}

void finish_figures(const Context& ctx, std::vector<Figure> candidates, Result* out) {
  out->figures = resolve_overlaps(
      std::move(candidates), [](const Figure& f) { return f.span; },
      [](const Figure& f) { return f.priority; });
  for (auto& f : out->figures) f.sentence = ctx.sentence_at(f.span.start);
}

}  // namespace claimx
