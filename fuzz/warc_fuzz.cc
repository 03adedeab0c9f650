// The WARC reader (--input-format warc): records, HTTP heads, chunked and gzip bodies, HTML
// pages. Every item is a document or a failure named "path@OFFSET" with a reason.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  claimx_fuzz::ingest_as(data, size, "warc", [](const std::string& path, const claimx::Item& item) {
    if (item.doc && !claimx_fuzz::valid_utf8(item.doc->text))
      claimx_fuzz::fail("page text not UTF-8");
    if (item.source.rfind(path, 0) != 0) claimx_fuzz::fail("item source unnamed");
  });
  return 0;
}
