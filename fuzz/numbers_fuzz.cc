// Number and money parsing: the number-word grammar (cardinals, fractions, ordinals, runs split
// into numbers), the written-digits parser with any power of ten, and money figures read
// straight after a currency sign.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "claimx/extract.h"
#include "claimx/text.h"
#include "extract/internal.h"
#include "fuzz_util.h"

namespace {

void check_value(const std::optional<double>& v, const char* what) {
  if (v && std::isnan(*v)) claimx_fuzz::fail(std::string(what) + " gave NaN");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const claimx::RuleBook& book = claimx::default_rulebook();
  static const claimx::NumberLexicons lx = claimx::number_lexicons(book);
  size_t replaced = 0;
  std::string words =
      claimx::repair_utf8(std::string_view(reinterpret_cast<const char*>(data), size), &replaced);
  check_value(claimx::words_value(words, lx), "words_value");
  check_value(claimx::ordinal_words_value(words, lx), "ordinal_words_value");
  for (const auto& part : claimx::split_number_words(words, lx))
    if (part.offset > words.size() || part.length > words.size() - part.offset)
      claimx_fuzz::fail("split_number_words part outside its input");
  int pow10 = size ? static_cast<int8_t>(data[0]) : 0;
  check_value(claimx::decimal_value(words, pow10), "decimal_value");
  if (size <= 256) {  // money: the bytes right after a currency sign and before a scale word
    claimx::Document doc = claimx::make_document("fuzz", "fuzz", "It cost $" + words + " million.");
    claimx::Result r = claimx::extract(doc, book, {});
    for (const auto& f : r.figures)
      if (f.span.end > doc.text.size() || f.span.start > f.span.end)
        claimx_fuzz::fail("figure span outside the document");
  }
  return 0;
}
