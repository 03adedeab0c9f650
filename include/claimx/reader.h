// Reading inputs: whole files or stdin, refused when they are not text.
//
//   std::string error;
//   auto doc = claimx::read_document("article.txt", &error);  // nullopt + error on failure
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "claimx/extract.h"

namespace claimx {

// Reads all bytes of path ("-" is stdin). On failure returns nullopt and a reason such as
// "No such file or directory".
std::optional<std::string> read_bytes(const std::string& path, std::string* error);

// Reads and builds a document (id = path, source = path). Refuses binary input with a reason.
std::optional<Document> read_document(const std::string& path, std::string* error);

// An HTML page as a document: its charset (from content_type or a <meta>) converted to UTF-8,
// its main text, title, date and URL (extract_html). id = source.
Document html_document(std::string bytes, const std::string& content_type,
                       const std::string& source);

// JSONL: one JSON object per line, the article text in a field.
struct JsonlFields {
  std::string text = "text";
  std::string id = "id";      // absent: the source "path:LINE" is the id
  std::string date = "date";  // YYYY-MM-DD (or an ISO date-time): the relative-date anchor
  std::string title = "title";
};

// One JSONL line as a document (source = "path:LINE"); nullopt and a reason when it is not a
// JSON object with a string text field.
std::optional<Document> jsonl_record(const std::string& line, const std::string& source,
                                     const JsonlFields& fields, std::string* error);

// Reads path ("-" is stdin) line by line: on_document gets each good record (source
// "path:LINE"), on_error each bad one ("path:LINE", reason) and the run goes on. Blank lines are
// skipped. Returns false, with *error, only when the file cannot be read at all.
bool read_jsonl(const std::string& path, const JsonlFields& fields,
                const std::function<void(Document)>& on_document,
                const std::function<void(const std::string&, const std::string&)>& on_error,
                std::string* error);

}  // namespace claimx
