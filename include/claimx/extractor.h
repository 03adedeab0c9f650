// A rule book compiled once with the options a front end was given: what the CLI, the Python
// module and the service share, so that the same input and options give the same bytes in each.
//
//   claimx::ExtractorOptions o;
//   o.patterns = {"my-packs"};                      // on top of the embedded packs
//   claimx::Extractor ex(o);                        // throws RulePackError (file:line:col)
//   std::string json = ex.to_json(claimx::make_document("-", "-", text));
//
// An Extractor is immutable once made and safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "claimx/error.h"
#include "claimx/extract.h"
#include "claimx/json_writer.h"
#include "claimx/rules.h"

namespace claimx {

// A rule pack that does not compile (or a directory that holds none): every message, each
// "file:line:col: message", one per line in what().
struct RulePackError : Error {
  explicit RulePackError(std::vector<RuleError> errors);
  std::vector<RuleError> errors;
};

struct ExtractorOptions {
  std::vector<std::string> patterns;  // directories of packs added over the embedded ones
  ExtractOptions extract;
  WriteOptions write;
};

// The embedded packs and the packs of each directory, compiled; throws RulePackError. The
// embedded packs come from the image compiled at build time, or with their examples (for
// `rules check`) from their sources.
std::unique_ptr<RuleBook> compile_rulebook(const std::vector<std::string>& dirs,
                                           bool with_examples = false);

// "figures,claims" into the write options' kinds; throws Error naming an unknown kind.
void set_only(const std::string& kinds, WriteOptions* options);
// "codepoints", "bytes" or "utf16"; throws Error otherwise.
OffsetUnit parse_offsets(const std::string& unit);

class Extractor {
 public:
  // Compiles the packs (the embedded book is shared, not compiled again, when no directory is
  // given) and checks the options: RulePackError for a pack, Error for an invalid option.
  explicit Extractor(ExtractorOptions options = {});

  const RuleBook& book() const { return *book_; }
  const ExtractorOptions& options() const { return options_; }

  // The document's JSON, exactly as the CLI prints it (without the newline). `write` overrides
  // the Extractor's write options for this call. Throws Error when extraction fails.
  std::string to_json(const Document& doc) const {
    return to_json(doc, options_.write, options_.extract);
  }
  std::string to_json(const Document& doc, const WriteOptions& write,
                      const ExtractOptions& extract) const;

 private:
  ExtractorOptions options_;
  std::shared_ptr<const RuleBook> book_;
};

}  // namespace claimx
