// Rule packs: YAML files of RE2 rules and lexicons, compiled once and shared read-only.
//
// A pack (patterns/en/*.yaml) has `pack`, `defines` (named sub-patterns used as {{NAME}}),
// `lexicons` (word lists used as {{@name}}, entries with attributes), `rules` (id, kind, pattern,
// priority, examples, counterexamples and free attributes) and, for scoring packs, `model`.
// Lexicon-only files (patterns/lexicon/*.yaml) have just `lexicons`.
//
//   claimx::RuleBook book;
//   std::vector<claimx::RuleError> errors;
//   book.add_sources(claimx::embedded_pack_sources(), &errors);
//   book.compile(&errors);          // false when any error; messages read file:line:col: text
//   std::vector<claimx::Match> hits;
//   book.match_pack("figures", text, begin, end, &hits);
//
// Thread-safety: after compile(), all const methods may be called from many threads at once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "claimx/contract.h"
#include "claimx/segment.h"

namespace re2 {
class RE2;
}

namespace claimx {

struct RuleRegex;  // a rule's RE2, compiled once (rulebook.cc)
class Shadow;      // the marked text some Set parts search (shadow.h)
struct BookImage;  // writes and reads a compiled book (image.cc)

struct SourceFile {
  std::string name;  // shown in messages: "patterns/en/figures.yaml"
  std::string text;
};

// Every source comes from embedded packs or from --patterns DIR.
std::vector<SourceFile> embedded_pack_sources();
// The embedded packs without their examples and counter-examples (those lines blank, so lines
// and columns hold): what default_rulebook() is built from. `rules check` uses the whole packs.
std::vector<SourceFile> embedded_extraction_sources();

struct SourceLoc {
  SourceLoc() = default;
  SourceLoc(std::string f, int l, int c) : file(std::move(f)), line(l), col(c) {}
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  int col = 0;   // 1-based; 0 when unknown
};

struct RuleError {
  RuleError(SourceLoc l, std::string m) : loc(std::move(l)), message(std::move(m)) {}
  SourceLoc loc;
  std::string message;
  std::string format() const;  // "file:line:col: message"
};

struct LexiconEntry {
  std::string form;
  // Every key of the entry but `form` (name, code, value, ...): an object, or null for the
  // forms of a word list (a generated lexicon of bare forms, `words:`), which has none.
  nlohmann::json attrs;
  int line = 0;  // in the lexicon's file; 0 when generated
};

struct Lexicon {
  std::string name;
  bool ignore_case = false;
  // Wrap word-character edges of each form in \b: both (true), none (false), left or right.
  bool left_boundary = true;
  bool right_boundary = true;
  SourceLoc loc;

  // The entries, in file order. A book read from its embedded image makes them on first use
  // (thread-safe): a document touches few lexicons, and reading every entry of every lexicon
  // (a word list alone has 64,000) was a third of start-up. find() and contains() need only
  // the look-up table until a form is found.
  const std::vector<LexiconEntry>& entries() const;
  std::vector<LexiconEntry>& edit_entries();  // to fill or change them (made first)

  void index_entries();  // builds the look-up table of find(); call after filling the entries
  const LexiconEntry* find(std::string_view form) const;  // the first entry of that folded form
  bool contains(std::string_view form) const;  // whether find() finds it (no entry is made)
  std::string regex() const;  // the forms as a trie (alternation, longest first: same matches)
  // The same of the forms as `edit` rewrites them (folded first when the trie is written).
  std::string regex_with(const std::function<std::string(std::string)>& edit) const;
  std::string fold(std::string_view s) const;

 private:
  friend struct BookImage;
  std::vector<LexiconEntry> entries_;
  // Entries still in the image (entries() makes them once): shared by copies of the lexicon.
  struct Deferred;
  std::shared_ptr<Deferred> deferred_;
  uint32_t find_slot(std::string_view form) const;  // the entry's index + 1; 0: none
  // find() runs for every candidate word of every document: an open-addressing table over one
  // buffer of folded forms, so a look-up touches a slot and the key bytes, not hash-node chains.
  struct Slot {
    uint32_t entry = 0;  // index into entries + 1; 0: empty
    uint32_t tag = 0;    // the key's hash, upper bits, so most mismatches skip the comparison
    uint32_t key_offset = 0;
    uint32_t key_size = 0;
  };
  std::string keys_;
  std::vector<Slot> slots_;
  // A book read from an image that outlives it reads the table in place (RuleBook::load_image):
  // then these point into the image, and keys_ and slots_ stay empty.
  std::string_view image_keys_;
  const Slot* image_slots_ = nullptr;
  size_t image_slot_count_ = 0;
  std::string_view keys() const { return image_slots_ ? image_keys_ : std::string_view(keys_); }
  const Slot* slots() const { return image_slots_ ? image_slots_ : slots_.data(); }
  size_t slot_count() const { return image_slots_ ? image_slot_count_ : slots_.size(); }
};

// The pattern with every counted repetition opened up ({0,m} -> *, {1,m} -> +, {n,m} -> {n,}).
// It matches wherever the pattern does, and RE2 compiles the repeated part once rather than m
// times (the `{0,5}` after a capitalised word made most of a deal rule's program).
std::string open_repetitions(const std::string& pattern);

// The pattern without the optional elements at its edges: `(?:about\s)?\d+(?:\s?%)?` becomes
// `\d+`, in each top-level branch, and inside an unquantified group at an edge. In an
// unanchored search it matches wherever the pattern does (the rest of any match of the
// pattern is a match of it). A Set needs no more: the optional qualifier before a figure, a
// 0.9 KB lexicon, was a sixth of the bytes the Sets compile.
std::string trim_optional_edges(const std::string& pattern);

struct Example {
  std::string text;
  nlohmann::json expect;  // object; `text` defaults to the whole example text
  std::string date;       // YYYY-MM-DD: the document date (the anchor of relative dates), or ""
  SourceLoc loc;
};

// A rule's named groups -> submatch index, sorted by name: a map's interface over a few
// entries in one vector, since interpreters look groups up by name for every match (a tree of
// strings was 1% of a run).
class GroupNames {
 public:
  using value_type = std::pair<std::string, int>;
  using const_iterator = std::vector<value_type>::const_iterator;

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }
  const_iterator find(std::string_view name) const {
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->first == name) return it;
    return entries_.end();
  }
  int at(std::string_view name) const {
    auto it = find(name);
    if (it == end()) throw std::out_of_range("no group " + std::string(name));
    return it->second;
  }
  // As std::map::emplace: the entry of `name`, and whether it is new.
  std::pair<const_iterator, bool> emplace(std::string_view name, int index) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                               [](const value_type& e, std::string_view n) { return e.first < n; });
    if (it != entries_.end() && it->first == name) return {it, false};
    return {entries_.insert(it, {std::string(name), index}), true};
  }
  int& operator[](std::string_view name) {
    auto [it, fresh] = emplace(name, 0);
    return entries_[static_cast<size_t>(it - entries_.begin())].second;
  }
  bool operator==(const GroupNames& o) const { return entries_ == o.entries_; }

 private:
  std::vector<value_type> entries_;
};

struct Rule {
  std::string id;
  // The id in a process-wide pool (compile() fills it): what results keep (Figure::rule), so
  // they stay valid after the book is replaced or gone.
  std::string_view stable_id;
  std::string kind;  // as written; compile() resolves it to `type` by the contract
  RuleKind type = RuleKind::kMask;
  Stage stage = Stage::kMasks;
  std::string pack;
  std::string pattern;  // as written
  // After {{NAME}} and {{@lexicon}} expansion. Like set_pattern, a view: into pattern_bytes
  // (set_patterns()), or into bytes that outlive the book (the embedded image read in place,
  // whose 600 KB of patterns are then not copied at start-up).
  std::string_view expanded;
  // What the rule's Set searches for when not `expanded`:
  // open_repetitions(trim_optional_edges(expanded)). A Set only says which rules to run, each
  // rule's own RE2 finds the matches, so a Set pattern may match more text than the rule's; it
  // must match wherever the rule's does.
  std::string_view set_pattern;
  std::string_view in_set() const { return set_pattern.empty() ? expanded : set_pattern; }
  std::shared_ptr<const std::string> pattern_bytes;  // what the two views see, unless the image
  // Sets both (`set` empty: the Set searches `expanded`) as copies held in pattern_bytes.
  void set_patterns(std::string_view expanded, std::string_view set);
  // set_pattern is searched on the sentence's shadow (src/rules/shadow.h), where each word of a
  // shadowed lexicon carries a mark and a reference to that lexicon is a few dozen bytes.
  bool set_on_shadow = false;
  int priority = 0;
  nlohmann::json attrs;  // every other key of the rule, checked against the contract
  std::map<std::string, SourceLoc, std::less<>> attr_locs;  // where each attribute's value is
  std::vector<std::string> lexicons;  // lexicons the pattern refers to, in order
  std::vector<Example> examples;
  std::vector<Example> counterexamples;
  SourceLoc loc;
  SourceLoc pattern_loc;
  // The rule's own RE2 (run with submatches where its pack's Set fired). Compiled by compile(),
  // or on the rule's first use when the book is compiled lazily; shared by copies of the rule.
  std::shared_ptr<RuleRegex> re;
  int captures = 0;              // capturing groups
  bool group1_is_whole = false;  // one group, around the whole pattern
  GroupNames groups;             // named group -> submatch index
  // A name used by several groups (in alternatives): (first index, later index); the first
  // takes the later one's text when it did not match itself.
  std::vector<std::pair<int, int>> group_aliases;
  int span_group = 0;  // group `span` when present, else 0 (whole match)
};

// One rule firing: byte offsets into the document text.
struct Match {
  const Rule* rule = nullptr;
  TextRange span;                 // the item's span (group `span` or the whole match)
  TextRange whole;                // the whole match
  std::vector<TextRange> groups;  // by submatch index; {npos, npos} when unset
  bool has(int index) const;
};

inline constexpr size_t kNoPos = static_cast<size_t>(-1);

class RuleBook {
 public:
  RuleBook();
  ~RuleBook();
  RuleBook(RuleBook&&) noexcept;
  RuleBook& operator=(RuleBook&&) noexcept;

  // Parses YAML sources. A pack with the name of one already loaded replaces it; lexicons and
  // defines with the name of one already loaded replace it too. Errors are appended.
  void add_sources(const std::vector<SourceFile>& sources, std::vector<RuleError>* errors);
  // Reads every *.yaml under dir (sorted) and adds it. Errors are appended.
  void add_directory(const std::string& dir, std::vector<RuleError>* errors);
  // Expands every rule and compiles its pack's RE2::Sets (the rules without a selective
  // prefilter); kEager also compiles each rule's own RE2 now, kLazy on the first sentence that
  // may match it (a Set fires it, or its prefilter lets the sentence through). Returns false on
  // any error. Lazy compiling is for packs already checked eagerly (the embedded ones: `rules
  // check` and the tests): a rule whose RE2 fails later throws claimx::Error (the document
  // fails), it is never read as "no match".
  enum class Compile { kEager, kLazy };
  bool compile(std::vector<RuleError>* errors, Compile mode = Compile::kEager);

  // The compiled book as bytes, and a book read back from them. The embedded packs are
  // compiled when claimx is built (tools/pack_image.cc) and read at start-up instead of their
  // YAML and lexicon files. save_image() needs a book that compiled without errors;
  // load_image() replaces this book's packs, compiles the Sets, and leaves each rule's RE2 to
  // its first use. It returns false, with an error, for bytes this build did not write. Packs
  // added afterwards and a new compile() work as on a book made from the sources.
  // With `bytes_outlive_book` (the embedded image) the lexicons' look-up tables are read in
  // place rather than copied.
  std::string save_image() const;
  bool load_image(std::string_view bytes, std::vector<RuleError>* errors,
                  bool bytes_outlive_book = false);

  // Runs a pack's RE2::Set over text[begin, end), then the rules that fired with submatches.
  // Appends matches (non-overlapping per rule, leftmost first). Unknown pack: no matches.
  void match_pack(std::string_view pack, std::string_view text, size_t begin, size_t end,
                  std::vector<Match>* out) const;
  // The same, handing each match to fn as it is found (the Match is reused: copy what you keep).
  // Memory stays flat however many matches a long sentence has.
  // `fire_only` (by index into rules()) marks the rules the caller reads only for whether they
  // match in the slice: where Hyperscan's database holds such a rule's own pattern and fired
  // it, the rule gives one Match whose span and whole are the slice (group 0 alone set), and
  // no RE2 search runs for it. Elsewhere such a rule gives its matches as any other.
  void for_each_match(std::string_view pack, std::string_view text, size_t begin, size_t end,
                      const std::function<void(const Match&)>& fn,
                      const std::vector<char>* fire_only = nullptr) const;
  // A piece of a text to match: text[begin, end).
  struct Slice {
    std::string_view text;
    size_t begin = 0, end = 0;
    bool utf8 = false;  // the caller knows the text is valid UTF-8: not checked again per pack
  };
  // for_each_match over many slices at once, rule by rule: first the pack's scan of every slice,
  // then each rule that fired over all the slices it fired in, so that the database and then
  // each rule's search state stay in the CPU caches (sentence by sentence, they took turns).
  // fn(i, match) gets slice i's matches; the rules in index order, a rule's slices in order, a
  // slice's matches as found. Ordered by slice (stably), they are for_each_match's, slice after
  // slice.
  void for_each_match(std::string_view pack, const std::vector<Slice>& slices,
                      const std::function<void(size_t, const Match&)>& fn,
                      const std::vector<char>* fire_only = nullptr) const;

  // How the compiled book matches its sentence rules (for measuring start-up): in Sets (and
  // how many Sets, and their patterns' bytes), behind a prefilter, or by a lexicon trie.
  struct Plan {
    size_t set_parts = 0, set_rules = 0, set_bytes = 0;
    size_t filtered_rules = 0, lexicon_rules = 0;
    size_t gated_rules = 0;  // filtered rules also in a Set searched when the filter passes
  };
  Plan plan() const;

  const Lexicon* lexicon(std::string_view name) const;
  const Shadow& shadow() const;  // what the Set patterns of rules with set_on_shadow search
  const std::vector<Rule>& rules() const;
  const Rule* rule(std::string_view id) const;
  const nlohmann::json& model(std::string_view pack) const;  // pack's `model:` or null
  std::vector<std::string> pack_names() const;
  // Made by compile(), in book order: the packs to run over sentences (a rule of a kind other
  // than `zone`), and those with zone rules (matched per line, not per sentence).
  const std::vector<std::string>& sentence_packs() const;
  const std::vector<std::string>& zone_packs() const;
  const SegmentRules& segment_rules() const;

  // Group text helpers for interpreters.
  static std::string_view group(const Match& m, std::string_view text, std::string_view name);

  // Data a stage derives from the book (a scoring model's look-up tables), made on first use
  // and kept as long as the book, shared by the threads that use it: made once, not once per
  // document. `make` returns a T; the key names it within the book.
  template <class T, class Make>
  const T& derived(const std::string& key, Make make) const {
    auto p = derived_slot(
        key, [&]() -> std::shared_ptr<const void> { return std::make_shared<const T>(make()); });
    return *static_cast<const T*>(p.get());
  }

 private:
  std::shared_ptr<const void> derived_slot(
      const std::string& key, const std::function<std::shared_ptr<const void>()>& make) const;
  friend const RuleBook& default_rulebook();  // stops its background compilers at exit
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The embedded packs (without examples), compiled when claimx was built and read once per
// process (thread-safe) from that image; each rule's RE2 compiles on first use. Throws
// claimx::Error with the messages when the image cannot be read (a broken embedded pack fails
// the build instead).
const RuleBook& default_rulebook();

}  // namespace claimx
