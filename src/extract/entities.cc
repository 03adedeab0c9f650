// Entities: mentions from the `entities` pack, canonical names from lexicons, then linking
// within the document ("Carney" -> Mark Carney once "Mark Carney" is a person).
#include <cstring>
#include <iterator>
#include <map>
#include <set>

#include "extract/internal.h"

namespace claimx {

namespace {

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\n' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool in_any(const Context& ctx, const nlohmann::json& lexicons, std::string_view word) {
  if (!lexicons.is_array()) return false;
  for (const auto& name : lexicons) {
    const Lexicon* lex = ctx.book.lexicon(name.get_ref<const std::string&>());
    if (lex && lex->contains(word)) return true;
  }
  return false;
}

bool acronym_shape(std::string_view s) {
  size_t letters = 0;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z')
      ++letters;
    else if (c != '.' && c != '-' && !(c >= '0' && c <= '9'))
      return false;
  }
  return letters >= 2;
}

std::string squeeze(std::string_view s) {
  std::string out;
  for (auto t : tokens(s)) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

}  // namespace

namespace {

constexpr std::array<const char*, 3> kTypes{"person", "organization", "place"};

bool in_lex(const Context& ctx, const char* name, std::string_view word) {
  const Lexicon* l = ctx.lexicon(name);
  return l && l->contains(word);
}

// "LONDON" -> "London", "NEW YORK" -> "New York" (ASCII letters; others kept).
std::string title_case(std::string_view s) {
  std::string out(s);
  bool start = true;
  for (auto& ch : out) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (std::isalpha(u)) {
      ch = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
      start = false;
    } else {
      start = ch == ' ' || ch == '-';
    }
  }
  return out;
}

// Places the lexicon rules name whole.
bool place_name(const Context& ctx, std::string_view s) {
  for (const char* l : {"countries", "place_aliases", "cities", "subdivisions", "former_countries"})
    if (in_lex(ctx, l, s)) return true;
  return false;
}

// Places and organizations the lexicon rules name whole.
bool lexicon_name(const Context& ctx, std::string_view s) {
  for (const char* l : {"countries", "place_aliases", "cities", "subdivisions", "former_countries",
                        "organizations"})
    if (in_lex(ctx, l, s)) return true;
  return false;
}

struct Tok {
  size_t start, end;  // bytes into the document
};

// The word before `at` in its sentence (after skipping spaces), or empty.
std::string_view word_before_pos(const Context& ctx, size_t sentence_start, size_t at) {
  size_t e = at;
  while (e > sentence_start && ctx.text[e - 1] == ' ') --e;
  size_t b = e;
  while (b > sentence_start && ctx.text[b - 1] != ' ') --b;
  return ctx.text.substr(b, e - b);
}

std::string_view word_after_pos(const Context& ctx, size_t at, size_t sentence_end) {
  size_t b = at;
  while (b < sentence_end && (ctx.text[b] == ' ' || ctx.text[b] == ',')) ++b;
  size_t e = b;
  while (e < sentence_end && ctx.text[e] != ' ' && ctx.text[e] != ',') ++e;
  return ctx.text.substr(b, e - b);
}

// model[key], or null when the model (a --patterns pack may have none) lacks it.
const nlohmann::json& field(const nlohmann::json& obj, const std::string& key) {
  static const nlohmann::json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

double number(const nlohmann::json& obj, const char* key, double fallback) {
  const auto& v = field(obj, key);
  return v.is_number() ? v.get<double>() : fallback;
}

double weight(const nlohmann::json& model, const std::string& evidence, size_t type) {
  return number(field(field(model, "evidence"), evidence), kTypes[type], 0.0);
}

}  // namespace

// The evidence a name.capitalised mention gathers, in the order of their names: the model's
// weights are summed in that order (as over a set of the names), so the sums stay the same to
// the last bit.
enum Evidence : uint32_t {
  kAcronym,
  kCityName,
  kCommonLast,
  kCountryNote,
  kDemonymInside,
  kGivenName,
  kGivenNameAlone,
  kInitial,
  kNumberAfter,
  kOrdinalAfter,
  kOrgFollower,
  kOrgKeyword,
  kPersonFollower,
  kPlaceInside,
  kPlaceKeyword,
  kPlaceNoun,
  kPlacePreposition,
  kSpeechAfter,
  kTitleBefore,
  kEvidenceCount
};
constexpr std::array<std::string_view, kEvidenceCount> kEvidenceNames{
    "acronym",      "city_name",         "common_last",     "country_note", "demonym_inside",
    "given_name",   "given_name_alone",  "initial",         "number_after", "ordinal_after",
    "org_follower", "org_keyword",       "person_follower", "place_inside", "place_keyword",
    "place_noun",   "place_preposition", "speech_after",    "title_before"};
static_assert(std::is_sorted(kEvidenceNames.begin(), kEvidenceNames.end()));

// An entities model read into tables once per book and pack: looking its JSON up by name for
// every mention and type was a tenth of the entity stage.
struct EntityModel {
  std::array<std::array<double, 3>, kEvidenceCount> weights{};  // by evidence, then type
  std::array<std::optional<double>, kEvidenceCount> priority;
  std::array<double, 3> prior{}, prior_single{}, typed_by_rule{}, linked_person{};

  explicit EntityModel(const nlohmann::json& model) {
    for (size_t e = 0; e < kEvidenceCount; ++e) {
      const std::string name(kEvidenceNames[e]);
      for (size_t t = 0; t < kTypes.size(); ++t) weights[e][t] = weight(model, name, t);
      const auto& p = field(field(model, "priority"), name);
      if (p.is_number()) priority[e] = p.get<double>();
    }
    for (size_t t = 0; t < kTypes.size(); ++t) {
      prior[t] = number(field(model, "prior"), kTypes[t], 0.0);
      prior_single[t] = number(field(model, "prior_single"), kTypes[t], 0.0);
      typed_by_rule[t] = weight(model, "typed_by_rule", t);
      linked_person[t] = weight(model, "linked_person", t);
    }
  }
};

namespace {

const EntityModel& model_of(const Context& ctx, std::string_view pack) {
  return ctx.book.derived<EntityModel>("entities.model:" + std::string(pack),
                                       [&] { return EntityModel(ctx.book.model(pack)); });
}

// The model of a name rule's pack, looked up once per document and rule.
const EntityModel& model_of(const Context& ctx, const Rule& rule) {
  auto it = ctx.entity_models.find(&rule);
  if (it == ctx.entity_models.end())
    it = ctx.entity_models.emplace(&rule, &model_of(ctx, rule.pack)).first;
  return *it->second;
}

// miscfiles' propernames also lists "The": a given name is no function word.
bool given_name(const Context& ctx, std::string_view w) {
  return in_lex(ctx, "given_names", w) && !in_lex(ctx, "sentence_starters", w);
}

bool demonym_like(const Context& ctx, std::string_view w) {
  const Lexicon* l = ctx.lexicon("demonym_endings");
  if (!l) return false;
  for (const auto& e : l->entries())
    if (w.size() > e.form.size() + 2 && w.substr(w.size() - e.form.size()) == e.form) return true;
  return false;
}

bool is_initial(std::string_view w) {
  return w.size() == 2 && w[1] == '.';
}
bool is_connector(std::string_view w) {
  return w == "of" || w == "and" || w == "for" || w == "&";
}

// A name.capitalised match: cut what is no name, split at words that are none, and type each
// piece by the evidence around it.
void interpret_capitalised(const Context& ctx, const Match& m, std::vector<EntityCandidate>* out) {
  int si = ctx.sentence_at(m.span.start);
  if (si < 0) return;
  const TextRange sent = (*ctx.sentences)[si].span;
  // "ex-Yugoslavia", "Anglo-French": a part of a hyphenated word.
  if (m.span.start > sent.start && ctx.text[m.span.start - 1] == '-') return;
  if (m.span.end < sent.end && ctx.text[m.span.end] == '$') return;  // "NZ$40bn"
  // "U.N.-sponsored", "NATO-led": the name is part of an adjective.
  if (m.span.end + 1 < sent.end && ctx.text[m.span.end] == '-' &&
      std::islower(static_cast<unsigned char>(ctx.text[m.span.end + 1])))
    return;
  std::vector<Tok> toks;
  for (auto t : tokens(ctx.slice(m.span))) {
    size_t b = static_cast<size_t>(t.data() - ctx.text.data());
    toks.push_back({b, b + t.size()});
  }
  auto word = [&](size_t i) { return ctx.text.substr(toks[i].start, toks[i].end - toks[i].start); };
  // Possessives are no part of the name: "Mexico's".
  std::string_view last = word(toks.size() - 1);
  for (std::string_view poss : {"'s", "\u2019s"})
    if (last.size() > poss.size() + 1 && last.substr(last.size() - poss.size()) == poss)
      toks.back().end -= poss.size();
  // A sentence opens at its start and after a dash or colon that ends a dateline or a label
  // ("HALIFAX — The port ...", "Scorers : Faroe ...").
  auto opens_sentence = [&](size_t i) {
    size_t b = toks[i].start;
    while (b > sent.start && ctx.text[b - 1] == ' ') --b;
    if (b == sent.start) return true;
    std::string_view before = ctx.text.substr(sent.start, b - sent.start);
    for (std::string_view mark : {"\u2014", "\u2013", " -", ":"})
      if (before.size() >= mark.size() && before.substr(before.size() - mark.size()) == mark)
        return true;
    for (size_t x = sent.start; x < toks[i].start; ++x)  // only quotes, brackets before it
      if (std::isalnum(static_cast<unsigned char>(ctx.text[x]))) return false;
    return true;
  };
  auto digit_at = [&](size_t at) {
    return at < ctx.text.size() && std::isdigit(static_cast<unsigned char>(ctx.text[at]));
  };
  auto no_name_at = [&](size_t k) {
    // "May 17": a month that is also a name, before a day.
    return in_lex(ctx, "calendar_names", word(k)) && digit_at(toks[k].end + 1);
  };
  auto no_name_word = [&](std::string_view w) {
    std::string low = lower_ascii(w);
    // "Jan-April": a range of months.
    size_t dash = w.rfind('-');
    if (dash != std::string_view::npos && in_lex(ctx, "not_name_words", w.substr(0, w.find('-'))))
      return true;
    // "Seattle-based", "UN-led": an adjective made of a name.
    if (dash != std::string_view::npos && dash + 3 < w.size() &&
        std::islower(static_cast<unsigned char>(w[dash + 1]))) {
      std::string_view tail = w.substr(dash + 1);
      auto ends = [&](std::string_view e) {
        return tail.size() > e.size() + 2 && tail.substr(tail.size() - e.size()) == e;
      };
      if (in_lex(ctx, "common_words", tail) || ends("ed") || ends("ing")) return true;
    }
    return in_lex(ctx, "not_name_words", w) ||
           ((in_lex(ctx, "number_words", low) || in_lex(ctx, "ordinal_words", low)) &&
            !given_name(ctx, w));
  };
  // Asked of the same words again and again below (each is half a dozen lexicon look-ups).
  std::vector<signed char> no_name_memo(toks.size(), -1);
  auto no_name = [&](size_t k) {
    if (no_name_memo[k] < 0) no_name_memo[k] = no_name_word(word(k));
    return no_name_memo[k] == 1;
  };
  const EntityModel& model = model_of(ctx, *m.rule);

  // Pieces: runs of words between words that never name; leading titles, sentence-opening
  // common words and connectors are cut (a title is evidence for a person).
  struct Piece {
    size_t b, e;
    bool titled;
  };
  std::vector<Piece> pieces;
  size_t i = 0;
  while (i < toks.size()) {
    bool titled = false;
    bool cut = true;
    while (cut && i < toks.size()) {
      cut = false;
      std::string_view w = word(i);
      if (i + 1 < toks.size()) {
        std::string two(ctx.text.substr(toks[i].start, toks[i + 1].end - toks[i].start));
        if (in_lex(ctx, "titles", two)) {
          i += 2;
          titled = cut = true;
          continue;
        }
      }
      bool title = in_lex(ctx, "titles", w);
      if (title || in_lex(ctx, "title_modifiers", w)) {
        titled = titled || title;
        ++i;
        cut = true;
      } else if (in_lex(ctx, "demonyms", w) || in_lex(ctx, "name_particles", w) ||
                 is_connector(w) || no_name(i)) {
        ++i;
        cut = true;
      } else if (opens_sentence(i) && in_lex(ctx, "person_roles", lower_ascii(w))) {
        ++i;  // "Economist Joel Naroff said"
        titled = cut = true;
      } else if (opens_sentence(i) && !given_name(ctx, w) && !lexicon_name(ctx, w)) {
        // A sentence's first word: a function word is never part of the name; another common
        // word only when the name is that word alone ("Trailing by 213") or a given name
        // follows ("Fullback Andre Joubert").
        bool alone = i + 1 >= toks.size() || no_name(i + 1) || given_name(ctx, word(i + 1));
        // ... or a country is the rest ("Hijacked Sudan plane ...", but "East Jerusalem",
        // "Dynamo Moscow").
        if (!alone && !in_lex(ctx, "place_exclusions", w)) {
          size_t r = i + 1;
          while (r < toks.size() && !no_name(r)) ++r;
          std::string_view rest =
              ctx.text.substr(toks[i + 1].start, toks[r - 1].end - toks[i + 1].start);
          std::string_view whole = ctx.text.substr(toks[i].start, toks[r - 1].end - toks[i].start);
          const LexiconEntry* e = lookup(ctx, "countries", rest);
          if (!e) e = lookup(ctx, "place_aliases", rest);
          alone = e && e->attrs.value("subtype", "") == "country" && !lexicon_name(ctx, whole);
        }
        // A gerund opens a clause, not a name: "Buying MCI would ...", "Following Oracle's ...".
        bool gerund = w.size() >= 6 && w.substr(w.size() - 3) == "ing";
        if (in_lex(ctx, "sentence_starters", w) ||
            ((alone || gerund) && in_lex(ctx, "common_words", lower_ascii(w)))) {
          ++i;
          cut = true;
        }
      }
    }
    if (i >= toks.size()) break;
    if (no_name_at(i)) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < toks.size() && !no_name(j) && !no_name_at(j)) ++j;
    size_t next = j + 1;
    while (j > i + 1 && (in_lex(ctx, "name_particles", word(j - 1)) || is_connector(word(j - 1)) ||
                         is_initial(word(j - 1))))
      --j;
    // "of"/"for" join when the words before them make an organization or place ("Bank of
    // Japan", "Gulf of Mexico"), not "Reaser of Barnett Banks"; "and" joins towards a keyword
    // after it ("Futures and Options Exchange"); "&" always joins ("Standard & Poor").
    auto keyword = [&](size_t k) {
      return in_lex(ctx, "org_keywords", word(k)) || in_lex(ctx, "org_suffixes", word(k));
    };
    bool head = in_lex(ctx, "org_heads", word(i)) || in_lex(ctx, "place_keywords", word(i));
    size_t b = i;
    for (size_t k = i; k <= j; ++k) {
      bool split = k == j;
      if (!split && is_connector(word(k)) && word(k) != "&") {
        bool before = head, after = false;
        for (size_t x = b; x < k; ++x) before = before || keyword(x);
        for (size_t x = k + 1; x < j; ++x) after = after || keyword(x);
        split = word(k) == "and" ? (before || !after) : !before;
        // A legal form ends the name: "Daniels Pharmaceuticals Inc of St. Petersburg".
        split = split || (k > b && in_lex(ctx, "company_forms", word(k - 1)));
      }
      if (!split) continue;
      size_t e = k;
      while (e > b && (is_connector(word(e - 1)) || in_lex(ctx, "name_particles", word(e - 1))))
        --e;
      if (e > b) pieces.push_back({b, e, titled && b == i});
      b = k + 1;
    }
    i = next;
  }

  for (const Piece& pc : pieces) {
    TextRange span{toks[pc.b].start, toks[pc.e - 1].end};
    std::string_view text = ctx.slice(span);
    size_t n = pc.e - pc.b;
    size_t initials = 0;
    while (initials < n && is_initial(word(pc.b + initials))) ++initials;
    if (initials == n) continue;
    if (lexicon_name(ctx, text) || in_lex(ctx, "demonyms", text)) continue;
    // Events, wars, prizes ("Korean War", "World Series") are none of the three types.
    if (n >= 2 && in_lex(ctx, "event_keywords", word(pc.e - 1))) continue;
    // Shouted common words ("PRESS DIGEST", "TAX STAT") are no name.
    bool shouted_words = n >= 2;
    for (size_t k = pc.b; k < pc.e && shouted_words; ++k)
      shouted_words = acronym_shape(word(k)) && in_lex(ctx, "common_words", lower_ascii(word(k)));
    if (shouted_words) continue;
    std::string titled = title_case(text);
    if (acronym_shape(text) && text.size() > 4 && lexicon_name(ctx, titled)) continue;
    // Adjectives and plurals of peoples ("Kurdish", "Sudanese", "Koreans") are no names.
    if (n == 1 && !given_name(ctx, text) && demonym_like(ctx, text)) continue;
    // A language or people ("Tajik", "Chechens", "Muslims") is no entity of these types.
    if (n == 1 && (in_lex(ctx, "languages", text) || in_lex(ctx, "people_words", text) ||
                   (text.size() > 4 && text.back() == 's' &&
                    in_lex(ctx, "languages", text.substr(0, text.size() - 1)))))
      continue;
    if (n == 1 && (in_lex(ctx, "sentence_starters", text) || in_lex(ctx, "titles", text) ||
                   in_lex(ctx, "title_modifiers", text) || text.size() < 2))
      continue;

    EntityCandidate c;
    c.mention = {span, m.rule->stable_id, acronym_shape(text) ? "acronym" : "name"};
    c.auto_typed = true;
    c.words = n;
    c.name = squeeze(text);
    c.priority = m.rule->priority;
    uint32_t ev = 0;  // bits by Evidence
    auto add = [&ev](Evidence e) { ev |= 1u << e; };
    auto has = [&ev](size_t e) { return (ev >> e) & 1u; };
    std::string_view first_word = word(pc.b), last_word = word(pc.e - 1);
    if (n >= 2 && given_name(ctx, first_word)) add(kGivenName);
    if (n == 1 && given_name(ctx, first_word)) add(kGivenNameAlone);
    // "Thomas Enqvist ( Sweden )": a country in brackets after a name marks a competitor.
    {
      std::string_view rest = ctx.text.substr(span.end, std::min<size_t>(48, sent.end - span.end));
      size_t close = rest.find(')');
      if (rest.substr(0, 2) == " (" && close != std::string_view::npos) {
        std::string_view inner = rest.substr(2, close - 2);
        while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
        while (!inner.empty() && inner.back() == ' ') inner.remove_suffix(1);
        const LexiconEntry* e = lookup(ctx, "countries", inner);
        if (!e) e = lookup(ctx, "place_aliases", inner);
        if ((e && e->attrs.value("subtype", "") == "country") || in_lex(ctx, "nations", inner))
          add(kCountryNote);
      }
    }
    if (initials > 0 || (first_word.size() > 2 && first_word[1] == '.' &&
                         std::isupper(static_cast<unsigned char>(first_word[2]))))
      add(kInitial);
    std::string_view prev = word_before_pos(ctx, sent.start, span.start);
    std::string prev2;
    if (!prev.empty()) {
      size_t pb = static_cast<size_t>(prev.data() - ctx.text.data());
      std::string_view p2 = word_before_pos(ctx, sent.start, pb);
      if (!p2.empty()) prev2 = std::string(p2) + " " + std::string(prev);
    }
    if (pc.titled || in_lex(ctx, "titles", prev) ||
        in_lex(ctx, "person_roles", lower_ascii(prev)) ||
        (!prev2.empty() && in_lex(ctx, "titles", prev2)))
      add(kTitleBefore);
    std::string_view after = word_after_pos(ctx, span.end, sent.end);
    if (in_lex(ctx, "speech_verbs", after)) add(kSpeechAfter);
    if (in_lex(ctx, "person_followers", after)) add(kPersonFollower);
    if (!after.empty() && std::isdigit(static_cast<unsigned char>(after[0]))) {
      // "( Keller 18th minute , ...)": a scorer's minute, not a table's figure.
      size_t d = 0;
      while (d < after.size() && std::isdigit(static_cast<unsigned char>(after[d]))) ++d;
      std::string_view suffix = after.substr(d, 2);
      bool ordinal = suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th";
      add(ordinal ? kOrdinalAfter : kNumberAfter);
    }
    for (size_t k = pc.b; k < pc.e; ++k)
      if (in_lex(ctx, "org_keywords", word(k)) || word(k) == "&") add(kOrgKeyword);
    if (lookup(ctx, "org_suffixes", last_word)) add(kOrgKeyword);
    // Subtype: the last word that org_suffixes knows ("Ministry of Foreign Affairs").
    for (size_t k = pc.e; k-- > pc.b && c.subtype.empty();)
      if (const LexiconEntry* e = lookup(ctx, "org_suffixes", word(k)))
        c.subtype = e->attrs.value("subtype", "");
    if (n >= 2 && (in_lex(ctx, "place_keywords", last_word) ||
                   (n >= 3 && word(pc.b + 1) == "of" && in_lex(ctx, "place_keywords", first_word))))
      add(kPlaceKeyword);
    if (in_lex(ctx, "place_prepositions", lower_ascii(prev))) add(kPlacePreposition);
    if (in_lex(ctx, "more_cities", text)) add(kCityName);
    if (in_lex(ctx, "org_followers", after)) add(kOrgFollower);
    if (in_lex(ctx, "place_nouns", lower_ascii(after))) add(kPlaceNoun);
    if (in_lex(ctx, "place_nouns", prev) ||
        (prev == "of" && !prev2.empty() &&
         in_lex(ctx, "place_nouns", prev2.substr(0, prev2.find(' ')))))
      add(kPlaceNoun);
    if (n == 1 && acronym_shape(text)) add(kAcronym);
    // "Cleveland Indians": a people's word after a name is a team's or a group's (not after
    // a common word: "West African", "Leading Russian shares").
    for (size_t k = pc.b + 1; k < pc.e; ++k)
      if (in_lex(ctx, "demonyms", word(k)) && !in_lex(ctx, "demonyms", word(k - 1)) &&
          !in_lex(ctx, "common_words", lower_ascii(word(k - 1))) &&
          !in_lex(ctx, "place_exclusions", word(k - 1)))
        add(kDemonymInside);
    // A place inside a longer name that is not all places ("Chicago White Sox", "Ajax
    // Amsterdam", "Jakarta Stock Exchange"): a club, team or company named after it.
    if (n >= 2) {
      bool place_word = false, other_word = false;
      for (size_t k = pc.b; k < pc.e;) {
        size_t len = 0;
        for (size_t l = std::min<size_t>(3, pc.e - k); l >= 1 && !len; --l)
          if (place_name(ctx, ctx.text.substr(toks[k].start, toks[k + l - 1].end - toks[k].start)))
            len = l;
        if (len) {
          place_word = true;
          k += len;
        } else {
          if (!is_connector(word(k)) && !in_lex(ctx, "name_particles", word(k))) other_word = true;
          ++k;
        }
      }
      if (place_word && other_word) add(kPlaceInside);
    }
    // "Sierra Semiconductor", "Lamonts Apparel": a person's name seldom ends in a common
    // English word unless a given name or an initial opens it, or the word is a surname too
    // after a word that is no common one ("Jansher Khan", but "Pan Am", "All Blacks").
    if (n >= 2 && !has(kGivenName) && !has(kInitial) && !acronym_shape(last_word) &&
        in_lex(ctx, "common_words", lower_ascii(last_word)) &&
        !(in_lex(ctx, "proper_common_words", last_word) &&
          !in_lex(ctx, "common_words", lower_ascii(first_word))))
      add(kCommonLast);
    for (size_t e = 0; e < kEvidenceCount; ++e)
      if (has(e))
        for (size_t t = 0; t < kTypes.size(); ++t) c.evidence[t] += model.weights[e][t];
    for (size_t e = 0; e < kEvidenceCount; ++e)
      if (has(e) && model.priority[e])
        c.priority = std::max(c.priority, static_cast<int>(*model.priority[e]));
    out->push_back(std::move(c));
  }
}

}  // namespace

bool is_shouting(std::string_view s) {
  size_t upper = 0, lower = 0;
  for (char ch : s) {
    if (ch >= 'A' && ch <= 'Z') ++upper;
    if (ch >= 'a' && ch <= 'z') ++lower;
  }
  return upper >= 4 && lower * 10 < upper;
}

void interpret_entity(const Context& ctx, const Match& m, std::vector<EntityCandidate>* out) {
  const Rule& r = *m.rule;
  // Asked of every name match: compared in place, not copied out of the attributes.
  auto type = r.attrs.find("type");
  if (type != r.attrs.end() && type->is_string() && type->get_ref<const std::string&>() == "auto")
    return interpret_capitalised(ctx, m, out);
  EntityCandidate c;
  if (r.attrs.contains("evidence")) {
    c.mention = {m.span, r.id, "name"};
    c.evidence_of = r.attrs["evidence"].get<std::string>();
    c.type = r.attrs.value("type", "");
    c.subtype = r.attrs.value("subtype", "");
    c.auto_typed = r.attrs.value("create", false);
    out->push_back(std::move(c));
    return;
  }
  c.mention.span = m.span;
  c.mention.rule = r.stable_id;
  c.type = r.attrs.value("type", "");
  c.subtype = r.attrs.value("subtype", "");
  c.priority = r.priority;
  // Cut leading words such as "The" that open a sentence rather than a name.
  if (r.attrs.contains("trim_leading")) {
    auto toks = tokens(ctx.slice(c.mention.span));
    size_t k = 0;
    while (k + 1 < toks.size() && in_any(ctx, r.attrs["trim_leading"], toks[k])) ++k;
    if (k > 0) c.mention.span.start = static_cast<size_t>(toks[k].data() - ctx.text.data());
  }
  // "Johnson Controls Inc and Lear Corp": the name ends at a word of these lexicons (a legal
  // form) that a connector follows.
  if (r.attrs.contains("end_before_connector")) {
    auto toks = tokens(ctx.slice(c.mention.span));
    for (size_t k = 0; k + 1 < toks.size(); ++k)
      if (in_any(ctx, r.attrs["end_before_connector"], toks[k]) && is_connector(toks[k + 1]) &&
          toks[k + 1] != "&") {
        c.mention.span.end = static_cast<size_t>(toks[k].data() - ctx.text.data()) + toks[k].size();
        break;
      }
  }
  // "Lynn Reaser of Barnett Banks Inc.": "of" or "for" joins only after a word of these
  // lexicons ("Bank of Japan"); else the name starts after it.
  if (r.attrs.contains("of_after")) {
    auto toks = tokens(ctx.slice(c.mention.span));
    bool head = false;
    for (size_t k = 0; k + 1 < toks.size(); ++k) {
      if ((toks[k] == "of" || toks[k] == "for") && !head) {
        c.mention.span.start = static_cast<size_t>(toks[k + 1].data() - ctx.text.data());
        break;
      }
      head = head || in_any(ctx, r.attrs["of_after"], toks[k]);
    }
  }
  // "Kurdistan Democratic Party (KDP)": the span is the shortest run of last words whose
  // capitals spell the acronym; no such run, no mention.
  if (r.attrs.contains("acronym_group")) {
    std::string_view acro = ctx.group(m, r.attrs["acronym_group"].get<std::string>());
    auto words = tokens(ctx.slice(c.mention.span));
    std::string initials;
    bool found = false;
    for (size_t k = words.size(); k-- > 0;) {
      if (!std::isupper(static_cast<unsigned char>(words[k][0]))) continue;
      initials.insert(initials.begin(), words[k][0]);
      if (initials == acro) {
        c.mention.span.start = static_cast<size_t>(words[k].data() - ctx.text.data());
        found = true;
        break;
      }
      if (initials.size() >= acro.size()) break;
    }
    if (!found) return;
    c.name = squeeze(ctx.slice(c.mention.span));
    c.acronym = std::string(acro);
  }
  std::string_view text = ctx.slice(c.mention.span);
  auto toks = tokens(text);
  if (toks.empty()) return;
  // "NZ$40bn", "US$5": a currency's prefix, not a mention of the place.
  if (c.type == "place" && c.mention.span.end < ctx.text.size() &&
      ctx.text[c.mention.span.end] == '$')
    return;
  if (r.attrs.contains("reject_first_token") && in_any(ctx, r.attrs["reject_first_token"], toks[0]))
    return;
  // "General Motors" after the title "General": a word of these lexicons rules the name out.
  if (r.attrs.contains("reject_any_token"))
    for (auto t : toks)
      if (in_any(ctx, r.attrs["reject_any_token"], t)) return;
  if (r.attrs.contains("exclude_lexicon")) {
    const Lexicon* ex = ctx.book.lexicon(r.attrs["exclude_lexicon"].get<std::string>());
    if (ex && ex->find(text)) return;
  }
  // Canonical name and subtype from the first lexicon that knows the mention; subtype may
  // also come from a group (the suffix of "Acme Inc.").
  for (const auto& lname : r.lexicons) {
    const Lexicon* lex = ctx.book.lexicon(lname);
    if (!lex) continue;
    if (c.name.empty())
      if (const LexiconEntry* e = lex->find(text)) {
        c.name = e->attrs.value("name", e->form);
        if (c.subtype.empty()) c.subtype = e->attrs.value("subtype", "");
      }
    for (const auto& [gname, gi] : r.groups) {
      if (gname == "span" || !m.has(gi) || !c.subtype.empty()) continue;
      if (const LexiconEntry* e = lex->find(ctx.slice(m.groups[gi])))
        c.subtype = e->attrs.value("subtype", "");
    }
  }
  if (c.name.empty()) c.name = squeeze(text);
  std::string form = r.attrs.value("form", "");
  if (form.empty()) form = acronym_shape(text) ? "acronym" : "name";
  if (form == "demonym" && c.subtype.empty()) {
    // A demonym's place: the subtype of the canonical name in the place lexicons.
    for (const char* lname : {"countries", "place_aliases"})
      if (const Lexicon* lex = ctx.book.lexicon(lname))
        if (const LexiconEntry* e = lex->find(c.name)) {
          c.subtype = e->attrs.value("subtype", "");
          break;
        }
  }
  c.mention.form = form;
  out->push_back(std::move(c));
}

namespace {

std::string last_token(const std::string& name) {
  size_t sp = name.rfind(' ');
  return sp == std::string::npos ? "" : name.substr(sp + 1);
}

// The names of several words of one type, by their last word ("Mark Carney" under "Carney") or
// their first ("Nordvik Breweries" under "Nordvik").
using NamesByWord = std::map<std::string, std::set<std::string>>;
NamesByWord names_by_word(const std::vector<EntityCandidate>& cands, std::string_view type,
                          bool last) {
  NamesByWord out;
  for (const auto& c : cands) {
    size_t sp = last ? c.name.rfind(' ') : c.name.find(' ');
    if (c.type != type || sp == std::string::npos) continue;
    out[last ? c.name.substr(sp + 1) : c.name.substr(0, sp)].insert(c.name);
  }
  return out;
}

// The one name filed under word, or null when none or several are.
const std::string* only_name(const NamesByWord& names, const std::string& word) {
  auto it = names.find(word);
  return it != names.end() && it->second.size() == 1 ? &*it->second.begin() : nullptr;
}

// "Carney" alone is the person "Mark Carney" when exactly one known person ends so.
void link_surnames(std::vector<EntityCandidate>* cands) {
  NamesByWord by_surname = names_by_word(*cands, "person", true);
  for (auto& c : *cands) {
    if (c.type != "person" || c.name.find(' ') != std::string::npos) continue;
    if (const std::string* full = only_name(by_surname, c.name)) c.name = *full;
  }
}

// "Nordvik" alone is the organization "Nordvik Breweries" when exactly one organization of
// several words in the story opens with it: a company is named in full once, then by its first
// word, and the single word, voted on its own ("Nordvik said"), comes out a person. Only a lone
// word voting made a person (not yet linked to a full name: "Cosby" of "Bill Cosby" is no short
// "Cosby Kids"); places open too many names of other things ("Liverpool Echo", "Cardiff
// Blues"), and so do common words, given names and known places.
void link_short_org_names(const Context& ctx, std::vector<EntityCandidate>* cands) {
  NamesByWord by_first = names_by_word(*cands, "organization", false);
  for (auto& c : *cands) {
    if (!c.auto_typed || c.type != "person" || c.name.find(' ') != std::string::npos) continue;
    const std::string* full = only_name(by_first, c.name);
    if (!full) continue;
    if (in_lex(ctx, "common_words", lower_ascii(c.name)) || in_lex(ctx, "given_names", c.name) ||
        place_name(ctx, c.name) || in_lex(ctx, "more_cities", c.name))
      continue;  // a town ("Blackpool Hotel Association"), a first name ("Steve Redgrave Trust")
    c.type = "organization";
    c.name = *full;
  }
}

// Every later bare "Carney" in the text becomes a mention of Mark Carney.
void propagate_surnames(const Context& ctx, std::vector<EntityCandidate>* cands) {
  NamesByWord by_surname = names_by_word(*cands, "person", true);
  SpanIndex taken;
  for (const auto& c : *cands) taken.add(c.mention.span);
  std::vector<EntityCandidate> added;
  for (const auto& [surname, names] : by_surname) {
    if (names.size() != 1 || surname.size() < 2) continue;
    for (size_t at : ctx.find_in_items(surname)) {
      TextRange span{at, at + surname.size()};
      if (taken.overlaps(span)) continue;
      taken.add(span);
      EntityCandidate c;
      c.mention = {span, "link.surname", "name"};
      c.type = "person";
      c.name = *names.begin();
      added.push_back(std::move(c));
    }
  }
  for (auto& c : added) cands->push_back(std::move(c));
}

// Context rules (attribute `evidence`) add their evidence to the names their span overlaps: a
// name.capitalised mention, or a lexicon place of a subtype the model's `retype` lets context
// retype ("Chicago" in "Chicago 3 Boston 2"; the place keeps that weight). With `create: true`
// a span no name covers becomes one ("MILWAUKEE 60 68 .469" in a shouted table), unless it is a
// country, a known organization or shouted common words. Linear: one binary search a record.
void apply_evidence(const Context& ctx, const std::vector<EntityCandidate>& evidence,
                    std::vector<EntityCandidate>* cands) {
  if (evidence.empty()) return;
  const nlohmann::json& model = ctx.book.model("entities");
  const auto& retype = field(model, "retype");
  // A rule-typed mention becomes a name typed by evidence, keeping the model's `retype` weight
  // for its type: by the rule that typed it (a key may be a rule id), else a place by its
  // subtype, but not a nation that fields national teams ("England v Pakistan").
  auto retyped = [&](EntityCandidate& c) {
    if (c.auto_typed) return true;
    const nlohmann::json* w = &field(retype, std::string(c.mention.rule));
    if (!w->is_number() && c.type == "place" && !in_lex(ctx, "nations", c.name))
      w = &field(retype, c.subtype);
    if (!w->is_number()) return false;
    c.auto_typed = true;
    c.lexicon_subtype = c.subtype;
    c.evidence = {};
    for (size_t t = 0; t < kTypes.size(); ++t)
      if (c.type == kTypes[t]) c.evidence[t] = w->get<double>();
    c.words = tokens(ctx.slice(c.mention.span)).size();
    return true;
  };
  std::set<std::string> reached;  // names of rule-typed mentions that context retyped
  auto give = [&](EntityCandidate& c, const EntityCandidate& ev) {
    if (!c.auto_typed) {
      if (!retyped(c)) return;
      reached.insert(c.name);
    }
    for (size_t t = 0; t < kTypes.size(); ++t) c.evidence[t] += weight(model, ev.evidence_of, t);
    if (c.evidence_rule.empty()) {
      c.evidence_rule = ev.mention.rule;
      c.evidence_type = ev.type;
    }
  };
  std::vector<EntityCandidate> created;
  std::map<std::pair<size_t, size_t>, size_t> created_at;
  for (const EntityCandidate& ev : evidence) {
    const TextRange s = ev.mention.span;
    auto it = std::partition_point(cands->begin(), cands->end(), [&](const EntityCandidate& c) {
      return c.mention.span.end <= s.start;
    });
    bool found = false;
    for (; it != cands->end() && it->mention.span.start < s.end; ++it) {
      // The name the span ends or starts with ("Hapoel Ironi" in "Add Hapoel Ironi v ..."),
      // not a place inside it.
      if (it->mention.span.start == s.start || it->mention.span.end == s.end) give(*it, ev);
      found = true;
    }
    if (found || !ev.auto_typed) continue;
    auto key = std::make_pair(s.start, s.end);
    auto at = created_at.find(key);
    if (at != created_at.end()) {
      give(created[at->second], ev);
      continue;
    }
    std::string_view text = ctx.slice(s);
    auto words = tokens(text);
    if (words.empty()) continue;
    bool common = true;
    for (auto w : words) common = common && in_lex(ctx, "common_words", lower_ascii(w));
    std::string titled = title_case(text);
    // Common words stay out ("Total 3 4"), unless a town is so named ("Nice 3 0 1 2").
    if ((common && !in_lex(ctx, "more_cities", titled)) ||
        (words.size() == 1 && in_lex(ctx, "sentence_starters", titled)))
      continue;
    EntityCandidate c;
    c.mention = {s, ev.mention.rule, "name"};
    c.auto_typed = true;
    c.words = words.size();
    c.name = squeeze(text);
    c.priority = ev.priority;
    bool skip = false;
    for (const char* l : {"place_aliases", "countries", "cities", "subdivisions",
                          "former_countries", "organizations"}) {
      const Lexicon* x = ctx.lexicon(l);
      const LexiconEntry* e = x ? x->find(text) : nullptr;
      if (!e && x) e = x->find(titled);
      if (!e) continue;
      std::string subtype = e->attrs.value("subtype", "");
      const auto& w = field(retype, subtype);
      if (std::strcmp(l, "organizations") == 0 || !w.is_number() ||
          in_lex(ctx, "nations", e->attrs.value("name", e->form))) {
        skip = true;  // left to the lexicon rules and the shouting pass
      } else {
        c.name = e->attrs.value("name", e->form);
        c.lexicon_subtype = subtype;
        c.evidence[2] = w.get<double>();
        reached.insert(c.name);
      }
      break;
    }
    if (skip) continue;
    created_at.emplace(key, created.size());
    created.push_back(std::move(c));
    give(created.back(), ev);
  }
  // The name's other mentions join the vote on the same terms ("Toronto won its fifth
  // straight" in the story whose table lists "Toronto 75 55"), so the document types it once.
  if (!reached.empty())
    for (auto& c : *cands)
      if (!c.auto_typed && reached.count(c.name)) retyped(c);
  if (created.empty()) return;
  for (auto& c : created) cands->push_back(std::move(c));
  *cands = resolve_overlaps(
      std::move(*cands), [](const EntityCandidate& c) { return c.mention.span; },
      [](const EntityCandidate& c) { return c.priority; });
}

// name.capitalised mentions take one type per name and document: the prior plus the evidence
// of every mention of that name; a name typed by another rule ("Carney" after "Prime
// Minister") counts too, and a single word that ends a person's name is that person.
void vote_types(const Context& ctx, std::vector<EntityCandidate>* cands) {
  const EntityModel& model = model_of(ctx, "entities");
  // The mean evidence of a name's mentions: one mention's context should not outvote the
  // rest, nor many weak contexts a strong link. Each name is hashed once: its candidates read
  // the votes by index (a map by name was looked up six times a candidate). No order is read
  // from the hash map; its keys are the candidates' names, which stay in place until the votes
  // are last read.
  std::unordered_map<std::string_view, size_t> group_of;
  std::vector<std::array<double, 3>> votes;
  std::vector<size_t> counts;
  std::vector<size_t> group(cands->size());
  for (size_t i = 0; i < cands->size(); ++i) {
    const EntityCandidate& c = (*cands)[i];
    auto [it, fresh] = group_of.emplace(c.name, votes.size());
    if (fresh) {
      votes.push_back({});
      counts.push_back(0);
    }
    group[i] = it->second;
    if (c.mention.form == "demonym") continue;
    auto& v = votes[group[i]];
    ++counts[group[i]];
    if (c.auto_typed) {
      for (size_t t = 0; t < 3; ++t) v[t] += c.evidence[t];
    } else {
      for (size_t t = 0; t < 3; ++t)
        if (c.type == kTypes[t]) v[t] += model.typed_by_rule[t];
    }
  }
  for (size_t g = 0; g < votes.size(); ++g)
    if (counts[g] > 0)
      for (auto& x : votes[g]) x /= static_cast<double>(counts[g]);
  auto decide = [&](size_t i) {
    const EntityCandidate& c = (*cands)[i];
    const auto& prior = c.words == 1 ? model.prior_single : model.prior;
    const auto& v = votes[group[i]];
    size_t best = 0;
    double best_score = -1e9;
    for (size_t t = 0; t < 3; ++t) {
      double s = prior[t] + v[t];
      if (s > best_score) best = t, best_score = s;
    }
    return std::string(kTypes[best]);
  };
  for (size_t i = 0; i < cands->size(); ++i)
    if ((*cands)[i].auto_typed) (*cands)[i].type = decide(i);
  // Surnames: the last word of a person's name of two words or more.
  std::set<std::string> surnames;
  for (const auto& c : *cands)
    if (c.type == "person" && c.name.find(' ') != std::string::npos)
      surnames.insert(last_token(c.name));
  for (const auto& s : surnames) {
    auto it = group_of.find(s);
    if (it == group_of.end()) continue;
    for (size_t t = 0; t < 3; ++t) votes[it->second][t] += model.linked_person[t];
  }
  for (size_t i = 0; i < cands->size(); ++i) {
    EntityCandidate& c = (*cands)[i];
    if (!c.auto_typed) continue;
    c.type = decide(i);
    if (c.type != "organization") c.subtype.clear();
    if (c.type == "place") c.subtype = c.lexicon_subtype;
    if (!c.evidence_rule.empty() && c.type == c.evidence_type) c.mention.rule = c.evidence_rule;
  }
  // A single common word ("Results", "Golf") with no evidence anywhere in the document is
  // capitalised for another reason: no name. Decided before any candidate moves.
  std::vector<char> drop(cands->size(), 0);
  for (size_t i = 0; i < cands->size(); ++i) {
    const EntityCandidate& c = (*cands)[i];
    if (!c.auto_typed || c.words != 1) continue;
    const auto& v = votes[group[i]];
    drop[i] =
        v[0] == 0 && v[1] == 0 && v[2] == 0 && in_lex(ctx, "common_words", lower_ascii(c.name));
  }
  size_t kept = 0;
  for (size_t i = 0; i < cands->size(); ++i)
    if (!drop[i]) {
      if (kept != i) (*cands)[kept] = std::move((*cands)[i]);
      ++kept;
    }
  cands->erase(cands->begin() + static_cast<std::ptrdiff_t>(kept), cands->end());
}

// An acronym defined after a name ("Kurdistan Democratic Party (KDP)") is that entity
// wherever it appears.
void link_acronyms(const Context& ctx, std::vector<EntityCandidate>* cands) {
  std::map<std::string, const EntityCandidate*, std::less<>> defined;
  for (const auto& c : *cands)
    if (!c.acronym.empty()) defined.emplace(c.acronym, &c);
  if (defined.empty()) return;
  std::vector<std::pair<EntityCandidate*, const EntityCandidate*>> links;
  for (auto& c : *cands) {
    auto it = defined.find(ctx.slice(c.mention.span));
    if (it != defined.end() && it->second != &c) links.emplace_back(&c, it->second);
  }
  for (auto [c, def] : links) {
    c->type = def->type;
    c->subtype = def->subtype;
    c->name = def->name;
    c->mention.form = "acronym";
  }
}

// "OTTAWA" in a dateline is the "Ottawa" of the story, when the story names it.
void link_shouted(std::vector<EntityCandidate>* cands) {
  auto upper = [](std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
  };
  std::map<std::string, std::pair<std::string, std::string>> known;  // NAME -> name, type
  for (const auto& c : *cands)
    if (upper(c.name) != c.name) known.emplace(upper(c.name), std::pair{c.name, c.type});
  for (auto& c : *cands) {
    if (c.name.size() < 4 || upper(c.name) != c.name) continue;
    auto it = known.find(c.name);
    if (it == known.end()) continue;
    // A rule's type stands: the dateline "BALTIMORE" is the city even where "Baltimore" is
    // the team.
    if (!c.auto_typed && c.type != it->second.second) continue;
    c.name = it->second.first;
    c.type = it->second.second;
  }
}

// Shouting lines (all capitals: wire headlines, datelines) say nothing by their capitals;
// names known from the rest of the document, and lexicon places and organizations, are found
// there word by word ("LEICESTERSHIRE" after "Leicestershire", "LONDON").
void find_in_shouting(const Context& ctx, std::vector<EntityCandidate>* cands) {
  std::map<std::string, const EntityCandidate*> known;  // upper-case form -> a mention of it
  for (const auto& c : *cands) {
    if (c.mention.form == "demonym") continue;
    std::string up(ctx.slice(c.mention.span));
    for (auto& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    known.emplace(up, &c);
  }
  SpanIndex taken;
  for (const auto& c : *cands) taken.add(c.mention.span);
  std::vector<EntityCandidate> added;
  for (size_t si : ctx.item_sentences) {
    if (!ctx.shouting[si]) continue;
    const TextRange sent = (*ctx.sentences)[si].span;
    std::vector<Tok> toks;
    for (auto t : tokens(ctx.slice(sent))) {
      size_t b = static_cast<size_t>(t.data() - ctx.text.data()), e = b + t.size();
      auto punct = [&](size_t at) { return std::strchr("\",.:;!?()[]'", ctx.text[at]) != nullptr; };
      while (b < e && punct(b)) ++b;
      while (e > b && punct(e - 1)) {
        // "U.S." keeps its last dot.
        if (ctx.text[e - 1] == '.' &&
            ctx.text.substr(b, e - 1 - b).find('.') != std::string_view::npos)
          break;
        --e;
      }
      if (e > b) toks.push_back({b, e});
    }
    for (size_t i = 0; i < toks.size();) {
      size_t taken_n = 0;
      for (size_t n = std::min<size_t>(4, toks.size() - i); n >= 1 && !taken_n; --n) {
        TextRange span{toks[i].start, toks[i + n - 1].end};
        std::string_view form = ctx.slice(span);
        if (taken.overlaps(span)) continue;
        std::string titled = title_case(form);
        if (n == 1 && in_lex(ctx, "sentence_starters", titled)) continue;
        EntityCandidate c;
        c.mention = {span, "link.shouting", acronym_shape(form) && n == 1 ? "acronym" : "name"};
        auto it = known.find(std::string(form));
        if (it != known.end()) {
          c.type = it->second->type;
          c.subtype = it->second->subtype;
          c.name = it->second->name;
        } else {
          for (const char* l :
               {"place_aliases", "countries", "cities", "subdivisions", "former_countries"}) {
            const Lexicon* x = ctx.lexicon(l);
            const LexiconEntry* e = x ? x->find(form) : nullptr;
            if (!e && x) e = x->find(titled);
            if (e && !in_lex(ctx, "place_exclusions", e->form)) {
              c.type = "place";
              c.subtype = e->attrs.value("subtype", "");
              c.name = e->attrs.value("name", e->form);
              break;
            }
          }
          if (c.type.empty())
            if (const Lexicon* x = ctx.lexicon("organizations")) {
              const LexiconEntry* e = x->find(form);
              if (!e && n > 1) e = x->find(titled);
              if (e) {
                c.type = "organization";
                c.subtype = e->attrs.value("subtype", "");
                c.name = e->attrs.value("name", e->form);
              }
            }
        }
        if (c.type.empty()) continue;
        taken.add(span);
        added.push_back(std::move(c));
        taken_n = n;
      }
      i += taken_n ? taken_n : 1;
    }
  }
  for (auto& c : added) cands->push_back(std::move(c));
}

}  // namespace

void finish_entities(const Context& ctx, std::vector<EntityCandidate> cands, Result* out) {
  std::vector<EntityCandidate> evidence;
  auto context_rule = [](const EntityCandidate& c) { return !c.evidence_of.empty(); };
  std::copy_if(cands.begin(), cands.end(), std::back_inserter(evidence), context_rule);
  cands.erase(std::remove_if(cands.begin(), cands.end(), context_rule), cands.end());
  cands = resolve_overlaps(
      std::move(cands), [](const EntityCandidate& c) { return c.mention.span; },
      [](const EntityCandidate& c) { return c.priority; });
  apply_evidence(ctx, evidence, &cands);
  vote_types(ctx, &cands);
  link_acronyms(ctx, &cands);
  link_shouted(&cands);
  link_surnames(&cands);  // first: "Cosby" of "Bill Cosby" is no short name of "Cosby Kids"
  link_short_org_names(ctx, &cands);
  propagate_surnames(ctx, &cands);
  find_in_shouting(ctx, &cands);
  std::sort(cands.begin(), cands.end(), [](const EntityCandidate& a, const EntityCandidate& b) {
    return a.mention.span.start < b.mention.span.start;
  });

  std::map<std::pair<std::string, std::string>, size_t> index;  // (type, name) -> entity
  for (auto& c : cands) {
    auto key = std::make_pair(c.type, c.name);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, out->entities.size()).first;
      Entity e;
      e.type = c.type;
      e.subtype = c.subtype;
      e.name = c.name;
      out->entities.push_back(std::move(e));
    }
    Entity& e = out->entities[it->second];
    if (e.subtype.empty()) e.subtype = c.subtype;
    std::string text(ctx.slice(c.mention.span));
    if (text != e.name && std::find(e.aliases.begin(), e.aliases.end(), text) == e.aliases.end())
      e.aliases.push_back(text);
    e.mentions.push_back(std::move(c.mention));
  }
}

}  // namespace claimx
