// Paragraph and sentence segmentation.
//
// Sentences are byte ranges into the document text; the text itself is never changed. The
// segmenter knows no words of its own: abbreviations and sentence starters come from the
// lexicons of the rule packs (patterns/lexicon/segment.yaml), so a new abbreviation is a data edit.
//
//   claimx::SegmentRules rules = ...;               // usually from RuleBook::segment_rules()
//   auto sentences = claimx::split_sentences(text, 0, text.size(), rules);
//
// Thread-safe: pure functions over their arguments.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace claimx {

struct TextRange {
  size_t start = 0;  // byte offset, inclusive
  size_t end = 0;    // byte offset, exclusive
};

struct SegmentRules {
  // Lower-case, without the final period: "mr", "jan", "u.s", "e.g", "no", "p".
  // A period after one of these does not end a sentence unless the next word is a
  // sentence starter (for "u.s"-like acronyms) or the text ends.
  std::unordered_set<std::string> abbreviations;
  // Abbreviations that never end a sentence, whatever follows ("mr", "dr", "st").
  std::unordered_set<std::string> title_abbreviations;
  // Abbreviations that take a number after them and end no sentence there ("no", "p", "vol").
  std::unordered_set<std::string> number_abbreviations;
  // Capitalised words that usually open a sentence ("The", "This", "Now", "He").
  std::unordered_set<std::string> sentence_starters;
};

// Paragraphs: maximal runs of non-blank lines are split at every line break, since news text
// puts one paragraph per line. Blank lines separate too. Leading/trailing spaces are trimmed.
std::vector<TextRange> split_paragraphs(std::string_view text);

// Sentences of text[begin, end): trimmed of surrounding whitespace, in order, non-overlapping.
// end is clamped to text.size(); an empty or inverted range gives no sentences. A line break
// inside the range always ends a sentence; list items ("1.", "2)", "(a)", "•") start one.
// Linear time, memory independent of the input apart from the result; invalid UTF-8 is safe.
std::vector<TextRange> split_sentences(std::string_view text, size_t begin, size_t end,
                                       const SegmentRules& rules);

}  // namespace claimx
