// A rule that is nothing but lexicons, "(?P<span>{{@countries}}|{{@cities}}|...)", matched
// without RE2: a trie of its forms walked from each position of the sentence. As an RE2
// alternation such a rule was the biggest pattern of all (place.lexicon: 37 KB, 27% of the bytes
// the Sets compile at start-up, and as much again when its own RE2 compiled on first use).
//
// The matches are exactly RE2's for the expanded pattern: the leftmost position where a form
// matches, then (longest: true) the longest form there, or (leftmost-first) the longest form of
// the first lexicon in the alternation that has one there; \b is ASCII, as in RE2, and the
// slice's edges are the text's edges. Case-folding lexicons are left to RE2, whose (?i) also
// folds k and s to KELVIN SIGN and LONG S.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "claimx/rules.h"

namespace claimx {

using LexiconMap = std::map<std::string, const Lexicon*, std::less<>>;  // by name

class LexiconMatcher {
 public:
  // The rule's lexicons in the order of its alternation.
  LexiconMatcher(const std::vector<const Lexicon*>& lexicons, bool longest);
  // The first match in text[from, end) as [start, end), or nullopt.
  std::optional<std::pair<size_t, size_t>> find(std::string_view text, size_t from) const;

  // The matcher of a rule whose pattern (as written) is one lexicon reference or an
  // alternation of them, maybe in one group, when none folds case; else null.
  static std::shared_ptr<const LexiconMatcher> for_rule(const Rule& r, const LexiconMap& lexicons);

 private:
  friend struct BookImage;  // writes and reads the tables (a compiled book's image)
  LexiconMatcher() = default;
  void index_first_bytes();  // first_byte_ and mid_word_ from the root's edges

  struct Node {
    uint32_t first_edge = 0, edge_count = 0;
    uint32_t first_term = 0, term_count = 0;
  };
  struct Edge {
    unsigned char byte;
    uint32_t child;
  };
  struct Term {           // a form ends at this node
    uint32_t order;       // its lexicon's place in the alternation
    bool left_boundary;   // needs \b before it
    bool right_boundary;  // needs \b after it
  };
  struct Item;
  std::optional<size_t> match_at(std::string_view text, size_t at) const;
  uint32_t build(const std::vector<Item>& items, size_t lo, size_t hi, size_t depth,
                 const std::vector<Term>& terms);

  std::vector<Node> nodes_;
  std::vector<Edge> edges_;  // each node's edges together, sorted by byte
  std::vector<Term> terms_;
  bool first_byte_[256] = {};
  // Whether a form that starts with the byte may start inside a word (it has no left boundary):
  // where none may, find() skips the byte inside words without walking the trie.
  bool mid_word_[256] = {};
  bool longest_ = false;
};

}  // namespace claimx
