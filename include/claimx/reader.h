// Reading inputs: whole files or stdin, refused when they are not text.
//
//   std::string error;
//   auto doc = claimx::read_document("article.txt", &error);  // nullopt + error on failure
#pragma once

#include <optional>
#include <string>

#include "claimx/extract.h"

namespace claimx {

// Reads all bytes of path ("-" is stdin). On failure returns nullopt and a reason such as
// "No such file or directory".
std::optional<std::string> read_bytes(const std::string& path, std::string* error);

// Reads and builds a document (id = path, source = path). Refuses binary input with a reason.
std::optional<Document> read_document(const std::string& path, std::string* error);

}  // namespace claimx
