// JSONL record reading as the batch reader does it (--input-format jsonl): every line is a
// document or a named failure, and every document's text is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  claimx_fuzz::ingest_as(data, size, "jsonl",
                         [](const std::string& path, const claimx::Item& item) {
                           if (!item.doc) return;
                           if (!claimx_fuzz::valid_utf8(item.doc->text))
                             claimx_fuzz::fail("record text not UTF-8");
                           if (item.doc->source.rfind(path + ":", 0) != 0)
                             claimx_fuzz::fail("record source unnamed");
                         });
  return 0;
}
