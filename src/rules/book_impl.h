// The inside of a RuleBook, shared by rulebook.cc (YAML packs, compile, match) and image.cc
// (the compiled book written at build time and read at start-up). Not installed.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "claimx/rules.h"
#include "rules/lexicon_matcher.h"
#include "rules/prefilter.h"
#include "rules/shadow.h"

namespace YAML {
class Node;
}

namespace claimx {

struct Define {
  std::string pattern;
  SourceLoc loc;
  bool quoted = false;
  std::string pack;  // unqualified names inside it resolve in this pack
};

struct PackData {
  std::string name;
  std::string file;
  int layer = 0;  // sources added together share a layer; later layers override
  std::map<std::string, Define> defines;
  std::vector<Lexicon> lexicons;
  std::vector<Rule> rules;
  nlohmann::json model;
  // Filled by compile(). A pack's rules are matched by a few RE2::Sets rather than one: the
  // lazy DFA of one Set over all rules builds a state for every mix of partial matches that
  // new text brings (a place name inside a capitalised run inside a title), so on text it has
  // not seen it spends most of its time building states. Sets of a few rules each mix less
  // (docs/PERFORMANCE.md has the measurements). A Set part lists its rules as pack-local
  // indexes, so a sentence's fired rules are the same, in the same order, as with one Set.
  struct SetPart {
    std::unique_ptr<re2::RE2::Set> set;
    std::vector<int> members;  // Set index -> index into set_rules
    size_t bytes = 0;          // of Set pattern (Rule::in_set), while planning
    bool shadow = false;       // its rules' Set patterns search the shadow (Rule::set_on_shadow)
  };
  std::vector<SetPart> parts;
  std::vector<size_t> set_rules;  // pack-local index -> index into RuleBook rules
  // Rules with a selective prefilter (prefilter.h) are in no Set: a sentence runs those its
  // filter lets through, which a Set would mostly have found not to match. `filter` holds
  // every rule's needs by pack-local index: a Set part none of whose rules may match is
  // skipped.
  std::vector<int> filtered_rules;
  prefilter::Filter filter;
  // Filtered rules that share their first clause (most often "a digit") are searched together
  // as well: a Set over them runs on a sentence only when the filter lets one of them through,
  // and fires those that match. Running each filtered rule's own RE2 instead mostly found
  // nothing (three runs in four on the BBC corpus). Their members are all in filtered_rules.
  std::vector<SetPart> gated;
  std::vector<char> in_gated;  // pack-local index -> in a gated part (index_gated() fills it)
  // Fills in_gated from gated (indexes in range); false when a gated rule is not a filtered one
  // or is in two gated parts (it would fire twice).
  bool index_gated();
  // Rules that are nothing but lexicons, matched by a trie (lexicon_matcher.h), in no Set:
  // pack-local indexes, and each one's matcher by pack-local index (null for other rules).
  std::vector<int> lexicon_rules;
  std::vector<std::shared_ptr<const LexiconMatcher>> matchers;
};

// A rule's RE2, compiled on first use (or by compile() when eager).
struct RuleRegex {
  RuleRegex(std::string p, const re2::RE2::Options& o) : pattern(std::move(p)), options(o) {}
  const re2::RE2& get() {
    std::call_once(once, [this] { re = std::make_unique<re2::RE2>(pattern, options); });
    return *re;
  }
  std::string pattern;
  re2::RE2::Options options;
  std::once_flag once;
  std::unique_ptr<re2::RE2> re;
};

// The end of the quantifier at p[j] (j itself when there is none: `{,3}` is a literal), and
// whether it allows zero. Lazy `?` included.
size_t quantifier_end(std::string_view p, size_t j, bool* optional);

// The options every rule and Set is compiled with; a rule's `longest: true` sets longest_match.
re2::RE2::Options rule_options(bool longest);

// Compiles the RE2::Sets of every pack's parts (plan_parts or a book image filled `members`).
void compile_sets(std::vector<PackData>& packs, const std::vector<Rule>& rules,
                  std::vector<RuleError>* errors);

// Strings that live as long as the process, each kept once (rule ids that results point at).
std::string_view stable_string(const std::string& s);

struct RuleBook::Impl {
  std::vector<PackData> packs;  // in load order
  std::vector<Rule> rules;      // compiled, pack by pack
  LexiconMap lexicons;
  Shadow shadow;  // built by compile() from the lexicons the rules use
  std::map<std::string, size_t, std::less<>> rule_index;
  std::map<std::string, size_t, std::less<>> pack_index;
  std::map<std::string, int> lexicon_layer;  // layer of the pack that defines each lexicon
  int layer = 0;                             // one per add_sources call
  // Lexicons ("name") and models ("model:pack") an overriding pack dropped -> its file.
  std::map<std::string, std::string, std::less<>> dropped;
  std::vector<std::string> sentence_packs, zone_packs;  // see RuleBook::sentence_packs()
  SegmentRules segment;
  nlohmann::json null_model;
  std::mutex derived_mutex;
  std::map<std::string, std::shared_ptr<const void>> derived;  // see RuleBook::derived()
  // Each lexicon's regex, written once per compile() (a lexicon is used by up to 80 rules).
  mutable std::map<std::string, std::string, std::less<>> lexicon_regex;

  // After rules, packs and lexicons are in place: the indexes by name, the lists of sentence
  // and zone packs and the segmenter's word lists.
  void finish();

  // One source as a pack (nullopt when it is unusable), and that pack added to `packs`.
  std::optional<PackData> parse_pack(const SourceFile& src, std::vector<RuleError>* errors) const;
  void merge(PackData pack);
  bool parse_rule(PackData& pack, const YAML::Node& n, std::vector<RuleError>* errors) const;
  void parse_lexicon(PackData& pack, const std::string& name, const YAML::Node& n,
                     std::vector<RuleError>* errors) const;
  bool expand(const Rule& rule, const std::string& in, const SourceLoc& loc, int depth,
              const std::string& scope, const std::map<std::string, const Define*>& defines,
              std::string* out, std::vector<std::string>* lexicons_used,
              std::vector<RuleError>* errors, const Shadow* shadow = nullptr) const;
  // Gives the rule a Set pattern on the shadow when it uses a shadowed lexicon and the pattern
  // gets smaller there (`marked`: the other lexicons' regexes for the shadow, by name).
  void shadow_set_pattern(Rule& r, const std::string& scope,
                          const std::map<std::string, const Define*>& defines,
                          std::map<std::string, std::string>* marked) const;
};

}  // namespace claimx
