// The pack contract (claimx/contract.h): a pack the code could not read is refused with
// file:line:col when it is compiled, and the contract itself names everything the code reads.
#include "claimx/contract.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "claimx/error.h"
#include "claimx/extract.h"
#include "claimx/json_writer.h"
#include "claimx/rules.h"

namespace claimx {
namespace {

// The embedded packs, then `yaml` as a user's pack (as --patterns adds it), compiled.
std::vector<RuleError> on_top(const std::string& yaml) {
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources(embedded_extraction_sources(), &errors);
  EXPECT_TRUE(errors.empty());
  book.add_sources({{"mine.yaml", yaml}}, &errors);
  if (errors.empty()) book.compile(&errors);
  return errors;
}

std::string rule(const std::string& kind, const std::string& attrs,
                 const std::string& pattern = "'(?P<num>\\d+) things'") {
  return "pack: mine\nrules:\n  - id: my.rule\n    kind: " + kind + "\n" + attrs +
         "    pattern: " + pattern + "\n";
}

TEST(Contract, WrongAttributesAreRefusedWithTheirPlace) {
  struct Case {
    std::string yaml, expected;
  };
  const std::vector<Case> cases = {
      {rule("percent", "    divisor: ten\n"),
       "mine.yaml:5:14: rule my.rule: `divisor` must be a number"},
      {rule("percent", "    divisor: 0\n"),
       "mine.yaml:5:14: rule my.rule: `divisor` must be greater than zero"},
      {rule("measure", "    fuzzy_units: no_such_lexicon\n"),
       "mine.yaml:5:18: rule my.rule: `fuzzy_units`: no lexicon `no_such_lexicon`"},
      {rule("measure", "    direction: up\n"),
       "mine.yaml:5:16: rule my.rule: a `measure` rule has no attribute `direction`"},
      {rule("cue", "    direction: sideways\n", "'rose'"),
       "mine.yaml:5:16: rule my.rule: `direction` is `sideways`; it must be one of: up, down"},
      {rule("cue", "    feature: vibes\n", "'rose'"),
       "mine.yaml:5:14: rule my.rule: `feature` is `vibes`, which is not in the `weights` of the "
       "claims model"},
      {rule("entity", "    type: persn\n", "'Mr (?P<head>[A-Z]\\w+)'"),
       "mine.yaml:5:11: rule my.rule: `type` is `persn`; it must be one of: auto, organization,"},
      {rule("entity", "    skip_zones: headline\n", "'Mr (?P<head>[A-Z]\\w+)'"),
       "mine.yaml:5:17: rule my.rule: `skip_zones` must be a list of names"},
      {rule("deal", "    roles: {a: [buyer]}\n", "'(?P<a>\\w+) bought (?P<b>\\w+)'"),
       "mine.yaml:5:12: rule my.rule: `roles`: `a` must map to a name"},
      {rule("number", "", "'x(?P<nmu>\\d+)'"),
       "mine.yaml:5:16: rule my.rule: group `nmu` is read by no figures code"},
      {rule("numbr", ""), "mine.yaml:3:5: rule my.rule: unknown kind `numbr` (money, number,"},
  };
  for (const auto& c : cases) {
    auto errors = on_top(c.yaml);
    ASSERT_FALSE(errors.empty()) << c.yaml;
    EXPECT_EQ(errors[0].format().rfind(c.expected, 0), 0u)
        << errors[0].format() << "\nwanted: " << c.expected;
  }
}

TEST(Contract, EveryEmbeddedRuleKeepsIt) {
  const RuleBook& book = default_rulebook();
  ASSERT_GE(book.rules().size(), 248u);  // 261 (floors within 5%)
  for (const auto& r : book.rules()) {
    EXPECT_EQ(traits(r.type).name, r.kind) << r.id;
    EXPECT_EQ(traits(r.type).stage, r.stage) << r.id;
  }
  // Every lexicon and model a stage reads is in the embedded packs.
  for (const auto& need : needed_data()) {
    for (auto name : need.lexicons) EXPECT_NE(book.lexicon(name), nullptr) << name;
    for (auto pack : need.models) EXPECT_TRUE(book.model(pack).is_object()) << pack;
  }
}

TEST(Contract, AReplacedLexiconKeepsItsEntriesTypes) {
  auto errors =
      on_top("pack: mine\nlexicons:\n  vulgar_fractions:\n    - {form: '½', value: half}\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].format().rfind("mine.yaml:4:", 0), 0u) << errors[0].format();
  EXPECT_NE(errors[0].message.find("`value` must be a number"), std::string::npos);
  EXPECT_TRUE(on_top("pack: mine\nlexicons:\n  vulgar_fractions:\n    - {form: '½', value: 0.5}\n")
                  .empty());
}

TEST(Contract, AnOverridingPackMayNotDropWhatAStageReads) {
  // A pack named like an embedded one replaces it; the claims model goes with it.
  auto errors = on_top("pack: claims\nrules:\n  - id: my.cue\n    kind: cue\n    pattern: 'x'\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("drops the `model:` of pack claims"), std::string::npos)
      << errors[0].format();
}

// Names the code reads, found in its source: every one must be in the contract, so the table
// cannot fall behind the code (the hand-kept list it replaced had).
std::set<std::string> literals(const std::string& file, const std::string& pattern) {
  std::ifstream in(std::string(CLAIMX_SOURCE_DIR) + "/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  EXPECT_FALSE(text.empty()) << file;
  std::set<std::string> out;
  std::regex re(pattern);
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    out.insert((*it)[1].str());
  return out;
}

bool declared_attr(const std::string& name) {
  for (const auto& k : all_kinds())
    if (find_attr(k, name)) return true;
  return false;
}

TEST(Contract, NamesEveryAttributeGroupAndLexiconTheCodeReads) {
  const std::map<std::string, Stage> files = {
      {"src/extract/figures.cc", Stage::kFigures},
      {"src/extract/dates.cc", Stage::kFigures},
      {"src/extract/entities.cc", Stage::kEntities},
      {"src/extract/agreements.cc", Stage::kAgreements},
      {"src/extract/deals.cc", Stage::kDeals},
      {"src/extract/claims.cc", Stage::kClaims},
  };
  // A rule's attributes: r.attrs, rule->attrs, rule.attrs (not a lexicon entry's e->attrs).
  const std::string attr_read =
      R"((?:\br|rule)(?:\.|->)attrs(?:\.value|\.contains|\.find|\[)\(?\"([a-z_]+)\")";
  const std::string group_read = R"(group\((?:ctx_?, )?m, \"([a-z_0-9]+)\")";
  const std::string lexicon_read =
      R"((?:lookup|in_lex|lexicon|attr|lex|has)\(\s*(?:ctx_?, )?\"([a-z_]+)\")";
  size_t attrs = 0, groups = 0, lexicons = 0;
  for (const auto& [file, stage] : files) {
    for (const auto& name : literals(file, attr_read)) {
      EXPECT_TRUE(declared_attr(name)) << file << " reads rule attribute `" << name << "`";
      ++attrs;
    }
    const auto& known = stage_groups(stage);
    for (const auto& name : literals(file, group_read)) {
      EXPECT_TRUE(std::find(known.begin(), known.end(), name) != known.end())
          << file << " reads group `" << name << "`";
      ++groups;
    }
    const auto& need = *std::find_if(needed_data().begin(), needed_data().end(),
                                     [&](const NeededData& n) { return n.stage == stage; });
    for (const auto& name : literals(file, lexicon_read)) {
      EXPECT_TRUE(std::find(need.lexicons.begin(), need.lexicons.end(), name) !=
                  need.lexicons.end())
          << file << " reads lexicon `" << name << "`";
      ++lexicons;
    }
  }
  // The scan itself must find what is there (a pattern that matched nothing would pass).
  EXPECT_GE(attrs, 44u);      // 47
  EXPECT_GE(groups, 73u);     // 77
  EXPECT_GE(lexicons, 103u);  // 109
}

TEST(Library, AFailingDocumentIsNamedInItsPlace) {
  // A rule whose RE2 fails only when it is first used (lazy compiling, as the embedded packs
  // are compiled): the documents it fires on fail, the others are extracted as ever.
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources({{"t.yaml",
                     "pack: t\nrules:\n  - id: t.ok\n    kind: number\n    pattern: "
                     "'(?P<num>\\d+)'\n  - id: t.huge\n    kind: number\n    pattern: "
                     "'zebra(?P<num>\\d{1000}){1000}'\n"}},
                   &errors);
  ASSERT_TRUE(errors.empty());
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy));
  Document good = make_document("good", "", "It cost 5.");
  Document bad = make_document("bad", "", "A zebra 7.");
  auto results = extract_batch({&good, &bad, &good}, book, {});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].error.empty());
  EXPECT_EQ(results[0].figures.size(), 1u);
  EXPECT_NE(results[1].error.find("rule t.huge"), std::string::npos) << results[1].error;
  EXPECT_TRUE(results[2].error.empty());
  EXPECT_THROW(extract(bad, book, {}), Error);
}

TEST(Library, ResultsOutliveTheirBook) {
  Document doc = make_document("d", "", "Acme Corp said exports rose 5% to $3 million.");
  std::string before;
  Result result;
  {
    RuleBook book;  // a service replacing its packs: the old book goes, its results stay
    std::vector<RuleError> errors;
    book.add_sources(embedded_extraction_sources(), &errors);
    ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy));
    result = extract(doc, book, {});
    before = to_json(doc, result, {});
  }
  ASSERT_FALSE(result.figures.empty());
  EXPECT_EQ(to_json(doc, result, {}), before);  // (ASan: no read of the freed book)
  EXPECT_EQ(result.figures[0].rule.substr(0, 8), "percent.");
}

TEST(Library, AnInvalidAnchorDateIsTheCallersError) {
  ExtractOptions opt;
  opt.anchor_date = "2026-02-30";
  Document doc = make_document("d", "", "It rose last year.");
  EXPECT_THROW(extract(doc, default_rulebook(), opt), Error);
  EXPECT_THROW(extract_batch({&doc}, default_rulebook(), opt), Error);
}

}  // namespace
}  // namespace claimx
