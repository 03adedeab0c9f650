#include "claimx/extractor.h"

#include <sstream>

#include "rules/embedded.h"

namespace claimx {

namespace {

std::string joined(const std::vector<RuleError>& errors) {
  std::string all;
  for (const auto& e : errors) all.append(all.empty() ? "" : "\n").append(e.format());
  return all;
}

}  // namespace

RulePackError::RulePackError(std::vector<RuleError> e) : Error(joined(e)), errors(std::move(e)) {}

std::unique_ptr<RuleBook> compile_rulebook(const std::vector<std::string>& dirs,
                                           bool with_examples) {
  auto book = std::make_unique<RuleBook>();
  std::vector<RuleError> errors;
  // The embedded packs as compiled at build time, unless their examples are wanted (they are
  // not in the image): the YAML is read for `rules check` only.
  std::string_view image = with_examples ? std::string_view() : embedded_book_image();
  if (!image.empty())
    book->load_image(image, &errors, true);
  else
    book->add_sources(embedded_pack_sources(), &errors);
  for (const auto& d : dirs) book->add_directory(d, &errors);
  if (errors.empty()) book->compile(&errors);
  if (!errors.empty()) throw RulePackError(std::move(errors));
  return book;
}

void set_only(const std::string& kinds, WriteOptions* o) {
  o->figures = o->entities = o->agreements = o->claims = false;
  std::stringstream ss(kinds);
  for (std::string k; std::getline(ss, k, ',');) {
    if (k == "figures")
      o->figures = true;
    else if (k == "entities")
      o->entities = true;
    else if (k == "agreements")
      o->agreements = true;
    else if (k == "claims")
      o->claims = true;
    else
      throw Error("unknown kind '" + k + "' (figures, entities, agreements, claims)");
  }
}

OffsetUnit parse_offsets(const std::string& unit) {
  if (unit == "codepoints") return OffsetUnit::kCodepoints;
  if (unit == "bytes") return OffsetUnit::kBytes;
  if (unit == "utf16") return OffsetUnit::kUtf16;
  throw Error("unknown offset unit '" + unit + "' (codepoints, bytes, utf16)");
}

Extractor::Extractor(ExtractorOptions options) : options_(std::move(options)) {
  if (options_.patterns.empty())
    book_ = std::shared_ptr<const RuleBook>(&default_rulebook(), [](const RuleBook*) {});
  else
    book_ = compile_rulebook(options_.patterns);
  check_options(options_.extract);
}

std::string Extractor::to_json(const Document& doc, const WriteOptions& write,
                               const ExtractOptions& extract) const {
  std::vector<Result> r = extract_batch({&doc}, *book_, extract);
  if (!r.front().error.empty()) throw Error(r.front().error);
  return claimx::to_json(doc, r.front(), write);
}

}  // namespace claimx
