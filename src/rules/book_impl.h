// The inside of a RuleBook, shared by rulebook.cc (YAML packs, compile, match) and image.cc
// (the compiled book written at build time and read at start-up). Not installed.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "claimx/rules.h"
#include "rules/hyperscan.h"
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

// A lexicon's entries not yet read from the image (`block`, its bytes): read by the first
// entries() call.
struct Lexicon::Deferred {
  std::once_flag once;
  std::string_view block;
  std::function<std::vector<LexiconEntry>(std::string_view)> read;
  std::vector<LexiconEntry> entries;
};

// A Set compiled on first use: its members' Set patterns (the rules outlive the part), and
// whether it is idle, being compiled, compiled or failed.
struct LazySet {
  enum State : int { kIdle, kCompiling, kReady, kFailed };
  std::atomic<int> state{kIdle};
  std::vector<std::string_view> patterns;
};

// A pack's prefilter. A book read from an image decodes it on first use: with Hyperscan a
// sentence searches it only when a database failed or the text is not valid UTF-8, so most runs
// never read its megabyte.
class PackFilter {
 public:
  PackFilter() = default;
  explicit PackFilter(prefilter::Filter f);
  // `read` decodes the image's bytes; a damaged block throws claimx::Error from get().
  explicit PackFilter(std::function<prefilter::Filter()> read);
  const prefilter::Filter& get() const;

 private:
  struct State {
    std::once_flag once;
    std::function<prefilter::Filter()> read;  // empty once read
    prefilter::Filter filter;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

struct PackData {
  std::string name;
  std::string file;
  int layer = 0;  // sources added together share a layer; later layers override
  std::map<std::string, Define> defines;
  std::vector<Lexicon> lexicons;
  std::vector<Rule> rules;
  bool rules_pending = false;  // read from an image: `rules` not yet filled (fill_source_rules)
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
    // A book read from an image compiles its Sets after load_image() returns: each on its
    // first use or by the background compilers, whichever comes first (LazySet). Null when
    // compile_sets() compiled it.
    std::unique_ptr<LazySet> lazy;
    // A Hyperscan part (hyperscan.h) has no RE2 Set but a database, read from `serialized` (in
    // the image, or in `owned` when the image's bytes do not outlive the book) by ready().
    std::unique_ptr<hyperscan::Database> database;
    std::string_view serialized;
    std::string owned;
    // A database's members: whether it holds the rule's own pattern (its match ends are then the
    // rule's; a Set pattern's may end earlier) and, when it does, whether every match of it is
    // non-empty (it then fires where the rule has a match); and the most bytes a match spans.
    std::vector<char> exact;          // kTrimmed, kOwn or kFires
    std::vector<uint32_t> max_width;  // hyperscan::kUnbounded: no limit
    // Whether the Set may be searched: compiles it when no thread has started to, waits when
    // one has. False when it did not compile (then every rule of it that may match runs).
    bool ready() const;
    // Compiles the Set unless some thread has started to (what the background compilers do).
    void compile_unclaimed() const;
    // The rules whose patterns (a database's) or Set patterns (a Set's) match in `text`, as
    // indexes into `members`; false when the search failed. Only once ready() said true.
    bool match(std::string_view text, std::vector<hyperscan::Hit>* hits) const;
    // Where the RE2 of a rule that `hit` reports must search a sentence of `size` bytes: a
    // database of the rules' own patterns knows where their matches end, and where the longest
    // could start; of the rest nothing is known but that they match.
    struct Window {
      int k;  // pack-local index of the rule
      size_t from, to;
      // The rule has a match in the sentence: the database holds its own pattern, which matches
      // no empty string (a Set, or a member standing for a trimmed pattern, says only that it
      // may match).
      bool fires = false;
    };
    Window window(const hyperscan::Hit& hit, size_t size) const;
  };
  std::vector<SetPart> parts;
  std::vector<size_t> set_rules;  // pack-local index -> index into RuleBook rules
  // Rules with a selective prefilter (prefilter.h) are in no Set: a sentence runs those its
  // filter lets through, which a Set would mostly have found not to match. `filter` holds
  // every rule's needs by pack-local index: a Set part none of whose rules may match is
  // skipped.
  std::vector<int> filtered_rules;
  PackFilter filter;
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
  // When the book came from an image built with Hyperscan: one database over every rule but
  // the lexicon rules (the filtered ones too), each with its own pattern, on the sentence, and
  // any rule Hyperscan rejected in an RE2 Set beside it. A sentence searches these, and runs no
  // prefilter, when they all loaded, else the RE2 parts.
  std::vector<SetPart> hs_parts;
  bool hyperscan_ready() const;
};

// SetPart::exact's values.
inline constexpr char kTrimmed = 0, kOwn = 1, kFires = 2;

// Set by the build tool before RuleBook::save_image(): the image then carries each pack's
// Hyperscan parts. Null in claimx, which never compiles a database.
extern hyperscan::Compiler image_set_compiler;

// A rule's RE2, compiled on first use (or by compile() when eager).
struct RuleRegex {
  // The rule's expanded pattern, not copied: the RE2 keeps the bytes it sees (the rule's
  // pattern_bytes; none for the image's, which outlive the book).
  RuleRegex(const Rule& r, const re2::RE2::Options& o)
      : pattern(r.expanded), bytes(r.pattern_bytes), options(o) {}
  RuleRegex(const RuleRegex&) = delete;
  RuleRegex& operator=(const RuleRegex&) = delete;
  const re2::RE2& get() {
    std::call_once(once, [this] {
      re = std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
    });
    return *re;
  }
  std::string_view pattern;
  std::shared_ptr<const std::string> bytes;  // what `pattern` sees, unless the image
  re2::RE2::Options options;
  std::once_flag once;
  std::unique_ptr<re2::RE2> re;
  std::atomic<uint32_t> searches{0};  // counted up to kWalkedSearches (rulebook.cc)
};

// The leftmost match in text[pos, to), with all of text as context, as RE2's unanchored search
// finds it; with `walk`, found by anchored searches from each start in turn, which compile no
// reverse program (rulebook.cc).
bool leftmost_match(const re2::RE2& re, const re2::StringPiece& text, size_t pos, size_t to,
                    bool walk, re2::StringPiece* subs, int n);

// The end of the quantifier at p[j] (j itself when there is none: `{,3}` is a literal), and
// whether it allows zero. Lazy `?` included.
size_t quantifier_end(std::string_view p, size_t j, bool* optional);

// The options every rule and Set is compiled with; a rule's `longest: true` sets longest_match.
re2::RE2::Options rule_options(bool longest);

// Compiles the RE2::Sets of every pack's parts (plan_parts or a book image filled `members`).
void compile_sets(std::vector<PackData>& packs, const std::vector<Rule>& rules,
                  std::vector<RuleError>* errors);

// Runs work(i) for every i in [0, n) on all cores, biggest size(i) first for balance. Start-up's
// parsing and compiling, and the build tool's Hyperscan databases, are independent per source,
// Set part or pack; each i writes only its own slots, so what comes out never depends on the
// thread count.
template <typename Size, typename Work>
void on_all_cores(size_t n, Size size, Work work) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return size(a) > size(b); });
  std::atomic<size_t> next{0};
  auto loop = [&] {
    for (size_t k; (k = next++) < n;) work(order[k]);
  };
  size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), n);
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(loop);
  loop();
  for (auto& t : helpers) t.join();
}

// Strings that live as long as the process, each kept once (rule ids that results point at).
std::string_view stable_string(const std::string& s);

// Threads that compile Set parts in the given order, skipping those another thread has
// claimed, so the first documents need not wait for Sets they never search. Destroying it
// stops them once their current part is done.
class BackgroundCompile {
 public:
  BackgroundCompile(std::vector<const PackData::SetPart*> order, size_t threads);
  ~BackgroundCompile();
  BackgroundCompile(const BackgroundCompile&) = delete;
  BackgroundCompile& operator=(const BackgroundCompile&) = delete;

 private:
  std::vector<const PackData::SetPart*> order_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

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

  // The bytes each lexicon's forms take in the Set patterns, before any shadow, of the figure
  // rules (which phrase lexicons are worth shadowing: Shadow::build).
  std::map<std::string, size_t> lexicon_set_bytes(
      const std::map<std::string, const Define*>& defines) const;

  // Compiling the Sets of a book read from an image (load_image); stopped before anything
  // changes the packs. Last, so it stops before the packs it reads are destroyed.
  std::unique_ptr<BackgroundCompile> background;
  // Makes every Set part of the packs lazy and starts compiling them in the order sentences
  // search them.
  void compile_in_background();
  // A pack read from an image holds its rules as written (PackData::rules) only once a new
  // compile() needs them: load_image() leaves them to this (image.cc), from the compiled rules.
  void fill_source_rules();
};

}  // namespace claimx
