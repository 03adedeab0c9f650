// The contract between rule packs and the code that reads them, in one table: each rule kind,
// the stage that interprets it, the attributes it may carry (type and allowed values), the
// named groups its stage reads; and the lexicons and models the stages look up by name.
// RuleBook::compile() checks every rule against it, so a pack the code could not read is a
// `file:line:col` error before any document is read, never a failure in the middle of one.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace claimx {

// The stage that interprets a rule's matches (src/extract/pipeline.cc routes by it).
enum class Stage : uint8_t {
  kFigures,     // money, numbers, percents, measures, dates: figures.cc, dates.cc
  kEntities,    // entities.cc
  kAgreements,  // named agreements: agreements.cc
  kDeals,       // deal frames and their status words: deals.cc
  kClaims,      // cues, attributions, hedges: claims.cc
  kZones,       // page zones, matched per line: zones.cc
  kMasks,       // spans no item may come from (URLs, e-mail addresses)
};

enum class RuleKind : uint8_t {
  kMoney,
  kNumber,
  kPercent,
  kPercentagePoints,
  kOrdinal,
  kRange,
  kMeasure,
  kAge,
  kDate,
  kTime,
  kDuration,
  kFrequency,
  kEntity,
  kAgreement,
  kAgreementStatus,
  kDeal,
  kDealMention,
  kCue,
  kAttribution,
  kHedge,
  kNegation,
  kNotClaim,
  kZone,
  kMask,
};

enum class AttrType : uint8_t {
  kString,  // one of `values` when given
  kNumber,  // `positive`: > 0
  kBool,
  kNames,      // a list of strings, each one of `values` when given
  kLexicon,    // the name of a lexicon of the book
  kLexicons,   // a list of lexicon names
  kStringMap,  // a map of names to strings ("roles": {a: buyer, b: target})
  kModelKey,   // a key of a model's map: values = {pack, field} ("evidence": a weight's name)
};

struct AttrSpec {
  std::string_view name;
  AttrType type;
  std::vector<std::string_view> values = {};  // allowed strings; empty: any
  bool positive = false;                      // kNumber: greater than zero
};

struct KindTraits {
  RuleKind kind;
  std::string_view name;  // as written in packs: "percentage-points"
  Stage stage;
  std::vector<AttrSpec> attrs;  // besides the ones every kind may carry
};

// Every kind, in RuleKind order.
const std::vector<KindTraits>& all_kinds();
const KindTraits& traits(RuleKind kind);
// Null for a name no kind has.
const KindTraits* find_kind(std::string_view name);
// Attributes any rule may carry (`longest`, `skip_zones`).
const std::vector<AttrSpec>& common_attrs();
// The attribute `name` of a kind (its own or a common one); null when it has none.
const AttrSpec* find_attr(const KindTraits& kind, std::string_view name);
// Named groups a stage's code reads; a rule naming another group is an error (a typo would
// otherwise be read as "no such part"). `span`, the item's span, is every stage's.
const std::vector<std::string_view>& stage_groups(Stage stage);
std::string_view stage_name(Stage stage);

// What is wrong with `value` as attribute `spec` ("" when nothing). has_lexicon answers
// whether the book holds a lexicon of that name.
std::string attr_problem(const AttrSpec& spec, const nlohmann::json& value,
                         const std::function<bool(std::string_view)>& has_lexicon);

// Lexicons and models the stages look up by name: a book with rules of that stage must hold
// them, or the feature that reads them would be silently off.
struct NeededData {
  Stage stage;
  std::vector<std::string_view> lexicons;
  std::vector<std::string_view> models;  // packs whose `model:` the stage reads
};
const std::vector<NeededData>& needed_data();

}  // namespace claimx
