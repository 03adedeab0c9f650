// A prefilter for a pack's rules: what every match of a pattern must contain, read off the
// pattern, so a sentence that lacks it is never searched by the Set parts of those rules.
//
// RE2's own FilteredRE2 reads literal strings only, and treats a class of more than four
// characters as "anything": a figure rule wanting a digit or a number word ({{NUM}} or
// {{NUMWORDS}}) gets no filter at all. Here a requirement may be a byte class or strings, so
// "a digit, or one of these words" is a requirement too. The analysis is conservative: any
// construct it does not know makes no requirement, so a filter can let a sentence through that
// no rule matches, never hold back one that a rule matches.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace claimx {
struct BookImage;  // writes and reads a Filter in a compiled book (image.cc)
}  // namespace claimx

namespace claimx::prefilter {

// Satisfied by a text that holds one of `bytes`, or one of `strings` once the text's ASCII
// letters are lowercased (the strings are stored lowercased).
struct Clause {
  std::bitset<256> bytes;
  std::vector<std::string> strings;
};

// Every match of the pattern satisfies every clause. No clauses: nothing is known.
struct Need {
  std::vector<Clause> clauses;
};

// Reads an RE2 pattern (already accepted by RE2). Unknown syntax yields no clauses. The
// clauses come most selective first.
Need analyze(std::string_view pattern);

// The same for many patterns, each group's body read once (patterns repeat their defines).
class Analyzer {
 public:
  Analyzer();
  ~Analyzer();
  Need analyze(std::string_view pattern);

 private:
  struct Memo;
  std::unique_ptr<Memo> memo_;
};

// A rough chance that a sentence of news satisfies the clause, in [0, 1].
double likelihood(const Clause& c);

// One pack's needs, compiled for testing many texts: a byte table, and an Aho-Corasick
// automaton over every clause's strings.
class Filter {
 public:
  Filter() = default;
  explicit Filter(const std::vector<Need>& needs);
  // pass[i] = 1 when needs[i] may be met by text (always when it has no clauses), else 0.
  void passing(std::string_view text, std::vector<char>* pass) const;

 private:
  friend struct claimx::BookImage;
  struct CompiledClause {
    uint64_t bytes;  // the byte classes that satisfy it (bits of byte_bits_)
    int id;          // index of the clause in the filter
  };
  struct RuleNeed {
    std::vector<CompiledClause> clauses;
  };
  std::vector<RuleNeed> rules_;
  bool any_clause_ = false;
  // Aho-Corasick over lowercased bytes: byte -> symbol, (state, symbol) -> state.
  uint64_t byte_bits_[256] = {};  // byte -> the byte classes (of all clauses) holding it
  uint16_t symbol_[256] = {};
  int symbols_ = 1;
  std::vector<int32_t> table_;     // for the scan: see the constructor
  std::vector<int32_t> out_atom_;  // chained outputs: atom id
  std::vector<int32_t> out_next_;  // chained outputs: next index (or -1)
  size_t atom_count_ = 0;
  int clause_count_ = 0;
  std::vector<int32_t> atom_clause_begin_;  // atom -> first index into atom_clause_ids_
  std::vector<int32_t> atom_clause_ids_;    // the clauses each atom's string satisfies
};

}  // namespace claimx::prefilter
