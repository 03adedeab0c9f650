// Rule-pack loading: arbitrary YAML as a --patterns pack on top of a small base pack. Loading
// and compiling must end in success or RuleErrors (file:line:col: message), never a crash; a
// pack that compiles is matched over a sentence, extracted from (every stage interprets what
// its rules matched: a wrong attribute must have been refused by the contract, and anything
// else may only be a claimx::Error) and has its examples checked.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "claimx/check.h"
#include "claimx/error.h"
#include "claimx/extract.h"
#include "claimx/rules.h"
#include "fuzz_util.h"

namespace {

const char kBase[] = R"(pack: base
defines:
  NUM: '\d+(?:\.\d+)?'
lexicons:
  units:
    entries: [{form: km, name: kilometre}, {form: mile}]
rules:
  - id: base.number
    kind: number
    pattern: '\b{{NUM}}\b'
    examples:
      - text: 'about 42 of them'
        expect: {text: '42', value: 42}
)";

const char kText[] = "The minister said revenue rose 5% to $3 million in 2024, 12 km away.";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  claimx::RuleBook book;
  std::vector<claimx::RuleError> errors;
  book.add_sources(
      {{"base.yaml", kBase}, {"fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size)}},
      &errors);
  if (errors.empty() && book.compile(&errors)) {
    std::string_view text(kText);
    for (const auto& pack : book.pack_names()) {
      std::vector<claimx::Match> hits;
      book.match_pack(pack, text, 0, text.size(), &hits);
      for (const auto& m : hits)
        if (m.span.start > m.span.end || m.span.end > text.size())
          claimx_fuzz::fail("match outside the text");
    }
    try {
      claimx::extract(claimx::make_document("fuzz", "", std::string(text)), book, {});
    } catch (const claimx::Error&) {
      // a named failure: what the CLI reports for the document
    }
    errors = claimx::check_examples(book);
    for (const auto& e : claimx::pattern_warnings(book)) errors.push_back(e);
  }
  for (const auto& e : errors)
    if (e.format().empty()) claimx_fuzz::fail("empty error message");
  return 0;
}
