// Extraction: one document in, typed items out (figures, entities, agreements, claims).
//
//   claimx::Document doc = claimx::make_document("id", "source", bytes);  // repairs UTF-8
//   claimx::Result r = claimx::extract(doc, claimx::default_rulebook(), {});
//   for (const auto& f : r.figures) ...  // byte offsets into doc.text
//
// Pipeline: zone -> segment -> match -> interpret -> link (see docs/ARCHITECTURE.md).
// Thread-safety: extract() only reads the RuleBook; documents are independent.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "claimx/error.h"
#include "claimx/rules.h"
#include "claimx/segment.h"

namespace claimx {

struct Warning {
  std::string code;     // "invalid-utf8", ...
  std::string message;  // for people
  size_t count = 0;
};

struct Document {
  std::string id;
  std::string source;                // path, "-" for stdin
  std::string text;                  // valid UTF-8 (repaired)
  std::optional<std::string> title;  // from metadata, else the headline zone
  std::optional<std::string> date;   // YYYY-MM-DD: the anchor for relative dates
  std::optional<std::string> url;    // HTML canonical URL, WARC-Target-URI, JSONL url field
  std::vector<Warning> warnings;
};

// Builds a document from raw bytes: invalid UTF-8 becomes U+FFFD and is reported in warnings;
// a leading byte-order mark is kept as text (offsets stay exact) but reported.
Document make_document(std::string id, std::string source, std::string bytes);

struct Sentence {
  TextRange span;
  std::string zone;  // headline, byline, dateline, body, boilerplate
};

struct Boilerplate {
  TextRange span;
  std::string reason;  // related-links, furniture, share
};

struct Figure {
  std::string kind;
  TextRange span;
  nlohmann::json value;      // number, ISO 8601 string for dates, or null
  nlohmann::json value_max;  // number or null
  bool overflow = false;     // the number is too large to represent: value is null
  std::string unit;
  std::string currency;
  bool currency_ambiguous = false;
  std::vector<std::string> candidates;
  std::string qualifier;
  std::string granularity;
  int sentence = -1;
  std::string_view rule;  // rule id (Rule::stable_id: valid after the book is gone)
  int priority = 0;
};

struct Mention {
  TextRange span;
  std::string_view rule;  // rule id (Rule::stable_id), or a linking step's name (a literal)
  std::string form;       // name, acronym, title, demonym
};

struct Entity {
  std::string type;  // person, organization, place
  std::string subtype;
  std::string name;
  std::vector<std::string> aliases;
  std::vector<Mention> mentions;
};

struct Agreement {
  std::string name;
  std::vector<std::string> aliases;
  std::string type;  // trade, security, climate, strategic, investment, other
  // treaty, trade, merger, takeover, contract, order, settlement, partnership, sponsorship,
  // licensing, transfer, ceasefire, other
  std::string kind;
  // proposed, negotiating, agreed, signed, ratified, in-force, rejected, collapsed, withdrawn,
  // expired; empty when unknown
  std::string status;
  bool named = true;               // a proper name ("Kyoto Protocol"), not a reported deal
  std::vector<size_t> parties;     // indices into Result::entities
  std::vector<std::string> roles;  // by party: buyer, seller, target, ... or ""
  std::optional<size_t> value;     // index into Result::figures: the money it is worth
  std::optional<size_t> date;      // index into Result::figures: a date given with it
  TextRange evidence{0, 0};        // the sentence that best states it
  std::vector<Mention> mentions;
};

struct Attribution {
  std::optional<size_t> entity;  // index into Result::entities
  TextRange speaker;
  std::string verb;
  bool direct = false;
};

struct Change {
  std::string direction;  // up, down
  TextRange verb;
  std::optional<size_t> by, from, to;  // indices into Result::figures
};

// One term of a claim's score: z = sum of value * weight over the terms (the first is the bias,
// value 1), checkworthiness = 1 / (1 + e^-z).
struct ScoreTerm {
  std::string name;  // "bias", a cue's feature, or a built-in (figure.<kind>, entity, short, ...)
  double value = 0;
  double weight = 0;  // 0 when the model has no weight for it
};

struct Claim {
  TextRange span;
  std::string key;  // "ck1-" + 16 hex digits: the same facts, the same key (claim_key.cc)
  int sentence = -1;
  std::vector<std::string> types;
  double checkworthiness = 0;
  std::vector<size_t> figures, entities, agreements;  // indices into Result
  std::optional<Attribution> attribution;
  std::optional<Change> change;
  bool hedged = false;
  bool negated = false;
  std::vector<std::string> cues;  // rule ids
  std::vector<ScoreTerm> terms;   // what the score is made of (bias first, then by name)
  std::string not_claim_reason;   // below the threshold: why ("question", "no-claim-cue", ...)
};

// The word terms ("w:...") of a claim's score that weigh most: up to n, by the size of their
// contribution (largest first; ties by name). What --explain shows as top_words.
std::vector<const ScoreTerm*> top_word_terms(const Claim& claim, size_t n);

struct Result {
  // Non-empty when extracting this document failed (extract_batch): the other fields are empty.
  std::string error;
  std::vector<Sentence> sentences;
  std::vector<Boilerplate> boilerplate;
  std::optional<TextRange> headline;
  std::vector<Figure> figures;
  std::vector<Entity> entities;
  std::vector<Agreement> agreements;
  std::vector<Claim> claims;      // check-worthy sentences (score >= min_score)
  std::vector<Claim> all_scored;  // every body sentence with its score
};

struct ExtractOptions {
  std::optional<std::string> anchor_date;  // YYYY-MM-DD; else the document's date; else none
  std::optional<double> min_score;         // default: the claims model's threshold
  // Keep only the document's N highest-scoring claims (in document order; ties: the earlier).
  std::optional<size_t> top;
  // Join neighbouring dates and times into ranges and date-times (compose_dates). Rule examples
  // are checked without it: they test each rule's own item.
  bool compose_dates = true;
  // Keep every scored body sentence in Result::all_scored (what --all-sentences prints). Off,
  // a batch run holds only the check-worthy ones: a scored sentence is about a kilobyte.
  bool keep_all_scored = true;
};

// Throws claimx::Error when the options are invalid: an anchor date that is no YYYY-MM-DD date,
// a min score outside 0..1.
void check_options(const ExtractOptions& options);

// Throws claimx::Error when the options are invalid (check_options) or extraction fails.
Result extract(const Document& doc, const RuleBook& rules, const ExtractOptions& options);

// Several documents at once, results in their order: each the same as extract() gives it, but
// faster on many short documents, since the packs run over the sentences of many documents in
// turn and their automata stay in the CPU caches. Memory grows with the documents passed: batch
// a few hundred kilobytes of text at a time. A document whose extraction fails gets a Result
// with `error` set, in its place; the others are unaffected. Invalid options throw claimx::Error.
std::vector<Result> extract_batch(const std::vector<const Document*>& docs, const RuleBook& rules,
                                  const ExtractOptions& options);

}  // namespace claimx

namespace claimx {
// True when s is a valid calendar date written YYYY-MM-DD.
bool parse_iso_date_public(const std::string& s);
}  // namespace claimx
