// Run statistics (include/claimx/stats.h).
#include "claimx/stats.h"

#include <algorithm>
#include <cstdio>

namespace claimx {

void Stats::add(const Result& r) {
  ++documents_;
  figures_ += r.figures.size();
  entities_ += r.entities.size();
  agreements_ += r.agreements.size();
  claims_ += r.claims.size();
  auto fired = [&](std::string_view rule) {
    auto it = rules_.find(rule);
    if (it == rules_.end()) it = rules_.emplace(std::string(rule), 0).first;
    ++it->second;
  };
  for (const auto& f : r.figures) fired(f.rule);
  for (const auto& e : r.entities) {
    mentions_ += e.mentions.size();
    for (const auto& m : e.mentions) fired(m.rule);
  }
  for (const auto& a : r.agreements)
    for (const auto& m : a.mentions) fired(m.rule);
  for (const auto& c : r.claims)
    for (const auto& cue : c.cues) fired(cue);
}

void Stats::merge(const Stats& o) {
  documents_ += o.documents_;
  failed_ += o.failed_;
  figures_ += o.figures_;
  entities_ += o.entities_;
  mentions_ += o.mentions_;
  agreements_ += o.agreements_;
  claims_ += o.claims_;
  for (const auto& [rule, n] : o.rules_) rules_[rule] += n;
}

// The n rules that made most items; ties by id, so the list is deterministic.
std::vector<std::pair<std::string, size_t>> Stats::top(size_t n) const {
  std::vector<std::pair<std::string, size_t>> v(rules_.begin(), rules_.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

std::string Stats::table(double seconds, size_t bytes, size_t top_rules) const {
  std::string out;
  char line[256];
  auto add = [&](const char* name, size_t n) {
    std::snprintf(line, sizeof line, "  %-22s %12zu\n", name, n);
    out += line;
  };
  out += "claimx --stats\n";
  add("documents", documents_);
  add("failed", failed_);
  add("figures", figures_);
  add("entities", entities_);
  add("entity mentions", mentions_);
  add("agreements", agreements_);
  add("claims", claims_);
  const double mb = static_cast<double>(bytes) / 1e6;
  std::snprintf(line, sizeof line, "  %-22s %12.2f\n  %-22s %12.3f\n  %-22s %12.2f\n", "input MB",
                mb, "seconds", seconds, "MB/s", seconds > 0 ? mb / seconds : 0.0);
  out += line;
  const auto rules = top(top_rules);
  if (!rules.empty()) out += "rules that made most items\n";
  for (const auto& [rule, n] : rules) {
    std::snprintf(line, sizeof line, "  %-40s %8zu\n", rule.c_str(), n);
    out += line;
  }
  return out;
}

nlohmann::ordered_json Stats::json(double seconds, size_t bytes, size_t top_rules) const {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const auto& [rule, n] : top(top_rules)) rules.push_back({{"rule", rule}, {"items", n}});
  const double mb = static_cast<double>(bytes) / 1e6;
  return {{"documents", documents_},
          {"failed", failed_},
          {"items",
           {{"figures", figures_},
            {"entities", entities_},
            {"entity_mentions", mentions_},
            {"agreements", agreements_},
            {"claims", claims_}}},
          {"input_bytes", bytes},
          {"seconds", seconds},
          {"mb_per_s", seconds > 0 ? mb / seconds : 0.0},
          {"top_rules", rules}};
}

}  // namespace claimx
