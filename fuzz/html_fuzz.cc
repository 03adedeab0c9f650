// The HTML reader: charset sniffing, conversion to UTF-8 and main-text extraction over gumbo's
// tree, on arbitrary bytes. The date, when found, must be a calendar date.
#include <cstddef>
#include <cstdint>
#include <string>

#include "claimx/extract.h"
#include "claimx/html.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string charset = claimx::html_charset(bytes, "");
  bytes = claimx::to_utf8(std::move(bytes), charset);
  claimx::HtmlArticle a = claimx::extract_html(bytes);
  if (a.date && !claimx::parse_iso_date_public(*a.date)) claimx_fuzz::fail("bad date " + *a.date);
  claimx::Document doc = claimx::make_document("fuzz", "fuzz", std::move(a.text));
  if (!claimx_fuzz::valid_utf8(doc.text)) claimx_fuzz::fail("text not UTF-8 after repair");
  return 0;
}
