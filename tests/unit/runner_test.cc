// The ordered parallel runner: outcomes in input order whatever the thread count, failures in
// their place, bounded work in flight, a sink that stops the run, cancellation.
#include "claimx/runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "claimx/error.h"
#include "claimx/json_writer.h"

namespace claimx {
namespace {

// Documents of varied length, every 7th item a failure from the reader.
std::vector<Item> items(size_t n) {
  std::vector<Item> out;
  for (size_t i = 0; i < n; ++i) {
    Item item;
    item.source = "item" + std::to_string(i);
    item.bytes = 10;
    if (i % 7 == 3) {
      item.error = "not UTF-8 text";
    } else {
      std::string text = "Report " + std::to_string(i) + ". Exports rose " + std::to_string(i) +
                         "% to $" + std::to_string(i % 13 + 1) + " million.";
      for (size_t k = 0; k < i % 5; ++k) text += " The minister said it was a record.";
      item.doc = make_document(item.source, item.source, text);
    }
    out.push_back(std::move(item));
  }
  return out;
}

struct Seen {
  std::vector<std::string> sources, json;
};

Seen run(unsigned jobs, size_t n, RunnerOptions opt = {}) {
  opt.jobs = jobs;
  opt.batch_docs = 5;  // many batches: more than the window of 2 x jobs
  Seen seen;
  Runner::Render render;
  if (jobs > 1) render = [](const Document& doc, Result& r) { return to_json(doc, r, {}); };
  Runner runner(default_rulebook(), {}, opt, render, [&](Outcome& o) {
    seen.sources.push_back(o.source);
    if (!o.error.empty())
      seen.json.push_back("error: " + o.error);
    else
      seen.json.push_back(o.result ? to_json(*o.doc, *o.result, {}) : o.rendered);
    return true;
  });
  for (auto& item : items(n)) EXPECT_TRUE(runner.add(std::move(item)));
  runner.finish();
  return seen;
}

TEST(Runner, InInputOrderWithFailuresInPlaceWhateverTheJobs) {
  Seen one = run(1, 300), three = run(3, 300);
  ASSERT_EQ(one.sources.size(), 300u);
  for (size_t i = 0; i < 300; ++i) EXPECT_EQ(one.sources[i], "item" + std::to_string(i));
  EXPECT_EQ(one.json[3], "error: not UTF-8 text");
  EXPECT_NE(one.json[4].find("\"figures\""), std::string::npos);
  EXPECT_EQ(one.sources, three.sources);
  EXPECT_TRUE(one.json == three.json);  // (a boolean: 300 documents would bury the difference)
}

TEST(Runner, HoldsAtMostItsWindowOfBatches) {
  std::atomic<size_t> delivered{0};
  RunnerOptions opt;
  opt.jobs = 2;
  opt.batch_docs = 4;
  size_t most = 0, added = 0;
  Runner runner(default_rulebook(), {}, opt, nullptr, [&](Outcome&) {
    ++delivered;
    return true;
  });
  for (auto& item : items(400)) {
    runner.add(std::move(item));
    ++added;
    most = std::max(most, added - delivered.load());
  }
  runner.finish();
  EXPECT_EQ(delivered.load(), 400u);
  // 2 x jobs batches queued, in work or waiting, and the batch being gathered.
  EXPECT_LE(most, (2 * opt.jobs + 1) * opt.batch_docs);
}

// Three items a batch: many batches, more than the window of 2 x jobs.
RunnerOptions small_batches(unsigned jobs) {
  RunnerOptions opt;
  opt.jobs = jobs;
  opt.batch_docs = 3;
  return opt;
}

TEST(Runner, ASinkThatFailsStopsTheRun) {
  for (unsigned jobs : {1u, 3u}) {
    size_t calls = 0;
    Runner runner(default_rulebook(), {}, small_batches(jobs), nullptr,
                  [&](Outcome&) { return ++calls < 10; });
    size_t accepted = 0;
    for (auto& item : items(500))
      if (runner.add(std::move(item))) ++accepted;
    runner.finish();
    EXPECT_EQ(calls, 10u) << jobs;
    EXPECT_TRUE(runner.stopped());
    EXPECT_LT(accepted, 500u) << jobs;
  }
}

TEST(Runner, CancelDeliversNothingMore) {
  size_t calls = 0;
  Runner* self = nullptr;
  Runner runner(default_rulebook(), {}, small_batches(2), nullptr, [&](Outcome&) {
    if (++calls == 5) self->cancel();
    return true;
  });
  self = &runner;
  for (auto& item : items(200))
    if (!runner.add(std::move(item))) break;
  runner.finish();
  EXPECT_EQ(calls, 5u);
}

TEST(Runner, ASinkThatThrowsStopsTheRunAndFinishRethrows) {
  for (unsigned jobs : {1u, 3u}) {
    size_t calls = 0;
    Runner runner(default_rulebook(), {}, small_batches(jobs), nullptr, [&](Outcome&) -> bool {
      if (++calls == 7) throw Error("disk full");
      return true;
    });
    for (auto& item : items(100))
      if (!runner.add(std::move(item))) break;
    EXPECT_THROW(runner.finish(), Error) << jobs;
    EXPECT_EQ(calls, 7u) << jobs;
    EXPECT_FALSE(runner.add(items(1)[0]));  // finished
  }
}

TEST(Runner, InvalidOptionsAreTheCallersError) {
  ExtractOptions bad;
  bad.anchor_date = "2026-13-01";
  Runner runner(default_rulebook(), bad, {}, nullptr, [](Outcome&) { return true; });
  for (auto& item : items(3)) runner.add(std::move(item));
  EXPECT_THROW(runner.finish(), Error);
}

}  // namespace
}  // namespace claimx
