// JSONL record reading as the batch reader does it (--input-format jsonl): every line is a
// document or a named failure, and every document's text is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>

#include "claimx/ingest.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static claimx_fuzz::MemFile file;
  const std::string& path = file.write(data, size);
  claimx::IngestOptions options;
  options.format = "jsonl";
  claimx::ingest({path}, options, [&](claimx::Item item) {
    if (item.doc) {
      if (!claimx_fuzz::valid_utf8(item.doc->text)) claimx_fuzz::fail("record text not UTF-8");
      if (item.doc->source.rfind(path + ":", 0) != 0) claimx_fuzz::fail("record source unnamed");
    } else if (item.error.empty()) {
      claimx_fuzz::fail("failure without a reason");
    }
    return true;
  });
  return 0;
}
