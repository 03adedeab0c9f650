// Batch input: files, stdin, directories, compressed files, tar/zip members, text, HTML, JSONL
// and WARC, as one ordered stream of documents and failures.
//
//   claimx::IngestOptions opt;  opt.recursive = true;
//   claimx::ingest({"dumps/"}, opt, [](claimx::Item item) { ...; return true; });
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "claimx/extract.h"
#include "claimx/reader.h"

namespace claimx {

struct IngestOptions {
  std::string format = "auto";  // auto, text, html, jsonl, warc
  bool recursive = false;       // directories: walk them (sorted, hidden names skipped)
  JsonlFields fields;
  // A document (file, archive member, JSONL line, WARC record, decompressed body) past this many
  // bytes is a named failure and is not held in memory; the rest of the input goes on.
  size_t max_doc_bytes = size_t{64} << 20;
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT): stop at the next item
};

// One document, or one failure named by its source ("path", "path:LINE", "a.tar!member",
// "a.warc.gz@OFFSET").
struct Item {
  std::optional<Document> doc;
  std::string source;
  std::string error;
  size_t bytes = 0;  // input bytes this item stands for (progress)
};

// Calls sink with every item in input order; sink returns false to stop early. Memory is bounded
// by the largest single document: archives, JSONL and WARC are streamed.
void ingest(const std::vector<std::string>& inputs, const IngestOptions& options,
            const std::function<bool(Item)>& sink);

}  // namespace claimx
