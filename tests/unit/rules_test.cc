// Rule-pack loading: good packs compile, broken ones fail with file:line:col: message.
#include "claimx/rules.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "claimx/check.h"
#include "claimx/text.h"
#include "rules/book_impl.h"
#include "rules/embedded.h"
#include "rules/shadow.h"

namespace claimx {
namespace {

std::vector<RuleError> load(const std::string& yaml, RuleBook* book) {
  std::vector<RuleError> errors;
  book->add_sources({{"test.yaml", yaml}}, &errors);
  if (errors.empty()) book->compile(&errors);
  return errors;
}

TEST(Rules, CompilesDefinesAndLexicons) {
  RuleBook book;
  auto errors = load(R"(pack: t
defines:
  NUM: '\d+'
lexicons:
  units:
    ignore_case: true
    entries: [{forms: [km, kilometres], unit: kilometre}, m]
rules:
  - id: t.dist
    kind: number
    pattern: '(?P<span>(?P<num>{{NUM}})\s(?:{{@units}}))'
)",
                     &book);
  ASSERT_TRUE(errors.empty()) << errors[0].format();
  const Rule* r = book.rule("t.dist");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->lexicons, std::vector<std::string>{"units"});
  std::vector<Match> out;
  std::string text = "ran 42 KM today";
  book.match_pack("t", text, 0, text.size(), &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(text.substr(out[0].span.start, out[0].span.end - out[0].span.start), "42 KM");
  EXPECT_EQ(RuleBook::group(out[0], text, "num"), "42");
  const Lexicon* lex = book.lexicon("units");
  ASSERT_NE(lex, nullptr);
  ASSERT_NE(lex->find("KILOMETRES"), nullptr);
  EXPECT_EQ(lex->find("kilometres")->attrs["unit"], "kilometre");
}

struct BadPack {
  const char* yaml;
  const char* expected;  // full "file:line:col: message" prefix
};

TEST(Rules, BrokenPacksPointAtTheProblem) {
  const std::vector<BadPack> cases = {
      {"pack: t\nrules:\n  - id: t.a\n    kind: number\n    pattern: '(?P<x>[a-'\n",
       "test.yaml:5:21: bad pattern in rule t.a: missing ]"},
      {"pack: t\nrules:\n  - id: t.a\n    kind: number\n    pattern: 'x{{NOPE}}'\n",
       "test.yaml:5:16: unknown define `NOPE` in rule t.a"},
      {"pack: t\nrules:\n  - id: t.a\n    kind: number\n    pattern: 'x{{@nope}}'\n",
       "test.yaml:5:16: unknown lexicon `nope` in rule t.a"},
      {"pack: t\nrules:\n  - id: t.a\n    kind: number\n    pattern: 'a'\n  - id: t.a\n    kind: "
       "number\n    pattern: 'b'\n",
       "test.yaml:6:5: duplicate rule id `t.a` (first at test.yaml:3)"},
      {"pack: t\nrules:\n  - id: t.a\n    kind: numbr\n    pattern: 'a'\n",
       "test.yaml:3:5: rule t.a: unknown kind `numbr`"},
      {"pack: t\ndefines:\n  BAD: 'x(?P<y>a**)'\nrules:\n  - id: t.a\n    kind: number\n    "
       "pattern: '{{BAD}}'\n",
       "test.yaml:3:17: bad pattern in rule t.a: bad repetition operator: **"},
      {"pack: t\nrules:\n  - id: t.a\n    kind: number\n    longest: yes\n    pattern: 'a'\n",
       "test.yaml:5:14: rule t.a: `longest` must be true or false"},
      {"pack: t\nrules: [\n", "test.yaml:3:1: "},
      {"pack: t\nrules:\n  - id: t.a\n    kind: number\n", "test.yaml:3:5: rule without `pattern`"},
      // Found by fuzz_rulepack: an example with a stray byte crashed `rules check` (JSON dump).
      {"pack: t\nrules:\n  - id: t.a\n    kind: number\n    pattern: 'a'\n    examples: "
       "['x\xAA']\n",
       "test.yaml:6:18: invalid UTF-8 (packs must be UTF-8)"},
  };
  for (const auto& c : cases) {
    RuleBook book;
    auto errors = load(c.yaml, &book);
    ASSERT_FALSE(errors.empty()) << c.yaml;
    EXPECT_EQ(errors[0].format().rfind(c.expected, 0), 0u)
        << errors[0].format() << "\nwanted: " << c.expected;
  }
}

TEST(Rules, LaterPackOfTheSameNameOverrides) {
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources({{"a.yaml", "pack: t\nrules:\n  - {id: t.a, kind: number, pattern: 'aaa'}\n"},
                    {"b.yaml", "pack: t\nrules:\n  - {id: t.b, kind: number, pattern: 'bbb'}\n"}},
                   &errors);
  ASSERT_TRUE(book.compile(&errors));
  EXPECT_EQ(book.rule("t.a"), nullptr);
  EXPECT_NE(book.rule("t.b"), nullptr);
}

// The embedded packs with their examples (default_rulebook() is built without them).
const RuleBook& whole_embedded_book() {
  static const RuleBook* book = [] {
    auto* b = new RuleBook();
    std::vector<RuleError> errors;
    b->add_sources(embedded_pack_sources(), &errors);
    EXPECT_TRUE(b->compile(&errors, RuleBook::Compile::kLazy));
    for (const auto& e : errors) ADD_FAILURE() << e.format();
    return b;
  }();
  return *book;
}

TEST(Rules, EmbeddedPacksPassTheirOwnExamples) {
  size_t examples = 0;
  for (const auto& r : whole_embedded_book().rules())
    examples += r.examples.size() + r.counterexamples.size();
  EXPECT_GE(examples, 1043u);  // the whole packs were read (1,098; floors within 5%)
  auto errors = check_examples(whole_embedded_book());
  for (const auto& e : errors) ADD_FAILURE() << e.format();
}

// Blanking the examples' lines must leave every rule, define and lexicon as it was, where it was.
TEST(Rules, ExtractionBookIsTheWholeBookWithoutExamples) {
  const RuleBook& whole = whole_embedded_book();
  const RuleBook& lean = default_rulebook();
  auto at = [](const SourceLoc& s) {
    return s.file + ":" + std::to_string(s.line) + ":" + std::to_string(s.col);
  };
  ASSERT_EQ(whole.rules().size(), lean.rules().size());
  for (size_t i = 0; i < whole.rules().size(); ++i) {
    const Rule& w = whole.rules()[i];
    const Rule& l = lean.rules()[i];
    EXPECT_EQ(w.id, l.id);
    EXPECT_EQ(w.kind, l.kind) << w.id;
    EXPECT_EQ(w.pack, l.pack) << w.id;
    EXPECT_EQ(w.pattern, l.pattern) << w.id;
    EXPECT_EQ(w.expanded, l.expanded) << w.id;
    EXPECT_EQ(w.priority, l.priority) << w.id;
    EXPECT_EQ(w.attrs, l.attrs) << w.id;
    EXPECT_EQ(w.lexicons, l.lexicons) << w.id;
    EXPECT_EQ(at(w.loc), at(l.loc)) << w.id;
    EXPECT_EQ(at(w.pattern_loc), at(l.pattern_loc)) << w.id;
    EXPECT_TRUE(l.examples.empty() && l.counterexamples.empty()) << w.id;
  }
  EXPECT_EQ(whole.pack_names(), lean.pack_names());
  for (const auto& pack : whole.pack_names())
    EXPECT_EQ(whole.model(pack), lean.model(pack)) << pack;
  for (const char* name : {"number_words", "countries", "common_words", "qualifiers"}) {
    ASSERT_NE(whole.lexicon(name), nullptr) << name;
    ASSERT_NE(lean.lexicon(name), nullptr) << name;
    EXPECT_EQ(whole.lexicon(name)->entries().size(), lean.lexicon(name)->entries().size()) << name;
  }
}

// A lazily compiled book reads each rule's groups from the pattern text; they must be RE2's.
void expect_same_groups(const RuleBook& eager, const RuleBook& lazy) {
  ASSERT_EQ(eager.rules().size(), lazy.rules().size());
  for (const auto& e : eager.rules()) {
    const Rule* l = lazy.rule(e.id);
    ASSERT_NE(l, nullptr) << e.id;
    EXPECT_EQ(e.captures, l->captures) << e.id;
    EXPECT_EQ(e.groups, l->groups) << e.id;
    EXPECT_EQ(e.group_aliases, l->group_aliases) << e.id;
    EXPECT_EQ(e.span_group, l->span_group) << e.id;
    EXPECT_EQ(e.group1_is_whole, l->group1_is_whole) << e.id;
  }
}

TEST(Rules, LazyCompilingKnowsEveryEmbeddedRulesGroups) {
  RuleBook eager;
  std::vector<RuleError> errors;
  eager.add_sources(embedded_pack_sources(), &errors);
  ASSERT_TRUE(eager.compile(&errors, RuleBook::Compile::kEager));
  expect_same_groups(eager, default_rulebook());
}

TEST(Rules, LazyCompilingSkipsParenthesesThatCaptureNothing) {
  const std::string yaml = R"(pack: t
rules:
  - {id: t.class, kind: number, pattern: '[(](?P<a>x)[^)(]\(([[:alpha:](]+)'}
  - {id: t.bracket, kind: number, pattern: '[]()](y)[\]()](?:z)(?i:w)(?P<span>v)'}
  - {id: t.quoted, kind: number, pattern: '\Q(a)\E(b)|(?P<num>c)|(?P<num>d)'}
)";
  RuleBook eager, lazy;
  std::vector<RuleError> errors;
  eager.add_sources({{"t.yaml", yaml}}, &errors);
  lazy.add_sources({{"t.yaml", yaml}}, &errors);
  ASSERT_TRUE(eager.compile(&errors, RuleBook::Compile::kEager));
  ASSERT_TRUE(lazy.compile(&errors, RuleBook::Compile::kLazy));
  EXPECT_EQ(eager.rule("t.class")->captures, 2);
  expect_same_groups(eager, lazy);
  std::vector<Match> hits;
  lazy.match_pack("t", "(xa(bz", 0, 6, &hits);  // t.class, compiled on this first use
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].whole.end, 6u);
}

// A group around the whole pattern is read off the whole match (no submatch pass); any other
// shape of pattern keeps its submatches.
TEST(Rules, GroupAroundTheWholePatternIsTheWholeMatch) {
  const std::string yaml = R"(pack: t
rules:
  - {id: t.whole, kind: number, longest: true, pattern: '(?P<span>\d+|\d+[)]x)'}
  - {id: t.bare, kind: number, pattern: '(\d+y)'}
  - {id: t.alt, kind: number, pattern: '(?P<span>a)|b'}
  - {id: t.tail, kind: number, pattern: '(?P<span>c)d'}
  - {id: t.escaped, kind: number, pattern: '(?P<span>e\)|f)'}
  - {id: t.class, kind: number, pattern: '[(](?P<span>g)'}
  - {id: t.edges, kind: number, pattern: '^\b(?P<span>h+)\b$'}
  - {id: t.backslash, kind: number, pattern: '(?P<span>i)\\b'}
  - {id: t.after, kind: number, pattern: '\b(?P<span>j)k'}
)";
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources({{"t.yaml", yaml}}, &errors);
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy)) << errors[0].format();
  EXPECT_TRUE(book.rule("t.whole")->group1_is_whole);
  EXPECT_TRUE(book.rule("t.bare")->group1_is_whole);
  EXPECT_TRUE(book.rule("t.escaped")->group1_is_whole);
  EXPECT_FALSE(book.rule("t.alt")->group1_is_whole);
  EXPECT_FALSE(book.rule("t.tail")->group1_is_whole);
  EXPECT_FALSE(book.rule("t.class")->group1_is_whole);
  EXPECT_TRUE(book.rule("t.edges")->group1_is_whole);       // zero-width assertions around it
  EXPECT_FALSE(book.rule("t.backslash")->group1_is_whole);  // a backslash, then b
  EXPECT_FALSE(book.rule("t.after")->group1_is_whole);
  std::string text = "12)x 7y b cd";
  std::vector<Match> hits;
  book.match_pack("t", text, 0, text.size(), &hits);
  ASSERT_EQ(hits.size(), 5u);  // t.whole twice ("12)x", "7"), t.bare, t.alt, t.tail
  EXPECT_EQ(text.substr(hits[0].span.start, hits[0].span.end - hits[0].span.start), "12)x");
  EXPECT_EQ(hits[0].groups[1].start, hits[0].whole.start);
  EXPECT_EQ(hits[0].groups[1].end, hits[0].whole.end);
  EXPECT_EQ(hits[2].rule->id, "t.bare");
  EXPECT_EQ(hits[2].groups[1].end, hits[2].whole.end);
  EXPECT_EQ(hits[3].rule->id, "t.alt");
  EXPECT_FALSE(hits[3].has(1));  // "b": group `span` did not take part
  EXPECT_EQ(hits[4].rule->id, "t.tail");
  EXPECT_EQ(hits[4].span.end - hits[4].span.start, 1u);
}

// A pack's rules are matched by several RE2::Sets (16 rules each, a huge pattern alone); the
// rules that fire, and the order of their matches, are those of the pack as written.
TEST(Rules, RulesSplitOverSeveralSetsFireInPackOrder) {
  std::string yaml = "pack: t\nrules:\n";
  std::string big;
  for (int i = 0; i < 3000; ++i) {
    if (i > 0) big += '|';
    big += "big";
    big += std::to_string(i);
  }
  ASSERT_GT(big.size(), 16000u);
  std::string text;
  for (int i = 0; i < 40; ++i) {
    std::string word = i == 20 ? "big2999" : "w";
    if (i != 20) word.append(std::to_string(i)).append("z");
    std::string body = i == 20 ? "(?:" + big + ")" : word;
    yaml += "  - {id: t.r" + std::to_string(i) + ", kind: number, pattern: '\\b";
    yaml += body;
    yaml += "\\b'}\n";
    text.insert(0, word + " ");  // the rules' words in reverse order
  }
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources({{"t.yaml", yaml}}, &errors);
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy)) << errors[0].format();
  std::vector<Match> hits;
  book.match_pack("t", text, 0, text.size(), &hits);
  ASSERT_EQ(hits.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(hits[i].rule->id, "t.r" + std::to_string(i));
}

// The image embedded at build time is what the embedded packs compile to now, byte for byte:
// the build wrote it from the same sources, and writing it depends on nothing else.
TEST(Rules, EmbeddedImageIsTheCompiledExtractionPacks) {
  std::string_view image = embedded_book_image();
  ASSERT_FALSE(image.empty());
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources(embedded_extraction_sources(), &errors);
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kEager));
#ifdef CLAIMX_HYPERSCAN
  image_set_compiler = &hyperscan::compile;  // as the build tool does
#endif
  std::string again = book.save_image();
  image_set_compiler = nullptr;
  ASSERT_EQ(again.size(), image.size());
  EXPECT_TRUE(again == image);
}

// A rule's patterns are views (into the image, or into the rule's own copy): a copy of the rule
// keeps them after the rule and its book are gone.
TEST(Rules, CopiedRulesKeepTheirPatterns) {
  Rule copy;
  {
    Rule r;
    r.set_patterns("a+b", "a*b");
    copy = r;
  }
  EXPECT_EQ(copy.expanded, "a+b");
  EXPECT_EQ(copy.in_set(), "a*b");
  copy.set_patterns(copy.expanded, "");  // from its own views
  EXPECT_EQ(copy.expanded, "a+b");
  EXPECT_TRUE(copy.set_pattern.empty());
  EXPECT_EQ(copy.in_set(), "a+b");
  std::vector<Rule> kept;
  {
    RuleBook book;
    std::vector<RuleError> errors;
    book.add_sources({{"mine.yaml",
                       "pack: mine\nrules:\n  - {id: mine.w, kind: number, "
                       "pattern: '(?P<span>(?P<num>\\d+)) widgets?'}\n"}},
                     &errors);
    ASSERT_TRUE(book.compile(&errors)) << errors[0].format();
    kept = book.rules();
  }
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].expanded, "(?P<span>(?P<num>\\d+)) widgets?");
  EXPECT_EQ(kept[0].set_pattern, "(?P<span>(?P<num>\\d+)) widget");  // optional edge trimmed
}

TEST(Rules, ImageReadsBackToTheSameBook) {
  RuleBook book;
  std::vector<RuleError> errors;
  ASSERT_TRUE(book.load_image(embedded_book_image(), &errors));
  EXPECT_TRUE(book.save_image() == embedded_book_image());
  {  // read in place, the prefilters are decoded on first use: by a text that is not UTF-8
    RuleBook in_place;
    ASSERT_TRUE(in_place.load_image(embedded_book_image(), &errors, true));
    std::string bad = "Profits rose 5% to $1.2bn \xff in March.";
    std::vector<Match> a, b;
    in_place.match_pack("figures", bad, 0, bad.size(), &a);
    book.match_pack("figures", bad, 0, bad.size(), &b);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_GE(a.size(), 2u);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].span.start, b[i].span.start) << i;
    EXPECT_TRUE(in_place.save_image() == embedded_book_image());
  }
  // Matching works on the Sets compiled at load and on rules compiled on first use.
  std::string text = "Profits rose 5% to $1.2bn in March, the company said.";
  std::vector<Match> hits;
  book.match_pack("figures", text, 0, text.size(), &hits);
  std::vector<std::string> spans;
  for (const auto& m : hits) spans.push_back(text.substr(m.span.start, m.span.end - m.span.start));
  EXPECT_NE(std::find(spans.begin(), spans.end(), "5%"), spans.end());
  EXPECT_NE(std::find(spans.begin(), spans.end(), "$1.2bn"), spans.end());
  ASSERT_NE(book.lexicon("common_words"), nullptr);
  EXPECT_NE(book.lexicon("common_words")->find("house"), nullptr);
  EXPECT_FALSE(book.segment_rules().abbreviations.empty());
}

TEST(Rules, DamagedImageIsAnErrorNotACrash) {
  std::string_view image = embedded_book_image();
  for (size_t cut : {size_t{0}, size_t{10}, size_t{40}, size_t{1000}, image.size() / 3,
                     image.size() / 2, image.size() - 1}) {
    RuleBook book;
    std::vector<RuleError> errors;
    EXPECT_FALSE(book.load_image(image.substr(0, cut), &errors)) << cut;
    ASSERT_EQ(errors.size(), 1u) << cut;
    EXPECT_NE(errors[0].format().find("compiled rule book"), std::string::npos) << cut;
  }
  std::string longer(image);
  longer += '\0';
  RuleBook book;
  std::vector<RuleError> errors;
  EXPECT_FALSE(book.load_image(longer, &errors));
}

// --patterns packs go on top of the image as on top of the sources: same rules, same patterns.
TEST(Rules, PacksAddedToAnImageBookCompileAsOnTheSources) {
  std::string pack =
      "pack: mine\nrules:\n  - {id: mine.widgets, kind: number, pattern: "
      "'(?P<span>(?P<num>{{figures.NUM}})) widgets'}\n";
  RuleBook from_image, from_yaml;
  std::vector<RuleError> errors;
  ASSERT_TRUE(from_image.load_image(embedded_book_image(), &errors));
  from_image.add_sources({{"mine.yaml", pack}}, &errors);
  from_yaml.add_sources(embedded_extraction_sources(), &errors);
  from_yaml.add_sources({{"mine.yaml", pack}}, &errors);
  ASSERT_TRUE(from_image.compile(&errors)) << errors[0].format();
  ASSERT_TRUE(from_yaml.compile(&errors)) << errors[0].format();
  ASSERT_EQ(from_image.rules().size(), from_yaml.rules().size());
  for (size_t i = 0; i < from_yaml.rules().size(); ++i) {
    EXPECT_EQ(from_image.rules()[i].id, from_yaml.rules()[i].id);
    EXPECT_EQ(from_image.rules()[i].expanded, from_yaml.rules()[i].expanded);
    EXPECT_EQ(from_image.rules()[i].set_pattern, from_yaml.rules()[i].set_pattern);
    EXPECT_EQ(from_image.rules()[i].lexicons, from_yaml.rules()[i].lexicons);
  }
  EXPECT_TRUE(from_image.save_image() == from_yaml.save_image());
  std::string text = "They sold 12 widgets.";
  std::vector<Match> hits;
  from_image.match_pack("mine", text, 0, text.size(), &hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].rule->id, "mine.widgets");
}

// A rule of lexicons alone is matched by a trie, not RE2: the same matches as RE2 gives for its
// expanded pattern (here the same rule with an empty group appended, which RE2 matches), over
// boundaries, a form inside a form, lexicons without \b, non-ASCII forms and both match kinds.
TEST(Rules, LexiconRulesMatchAsTheirRegexWould) {
  std::string lexicons = R"(lexicons:
  a:
    - New York
    - York
    - New
    - U.S.
    - US
    - Côte d'Ivoire
    - São Paulo
    - A&B
    - _x
    - x_
  b:
    boundaries: false
    entries: [km, York City, New, ork]
  c:
    boundaries: left
    entries: [Kan, Kansas City]
)";
  std::string rules = "rules:\n";
  int n = 0;
  for (std::string body :
       {"(?P<span>{{@a}}|{{@b}}|{{@c}})", "{{@b}}|{{@a}}", "(?P<span>{{@c}}|{{@a}})", "({{@b}})"}) {
    for (bool longest : {true, false}) {
      std::string id = "t.r" + std::to_string(n++);
      std::string flag = longest ? ", longest: true" : "";
      rules += "  - {id: " + id + ", kind: number, pattern: '" + body + "'" + flag + "}\n";
      rules += "  - {id: " + id + "re, kind: number, pattern: '" + body + "(?:)'" + flag + "}\n";
    }
  }
  RuleBook book;
  auto errors = load("pack: t\n" + lexicons + rules, &book);
  ASSERT_TRUE(errors.empty()) << errors[0].format();
  EXPECT_EQ(book.plan().lexicon_rules, 8u);
  std::vector<std::string> texts = {
      "New York City and York, New Yorkers, NewYork, the U.S. and US.",
      "USA US_ U.S.A. 5km 5 km kmh Kansas City Kansas Kan. xKan",
      "Côte d'Ivoire, São Paulo; A&B A&Bc _x x_ _x_ a_x x_y",
      "New York CityNew Yorkshire ork work New",
      "",
      "York"};
  size_t total = 0;
  for (const auto& text : texts) {
    std::map<std::string, std::vector<std::pair<size_t, size_t>>> found;
    book.for_each_match("t", text, 0, text.size(), [&](const Match& m) {
      found[m.rule->id].emplace_back(m.span.start, m.span.end);
      EXPECT_EQ(m.span.start, m.whole.start);
      EXPECT_EQ(m.span.end, m.whole.end);
    });
    for (int i = 0; i < n; ++i) {
      std::string id = "t.r" + std::to_string(i);
      EXPECT_EQ(found[id], found[id + "re"]) << id << " on: " << text;
      total += found[id].size();
    }
  }
  EXPECT_GT(total, 100u);  // the texts are full of matches
}

TEST(Rules, FailingExampleIsReportedAtItsLine) {
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources(embedded_pack_sources(), &errors);
  book.add_sources(
      {{"x.yaml",
        "pack: x\nrules:\n  - id: x.a\n    kind: number\n    pattern: 'zzq(?P<num>\\d+)'\n"
        "    examples: ['zzq7', 'nothing here']\n    counterexamples: ['zzq8']\n"}},
      &errors);
  ASSERT_TRUE(book.compile(&errors));
  auto failures = check_examples(book);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].loc.file, "x.yaml");
  EXPECT_EQ(failures[0].loc.line, 6);
  EXPECT_NE(failures[0].message.find("nothing here"), std::string::npos);
  EXPECT_EQ(failures[1].loc.line, 7);
  EXPECT_NE(failures[1].message.find("counter-example"), std::string::npos);
}

}  // namespace
}  // namespace claimx

namespace claimx {
namespace {

TEST(Rules, WarnsAboutLargeCountedRepetitions) {
  EXPECT_TRUE(pattern_warnings(default_rulebook()).empty());
  RuleBook book;
  auto errors = load(
      "pack: t\nrules:\n  - id: t.a\n    kind: number\n    pattern: 'x[^\"]{10,400}'\n", &book);
  ASSERT_TRUE(errors.empty());
  auto warnings = pattern_warnings(book);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(
      warnings[0].format().rfind("test.yaml:5:15: warning: rule t.a repeats up to 400 times", 0),
      0u)
      << warnings[0].format();
}

}  // namespace
}  // namespace claimx

namespace claimx {
namespace {

// Every match of `re` in text, leftmost first and non-overlapping, as for_each_match walks.
std::vector<std::pair<size_t, size_t>> all_matches(const re2::RE2& re, const std::string& text) {
  std::vector<std::pair<size_t, size_t>> out;
  re2::StringPiece whole(text), m;
  size_t pos = 0;
  while (pos < text.size() && re.Match(whole, pos, text.size(), re2::RE2::UNANCHORED, &m, 1)) {
    size_t start = m.data() - text.data();
    out.emplace_back(start, start + m.size());
    pos = m.empty() ? start + 1 : start + m.size();
  }
  return out;
}

// What Lexicon::regex() wrote before it shared prefixes: every form alone, longest first.
std::string flat_alternation(const Lexicon& lex) {
  std::vector<std::string> forms;
  for (const auto& e : lex.entries()) forms.push_back(e.form);
  std::stable_sort(forms.begin(), forms.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  for (const auto& f : forms) {
    out += out.empty() ? "" : "|";
    out += lex.left_boundary && word(f.front()) ? "\\b" : "";
    out += re2::RE2::QuoteMeta(f);
    out += lex.right_boundary && word(f.back()) ? "\\b" : "";
  }
  return lex.ignore_case ? "(?i:" + out + ")" : out;
}

// A lexicon's regex is a trie of its forms: at every start it matches what the flat alternation
// of its forms matched, preferring the same form, whatever the rule puts around it (a suffix to
// backtrack into, (?i), longest match), for forms that are prefixes of others, in any case,
// outside ASCII, and with or without boundaries.
TEST(Rules, LexiconRegexMatchesAsItsFlatAlternation) {
  std::vector<std::string> forms = {
      "seven", "seventeen", "seventy", "six", "New York", "New", "York", "Côte d'Ivoire",
      "Côte",  "U.S.",      "US",      "A&B", "km",       "k",   "kg",   "É",
      "ł"};
  // With é beside É, or the KELVIN SIGN beside k (one starts no word, the other does), a
  // rule's (?i) would let two branches match one character: the regex is then the flat
  // alternation itself.
  std::vector<std::vector<std::string>> colliding(3, forms);
  colliding[0].push_back("é");
  colliding[1].push_back("\u212Am");   // K then m
  colliding[2].push_back("\u017Fix");  // long s, then "ix"
  std::vector<std::string> texts = {
      "seventeen seventy-six seven sevens Seventeen SEVENTY sixty 6 six.",
      "New York, New Yorkers, NewYork York; the U.S. and US and USA and u.s.",
      "Côte d'Ivoire, Côte, CÔTE D'IVOIRE, A&B A&Bc",
      "5km 5 km kmh 3kg k Kg KG É é ÉÉ Ł ł \u212Am \u212A \u017Fix \u017FIX six", ""};
  for (int variant = 0; variant < 24; ++variant) {
    {
      bool ignore_case = variant & 1;
      int collide = (variant / 2) % 4;  // 0: none, else colliding[collide - 1]
      int edges = variant / 8;
      Lexicon lex;
      lex.name = "t";
      lex.ignore_case = ignore_case;
      lex.left_boundary = edges != 1;
      lex.right_boundary = edges != 2;
      for (const auto& f : collide ? colliding[collide - 1] : forms)
        lex.edit_entries().push_back({f, nullptr});
      lex.edit_entries().push_back({"seven", nullptr});  // a form twice
      std::string trie = lex.regex(), flat = flat_alternation(lex);
      if (collide)
        EXPECT_EQ(trie, flat);
      else
        EXPECT_NE(trie, flat);
      for (std::string around :
           {"(?:%s)", "(?:%s)(?:s|)", "(?:%s)[ ,]", "(?i)(?:%s)\\b", "(?:%s)(?:\\s\\w+)?"}) {
        auto with = [&](const std::string& body) {
          return around.substr(0, around.find("%s")) + body + around.substr(around.find("%s") + 2);
        };
        for (bool longest : {false, true}) {
          re2::RE2::Options opts;
          opts.set_longest_match(longest);
          re2::RE2 a(with(trie), opts), b(with(flat), opts);
          ASSERT_TRUE(a.ok()) << a.error() << ": " << a.pattern();
          for (const auto& text : texts)
            EXPECT_EQ(all_matches(a, text), all_matches(b, text)) << a.pattern() << " on: " << text;
        }
      }
    }
  }
}

// Filtered rules sharing their first clause (here, a digit) are searched by a Set that runs only
// when the filter lets one through: each rule still finds exactly what its own RE2 finds.
TEST(Rules, GatedRulesMatchAsTheirOwnRegex) {
  // Each needs a digit and nothing rarer, so the filter has one clause for all of them.
  std::vector<std::string> patterns = {"\\b\\d{4}\\b", "\\b\\d{1,2}\\b", "\\d+\\s+\\d+",
                                       "(?P<num>\\d+)$", "zzz"};
  std::string rules = "pack: t\nrules:\n";
  for (size_t i = 0; i < patterns.size(); ++i)
    rules +=
        "  - {id: t.r" + std::to_string(i) + ", kind: number, pattern: '" + patterns[i] + "'}\n";
  RuleBook book;
  auto errors = load(rules, &book);
  ASSERT_TRUE(errors.empty()) << errors[0].format();
  EXPECT_GE(book.plan().gated_rules, 3u);
  std::vector<std::string> texts = {"In 2024, 5 apples and 12 pears cost 30% more than 1999.",
                                    "No digits here, zzz.", "7 pears 8", "", "12345 67 5"};
  size_t total = 0;
  for (const auto& text : texts) {
    std::map<std::string, std::vector<std::pair<size_t, size_t>>> found;
    book.for_each_match("t", text, 0, text.size(), [&](const Match& m) {
      found[m.rule->id].emplace_back(m.whole.start, m.whole.end);
    });
    for (size_t i = 0; i < patterns.size(); ++i) {
      std::string id = "t.r" + std::to_string(i);
      re2::RE2 re(patterns[i]);
      EXPECT_EQ(found[id], all_matches(re, text)) << id << " on: " << text;
      total += found[id].size();
    }
  }
  EXPECT_GT(total, 8u);
}

TEST(Rules, OpenRepetitionsWidensOnlyCountedRepetitions) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"a{0,5}b", "a*b"},
      {"(?:\\s\\w+){1,3}", "(?:\\s\\w+)+"},
      {"x{2,7}?y", "x{2,}?y"},
      {"\\d{10,12}", "\\d{10,}"},
      {"a{3}b{2,}c{,4}", "a{3}b{2,}c{,4}"},  // exact, open already, literal
      {"[a{0,5}]\\{0,5}\\Qx{1,2}\\E", "[a{0,5}]\\{0,5}\\Qx{1,2}\\E"},
      {"a{0,x}{", "a{0,x}{"},
      {"[]{0,2}]{0,2}", "[]{0,2}]*"},  // a leading ] is a class member
      {"", ""},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(open_repetitions(in), out) << in;
}

TEST(Rules, TrimOptionalEdgesDropsOnlyEdgeElements) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"(?:about\\s)?\\d+(?:\\s?%)?", "\\d+"},
      {"(?i)(?:a)?b", "(?i)b"},                     // flags stay
      {"(?P<span>x?y)z?", "(?P<span>y)"},           // into a group at an edge
      {"(?<n>x?:y)", "(?<n>:y)"},                   // the newer RE2s' named group
      {"(?:a?b|c*?d)e{0,2}", "(?:b|d)"},            // each branch
      {"\\b(?:q\\s)?x\\b", "\\b(?:q\\s)?x\\b"},     // \b is no optional element
      {"\\x41?b\\x{42}?", "b"},                     // escapes are one atom
      {"[a?]b[c]?", "[a?]b"},                       // so are classes
      {"(?:x)+y*", "(?:x)+"},                       // a repeated group is kept whole
      {"a{0}b{1,2}c{,3}", "b{1,2}c{,3}"},           // {,3} is a literal
      {"a{00}b{99999999999}c?", "b{99999999999}"},  // counts are read as digits
      {"é?ü", "ü"},                                 // UTF-8 characters
      {"a?|b", "|b"},
      {"", ""},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(trim_optional_edges(in), out) << in;
}

// A Set pattern must match wherever its rule does: over every embedded rule's examples and
// counter-examples, each match of the rule holds a match of its Set pattern (with the text
// around it in view, for \b and ^).
TEST(Rules, SetPatternsMatchWhereverTheirRuleDoes) {
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources(embedded_pack_sources(), &errors);  // with the examples the image leaves out
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy));
  size_t opened = 0, checked = 0;
  for (const Rule& r : book.rules()) {
    if (r.set_pattern.empty() || r.set_on_shadow) continue;  // next test
    ++opened;
    EXPECT_EQ(r.set_pattern, open_repetitions(trim_optional_edges(std::string(r.expanded))))
        << r.id;
    re2::RE2::Options opts;
    opts.set_max_mem(64 << 20);  // the place lexicon needs more than the default
    opts.set_longest_match(r.attrs.value("longest", false));
    re2::RE2 rule(r.expanded, opts), set(r.set_pattern, opts);
    ASSERT_TRUE(set.ok()) << r.id << ": " << set.error();
    std::vector<const Example*> texts;
    for (const auto& e : r.examples) texts.push_back(&e);
    for (const auto& e : r.counterexamples) texts.push_back(&e);
    for (const Example* e : texts)
      for (auto [start, end] : all_matches(rule, e->text)) {
        EXPECT_TRUE(set.Match(e->text, start, end, re2::RE2::UNANCHORED, nullptr, 0))
            << r.id << " at " << start << ":" << end << " of: " << e->text;
        ++checked;
      }
  }
  EXPECT_GT(opened, 30u);
  EXPECT_GT(checked, 300u);
}

// The non-empty lines of the samples' .txt articles.
std::vector<std::string> sample_lines() {
  std::vector<std::string> lines;
  for (const auto& entry : std::filesystem::directory_iterator(CLAIMX_SOURCE_DIR "/samples")) {
    if (entry.path().extension() != ".txt") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// A Set pattern on the shadow must match the shadow wherever its rule matches the text: over
// every embedded rule's examples and counter-examples and every line of the samples, each
// match of the rule holds a match of its Set pattern once the span takes in the marks inside it
// and right after it.
TEST(Rules, ShadowSetPatternsMatchWhereverTheirRuleDoes) {
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources(embedded_pack_sources(), &errors);
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy));
  const Shadow& shadow = book.shadow();
  ASSERT_FALSE(shadow.empty());
  std::vector<std::string> lines = sample_lines();
  ASSERT_GT(lines.size(), 20u);
  size_t on_shadow = 0, checked = 0;
  for (const Rule& r : book.rules()) {
    if (!r.set_on_shadow) continue;
    ++on_shadow;
    re2::RE2::Options opts;
    opts.set_max_mem(64 << 20);
    opts.set_longest_match(r.attrs.value("longest", false));
    re2::RE2 rule(r.expanded, opts), set(r.set_pattern, opts);
    ASSERT_TRUE(set.ok()) << r.id << ": " << set.error();
    std::vector<std::string> texts = lines;
    for (const auto& e : r.examples) texts.push_back(e.text);
    for (const auto& e : r.counterexamples) texts.push_back(e.text);
    for (const std::string& text : texts) {
      std::string marked;
      std::vector<std::pair<size_t, size_t>> marks;
      if (!shadow.render(text, &marked, &marks)) continue;
      // Original offset -> shadow offset: the marks at or before it (at it: before, for a start;
      // included, for an end).
      auto at = [&](size_t x, bool end) {
        size_t y = x;
        for (auto [where, size] : marks)
          if (where < x || (where == x && (end || where < text.size()))) y += size;
        return y;
      };
      for (auto [start, end] : all_matches(rule, text)) {
        EXPECT_TRUE(
            set.Match(marked, at(start, false), at(end, true), re2::RE2::UNANCHORED, nullptr, 0))
            << r.id << " at " << start << ":" << end << " of: " << text << "\nshadow: " << marked;
        ++checked;
      }
    }
  }
  EXPECT_GT(on_shadow, 20u);
  EXPECT_GT(checked, 200u);
}

// The shadow marks the words of shadowed lexicons (whole words, or word ends for a lexicon
// without \b before its forms), and has none for text holding LONG S or KELVIN SIGN.
TEST(Rules, ShadowMarksLexiconWords) {
  const Shadow& shadow = default_rulebook().shadow();
  ASSERT_TRUE(shadow.shadows("number_words"));
  ASSERT_TRUE(shadow.shadows("scale_words"));
  std::string out;
  ASSERT_TRUE(shadow.render("Twenty boats, 5bn; autumn Seven_ x9", &out));
  EXPECT_EQ(out.find("boats_"), std::string::npos);
  EXPECT_NE(out.find("Twenty_"), std::string::npos);
  EXPECT_NE(out.find("5bn_"), std::string::npos);     // scale words end words
  EXPECT_EQ(out.find("Seven__"), std::string::npos);  // "Seven_" is no word of letters
  EXPECT_TRUE(out.compare(0, 7, "Twenty_") == 0);
  EXPECT_NE(shadow.label("seven"), 0u);
  EXPECT_EQ(shadow.label("sevens"), 0u);
  EXPECT_FALSE(shadow.render("\xC5\xBFix", &out));     // LONG S: (?i)six matches it
  EXPECT_FALSE(shadow.render("\xE2\x84\xAAm", &out));  // KELVIN SIGN
}

// Phrase lexicons (forms with spaces, digits or other characters, ending with a letter) mark the
// word that ends a hit, wherever the hit begins; their other forms are matched as they are.
TEST(Rules, ShadowMarksPhrases) {
  const Shadow& shadow = default_rulebook().shadow();
  ASSERT_TRUE(shadow.shadows("measure_units"));
  ASSERT_TRUE(shadow.shadows("qualifiers"));
  std::string out;
  ASSERT_TRUE(shadow.render("Zebras 5 square metres, 75ml or more than 9 sq km at most.", &out));
  EXPECT_NE(out.find("metres_"), std::string::npos);  // "square metres"
  EXPECT_EQ(out.find("square_"), std::string::npos);
  EXPECT_NE(out.find("75ml_"), std::string::npos);  // glued to its number
  EXPECT_NE(out.find("than_"), std::string::npos);  // "more than"
  EXPECT_NE(out.find("sq km_"), std::string::npos);
  EXPECT_NE(out.find("most_"), std::string::npos);  // "at most"
  EXPECT_EQ(out.find("Zebras_"), std::string::npos);
  ASSERT_TRUE(shadow.render("Some-5 somes", &out));  // "some": \b after it, not before a letter
  EXPECT_EQ(out.find("Some_"), 0u);
  EXPECT_EQ(out.find("somes_"), std::string::npos);
  // A form that is no phrase (no letter at its end) stays in the reference as it is (a book
  // compiled from its packs knows them; one read from an image needs no references).
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources(embedded_extraction_sources(), &errors);
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy));
  std::string ref = book.shadow().reference("qualifiers");
  EXPECT_NE(ref.find("approx"), std::string::npos) << ref;
}

// widen_letters puts an optional mark after each run of atoms that match letters, inside the
// repetition of an atom that matches letters and more, and nowhere else.
TEST(Rules, WidenLettersMarksAfterLetters) {
  const std::string m = optional_mark();
  std::vector<std::pair<std::string, std::string>> cases = {
      {"\\d+\\s", "\\d+\\s"},
      {"of\\s+an?\\s", "of" + m + "\\s+an?" + m + "\\s"},
      {"(?:an?|one)", "(?:an?" + m + "|one" + m + ")"},
      {"(?P<code>[A-Z]{3})\\b", "(?P<code>[A-Z]{3}" + m + ")\\b"},
      {"[^\\w%]x", "[^\\w%]x" + m},
      {".*?,", "(?:." + m + ")*?,"},
      {"[\\w-]", "[\\w-]" + m},
      {"(?i:pct)\\b", "(?i:pct" + m + ")\\b"},
      {"\\x{41}\\x41", "\\x{41}\\x41" + m},
      {"[0-9]{2}", "[0-9]{2}"},
  };
  for (const auto& [in, want] : cases) {
    std::string out;
    ASSERT_TRUE(widen_letters(in, &out)) << in;
    EXPECT_EQ(out, want) << in;
  }
  std::string out;
  EXPECT_FALSE(widen_letters("[a-", &out));  // a class cut by a reference
  EXPECT_FALSE(widen_letters("\\Qab\\E", &out));
}

// The embedded image searches Hyperscan databases where a book compiled from the packs searches
// RE2 Sets (src/rules/hyperscan.h): every pack finds the same matches, rule by rule, on every
// embedded rule's examples and counter-examples and every line of the samples.
TEST(Rules, HyperscanPartsFindWhatRe2SetsFind) {
  RuleBook image, sets, with_examples;
  std::vector<RuleError> errors;
  ASSERT_TRUE(image.load_image(embedded_book_image(), &errors));
  sets.add_sources(embedded_extraction_sources(), &errors);
  ASSERT_TRUE(sets.compile(&errors, RuleBook::Compile::kLazy));
  with_examples.add_sources(embedded_pack_sources(), &errors);
  ASSERT_TRUE(with_examples.compile(&errors, RuleBook::Compile::kLazy));
  std::vector<std::string> texts = sample_lines();
  for (const Rule& r : with_examples.rules()) {
    for (const auto& e : r.examples) texts.push_back(e.text);
    for (const auto& e : r.counterexamples) texts.push_back(e.text);
  }
  ASSERT_GT(texts.size(), 1000u);
  auto found = [](const RuleBook& book, const std::string& pack, const std::string& text) {
    std::vector<Match> hits;
    book.match_pack(pack, text, 0, text.size(), &hits);
    std::vector<std::string> out;
    for (const auto& m : hits)
      out.push_back(m.rule->id + "@" + std::to_string(m.whole.start) + "-" +
                    std::to_string(m.whole.end));
    return out;
  };
  // This thread's scratch space fits each pack's database in turn, last pack first, then in
  // the order below: a scan checks only some of the sizes a database needs, and one crashed on
  // a scratch grown for other databases only.
  const auto& packs = image.sentence_packs();
  for (auto pack = packs.rbegin(); pack != packs.rend(); ++pack) found(image, *pack, texts[0]);
  size_t matches = 0;
  for (const std::string& pack : packs)
    for (const std::string& text : texts) {
      std::vector<std::string> a = found(image, pack, text), b = found(sets, pack, text);
      EXPECT_EQ(a, b) << pack << ": " << text;
      matches += a.size();
    }
  EXPECT_GT(matches, 1000u);
}

// A rule the caller reads only for whether it fires gives one match spanning the slice where
// the database says it matches, and fires in exactly the slices, and in the order, it did.
TEST(Rules, RulesReadForFiringFireWhereTheirMatchesAre) {
  RuleBook image, with_examples;
  std::vector<RuleError> errors;
  ASSERT_TRUE(image.load_image(embedded_book_image(), &errors));
  with_examples.add_sources(embedded_pack_sources(), &errors);
  ASSERT_TRUE(with_examples.compile(&errors, RuleBook::Compile::kLazy));
  std::vector<std::string> texts = sample_lines();
  for (const Rule& r : with_examples.rules())
    for (const auto& e : r.examples) texts.push_back(e.text);
  const std::vector<char> all(image.rules().size(), 1);
  size_t matches = 0, read_for_firing = 0;
  for (const std::string& pack : image.sentence_packs())
    for (const std::string& line : texts) {
      const std::string text = "## " + line + " ##";  // the slice is the line alone
      const size_t begin = 3, end = 3 + line.size();
      auto fired = [&](const std::vector<char>* fire_only, size_t* count) {
        std::vector<std::string> ids;
        image.for_each_match(
            pack, text, begin, end,
            [&](const Match& m) {
              EXPECT_TRUE(m.whole.start >= begin && m.whole.end <= end) << m.rule->id;
              ++*count;
              if (std::find(ids.begin(), ids.end(), m.rule->id) == ids.end())
                ids.push_back(m.rule->id);
            },
            fire_only);
        return ids;
      };
      size_t searched = 0, firing = 0;
      EXPECT_EQ(fired(nullptr, &searched), fired(&all, &firing)) << pack << ": " << line;
      matches += searched;
      read_for_firing += firing;
    }
  ASSERT_GT(matches, 1000u);
#ifdef CLAIMX_HYPERSCAN
  EXPECT_LT(read_for_firing, matches);  // rules that matched twice in a slice gave one match
#else
  EXPECT_EQ(read_for_firing, matches);  // no database: every rule searched
#endif
}

// Many slices at once give each slice's matches as a slice at a time does, whatever the book
// (databases or RE2 Sets), with and without rules read for firing: ordered by slice, the same
// rules, spans and groups, in the same order. The slices lie in different texts, some empty,
// one not UTF-8 (which the databases do not read).
TEST(Rules, SlicesAtOnceMatchAsOneAtATime) {
  RuleBook image, sets;
  std::vector<RuleError> errors;
  ASSERT_TRUE(image.load_image(embedded_book_image(), &errors));
  sets.add_sources(embedded_extraction_sources(), &errors);
  ASSERT_TRUE(sets.compile(&errors, RuleBook::Compile::kLazy));
  std::vector<std::string> texts;
  for (const std::string& line : sample_lines()) texts.push_back("## " + line + " ##");
  texts.push_back("Sales rose 5% to \xff$3bn in May.");
  std::vector<RuleBook::Slice> slices;
  for (const std::string& t : texts) {
    // Valid UTF-8 said to be so: the scans take the caller's word.
    const bool utf8 = first_invalid_utf8(t) == std::string_view::npos;
    slices.push_back({t, 3, t.size() > 6 ? t.size() - 3 : 3, utf8});
    if (slices.size() % 7 == 0) slices.push_back({t, 2, 2});
  }
  auto describe = [](size_t i, const Match& m) {
    std::ostringstream d;
    d << i << " " << m.rule->id;
    for (const TextRange& g : m.groups) d << " " << g.start << "-" << g.end;
    d << " span " << m.span.start << "-" << m.span.end;
    return d.str();
  };
  const std::vector<char> all(image.rules().size(), 1);
  size_t matches = 0;
  for (const RuleBook* book : {&image, &sets})
    for (const std::vector<char>* fire_only :
         {static_cast<const std::vector<char>*>(nullptr), &all})
      for (const std::string& pack : book->sentence_packs()) {
        std::vector<std::string> one, many;
        for (size_t i = 0; i < slices.size(); ++i)
          book->for_each_match(
              pack, slices[i].text, slices[i].begin, slices[i].end,
              [&](const Match& m) { one.push_back(describe(i, m)); }, fire_only);
        std::vector<std::pair<size_t, std::string>> got;
        book->for_each_match(
            pack, slices, [&](size_t i, const Match& m) { got.emplace_back(i, describe(i, m)); },
            fire_only);
        std::stable_sort(got.begin(), got.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& g : got) many.push_back(g.second);
        EXPECT_EQ(one, many) << pack;
        matches += one.size();
      }
  EXPECT_GT(matches, 1000u);
}

// A callback may match again, inside a match over many slices: each level keeps its own
// buffers, so the outer run gives the same matches as without the inner ones.
TEST(Rules, MatchingInsideAMatchCallbackLeavesTheOuterRunAlone) {
  RuleBook image;
  std::vector<RuleError> errors;
  ASSERT_TRUE(image.load_image(embedded_book_image(), &errors));
  std::vector<std::string> texts = sample_lines();
  std::vector<RuleBook::Slice> slices;
  for (const std::string& t : texts) slices.push_back({t, 0, t.size(), true});
  auto run = [&](bool nest) {
    std::vector<std::string> out;
    size_t inner = 0;
    image.for_each_match("figures", slices, [&](size_t i, const Match& m) {
      out.push_back(std::to_string(i) + " " + m.rule->id + " " + std::to_string(m.span.start) +
                    "-" + std::to_string(m.span.end));
      if (nest) image.for_each_match("entities", slices, [&](size_t, const Match&) { ++inner; });
    });
    if (nest) {
      EXPECT_GT(inner, 0u);
    }
    return out;
  };
  std::vector<std::string> alone = run(false);
  EXPECT_GT(alone.size(), 50u);
  EXPECT_EQ(alone, run(true));
}

// Trying each start anchored finds the matches an unanchored search finds, with the same
// groups: for every embedded rule over its examples, counter-examples and lines of the
// samples, searched from every match's end, as for_each_match does, and from inside a word.
TEST(Rules, AnchoredWalkFindsTheUnanchoredMatches) {
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources(embedded_pack_sources(), &errors);
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy));
  std::vector<std::string> lines = sample_lines();
  lines.resize(std::min<size_t>(lines.size(), 30));
  size_t matches = 0;
  for (const Rule& r : book.rules()) {
    if (!r.re) continue;  // a lexicon rule
    const re2::RE2& re = r.re->get();
    ASSERT_TRUE(re.ok()) << r.id;
    std::vector<std::string> texts = lines;
    for (const auto& e : r.examples) texts.push_back(e.text);
    for (const auto& e : r.counterexamples) texts.push_back(e.text);
    const int n = r.captures + 1;
    for (const std::string& t : texts) {
      const re2::StringPiece text(t);
      for (size_t from : {size_t{0}, t.size() / 3}) {
        std::vector<re2::StringPiece> a(n), b(n);
        for (size_t pos = from; pos < t.size();) {
          bool found = leftmost_match(re, text, pos, t.size(), false, a.data(), n);
          ASSERT_EQ(found, leftmost_match(re, text, pos, t.size(), true, b.data(), n))
              << r.id << " @" << pos << ": " << t;
          if (!found) break;
          for (int g = 0; g < n; ++g) {
            EXPECT_EQ(a[g].data(), b[g].data()) << r.id << " group " << g << ": " << t;
            EXPECT_EQ(a[g].size(), b[g].size()) << r.id << " group " << g << ": " << t;
          }
          ++matches;
          const size_t end = static_cast<size_t>(a[0].data() - t.data()) + a[0].size();
          pos = end > pos ? end : pos + 1;
        }
      }
    }
  }
  EXPECT_GT(matches, 1000u);
}

#ifdef CLAIMX_HYPERSCAN
TEST(Rules, HyperscanDatabaseReportsEndsAndRefusesWhatIsNotOne) {
  std::vector<char> kept;
  std::vector<hyperscan::Widths> widths;
  std::string error;
  // A pattern that may match the empty string has no fewest bytes (it matches every text).
  ASSERT_FALSE(hyperscan::compile({"x*"}, &kept, &widths, &error).empty()) << error;
  EXPECT_EQ(widths, (std::vector<hyperscan::Widths>{{0, hyperscan::kUnbounded}}));
  std::string bytes = hyperscan::compile({"a+b", "c(?:d|e)", "(x"}, &kept, &widths, &error);
  ASSERT_FALSE(bytes.empty()) << error;
  EXPECT_EQ(kept, (std::vector<char>{1, 1, 0}));
  EXPECT_EQ(widths, (std::vector<hyperscan::Widths>{
                        {2, hyperscan::kUnbounded}, {2, 2}, {0, hyperscan::kUnbounded}}));
  hyperscan::Database db;
  ASSERT_TRUE(db.load(bytes, false));
  // Each pattern once, with its first and last match end: "ce" ends at 5 and "cd" at 12, "ab"
  // at 9 and "aab" (the same end) too.
  std::vector<hyperscan::Hit> hits;
  ASSERT_TRUE(db.match("xx ce aab cd", &hits));
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 0);
  EXPECT_EQ(hits[0].first_end, 9u);
  EXPECT_EQ(hits[0].last_end, 9u);
  EXPECT_EQ(hits[1].id, 1);
  EXPECT_EQ(hits[1].first_end, 5u);
  EXPECT_EQ(hits[1].last_end, 12u);
  ASSERT_TRUE(db.match("no match", &hits));
  EXPECT_TRUE(hits.empty());
  std::string damaged = bytes;
  damaged[damaged.size() / 2] ^= 1;  // the checksum no longer holds
  EXPECT_FALSE(db.load(damaged, false));
  EXPECT_FALSE(db.match("aab", &hits));
  EXPECT_FALSE(db.load("not a database", false));
}
#endif

TEST(Rules, HyperscanPatternsLoseGroupNames) {
  EXPECT_EQ(hyperscan::pattern_for("(?P<year>\\d+)|(?P<year>x)"), "(?:\\d+)|(?:x)");
  EXPECT_EQ(hyperscan::pattern_for("(?<n>a)(?:b)(c)"), "(?:a)(?:b)(c)");
  EXPECT_EQ(hyperscan::pattern_for("[(?P<x>]\\(?P<y>"), "[(?P<x>]\\(?P<y>");
  EXPECT_EQ(hyperscan::pattern_for("[]a(?P<x>](?P<z>b)"), "[]a(?P<x>](?:b)");
}

}  // namespace
}  // namespace claimx
