// The pack contract (include/claimx/contract.h): what each stage reads from rules, lexicons and
// models. tests/contract_test.cc keeps it honest: every attribute, group and lexicon name the
// stages' code reads must be declared here, and every embedded rule must pass it.
#include "claimx/contract.h"

#include <algorithm>

namespace claimx {

namespace {

using T = AttrType;

// Figure kinds share one interpreter (src/extract/figures.cc), which reads these of any rule.
std::vector<AttrSpec> figure_attrs() {
  return {
      {"unit", T::kString},                   // the unit when no group names one ("year", "times")
      {"divisor", T::kNumber, {}, true},      // "25 basis points": value / 100
      {"sub_divisor", T::kNumber, {}, true},  // "5 feet 2": the part is twelfths
      {"min_value", T::kNumber},              // below it the match is no figure ("won 3-2")
      {"proper_ratio", T::kBool},             // "12 out of 10" is two numbers
      {"known_codes_only", T::kBool},         // a code must be an ISO 4217 code
      {"split_words", T::kBool},
      {"reject_year_like", T::kBool},      // "in 2024 prices": a year, not a count
      {"reject_single_words", T::kNames},  // a lone "million" is part of another figure
      {"count_not_in", T::kLexicons},      // nouns that are not counted things
      {"fuzzy_units", T::kLexicon},        // misspelt unit words, one edit away
  };
}

std::vector<AttrSpec> date_attrs() {
  return {{"default_order", T::kString, {"dmy", "mdy"}}};  // "5/3/18" with both under 13
}

std::vector<KindTraits> make_kinds() {
  using K = RuleKind;
  using S = Stage;
  std::vector<AttrSpec> statuses_attr = {
      {"status",
       T::kString,
       {"proposed", "negotiating", "agreed", "signed", "ratified", "in-force", "expired",
        "collapsed", "rejected", "withdrawn"}}};
  std::vector<AttrSpec> deal_attrs = {
      statuses_attr[0],
      {"kind_default",
       T::kString,
       {"ceasefire", "contract", "deal", "licensing", "merger", "order", "partnership",
        "settlement", "sponsorship", "takeover", "trade", "transfer", "treaty"}},
      {"roles", T::kStringMap},  // slot group -> party role: {a: buyer, b: target}
      {"subject", T::kString, {"a", "a2", "b", "c", "g"}},
      {"subject_from", T::kString, {"sentence"}},
      {"need_person", T::kNames, {"a", "a2", "b", "c", "g"}},
      {"person_target", T::kString, {"transfer"}},
      {"exclude_heads", T::kNames},
      {"not_after", T::kNames},
      {"active", T::kBool},
      {"names_describe", T::kBool},
      {"need_company", T::kBool},
      {"need_places", T::kBool},
      {"no_people", T::kBool},
      {"of_ends_slot", T::kBool},
      {"one_side", T::kBool},
      {"target_from_story", T::kBool},
  };
  std::vector<AttrSpec> entity_attrs = {
      {"type", T::kString, {"auto", "organization", "person", "place"}},
      {"subtype", T::kString},
      {"create", T::kBool},
      {"form", T::kString, {"demonym"}},
      {"evidence", T::kModelKey, {"entities", "evidence"}},  // a weight of the entities model
      {"acronym_group", T::kString},
      {"exclude_lexicon", T::kLexicon},
      {"trim_leading", T::kLexicons},
      {"end_before_connector", T::kLexicons},
      {"of_after", T::kLexicons},
      {"reject_first_token", T::kLexicons},
      {"reject_any_token", T::kLexicons},
  };
  AttrSpec feature = {"feature", T::kModelKey, {"claims", "weights"}};  // a weight of the model
  std::vector<AttrSpec> cue_attrs = {
      feature,
      {"type",
       T::kString,
       {"quantity", "prediction", "correlation-causation", "rules-laws", "personal-experience",
        "other"}},
      {"direction", T::kString, {"up", "down"}},
  };
  auto fig = figure_attrs();
  return {
      {K::kMoney, "money", S::kFigures, fig},
      {K::kNumber, "number", S::kFigures, fig},
      {K::kPercent, "percent", S::kFigures, fig},
      {K::kPercentagePoints, "percentage-points", S::kFigures, fig},
      {K::kOrdinal, "ordinal", S::kFigures, fig},
      {K::kRange, "range", S::kFigures, fig},
      {K::kMeasure, "measure", S::kFigures, fig},
      {K::kAge, "age", S::kFigures, fig},
      {K::kDate, "date", S::kFigures, date_attrs()},
      {K::kTime, "time", S::kFigures, {}},
      {K::kDuration, "duration", S::kFigures, {}},
      {K::kFrequency, "frequency", S::kFigures, {}},
      {K::kEntity, "entity", S::kEntities, entity_attrs},
      {K::kAgreement, "agreement", S::kAgreements, {{"trim_leading", T::kLexicons}}},
      {K::kAgreementStatus,
       "agreement-status",
       S::kDeals,
       {statuses_attr[0], {"scope", T::kString, {"sentence"}}}},
      {K::kDeal, "deal", S::kDeals, deal_attrs},
      {K::kDealMention, "deal-mention", S::kDeals, {}},
      {K::kCue, "cue", S::kClaims, cue_attrs},
      {K::kAttribution, "attribution", S::kClaims, {feature}},
      {K::kHedge, "hedge", S::kClaims, {feature}},
      {K::kNegation, "negation", S::kClaims, {feature}},
      {K::kNotClaim, "not-claim", S::kClaims, {feature}},
      {K::kZone,
       "zone",
       S::kZones,
       {{"role", T::kString, {"byline", "dateline", "furniture", "related-label", "share"}}}},
      {K::kMask, "mask", S::kMasks, {}},
  };
}

}  // namespace

const std::vector<KindTraits>& all_kinds() {
  static const std::vector<KindTraits> kinds = make_kinds();
  return kinds;
}

const KindTraits& traits(RuleKind kind) {
  return all_kinds()[static_cast<size_t>(kind)];
}

const KindTraits* find_kind(std::string_view name) {
  for (const auto& k : all_kinds())
    if (k.name == name) return &k;
  return nullptr;
}

const std::vector<AttrSpec>& common_attrs() {
  static const std::vector<AttrSpec> attrs = {
      {"longest", T::kBool},  // leftmost-longest matching for this rule's RE2
      // Zones whose sentences the rule skips; `shouting`: a sentence in capitals.
      {"skip_zones",
       T::kNames,
       {"headline", "body", "byline", "boilerplate", "dateline", "shouting"}},
  };
  return attrs;
}

const AttrSpec* find_attr(const KindTraits& kind, std::string_view name) {
  for (const auto* list : {&kind.attrs, &common_attrs()})
    for (const auto& a : *list)
      if (a.name == name) return &a;
  return nullptr;
}

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::kFigures:
      return "figures";
    case Stage::kEntities:
      return "entities";
    case Stage::kAgreements:
      return "agreements";
    case Stage::kDeals:
      return "deals";
    case Stage::kClaims:
      return "claims";
    case Stage::kZones:
      return "zones";
    case Stage::kMasks:
      return "masks";
  }
  return "";
}

const std::vector<std::string_view>& stage_groups(Stage stage) {
  // clang-format off
  static const std::vector<std::string_view> figures = {
      // amounts: digits, words, scales, fractions, powers, signs, bounds of a range
      "num", "words", "scale", "scalel", "scalem", "whole", "frac", "dennum", "denwords", "pow",
      "exp", "neg", "mult", "ord", "relord", "one", "sub", "maxnum", "maxwords", "lowscale",
      "lowscalel", "qual", "postqual", "lowq", "highq", "pct", "veto",
      // money
      "cur", "code", "lcode", "dcode", "curw", "curn", "curadj",
      // measures and counts
      "unit", "per", "fuzzy", "open", "close", "count", "times",
      // dates and times
      "a", "b", "year", "year2", "yy", "month", "monthnum", "day", "day2", "dayw", "dayword",
      "weekday", "weekend", "week", "century", "decade", "quarter", "season", "holiday", "part",
      "rel", "nth", "nthunit", "later", "past", "other", "dmod", "hour", "hour2", "hourw",
      "minute", "minute2", "minw", "second", "ampm", "daypart", "daytime", "freq"};
  static const std::vector<std::string_view> entities = {"head", "title", "suffix", "acro"};
  static const std::vector<std::string_view> agreements = {"name", "acr"};
  static const std::vector<std::string_view> deals = {"a", "a2", "b", "c", "g", "head", "verb"};
  static const std::vector<std::string_view> claims = {"speaker", "verb"};
  static const std::vector<std::string_view> none = {};
  // clang-format on
  switch (stage) {
    case Stage::kFigures:
      return figures;
    case Stage::kEntities:
      return entities;
    case Stage::kAgreements:
      return agreements;
    case Stage::kDeals:
      return deals;
    case Stage::kClaims:
      return claims;
    case Stage::kZones:
    case Stage::kMasks:
      return none;
  }
  return none;
}

std::string attr_problem(const AttrSpec& spec, const nlohmann::json& v,
                         const std::function<bool(std::string_view)>& has_lexicon) {
  std::string name = "`";
  name.append(spec.name).append("`");
  auto one_of = [&](const std::string& s) {
    return spec.values.empty() ||
           std::find(spec.values.begin(), spec.values.end(), s) != spec.values.end();
  };
  auto allowed = [&] {
    std::string out;
    for (auto x : spec.values) out += (out.empty() ? "" : ", ") + std::string(x);
    return out;
  };
  auto strings = [](const nlohmann::json& j) {
    return j.is_array() &&
           std::all_of(j.begin(), j.end(), [](const auto& x) { return x.is_string(); });
  };
  switch (spec.type) {
    case T::kString:
      if (!v.is_string()) return name + " must be a string";
      if (!one_of(v.get<std::string>()))
        return name + " is `" + v.get<std::string>() + "`; it must be one of: " + allowed();
      return "";
    case T::kNumber:
      if (!v.is_number()) return name + " must be a number";
      if (spec.positive && !(v.get<double>() > 0)) return name + " must be greater than zero";
      return "";
    case T::kBool:
      return v.is_boolean() ? "" : name + " must be true or false";
    case T::kNames:
      if (!strings(v)) return name + " must be a list of names";
      for (const auto& x : v)
        if (!one_of(x.get<std::string>()))
          return name + " holds `" + x.get<std::string>() + "`; each must be one of: " + allowed();
      return "";
    case T::kLexicon:
      if (!v.is_string()) return name + " must name a lexicon";
      if (!has_lexicon(v.get<std::string>()))
        return name + ": no lexicon `" + v.get<std::string>() + "`";
      return "";
    case T::kLexicons:
      if (!strings(v)) return name + " must be a list of lexicon names";
      for (const auto& x : v)
        if (!has_lexicon(x.get<std::string>()))
          return name + ": no lexicon `" + x.get<std::string>() + "`";
      return "";
    case T::kStringMap:
      if (!v.is_object()) return name + " must be a map of names to names";
      for (const auto& [k, x] : v.items())
        if (!x.is_string()) return name + ": `" + k + "` must map to a name";
      return "";
    case T::kModelKey:
      return v.is_string() ? "" : name + " must be a string";  // the key: RuleBook::compile
  }
  return "";
}

const std::vector<NeededData>& needed_data() {
  // clang-format off
  static const std::vector<NeededData> needed = {
      {Stage::kFigures,
       {"clock_words", "common_words", "countries", "currency_adjectives", "currency_codes",
        "currency_codes_lower", "currency_names_cldr", "currency_symbols",
        "currency_symbols_cldr", "currency_words", "date_joins", "date_modifiers",
        "date_range_openers", "date_units", "day_parts", "day_times", "day_words",
        "dollar_codes", "dollar_context", "duration_units", "fraction_words",
        "frequency_counts", "frequency_words", "holidays", "months", "multipliers",
        "number_articles", "number_words", "ordinal_words", "per_units", "place_aliases", "post_qualifiers",
        "qualifiers", "region_currencies", "relative_words", "scale_letters", "scale_words",
        "seasons", "tense_words", "vulgar_fractions", "weekday_abbrevs", "weekdays", "subdivisions", "cities"},
       {}},
      {Stage::kEntities,
       {"calendar_names", "cities", "common_words", "company_forms", "countries",
        "demonym_endings", "demonyms", "event_keywords", "former_countries", "given_names",
        "languages", "more_cities", "name_particles", "nations", "not_name_words",
        "number_words", "ordinal_words", "org_followers", "org_heads", "org_keywords",
        "org_suffixes", "organizations", "people_words", "person_followers", "person_roles",
        "place_aliases", "place_exclusions", "place_keywords", "place_nouns",
        "place_prepositions", "proper_common_words", "sentence_starters", "speech_verbs",
        "subdivisions", "title_modifiers", "titles"},
       {"entities"}},
      {Stage::kAgreements,
       {"agreement_heads", "agreement_types", "countries", "deal_kinds", "deal_nouns",
        "known_agreements", "place_aliases"},
       {}},
      {Stage::kDeals,
       {"common_words", "deal_anaphor_nouns", "deal_anaphors", "deal_aux",
        "deal_business_nouns", "deal_company_roles", "deal_determiners",
        "deal_determiners_not_names", "deal_followers", "deal_former_names",
        "deal_former_roles", "deal_irregular_participles", "deal_kind_families", "deal_kinds",
        "deal_naming", "deal_nouns", "deal_passive_aux", "deal_phrase_breaks", "deal_pronouns",
        "deal_said", "deal_slot_breaks", "deal_time_words", "deal_verbs", "demonyms",
        "event_keywords", "given_names", "languages", "not_name_words", "number_words",
        "org_keywords", "person_roles", "sentence_starters", "titles"},
       {}},
      {Stage::kClaims, {"change_prepositions", "key_stop_words"}, {"claims", "claims_words"}},
      {Stage::kZones, {}, {"zones"}},
      {Stage::kMasks, {}, {}},
  };
  // clang-format on
  return needed;
}

}  // namespace claimx
