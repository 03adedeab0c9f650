// Run statistics (what `claimx --stats` prints): documents, items of each kind, the rules that
// fired most, throughput. Sums only, so the totals are the same whatever order documents are
// added in (and whatever -j).
//
//   claimx::Stats stats;
//   stats.add(doc, result);          // per document; not thread-safe: one thread, or a lock
//   stats.add_failure();
//   std::cerr << stats.table(seconds, bytes);
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "claimx/extract.h"

namespace claimx {

class Stats {
 public:
  void add(const Result& result);
  void add_failure() { ++failed_; }
  void merge(const Stats& other);

  // For people: aligned columns. `bytes` of input read in `seconds` of wall time.
  std::string table(double seconds, size_t bytes, size_t top_rules = 10) const;
  nlohmann::ordered_json json(double seconds, size_t bytes, size_t top_rules = 10) const;

 private:
  size_t documents_ = 0, failed_ = 0;
  size_t figures_ = 0, entities_ = 0, mentions_ = 0, agreements_ = 0, claims_ = 0;
  std::map<std::string, size_t, std::less<>> rules_;  // rule id -> items it made

  std::vector<std::pair<std::string, size_t>> top(size_t n) const;
};

}  // namespace claimx
