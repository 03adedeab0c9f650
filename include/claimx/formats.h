// Output formats besides claimx/1 JSON: TSV for spreadsheets and awk, JSON-LD (schema.org
// NewsArticle, Claim and ClaimReview) for fact-check publishing, and an HTML report for people
// (one self-contained page for all the documents: the prologue opens it, the epilogue ends it).
//
// A stream of documents is the prologue, each document in input order, then the epilogue:
//
//   out << format_prologue(OutputFormat::kTsv);                  // the header row
//   out << format_document(OutputFormat::kTsv, doc, result, {});  // that document's rows
//   out << format_epilogue(OutputFormat::kTsv);                  // nothing for TSV
//
// format_document() of kJson is to_json() and a newline (json_writer.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "claimx/extract.h"
#include "claimx/json_writer.h"

namespace claimx {

enum class OutputFormat { kJson, kTsv, kJsonLd, kHtml };

// "json", "tsv", "jsonld", "html"; nullopt for any other name.
std::optional<OutputFormat> parse_format(std::string_view name);

std::string format_prologue(OutputFormat format);
std::string format_document(OutputFormat format, const Document& doc, const Result& result,
                            const WriteOptions& options);
std::string format_epilogue(OutputFormat format);

// The TSV escaping: backslash, tab, line feed and carriage return become \\, \t, \n and \r.
std::string tsv_escape(std::string_view field);

}  // namespace claimx
