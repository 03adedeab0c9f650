// The ordered parallel runner (include/claimx/runner.h).
#include "claimx/runner.h"

#include "claimx/error.h"

namespace claimx {

Runner::Runner(const RuleBook& book, ExtractOptions extract, RunnerOptions options, Render render,
               Sink sink)
    : book_(book),
      extract_(std::move(extract)),
      options_(options),
      render_(std::move(render)),
      sink_(std::move(sink)) {
  if (options_.jobs <= 1 && !options_.threaded) return;
  try {
    for (unsigned w = 0; w < options_.jobs; ++w) workers_.emplace_back([this] { work(); });
  } catch (...) {  // a thread that could not start (-j 100000): stop the others, then report
    {
      std::lock_guard lock(mu_);
      finishing_ = true;
    }
    work_ready_.notify_all();
    for (auto& t : workers_) t.join();
    throw;
  }
}

Runner::~Runner() {
  try {
    finish();
  } catch (...) {
    // finish() rethrows an invalid option's error; a destructor may not
  }
}

bool Runner::add(Item item) {
  if (stopped_.load() || finished_) return false;
  if (item.doc) batch_bytes_ += item.doc->text.size();
  batch_.push_back(std::move(item));
  if (batch_bytes_ >= options_.batch_bytes || batch_.size() >= options_.batch_docs) submit();
  return !stopped_.load();
}

void Runner::submit() {
  if (batch_.empty()) return;
  std::vector<Item> items = std::exchange(batch_, {});
  batch_bytes_ = 0;
  std::unique_lock lock(mu_);
  if (options_.jobs <= 1 && !options_.threaded) {  // on the caller's thread, nothing queued
    size_t seq = next_seq_++;
    lock.unlock();
    std::vector<Outcome> done = run_batch(items);
    lock.lock();
    deliver(seq, std::move(done));
    return;
  }
  room_.wait(lock, [&] { return next_seq_ - next_deliver_ < 2 * options_.jobs || stopped_; });
  if (stopped_) return;
  queue_.emplace_back(next_seq_++, std::move(items));
  work_ready_.notify_one();
}

std::vector<Outcome> Runner::run_batch(std::vector<Item>& items) {
  std::vector<const Document*> docs;
  for (const auto& item : items)
    if (item.doc) docs.push_back(&*item.doc);
  std::vector<Result> results;
  try {
    results = extract_batch(docs, book_, extract_);
  } catch (...) {  // invalid options: the run stops, finish() rethrows
    std::lock_guard lock(mu_);
    stop_with(std::current_exception());
    return {};
  }
  std::vector<Outcome> out(items.size());
  size_t k = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    Item& item = items[i];
    Outcome& o = out[i];
    o.source = std::move(item.source);
    o.bytes = item.bytes;
    o.error = std::move(item.error);
    if (!item.doc) continue;
    Result& r = results[k++];
    if (!r.error.empty()) {
      o.error = std::move(r.error);
    } else if (render_) {
      try {
        o.rendered = render_(*item.doc, r);
      } catch (const std::exception& e) {
        o.error = std::string("could not render: ") + e.what();
      } catch (...) {
        o.error = "could not render";
      }
      r = {};  // the rendering holds it now
    } else {
      o.doc = std::move(item.doc);
      o.result = std::move(r);
    }
  }
  return out;
}

// Hands the outcomes of every batch whose turn has come to the sink, in order.
// mu_ is held: one sink call at a time.
void Runner::deliver(size_t seq, std::vector<Outcome> outcomes) {
  ready_.emplace(seq, std::move(outcomes));
  for (auto it = ready_.find(next_deliver_); it != ready_.end(); it = ready_.find(next_deliver_)) {
    sink_thread_ = std::this_thread::get_id();
    for (auto& o : it->second) {
      if (stopped_) break;
      try {
        if (!sink_(o)) stop_with(nullptr);  // the output failed: nothing more is worth doing
      } catch (...) {  // on a worker it would end the process: the caller gets it from finish()
        stop_with(std::current_exception());
      }
    }
    sink_thread_ = std::thread::id();
    ready_.erase(it);
    ++next_deliver_;
  }
  room_.notify_all();
}

void Runner::work() {
  for (;;) {
    std::unique_lock lock(mu_);
    work_ready_.wait(lock, [&] { return finishing_ || !queue_.empty(); });
    if (queue_.empty()) return;
    auto [seq, items] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::vector<Outcome> done = run_batch(items);
    lock.lock();
    deliver(seq, std::move(done));
  }
}

// mu_ is held. Stops the run, keeping the first error for finish().
void Runner::stop_with(std::exception_ptr error) {
  if (error && !error_) error_ = error;
  stopped_ = true;
  drop_queued();
}

void Runner::finish() {
  if (!stopped_ && !finished_) submit();
  finished_ = true;
  {
    std::lock_guard lock(mu_);
    finishing_ = true;
  }
  work_ready_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void Runner::cancel() {
  stopped_ = true;
  if (sink_thread_.load() == std::this_thread::get_id()) {  // from the sink: mu_ is held
    drop_queued();
    return;
  }
  std::lock_guard lock(mu_);
  drop_queued();
}

// mu_ is held. Dropped batches still take their turn (empty), so the order holds.
void Runner::drop_queued() {
  for (auto& [seq, items] : queue_) ready_.emplace(seq, std::vector<Outcome>{});
  queue_.clear();
  room_.notify_all();
}

}  // namespace claimx
