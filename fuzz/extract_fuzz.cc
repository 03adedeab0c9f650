// Whole-document extraction on arbitrary bytes: make_document repairs the UTF-8, extract() runs
// every stage, and the JSON must parse with every item's text equal to the document at its
// offsets.
#include <cstddef>
#include <cstdint>
#include <string>

#include "claimx/extract.h"
#include "claimx/json_writer.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const claimx::RuleBook& book = claimx::default_rulebook();
  claimx::Document doc =
      claimx::make_document("fuzz", "fuzz", std::string(reinterpret_cast<const char*>(data), size));
  if (!claimx_fuzz::valid_utf8(doc.text)) claimx_fuzz::fail("repaired text is not valid UTF-8");
  claimx::ExtractOptions options;
  options.anchor_date = "2026-11-25";
  claimx::Result result = claimx::extract(doc, book, options);
  claimx::WriteOptions write;
  write.sentences = write.include_text = write.all_sentences = write.explain = true;
  std::string out = claimx::to_json(doc, result, write);
  nlohmann::json parsed = nlohmann::json::parse(out, nullptr, false);
  if (parsed.is_discarded()) claimx_fuzz::fail("output is not JSON");
  if (parsed["document"]["text"] != doc.text) claimx_fuzz::fail("document.text differs");
  std::u32string text = claimx_fuzz::codepoints(doc.text);
  if (parsed["document"]["chars"] != text.size()) claimx_fuzz::fail("document.chars is wrong");
  claimx_fuzz::check_spans(parsed, text);
  return 0;
}
