// The ordered parallel runner: items (documents or failures from ingest()) go in, one outcome
// per item comes out, in input order, whatever the thread count. Every front end that extracts
// many documents (the CLI, the Python module, the service's batch endpoint) stands on it.
//
//   claimx::Runner run(book, xopt, {/*jobs*/ 4}, render, sink);
//   claimx::ingest(files, iopt, [&](claimx::Item item) { return run.add(std::move(item)); });
//   run.finish();
//
// Items are gathered into batches (extract_batch(): many short documents share the packs'
// automata while they are hot in the CPU caches); at most 2 x jobs batches are queued, in work
// or waiting for their turn to the sink, so add() blocks while the window is full and memory
// stays bounded whatever the input. A document whose extraction fails is an outcome with
// `error` in its place; the others are unaffected.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "claimx/extract.h"
#include "claimx/ingest.h"

namespace claimx {

struct RunnerOptions {
  unsigned jobs = 1;               // worker threads; 1: batches run on the caller's thread
  size_t batch_bytes = 128 << 10;  // a batch is full at this much text ...
  size_t batch_docs = 256;         // ... or this many items
  // Run even one job on a worker thread, so that the caller goes on meanwhile (the Python
  // module parses finished results while the next batch is extracted).
  bool threaded = false;
};

// One item's outcome, handed to the sink in input order.
struct Outcome {
  std::string source;
  size_t bytes = 0;      // input bytes the item stands for (progress)
  std::string error;     // non-empty: the item failed (bad input, or its extraction failed)
  std::string rendered;  // what render() made of the document, when a render step is given
  // Without a render step: the document and its result (empty on failure).
  std::optional<Document> doc;
  std::optional<Result> result;
};

class Runner {
 public:
  // Runs on the worker threads, one call per extracted document: turns it into what the sink
  // takes (the CLI renders JSON here, so that rendering runs in parallel too). The result may
  // be moved from.
  using Render = std::function<std::string(const Document&, Result&)>;
  // Takes the outcomes in input order, one call at a time; false stops the run (an output that
  // failed): later items are dropped and add() returns false.
  using Sink = std::function<bool(Outcome&)>;

  Runner(const RuleBook& book, ExtractOptions extract, RunnerOptions options, Render render,
         Sink sink);
  ~Runner();  // finish()
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Adds an item; blocks while the window of batches is full. False once the run has stopped
  // (the sink returned false, or cancel()).
  bool add(Item item);
  // Runs what is left and waits until every outcome has reached the sink. Rethrows an invalid
  // option's claimx::Error, or what the sink threw (the run stopped there).
  void finish();
  // Stops the run: nothing more reaches the sink, batches not yet started are dropped, add()
  // returns false from now on. Safe from any thread; finish() still waits for the workers.
  void cancel();
  bool stopped() const { return stopped_.load(); }

 private:
  void submit();
  std::vector<Outcome> run_batch(std::vector<Item>& items);
  void deliver(size_t seq, std::vector<Outcome> outcomes);  // with mu_ held
  void work();
  void drop_queued();                        // with mu_ held
  void stop_with(std::exception_ptr error);  // with mu_ held

  const RuleBook& book_;
  ExtractOptions extract_;
  RunnerOptions options_;
  Render render_;
  Sink sink_;

  std::vector<Item> batch_;
  size_t batch_bytes_ = 0;

  std::mutex mu_;
  std::condition_variable work_ready_, room_;
  std::deque<std::pair<size_t, std::vector<Item>>> queue_;
  std::map<size_t, std::vector<Outcome>> ready_;  // done, waiting for their turn to the sink
  size_t next_seq_ = 0, next_deliver_ = 0;
  bool finishing_ = false;
  bool finished_ = false;  // finish() was called: add() takes nothing more (caller's thread only)
  std::atomic<bool> stopped_{false};
  std::atomic<std::thread::id> sink_thread_{};  // the thread in the sink, so cancel() may be called
  std::vector<std::thread> workers_;
  std::exception_ptr error_;
};

}  // namespace claimx
