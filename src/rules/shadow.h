// The shadow of a sentence: what the Set parts of rules that use word lexicons search instead
// of the sentence itself (issue #25, docs/ARCHITECTURE.md "Shadow text").
//
// A `{{@lexicon}}` reference expands to an alternation of every form; in a Set, where the
// figure rules repeat the number words, fractions and scales, those alternations were most of
// the bytes RE2 compiles at start-up. The shadow marks each word of the sentence that a
// shadowed lexicon matches: right after the word it inserts `_`, one private-use code point per
// lexicon (U+0780 + its bit) and `_`. In a rule's Set pattern a reference to a shadowed
// lexicon becomes a word followed by a mark holding that lexicon's code point (`reference`),
// a few dozen bytes whatever the lexicon's size.
//
// A Set only says which rules to run; each fired rule's own RE2 still reads the sentence. So a
// Set pattern on the shadow must match wherever the rule matches the sentence, and may match
// more. The shadow only inserts text, at the ends of marked words, so a match of the rule
// carries over once every atom that can end on such a word's last letter may be followed by
// a mark: a reference to a shadowed lexicon ends with one, every other atom that matches
// letters is followed by an optional mark (`widen_letters`), and so are the other lexicons'
// forms and the words inside them that may carry one (`marked_regex`).
//
// Shadowed lexicons fold case, need \b after each form, and hold forms of ASCII letters only:
// a hit is then a whole word (or, for a lexicon without \b before its forms, the end of one),
// which can hold no other hit. RE2's (?i) also folds k and s to KELVIN SIGN and LONG S; a
// sentence holding either has no shadow (`render` returns false) and every rule of a shadow
// part that its prefilter lets through runs.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "claimx/rules.h"
#include "rules/lexicon_matcher.h"

namespace claimx {

struct BookImage;

class Shadow {
 public:
  // Shadows the lexicons of `lexicons` named in `used` that qualify (at most 64); a phrase
  // lexicon only if its forms take many bytes of the Set patterns (`set_bytes`, by name).
  void build(const LexiconMap& lexicons, const std::set<std::string>& used,
             const std::map<std::string, size_t>& set_bytes);
  bool empty() const { return names_.empty(); }
  bool shadows(std::string_view lexicon) const { return bit(lexicon) >= 0; }
  // The Set pattern of a reference to a shadowed lexicon: a marked word of its.
  std::string reference(std::string_view lexicon) const;
  // An unshadowed lexicon's regex for the shadow: a mark allowed after each word inside a form
  // that may carry one ("a" of "a maximum of"). After the form's end the caller allows one.
  std::string marked_regex(const Lexicon& lexicon) const;
  // What stands for the i-th unshadowed lexicon of a rule while its Set pattern is trimmed: one
  // private-use code point past the marks'.
  static std::string stand_in(int i);
  // The text with each marked word followed by its mark; false when the text holds a
  // character RE2's case folding maps onto an ASCII letter (its matches then differ). `marks`
  // (optional) gets each mark's offset in the text and its size.
  bool render(std::string_view text, std::string* out,
              std::vector<std::pair<size_t, size_t>>* marks = nullptr) const;
  // The lexicons' bits a word (of ASCII word characters) is marked with; 0 for none.
  uint64_t label(std::string_view word) const;

 private:
  friend struct BookImage;
  int bit(std::string_view lexicon) const;
  // Whether a longer form ends with this word (so a word of the text ending with it may be marked).
  bool ends_a_form(std::string_view word) const;
  std::vector<std::string> names_;     // bit -> lexicon name
  std::vector<uint8_t> left_bounded_;  // bit -> forms need \b before them
  // bit -> 0: a word lexicon; 1: phrases of one word each; 2: phrases of several words.
  std::vector<uint8_t> words_;
  bool phrases_of(int bit) const { return words_[bit] > 0; }
  // The forms, as built and as the image holds them (in order); label() reads index()'s tables.
  using Table = std::map<std::string, uint64_t>;
  Table whole_;                           // folded form -> bits (left-bounded lexicons)
  Table suffix_;                          // folded form -> bits (the others)
  std::vector<uint32_t> suffix_lengths_;  // of suffix_'s forms, ascending
  // Phrase lexicons: forms of printable ASCII (spaces, digits, `-`, `.` ...) that end with a
  // letter. A hit ends a word of the text; phrase_label() finds them by walking back from the
  // word's end through a trie of the reversed forms.
  Table phrases_;  // folded form -> bits (made by build(), for compiling)
  // bit -> a phrase lexicon's other forms, which its references match as they are (made by
  // build(), for compiling; a book read from an image has none, and needs none).
  std::map<int, Lexicon> residual_;
  // Filled by index(): what label() reads for every word, an open-addressing table per map
  // (FNV-1a of the folded form) over one buffer of forms, and what most words fail first: the
  // lengths of whole_'s forms, their first and last letters, and the last two of suffix_'s.
  struct Slot {
    uint64_t hash = 0, bits = 0;
    uint32_t offset = 0, size = 0;  // in keys_; size 0: empty
  };
  std::string keys_;
  std::vector<Slot> whole_slots_, suffix_slots_;
  size_t whole_min_ = SIZE_MAX, whole_max_ = 0;
  std::vector<uint8_t> whole_ends_, suffix_tails_;  // 26 * 26 flags each
  struct PhraseNode {
    uint32_t first_edge = 0, edges = 0;  // into phrase_edges_, sorted by byte
    uint64_t bounded = 0;                // bits of forms ending here that need \b before them
    uint64_t free = 0;                   // bits of the other forms ending here
  };
  struct PhraseEdge {
    uint32_t byte = 0, child = 0;
  };
  // Built from phrases_ by index_phrases(); the image holds these rather than the forms.
  std::vector<PhraseNode> phrase_nodes_;  // [0]: the root
  std::vector<PhraseEdge> phrase_edges_;
  // What most word ends fail first (index_phrase_tails(), from the trie): the phrase forms' last
  // two bytes (bit 256 * last + before), and their last bytes of one-byte forms.
  std::vector<uint64_t> phrase_tails_;
  std::vector<uint8_t> phrase_singles_;
  void index_phrase_tails();
  void index();
  void index_phrases();
  uint64_t find(const std::vector<Slot>& slots, std::string_view folded) const;
  // The bits of the phrase forms that text[..end) ends with.
  uint64_t phrase_label(std::string_view text, size_t end) const;
  // Whether a phrase form may end where `text` ends, whatever text comes before it.
  bool phrase_may_end(std::string_view text) const;
};

// The shadows of the texts a thread searched lately: the packs run one after another over a
// window of sentences, and each pack with shadow parts would render the same sentence again.
// Keyed by where the text starts, and checked against a copy of it (a later document may
// reuse the memory).
class ShadowCache {
 public:
  // The text's shadow, or null when it has none (Shadow::render returned false).
  const std::string* get(const Shadow& shadow, std::string_view text);

 private:
  struct Entry {
    const Shadow* shadow = nullptr;
    std::string text, rendered;
    bool ok = false;
  };
  std::unordered_map<const char*, Entry> entries_;
  size_t bytes_ = 0;
};

// An optional mark: what may follow any atom that matches letters in a Set pattern searched
// on the shadow.
const std::string& optional_mark();

// A fragment of a pattern (between {{references}}) with an optional mark after each run of
// atoms that match ASCII letters, and inside the repetition of an atom that matches letters
// and other characters (`.`, `\S`, `[^,]`). False when the fragment cannot be read alone (a
// class or \Q...\E cut by a reference).
bool widen_letters(std::string_view fragment, std::string* out);

}  // namespace claimx
