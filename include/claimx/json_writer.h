// Writes a document's result as claimx/1 JSON (schema/claimx.schema.json).
//
// Offsets are converted from internal byte offsets to the chosen unit (code points by
// default). Keys keep the contract's order; the same input gives the same bytes.
//
//   std::string line = claimx::to_json(doc, result, {});   // one line, no trailing newline
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "claimx/extract.h"
#include "claimx/text.h"

namespace claimx {

struct WriteOptions {
  OffsetUnit offsets = OffsetUnit::kCodepoints;
  bool sentences = false;     // add sentences[]
  bool include_text = false;  // add document.text
  bool figures = true, entities = true, agreements = true, claims = true;
  bool all_sentences = false;  // claims[] lists every body sentence with its score
  bool explain = false;        // claims carry their score terms; those below it, not_claim_reason
  bool pretty = false;         // indented, several lines
};

std::string to_json(const Document& doc, const Result& result, const WriteOptions& options);

// Writes the same JSON and a newline to out, in chunks (memory does not grow with the output).
// Returns false when writing failed (errno tells why).
bool write_json(const Document& doc, const Result& result, const WriteOptions& options,
                std::FILE* out);

// The document's title: its metadata's, else its headline's text; nullopt when it has neither.
std::optional<std::string_view> document_title(const Document& doc, const Result& result);

// A number as the JSON output writes it: integral values without a fraction, others shortest
// round-trip; "null" for what is not a number.
std::string json_number(const nlohmann::json& value);

// A figure's value as one string: the number as json_number() writes it or the ISO 8601 text,
// and a range's "low..high"; empty when the figure has no value.
std::string figure_value_text(const Figure& figure);

}  // namespace claimx
