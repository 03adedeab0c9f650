// Numbers said in words: a small grammar over the number lexicons (patterns/lexicon/numbers.yaml).
// The lexicons say what each word is worth and its role; this file knows only how English
// combines them: "three hundred and two dozens", "twenty twenty fifths", "5 and a half million".
#include <cmath>

#include "extract/internal.h"

namespace claimx {

namespace {

enum class Kind {
  unit,
  teen,
  tens,
  hundred,
  dozen,
  scale,
  article,
  and_,
  point,
  digits,
  den,
  other
};

struct Token {
  std::string_view text;
  size_t offset = 0;  // bytes into the run
  Kind kind = Kind::other;
  double value = 0;
  double den = 0;  // > 0 when the word can be a denominator ("fifths", "half", "third")
  bool den_compound_only = false;   // "seconds" is a denominator only in "twenty-seconds"
  bool spoken_zero = false;         // "oh": zero only beside "point" ("oh point three")
  Kind ordinal_kind = Kind::other;  // an ordinal's cardinal class: "fifth" unit, "hundredth" ...
};

Kind class_of(double v) {
  if (v < 10) return Kind::unit;
  if (v < 20) return Kind::teen;
  if (v < 100) return Kind::tens;
  if (v == 100) return Kind::hundred;
  return Kind::scale;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return false;
  for (char c : s)
    if ((c < '0' || c > '9') && c != ',' && c != '.') return false;
  return true;
}

Token classify(std::string_view text, size_t offset, const NumberLexicons& lx) {
  Token t{text, offset};
  if (text == "and" || text == "And") {
    t.kind = Kind::and_;
    return t;
  }
  if (all_digits(text)) {
    auto v = decimal_value(text, 0);
    if (v) t.kind = Kind::digits, t.value = *v;
    return t;
  }
  if (const LexiconEntry* e = lx.fractions ? lx.fractions->find(text) : nullptr) {
    t.den = e->attrs.value("value", 0.0);
    t.den_compound_only = e->attrs.value("compound_only", false);
  }
  const LexiconEntry* o = lx.ordinals ? lx.ordinals->find(text) : nullptr;
  if (!o && lx.ordinals && text.size() > 1 && (text.back() == 's' || text.back() == 'S'))
    o = lx.ordinals->find(text.substr(0, text.size() - 1));  // "twenty-firsts"
  if (o) t.ordinal_kind = class_of(o->attrs.value("value", 0.0));
  if (o && t.den == 0) t.den = o->attrs.value("value", 0.0);
  const LexiconEntry* e = lx.words ? lx.words->find(text) : nullptr;
  if (!e && lx.articles) e = lx.articles->find(text);
  if (!e) {
    if (t.den > 0) t.kind = Kind::den;
    return t;
  }
  t.value = e->attrs.value("value", 0.0);
  std::string role = e->attrs.value("role", "unit");
  if (role == "point")
    t.kind = Kind::point;
  else if (role == "spoken_zero")
    t.kind = Kind::unit, t.spoken_zero = true;
  else if (role == "article")
    t.kind = Kind::article;
  else if (role == "scale")
    t.kind = Kind::scale;
  else if (role == "multiplier")
    t.kind = t.value == 100 ? Kind::hundred : Kind::dozen;
  else if (role == "fraction")
    t.kind = Kind::den, t.den = t.value, t.value = 0;
  else
    t.kind = class_of(t.value);
  return t;
}

// The words of a run, split at spaces and hyphens ("of" in "two thirds of a million" is glue).
std::vector<Token> tokenize(std::string_view run, const NumberLexicons& lx) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < run.size()) {
    size_t j = i;
    while (j < run.size() && run[j] != ' ' && run[j] != '-' && run[j] != '\n' && run[j] != '\t')
      ++j;
    std::string_view word = run.substr(i, j - i);
    if (!word.empty() && word != "of") out.push_back(classify(word, i, lx));
    i = j + 1;
  }
  return out;
}

// A cardinal number over tokens [b, e): "two hundred and one", "3 thousand 2 hundred", "a dozen",
// "three lakh crore", "nine point nought four". With ordinal_last, the last token is read as its
// cardinal class ("one hundred twenty fifth" is 125). Null when English would not say it so.
std::optional<double> cardinal(const std::vector<Token>& t, size_t b, size_t e,
                               bool ordinal_last = false) {
  if (b >= e) return std::nullopt;
  double total = 0, group = 0, small = 0, last_scale = 0;
  double decimal_digits = 0;  // the digits after "point" as one integer: 0.3 is 3 / 10, exactly
  int decimal_count = 0;
  Kind prev = Kind::other;  // `other` = start
  bool after_point = false, any = false;
  bool and_after_tens = false;  // "twenty and three": only a unit may follow, and it ends
  for (size_t i = b; i < e; ++i) {
    Kind k = t[i].kind;
    double v = t[i].value;
    // "oh" is a digit only in a decimal: "oh point three", "two point oh five".
    if (t[i].spoken_zero && !after_point && !(i + 1 < e && t[i + 1].kind == Kind::point))
      return std::nullopt;
    if (and_after_tens && (prev != Kind::and_ || k != Kind::unit)) return std::nullopt;
    if (ordinal_last && i + 1 == e) {
      if (t[i].ordinal_kind == Kind::other) return std::nullopt;
      k = t[i].ordinal_kind;
      v = t[i].den;
    }
    if (after_point) {  // digits after "point": "two point zero three"
      // A scale closes a decimal and multiplies it: "two point five billion".
      if (k == Kind::scale && decimal_count > 0 && i + 1 == e && last_scale == 0)
        return (group + decimal_digits / std::pow(10.0, decimal_count)) * v;
      if (k != Kind::unit || decimal_count >= 15) return std::nullopt;
      decimal_digits = decimal_digits * 10 + v;
      ++decimal_count;
      continue;
    }
    bool start = prev == Kind::other;
    bool after_group_end = start || prev == Kind::hundred || prev == Kind::scale ||
                           prev == Kind::and_ || prev == Kind::dozen;
    switch (k) {
      case Kind::unit:
        if (!(after_group_end || (prev == Kind::tens && std::fmod(small, 10) == 0)))
          return std::nullopt;
        group += v, small += v;
        break;
      case Kind::teen:
      case Kind::tens:
        if (!after_group_end || prev == Kind::dozen) return std::nullopt;
        group += v, small = v;
        break;
      case Kind::digits:
        if (!after_group_end || prev == Kind::dozen) return std::nullopt;
        group += v, small = v;
        break;
      case Kind::hundred:
        if (!(start || prev == Kind::article || prev == Kind::unit || prev == Kind::teen ||
              prev == Kind::tens || prev == Kind::digits) ||
            group >= 100)
          return std::nullopt;
        group = (group == 0 ? 1 : group) * 100, small = 0;
        break;
      case Kind::dozen:
        if (prev == Kind::dozen || prev == Kind::and_ || prev == Kind::scale) return std::nullopt;
        group += (small == 0 ? 1 : small) * 12 - small, small = 0;
        break;
      case Kind::scale:
        if (prev == Kind::and_) return std::nullopt;
        if (prev == Kind::scale && v <= last_scale) return std::nullopt;
        if (v == last_scale) return std::nullopt;  // "1.5 million 2 million" is two numbers
        if (last_scale > 0 && v > last_scale) {    // "three lakh crore", "a thousand million"
          total = (total + group) * v;
        } else {
          total += (group == 0 ? 1 : group) * v;
        }
        group = 0, small = 0, last_scale = std::max(last_scale, v);
        break;
      case Kind::article:
        if (!start || i + 1 >= e) return std::nullopt;
        {
          Kind next = t[i + 1].kind;
          if (next != Kind::hundred && next != Kind::dozen && next != Kind::scale)
            return std::nullopt;
        }
        break;
      case Kind::and_:
        // "twenty and three" is 23 (as "one hundred and three" is 103): a sum where the unit
        // fills the tens' empty place; "twenty-one and three" or "two and three" are lists.
        if (prev == Kind::tens && std::fmod(small, 10) == 0 && i + 2 == e &&
            t[i + 1].kind == Kind::unit && !t[i + 1].spoken_zero && t[i + 1].value > 0) {
          and_after_tens = true;
          break;
        }
        if (!(prev == Kind::hundred || prev == Kind::scale || prev == Kind::dozen))
          return std::nullopt;
        break;
      case Kind::point:
        if (start || prev == Kind::and_ || prev == Kind::article) return std::nullopt;
        after_point = true;
        break;
      default:
        return std::nullopt;
    }
    if (k != Kind::article && k != Kind::and_ && k != Kind::point) any = true;
    prev = k;
  }
  if (!any || prev == Kind::and_ || prev == Kind::article) return std::nullopt;
  if (after_point && decimal_count == 0) return std::nullopt;  // "two point"
  return total + group + decimal_digits / std::pow(10.0, decimal_count);
}

// Tokens [b, e) that end in a denominator: "two thirds", "a fifth", "three twenty-firsts",
// "one one hundred and fifth" (1/105). The denominator is the longest ordinal at the end that
// leaves a number before it, and starts with a count ("hundred thirty fifths" does not).
std::optional<double> fraction(const std::vector<Token>& t, size_t b, size_t e) {
  if (e - b < 1 || t[e - 1].den <= 0) return std::nullopt;
  const size_t max_den_words = 6;  // bounds the search: runs may be long
  // "fifty-four hundredths" is 54/100: only a unit, teen or tens ordinal ends a compound
  // denominator ("one hundred fifth", "twenty-firsts").
  Kind last = t[e - 1].ordinal_kind;
  bool compound_ok = last == Kind::unit || last == Kind::teen || last == Kind::tens;
  for (size_t k = e - 1 > b + max_den_words ? e - 1 - max_den_words : b + 1; k < e; ++k) {
    Kind first = t[k].kind;
    if (first == Kind::hundred || first == Kind::scale || first == Kind::and_) continue;
    double den = t[e - 1].den;
    if (k + 1 < e) {
      if (!compound_ok) continue;
      auto compound = cardinal(t, k, e, true);
      // "one hundred fifth" is a denominator, "five hundred fifths" 500 fifths.
      if (!compound || *compound >= 200) continue;
      den = *compound;
    } else if (t[e - 1].den_compound_only) {
      continue;
    }
    std::optional<double> num;
    if (k == b + 1 && t[b].kind == Kind::article)
      num = 1;  // "a fifth"
    else
      num = cardinal(t, b, k);
    if (num && den > 0) return *num / den;
  }
  if (e - b == 1 && t[b].kind == Kind::den) return 1 / t[b].den;  // "half"
  return std::nullopt;
}

// A whole run: cardinal, fraction, "N and a half" (of the last scale when N ends in one:
// "two million and three fifths" is 2.6 million), "half a billion", "five and a half million".
std::optional<double> run_value(const std::vector<Token>& t, size_t b, size_t e);

// "N and <fraction>" at the last "and": "two and fifty-four hundredths" (2.54), "one hundred and
// three quarters" (100.75), "two million and three fifths" (a fraction of N's last scale: 2.6
// million), "one billion and a quarter million". An improper tail after a count is the
// numerator instead: "one hundred and thirty-two fifths" is 132/5.
std::optional<double> and_fraction(const std::vector<Token>& t, size_t b, size_t e) {
  size_t a = e;
  while (a > b + 1 && t[a - 1].kind != Kind::and_) --a;
  if (a <= b + 1) return std::nullopt;
  --a;  // t[a] is the last "and"
  bool has_den = false;
  for (size_t i = a + 1; i < e; ++i) has_den = has_den || t[i].kind == Kind::den || t[i].den > 0;
  if (!has_den) return std::nullopt;
  auto tail = run_value(t, a + 1, e);
  if (!tail) return std::nullopt;
  bool after_scale = t[a - 1].kind == Kind::scale;
  if (*tail >= 1 && !after_scale) return std::nullopt;
  auto head = cardinal(t, b, a);
  if (!head) return std::nullopt;
  return *head + (*tail < 1 && after_scale ? *tail * t[a - 1].value : *tail);
}

// A whole run: cardinal, "N and <fraction>", fraction, or a fraction times a scale ("half a
// billion", "five and a half million", "two thirds of a million").
std::optional<double> run_value(const std::vector<Token>& t, size_t b, size_t e) {
  if (b >= e) return std::nullopt;
  if (auto v = cardinal(t, b, e)) return v;
  if (auto v = and_fraction(t, b, e)) return v;
  if (auto v = fraction(t, b, e)) return v;
  // "half a billion", "a quarter of a million", "half a dozen", "three quarters of a hundred".
  Kind last = t[e - 1].kind;
  if ((last == Kind::scale || last == Kind::dozen || last == Kind::hundred) && e - b >= 2) {
    size_t s = e - 1;
    if (t[s - 1].kind == Kind::article) --s;
    if (s > b && t[s - 1].kind == Kind::den)
      if (auto v = run_value(t, b, s)) return *v * t[e - 1].value;
  }
  return std::nullopt;
}

}  // namespace

const NumberLexicons& number_lexicons(const RuleBook& book) {
  return book.derived<NumberLexicons>("numbers", [&] {
    return NumberLexicons{book.lexicon("number_words"), book.lexicon("fraction_words"),
                          book.lexicon("number_articles"), book.lexicon("ordinal_words")};
  });
}

std::optional<double> words_value(std::string_view words, const NumberLexicons& lx) {
  auto t = tokenize(words, lx);
  return run_value(t, 0, t.size());
}

std::optional<double> ordinal_words_value(std::string_view words, const NumberLexicons& lx) {
  auto t = tokenize(words, lx);
  if (t.empty() || t.back().ordinal_kind == Kind::other) return std::nullopt;
  // Only a singular ordinal: "fifths" is a fraction.
  auto* o = lx.ordinals ? lx.ordinals->find(t.back().text) : nullptr;
  if (!o) return std::nullopt;
  return cardinal(t, 0, t.size(), true);
}

std::vector<NumberPart> split_number_words(std::string_view words, const NumberLexicons& lx) {
  auto t = tokenize(words, lx);
  std::vector<NumberPart> out;
  if (auto v = run_value(t, 0, t.size())) {
    out.push_back({0, words.size(), *v});
    return out;
  }
  // Not one number ("three-nought-four", "twenty twenty"): the longest number from each start.
  // Grows the end one word at a time and stops once the prefix can no longer be a number, so
  // the work stays linear in practice for the short runs rules match.
  size_t b = 0;
  while (b < t.size()) {
    size_t best = b;
    double best_v = 0;
    for (size_t e = b + 1; e <= t.size() && e <= b + 12; ++e)
      if (auto v = run_value(t, b, e)) best = e, best_v = *v;
    if (best == b) {
      ++b;
      continue;
    }
    size_t end = t[best - 1].offset + t[best - 1].text.size();
    out.push_back({t[b].offset, end - t[b].offset, best_v});
    b = best;
  }
  return out;
}

}  // namespace claimx
