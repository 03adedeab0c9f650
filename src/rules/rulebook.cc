#include <pthread.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "claimx/error.h"
#include "claimx/rules.h"
#include "claimx/text.h"
#include "rules/book_impl.h"
#include "rules/embedded.h"
#include "rules/prefilter.h"

namespace claimx {

namespace {

// How rules are grouped into Set parts: consecutive rules, at most kPartRules of them and
// kPartBytes of Set pattern a part (a bigger rule is a part alone). RE2 compiles a big Set in
// more time than its rules apart (16 figure rules, 75 KB: 43 ms together, 18 ms in parts of 4),
// and start-up waits for the biggest part.
constexpr size_t kPartRules = 16;
constexpr size_t kPartBytes = 8 << 10;

// Adds pack-local rule k, of `bytes` Set pattern, to the last part when that one takes it (and
// `fresh` does not ask for a new part: a gated group starts one), else to a new part. A part
// searches the sentence or its shadow, never both.
void add_to_parts(int k, size_t bytes, bool fresh, bool shadow, const re2::RE2::Options& opts,
                  std::vector<PackData::SetPart>* parts) {
  bool takes = !fresh && !parts->empty() && parts->back().members.size() < kPartRules &&
               parts->back().bytes + bytes <= kPartBytes && parts->back().shadow == shadow;
  if (!takes)
    parts->push_back({std::make_unique<re2::RE2::Set>(opts, re2::RE2::UNANCHORED), {}, 0, shadow});
  parts->back().members.push_back(k);
  parts->back().bytes += bytes;
}

}  // namespace

// Adds each Set part's patterns and compiles it, plain and gated parts shared out among the
// cores (RE2's parsing and compiling are half of start-up); errors are reported in pack and part
// order. A pattern the Set rejects (RE2 accepted it when compiled eagerly, so hardly ever) leaves
// its rule out of the part, and compile() fails.
void compile_sets(std::vector<PackData>& packs, const std::vector<Rule>& rules,
                  std::vector<RuleError>* errors) {
  struct Job {
    PackData* pack;
    PackData::SetPart* part;
    size_t bytes = 0;
    std::vector<RuleError> errors;
  };
  std::vector<Job> jobs;
  for (auto& p : packs)
    for (auto* list : {&p.parts, &p.gated})
      for (auto& part : *list) {
        if (part.members.empty()) continue;
        Job& job = jobs.emplace_back(Job{&p, &part, 0, {}});
        for (int k : part.members) job.bytes += rules[p.set_rules[k]].in_set().size();
      }
  auto run = [&](Job& job) {
    std::vector<int> added;
    for (int k : job.part->members) {
      const Rule& r = rules[job.pack->set_rules[k]];
      std::string err;
      if (job.part->set->Add(re2::StringPiece(r.in_set().data(), r.in_set().size()), &err) < 0)
        job.errors.push_back(
            {r.pattern_loc, "pattern of rule " + r.id + " rejected by RE2::Set: " + err});
      else
        added.push_back(k);
    }
    job.part->members = std::move(added);
    if (!job.part->members.empty() && !job.part->set->Compile())
      job.errors.push_back(
          {{job.pack->file, 0, 0},
           "RE2::Set of pack " + job.pack->name + " failed to compile (out of memory?)"});
  };
  on_all_cores(
      jobs.size(), [&](size_t i) { return jobs[i].bytes; }, [&](size_t i) { run(jobs[i]); });
  for (auto& job : jobs) errors->insert(errors->end(), job.errors.begin(), job.errors.end());
}

namespace {

// Adds the part's patterns and compiles its Set, or reads its Hyperscan database. Every pattern
// was compiled when the image was built, so a failure here is running out of memory, or a
// database this CPU cannot run: the part's rules then all run, or the pack's RE2 parts are
// searched instead.
bool compile_lazy(const PackData::SetPart& part) {
  if (part.database)
    return part.owned.empty() ? part.database->load(part.serialized, true)
                              : part.database->load(part.owned, false);
  for (std::string_view p : part.lazy->patterns)
    if (part.set->Add(re2::StringPiece(p.data(), p.size()), nullptr) < 0) return false;
  return part.set->Compile();
}

}  // namespace

bool PackData::SetPart::ready() const {
  if (!lazy) return true;
  int state = lazy->state.load(std::memory_order_acquire);
  if (state == LazySet::kIdle) {
    compile_unclaimed();
    state = lazy->state.load(std::memory_order_acquire);
  }
  while (state == LazySet::kCompiling) {
    lazy->state.wait(LazySet::kCompiling, std::memory_order_acquire);
    state = lazy->state.load(std::memory_order_acquire);
  }
  return state == LazySet::kReady;
}

void PackData::SetPart::compile_unclaimed() const {
  int idle = LazySet::kIdle;
  if (!lazy->state.compare_exchange_strong(idle, LazySet::kCompiling, std::memory_order_acq_rel))
    return;
  bool ok = compile_lazy(*this);
  lazy->state.store(ok ? LazySet::kReady : LazySet::kFailed, std::memory_order_release);
  lazy->state.notify_all();
}

bool PackData::SetPart::match(std::string_view text, std::vector<hyperscan::Hit>* hits) const {
  if (database) return database->match(text, hits);
  static thread_local std::vector<int> ids;
  re2::RE2::Set::ErrorInfo info{};
  bool ok = set->Match(text, &ids, &info) || info.kind == re2::RE2::Set::kNoError;
  hits->clear();
  for (int id : ids) hits->push_back({id, 0, text.size()});
  return ok;
}

PackData::SetPart::Window PackData::SetPart::window(const hyperscan::Hit& hit, size_t size) const {
  const int k = members[hit.id];
  if (!database || exact[hit.id] == kTrimmed) return {k, 0, size, false};
  // A match starts at most max_width bytes before its end, and the first ends at first_end or
  // later: none starts before first_end - max_width.
  uint32_t width = max_width[hit.id];
  size_t from = width != hyperscan::kUnbounded && hit.first_end > width ? hit.first_end - width : 0;
  return {k, from, std::min(hit.last_end, size), exact[hit.id] == kFires};
}

void Rule::set_patterns(std::string_view expanded_pattern, std::string_view set) {
  auto bytes = std::make_shared<std::string>(expanded_pattern);
  bytes->append(set);  // the views are taken once the string is whole
  expanded = std::string_view(*bytes).substr(0, expanded_pattern.size());
  set_pattern = std::string_view(*bytes).substr(expanded_pattern.size());
  pattern_bytes = std::move(bytes);
}

PackFilter::PackFilter(prefilter::Filter f) {
  state_->filter = std::move(f);
}

PackFilter::PackFilter(std::function<prefilter::Filter()> read) {
  state_->read = std::move(read);
}

const prefilter::Filter& PackFilter::get() const {
  State& s = *state_;
  std::call_once(s.once, [&s] {
    if (!s.read) return;
    s.filter = s.read();  // a throw leaves `once` unset: the next call tries again
    s.read = nullptr;
  });
  return s.filter;
}

bool PackData::hyperscan_ready() const {
  return !hs_parts.empty() &&
         std::all_of(hs_parts.begin(), hs_parts.end(), [](const SetPart& p) { return p.ready(); });
}

BackgroundCompile::BackgroundCompile(std::vector<const PackData::SetPart*> order, size_t threads)
    : order_(std::move(order)) {
  auto loop = [this] {
    for (size_t k; !stop_.load(std::memory_order_relaxed) && (k = next_++) < order_.size();)
      order_[k]->compile_unclaimed();
  };
  // Signals go to the program's own threads (claimx serve waits for SIGTERM in one of them):
  // these threads outlive loading, so they are born with every signal blocked.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  for (size_t t = 0; t < std::min(threads, order_.size()); ++t) threads_.emplace_back(loop);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

BackgroundCompile::~BackgroundCompile() {
  stop_ = true;
  for (auto& t : threads_) t.join();
}

// Every part becomes lazy; the background threads read the Hyperscan databases when this CPU
// runs them, else compile the RE2 Sets. A pack whose databases then fail to load compiles its
// RE2 parts as sentences need them.
void RuleBook::Impl::compile_in_background() {
  std::vector<const PackData::SetPart*> order;
  bool hyperscan = hyperscan::available();
  for (auto& p : packs) {
    bool queue_re2 = !hyperscan || p.hs_parts.empty();
    for (auto* list : {&p.hs_parts, &p.gated, &p.parts})  // the order fired_rules() searches
      for (auto& part : *list) {
        if (part.members.empty()) continue;
        part.lazy = std::make_unique<LazySet>();
        if (!part.database)  // a database is read, not compiled from patterns
          for (int k : part.members) part.lazy->patterns.push_back(rules[p.set_rules[k]].in_set());
        bool in_hs_plan = list == &p.hs_parts;
        if (in_hs_plan ? hyperscan : queue_re2) order.push_back(&part);
      }
  }
  background = std::make_unique<BackgroundCompile>(
      std::move(order), std::max(1u, std::thread::hardware_concurrency()));
}

re2::RE2::Options rule_options(bool longest) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(64 << 20);
  opts.set_longest_match(longest);
  return opts;
}

namespace {

// Whether a rule's prefilter is selective enough to run the rule alone on the sentences it
// lets through, rather than in a Set on every sentence.
bool selective(const prefilter::Need& n) {
  constexpr double kOften = 0.4;  // a likelier first clause is as good as none
  return !n.clauses.empty() && prefilter::likelihood(n.clauses.front()) < kOften;
}

}  // namespace

namespace {

// Groups of at least this many filtered rules with one first clause get a gated Set part.
constexpr size_t kGatedRules = 3;

// The filtered rules, grouped by their first clause, in rule order: a group of kGatedRules or
// more becomes gated Set parts, grouped as plain ones (rules too big for a shared Set stay
// filtered alone).
void plan_gated(PackData& p, const std::vector<Rule>& rules, const re2::RE2::Options& opts,
                const std::vector<prefilter::Need>& needs) {
  p.gated.clear();
  std::map<std::string, std::vector<int>> groups;
  std::vector<std::string> order;
  for (int k : p.filtered_rules) {
    if (rules[p.set_rules[k]].in_set().size() > kPartBytes) continue;
    const prefilter::Clause& c = needs[k].clauses.front();
    std::string key = c.bytes.to_string();
    for (const auto& str : c.strings) key += '\0' + str;
    auto& group = groups[key];
    if (group.empty()) order.push_back(key);
    group.push_back(k);
  }
  for (const auto& key : order) {
    const auto& group = groups[key];
    if (group.size() < kGatedRules) continue;
    // One group, its rules on the sentence, then those on the shadow (parts of either kind).
    bool fresh = true;
    for (bool shadow : {false, true})
      for (int k : group) {
        const Rule& r = rules[p.set_rules[k]];
        if (r.set_on_shadow != shadow) continue;
        add_to_parts(k, r.in_set().size(), fresh, shadow, opts, &p.gated);
        fresh = false;
      }
  }
  p.index_gated();
}

}  // namespace

bool PackData::index_gated() {
  std::vector<char> filtered(set_rules.size(), 0);
  for (int k : filtered_rules) filtered[k] = 1;
  in_gated.assign(set_rules.size(), 0);
  for (const auto& part : gated)
    for (int k : part.members) {
      if (!filtered[k] || in_gated[k]) return false;
      in_gated[k] = 1;
    }
  return true;
}

namespace {

// Reads each pack's patterns for what a match must contain (prefilter.h), packs on all cores;
// rules of lexicons alone go to `lexicon_rules`, the selective ones to `filtered_rules`, the
// others into Set parts in rule order.
void plan_parts(std::vector<PackData>& packs, const std::vector<Rule>& rules,
                const re2::RE2::Options& opts, const LexiconMap& lexicons) {
  auto bytes = [&](size_t i) {
    size_t n = 0;
    for (size_t r : packs[i].set_rules) n += rules[r].expanded.size();
    return n;
  };
  on_all_cores(packs.size(), bytes, [&](size_t i) {
    PackData& p = packs[i];
    std::vector<prefilter::Need> needs;
    prefilter::Analyzer analyzer;
    for (size_t r : p.set_rules) needs.push_back(analyzer.analyze(rules[r].expanded));
    p.parts.clear();
    p.filtered_rules.clear();
    p.lexicon_rules.clear();
    p.matchers.assign(p.set_rules.size(), nullptr);
    std::vector<int> in_parts;
    for (size_t k = 0; k < p.set_rules.size(); ++k) {
      if ((p.matchers[k] = LexiconMatcher::for_rule(rules[p.set_rules[k]], lexicons))) {
        needs[k].clauses.clear();
        p.lexicon_rules.push_back(static_cast<int>(k));
        continue;
      }
      if (selective(needs[k])) {
        p.filtered_rules.push_back(static_cast<int>(k));
        continue;
      }
      in_parts.push_back(static_cast<int>(k));
    }
    // The rules searched on the sentence, then those searched on its shadow.
    for (bool shadow : {false, true})
      for (int k : in_parts) {
        const Rule& r = rules[p.set_rules[k]];
        if (r.set_on_shadow == shadow)
          add_to_parts(k, r.in_set().size(), false, shadow, opts, &p.parts);
      }
    p.filter = PackFilter(prefilter::Filter(needs));
    plan_gated(p, rules, opts, needs);
  });
}

// The rules that may match in `piece`, each with the window its matches lie in, ascending by
// pack-local index, into *out.
void fired_rules(const PackData& p, const re2::StringPiece& piece, bool known_utf8,
                 const Shadow& shadow, std::vector<PackData::SetPart::Window>* out) {
  const size_t size = piece.size();
  std::vector<PackData::SetPart::Window>& fired = *out;
  fired.clear();
  for (int k : p.lexicon_rules) fired.push_back({k, 0, size, false});
  static thread_local std::vector<hyperscan::Hit> hits;  // one part's: per sentence and pack
  static thread_local std::vector<char> may;  // pack-local index -> may match (prefilter)
  static thread_local ShadowCache shadows;
  const std::string* shadow_text = nullptr;
  int shadowed = 0;  // 1: shadow_text is the piece's shadow, -1: the piece has none, 0: not yet
  // A Set part's rules that match; with `filtered`, none searched when the filter says none of
  // them can. A Set that failed to match is never read as "no match": every rule the filter
  // lets through (every rule, unfiltered) runs instead.
  auto search = [&](const PackData::SetPart& part, bool filtered) {
    const std::vector<int>& members = part.members;
    if (filtered && std::none_of(members.begin(), members.end(), [](int k) { return may[k]; }))
      return;
    re2::StringPiece text = piece;
    if (part.shadow) {
      if (shadowed == 0) {
        shadow_text = shadows.get(shadow, {piece.data(), piece.size()});
        shadowed = shadow_text ? 1 : -1;
      }
      if (shadow_text) text = *shadow_text;
    }
    // A piece without a shadow runs all of a shadow part's rules, as a failed Set does.
    if ((!part.shadow || shadowed > 0) && part.ready() && part.match(text, &hits)) {
      for (const auto& h : hits) fired.push_back(part.window(h, size));
      return;
    }
    for (int k : members)
      if (!filtered || may[k]) fired.push_back({k, 0, size, false});
  };
  // The Hyperscan parts say exactly which rules match, the filtered ones too: no prefilter.
  // Hyperscan reads valid UTF-8 only (documents are repaired on input; a library caller's text
  // may not be), and a shadow adds valid code points to a valid sentence.
  if (p.hyperscan_ready() &&
      (known_utf8 || first_invalid_utf8({piece.data(), piece.size()}) == std::string_view::npos)) {
    for (const auto& part : p.hs_parts) search(part, false);
  } else {
    p.filter.get().passing({piece.data(), piece.size()}, &may);
    for (int k : p.filtered_rules)
      if (may[k] && !p.in_gated[k]) fired.push_back({k, 0, size, false});  // no match finds nothing
    for (const auto& part : p.gated) search(part, true);
    for (const auto& part : p.parts) search(part, true);
  }
  std::sort(fired.begin(), fired.end(), [](const auto& a, const auto& b) { return a.k < b.k; });
}

SourceLoc loc_of(const std::string& file, const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.line < 0) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

bool is_word_byte(unsigned char c) {
  return std::isalnum(c) || c == '_';
}

// YAML scalar -> JSON value: quoted scalars stay strings; plain ones become numbers, booleans or
// null when they read as such.
nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& n : node) a.push_back(to_json(n));
      return a;
    }
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : node) o[kv.first.as<std::string>()] = to_json(kv.second);
      return o;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      if (!s.empty()) {
        char* endp = nullptr;
        long long i = std::strtoll(s.c_str(), &endp, 10);
        if (*endp == '\0' && s.find_first_not_of("+-0123456789") == std::string::npos) return i;
        double d = std::strtod(s.c_str(), &endp);
        if (*endp == '\0' && s.find_first_of("0123456789") != std::string::npos) return d;
      }
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace

std::string RuleError::format() const {
  std::ostringstream os;
  os << loc.file;
  if (loc.line > 0) os << ":" << loc.line << ":" << std::max(loc.col, 1);
  os << ": " << message;
  return os.str();
}

bool Match::has(int index) const {
  return index >= 0 && static_cast<size_t>(index) < groups.size() && groups[index].start != kNoPos;
}

namespace {

// ASCII only, as std::tolower in the "C" locale claimx runs in, but inline: every look-up in a
// lexicon that ignores case folds its key.
void lower_in_place(std::string* s) {
  for (auto& c : *s)
    if (static_cast<unsigned char>(c - 'A') < 26) c = static_cast<char>(c + ('a' - 'A'));
}

}  // namespace

std::string Lexicon::fold(std::string_view s) const {
  std::string out(s);
  if (ignore_case) lower_in_place(&out);
  return out;
}

void Lexicon::index_entries() {
  image_slots_ = nullptr;
  image_slot_count_ = 0;
  image_keys_ = {};
  keys_.clear();
  size_t cap = 16;
  const std::vector<LexiconEntry>& all = entries();
  while (cap < all.size() * 2) cap *= 2;  // load factor at most 1/2
  slots_.assign(cap, Slot{});
  for (size_t i = 0; i < all.size(); ++i) {
    std::string key = fold(all[i].form);
    uint64_t h = table_hash(key);
    auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t at = h & (cap - 1);; at = (at + 1) & (cap - 1)) {
      Slot& slot = slots_[at];
      if (slot.entry == 0) {
        slot = {static_cast<uint32_t>(i + 1), tag, static_cast<uint32_t>(keys_.size()),
                static_cast<uint32_t>(key.size())};
        keys_ += key;
        break;
      }
      if (slot.tag == tag && std::string_view(keys_).substr(slot.key_offset, slot.key_size) == key)
        break;  // a later entry of the same folded form: the first one stays
    }
  }
}

const std::vector<LexiconEntry>& Lexicon::entries() const {
  if (!deferred_) return entries_;
  Deferred& d = *deferred_;
  std::call_once(d.once, [&d] {
    d.entries = d.read(d.block);
    d.read = nullptr;
  });
  return d.entries;
}

std::vector<LexiconEntry>& Lexicon::edit_entries() {
  if (deferred_) {
    entries_ = entries();
    deferred_.reset();
  }
  return entries_;
}

const LexiconEntry* Lexicon::find(std::string_view form) const {
  uint32_t e = find_slot(form);
  return e == 0 ? nullptr : &entries()[e - 1];
}

bool Lexicon::contains(std::string_view form) const {
  return find_slot(form) != 0;
}

uint32_t Lexicon::find_slot(std::string_view form) const {
  const Slot* table = slots();
  size_t size = slot_count();
  if (size == 0) return 0;
  // Called for every candidate word: fold into a per-thread buffer, not a fresh string.
  std::string_view key = form;
  if (ignore_case) {
    static thread_local std::string folded;
    folded.assign(form);
    lower_in_place(&folded);
    key = folded;
  }
  uint64_t h = table_hash(key);
  auto tag = static_cast<uint32_t>(h >> 32);
  std::string_view all_keys = keys();
  size_t mask = size - 1;
  for (size_t at = h & mask;; at = (at + 1) & mask) {
    const Slot& slot = table[at];
    if (slot.entry == 0) return 0;
    if (slot.tag == tag && slot.key_size == key.size() &&
        all_keys.substr(slot.key_offset, slot.key_size) == key)
      return slot.entry;
  }
}

namespace {

// A lexicon's forms as a trie of code points, written as a regex that shares their prefixes:
// `\\b(?:s(?:even(?:teen\\b|ty\\b|\\b)|ix\\b))` for seven, seventeen, seventy and six. It
// matches the same spans as the flat alternation, with the same preference: forms matching at
// one place are prefixes of one another, and both write the longer first (the trie takes a child
// before stopping). RE2 factors only adjacent alternatives, so the flat form compiles each form
// whole; this one compiles a few times smaller for the lexicons used in many rules.
struct FormTrie {
  struct Node {
    std::map<std::string, int> children;  // code point (UTF-8) -> node
    bool terminal = false;
    bool word_end = false;  // the form ends in a word byte: `\b` after it
  };
  std::vector<Node> nodes{1};

  void add(std::string_view form, bool right_boundary) {
    int at = 0;
    for (size_t i = 0, n = 0; i < form.size();) {
      decode_utf8(form, i, &n);
      std::string cp(form.substr(i, n));
      i += n;
      auto it = nodes[at].children.find(cp);
      if (it == nodes[at].children.end()) {
        nodes.emplace_back();
        it = nodes[at].children.emplace(cp, static_cast<int>(nodes.size() - 1)).first;
      }
      at = it->second;
    }
    nodes[at].terminal = true;
    nodes[at].word_end = right_boundary && is_word_byte(static_cast<unsigned char>(form.back()));
  }

  // Siblings must never match the same character, whatever flags the rule around the lexicon
  // sets: else the order of two branches would decide, where the flat form's length order did.
  bool siblings_distinct() const {
    return std::all_of(nodes.begin(), nodes.end(),
                       [](const Node& n) { return distinct(first_code_points(n)); });
  }

  std::vector<std::string> root_code_points() const { return first_code_points(nodes[0]); }

  static std::vector<std::string> first_code_points(const Node& n) {
    std::vector<std::string> out;
    for (const auto& kv : n.children) out.push_back(kv.first);
    return out;
  }

  // No two of these code points are one under case folding.
  static bool distinct(const std::vector<std::string>& cps) {
    for (size_t i = 0; i < cps.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (same_ignoring_case(cps[i], cps[j])) return false;
    return true;
  }

  std::string write(int at) const {
    std::vector<std::string> parts;
    for (const auto& [cp, child] : nodes[at].children)
      parts.push_back(re2::RE2::QuoteMeta(cp) + write(child));
    if (nodes[at].terminal) parts.push_back(nodes[at].word_end ? "\\b" : "");
    return join_alternatives(parts);
  }

  static std::string join_alternatives(const std::vector<std::string>& parts) {
    if (parts.size() == 1) return parts[0];
    std::string out = "(?:";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "|" : "") + parts[i];
    return out + ")";
  }

  static bool same_ignoring_case(const std::string& a, const std::string& b) {
    if (a.size() == 1 && b.size() == 1)
      return std::tolower(static_cast<unsigned char>(a[0])) ==
             std::tolower(static_cast<unsigned char>(b[0]));
    // Outside ASCII (é and É, k and the Kelvin sign) ask RE2, whose folding the rules get.
    return re2::RE2::FullMatch(b, re2::RE2("(?i)" + re2::RE2::QuoteMeta(a)));
  }
};

// The flat alternation, longest forms first: for lexicons whose trie has siblings that one case
// folding would merge.
std::string flat_regex(const Lexicon& lex, const std::function<std::string(std::string)>& edit) {
  std::vector<std::string> edited;
  for (const auto& e : lex.entries()) edited.push_back(edit(e.form));
  std::vector<const std::string*> forms;
  for (const auto& f : edited) forms.push_back(&f);
  std::stable_sort(forms.begin(), forms.end(),
                   [](const auto* a, const auto* b) { return a->size() > b->size(); });
  std::string out;
  for (const auto* f : forms) {
    if (f->empty()) continue;
    if (!out.empty()) out += '|';
    bool left = lex.left_boundary && is_word_byte(f->front());
    bool right = lex.right_boundary && is_word_byte(f->back());
    out += left ? "\\b" : "";
    out += re2::RE2::QuoteMeta(*f);
    out += right ? "\\b" : "";
  }
  return out;
}

// The trie's root: forms starting with a word byte take one `\b` before them all.
std::string trie_regex(const Lexicon& lex, const FormTrie& word_first, const FormTrie& other) {
  std::vector<std::string> parts;
  std::string words = word_first.write(0);
  if (!word_first.nodes[0].children.empty())
    parts.push_back((lex.left_boundary ? "\\b" : "") + words);
  if (!other.nodes[0].children.empty()) parts.push_back(other.write(0));
  return FormTrie::join_alternatives(parts);
}

}  // namespace

std::string Lexicon::regex() const {
  return regex_with([](std::string form) { return form; });
}

std::string Lexicon::regex_with(const std::function<std::string(std::string)>& edit) const {
  FormTrie word_first, other;
  for (const auto& e : entries()) {
    if (e.form.empty()) continue;
    std::string form = edit(fold(e.form));  // ASCII-lowered when the lexicon ignores case
    (is_word_byte(static_cast<unsigned char>(form[0])) ? word_first : other)
        .add(form, right_boundary);
  }
  if (word_first.nodes.size() == 1 && other.nodes.size() == 1)
    return "[^\\x00-\\x{10FFFF}]";  // matches nothing
  // The two roots' first code points must be told apart too: K (KELVIN SIGN) starts no word
  // but folds to k.
  std::vector<std::string> roots = word_first.root_code_points();
  for (auto& cp : other.root_code_points()) roots.push_back(std::move(cp));
  bool distinct =
      word_first.siblings_distinct() && other.siblings_distinct() && FormTrie::distinct(roots);
  std::string out = distinct ? trie_regex(*this, word_first, other) : flat_regex(*this, edit);
  return ignore_case ? "(?i:" + out + ")" : out;
}

namespace {

// The last byte of the atom that starts at p[i] when it is one that can hold a parenthesis
// that is not a group (an escape, \Q..\E, a character class), else i.
size_t skip_literal(std::string_view p, size_t i) {
  if (p[i] == '\\') {
    if (i + 1 < p.size() && p[i + 1] == 'Q') {
      size_t e = p.find("\\E", i + 2);
      return e == std::string_view::npos ? p.size() : e + 1;
    }
    return i + 1;
  }
  if (p[i] != '[') return i;
  size_t j = i + 1;
  if (j < p.size() && p[j] == '^') ++j;
  if (j < p.size() && p[j] == ']') ++j;  // a leading ] is a member
  for (; j < p.size() && p[j] != ']'; ++j) {
    if (p[j] == '\\') {
      ++j;
    } else if (p[j] == '[' && j + 1 < p.size() && p[j + 1] == ':') {
      size_t e = p.find(":]", j + 2);
      if (e != std::string_view::npos) j = e + 1;
    }
  }
  return j;
}

// A counted repetition `{n}`, `{n,}` or `{n,m}` at p[j]: n is p[j + 1, n_end), the maximum
// (when `comma`) p[n_end + 1, close). RE2 reads a `{` that starts none as a literal.
struct Counted {
  size_t n_end, close;
  bool comma;
  bool has_max() const { return comma && close > n_end + 1; }
};

std::optional<Counted> counted_at(std::string_view p, size_t j) {
  auto digits_from = [&](size_t k) {
    while (k < p.size() && std::isdigit(static_cast<unsigned char>(p[k]))) ++k;
    return k;
  };
  if (j >= p.size() || p[j] != '{') return std::nullopt;
  size_t n_end = digits_from(j + 1);
  if (n_end == j + 1 || n_end >= p.size()) return std::nullopt;
  bool comma = p[n_end] == ',';
  size_t close = comma ? digits_from(n_end + 1) : n_end;
  if (close >= p.size() || p[close] != '}') return std::nullopt;
  return Counted{n_end, close, comma};
}

// The end (exclusive) of the atom that starts at p[i]: a group, a class, an escape or one
// UTF-8 character.
size_t atom_end(const std::string& p, size_t i) {
  auto is_hex = [&](size_t j) {
    return j < p.size() && std::isxdigit(static_cast<unsigned char>(p[j]));
  };
  if (p[i] == '(') {
    int depth = 0;
    for (size_t j = i; j < p.size(); j = skip_literal(p, j) + 1) {
      if (p[j] == '(') ++depth;
      if (p[j] == ')' && --depth == 0) return j + 1;
    }
    return p.size();
  }
  if (p[i] == '[') return std::min(p.size(), skip_literal(p, i) + 1);
  if (p[i] == '\\') {
    if (i + 1 >= p.size()) return p.size();
    char c = p[i + 1];
    if (c == 'Q') return std::min(p.size(), skip_literal(p, i) + 1);
    if ((c == 'x' || c == 'p' || c == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
      size_t close = p.find('}', i + 3);
      return close == std::string::npos ? p.size() : close + 1;
    }
    if (c == 'x') return i + 2 + (is_hex(i + 2) ? 1 : 0) + (is_hex(i + 3) ? 1 : 0);
    if (c == 'p' || c == 'P') return std::min(p.size(), i + 3);
    size_t j = i + 1;  // \1 to \7 start an octal escape of up to three digits
    if (c >= '0' && c <= '7')
      while (j < p.size() && j < i + 4 && p[j] >= '0' && p[j] <= '7') ++j;
    return std::max(j, i + 2);
  }
  size_t j = i + 1;
  while (j < p.size() && (static_cast<unsigned char>(p[j]) & 0xC0) == 0x80) ++j;
  return j;
}

// One element of a concatenation: an atom and its quantifier, if any.
struct Element {
  size_t begin, atom_end, end;
  bool optional;  // quantified to match zero times: ?, *, {0,...}
};

// The top-level branches of p[b, e): each as [begin, end).
std::vector<std::pair<size_t, size_t>> branches(const std::string& p, size_t b, size_t e) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t start = b;
  for (size_t i = b; i < e;) {
    if (p[i] == '|') {
      out.push_back({start, i});
      start = ++i;
    } else {
      i = atom_end(p, i);
    }
  }
  out.push_back({start, e});
  return out;
}

std::vector<Element> elements(const std::string& p, size_t b, size_t e) {
  std::vector<Element> out;
  for (size_t i = b; i < e;) {
    size_t a = std::min(atom_end(p, i), e);
    bool optional = false;
    size_t q = std::min(quantifier_end(p, a, &optional), e);
    out.push_back({i, a, q, optional});
    i = q;
  }
  return out;
}

// Where a group's body starts ("(", "(?:", "(?P<name>", "(?i:"), or npos for a flags-only
// group "(?i)", which sets flags for what follows it.
size_t body_start(const std::string& p, const Element& el) {
  if (p[el.begin] != '(') return std::string::npos;
  size_t i = el.begin + 1;
  if (i >= p.size() || p[i] != '?') return i;
  if (p.compare(i, 3, "?P<") == 0 || p.compare(i, 2, "?<") == 0) {  // (?<name> in newer RE2s
    size_t close = p.find('>', i);
    return close == std::string::npos ? std::string::npos : close + 1;
  }
  for (size_t j = i + 1; j < el.atom_end; ++j) {
    if (p[j] == ':') return j + 1;
    if (p[j] == ')') return std::string::npos;
  }
  return std::string::npos;
}

bool flags_only(const std::string& p, const Element& el) {
  return p[el.begin] == '(' && body_start(p, el) == std::string::npos;
}

// p[b, e) without the optional elements at its front (front) or its back: in each branch,
// dropped while optional, and an unquantified group reached first is trimmed inside.
std::string trim_edge(const std::string& p, size_t b, size_t e, bool front) {
  std::string out;
  for (auto [bb, be] : branches(p, b, e)) {
    if (bb != b) out += '|';
    std::vector<Element> els = elements(p, bb, be);
    std::vector<bool> drop(els.size(), false);
    size_t inner_at = els.size();  // the unquantified group at the edge, trimmed inside
    std::string inner;
    for (size_t n = 0; n < els.size(); ++n) {
      size_t at = front ? n : els.size() - 1 - n;
      const Element& el = els[at];
      if (flags_only(p, el)) continue;
      if (el.optional) {
        drop[at] = true;
        continue;
      }
      size_t body = body_start(p, el);
      if (p[el.begin] == '(' && el.atom_end == el.end && body != std::string::npos &&
          el.atom_end > body) {
        inner_at = at;
        inner =
            p.substr(el.begin, body - el.begin) + trim_edge(p, body, el.atom_end - 1, front) + ")";
      }
      break;
    }
    for (size_t n = 0; n < els.size(); ++n) {
      if (n == inner_at)
        out += inner;
      else if (!drop[n])
        out.append(p, els[n].begin, els[n].end - els[n].begin);
    }
  }
  return out;
}

}  // namespace

size_t quantifier_end(std::string_view p, size_t j, bool* optional) {
  *optional = false;
  if (j >= p.size()) return j;
  size_t e = j;
  if (p[j] == '?' || p[j] == '*') {
    *optional = true;
    e = j + 1;
  } else if (p[j] == '+') {
    e = j + 1;
  } else if (auto c = counted_at(p, j)) {
    // Zero however it is written; the count may be too big for an int (RE2 reads it as text).
    *optional =
        std::all_of(p.begin() + j + 1, p.begin() + c->n_end, [](char d) { return d == '0'; });
    e = c->close + 1;
  } else {
    return j;
  }
  if (e < p.size() && p[e] == '?') ++e;  // non-greedy
  return e;
}

std::string trim_optional_edges(const std::string& p) {
  std::string front = trim_edge(p, 0, p.size(), true);
  return trim_edge(front, 0, front.size(), false);
}

std::string open_repetitions(const std::string& p) {
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (size_t e = skip_literal(p, i); e != i) {
      out.append(p, i, e - i + 1);
      i = e;
      continue;
    }
    auto c = counted_at(p, i);
    if (!c || !c->has_max()) {  // `{n}` and `{n,}` stay
      out += p[i];
      continue;
    }
    std::string n = p.substr(i + 1, c->n_end - i - 1);
    out += n == "0" ? "*" : n == "1" ? "+" : "{" + n + ",}";
    i = c->close;
  }
  return out;
}

namespace {

// Capturing groups in RE2 syntax, in the order of their opening parentheses: "(" and "(?P<name>"
// capture, "(?" otherwise does not; escapes, \Q..\E and character classes hold no groups. Lazy
// compiling needs the names before RE2 has parsed the pattern; the tests check the result
// against RE2's for every embedded rule.
std::vector<std::string> scan_captures(std::string_view p) {
  std::vector<std::string> names;  // "" for an unnamed group
  for (size_t i = 0; i < p.size(); i = skip_literal(p, i) + 1) {
    if (p[i] != '(') continue;
    if (p.compare(i, 4, "(?P<") == 0) {
      size_t e = p.find('>', i + 4);
      names.emplace_back(p.substr(i + 4, e == std::string_view::npos ? 0 : e - i - 4));
    } else if (i + 1 >= p.size() || p[i + 1] != '?') {
      names.emplace_back();
    }
  }
  return names;
}

// The length of the zero-width assertion at p[i] (\b, \B, \A, \z, ^ or $), 0 when none is.
size_t assertion_at(std::string_view p, size_t i) {
  if (i < p.size() && (p[i] == '^' || p[i] == '$')) return 1;
  if (i + 1 < p.size() && p[i] == '\\' &&
      std::string_view("bBAz").find(p[i + 1]) != std::string_view::npos)
    return 2;
  return 0;
}

// True when the pattern is one capturing group around everything ("(?P<span>...)"), but for
// zero-width assertions before and after it ("\b(?P<span>...)"): that group is the whole match,
// so matching needs no submatch pass (a bit-state search over a program as big as a place-name
// alternation costs microseconds per match).
bool group1_wraps_all(std::string_view p) {
  size_t start = 0;
  while (size_t n = assertion_at(p, start)) start += n;
  bool capturing = p.compare(start, 4, "(?P<") == 0 ||
                   (p.size() > start + 1 && p[start] == '(' && p[start + 1] != '?');
  if (!capturing) return false;
  int depth = 0;
  for (size_t i = start; i < p.size(); i = skip_literal(p, i) + 1) {
    if (p[i] == '(') ++depth;
    if (p[i] == ')' && --depth == 0) {
      size_t end = i + 1;
      while (size_t n = assertion_at(p, end)) end += n;
      return end == p.size();
    }
  }
  return false;
}

// Fills the rule's group tables from its capturing groups' names (index 1, 2, ...): a name
// maps to its leftmost group, and each later group of that name becomes an alias of it.
void set_groups(const std::map<int, std::string>& names, int captures, Rule* r) {
  r->captures = captures;
  r->group1_is_whole = captures == 1 && group1_wraps_all(r->expanded);
  r->groups.clear();
  r->group_aliases.clear();
  for (const auto& [idx, name] : names) {
    auto [g, fresh] = r->groups.emplace(name, idx);
    if (!fresh) r->group_aliases.emplace_back(g->second, idx);
  }
  auto span = r->groups.find("span");
  r->span_group = span == r->groups.end() ? 0 : span->second;
}

void groups_from_scan(Rule* r) {
  std::vector<std::string> all = scan_captures(r->expanded);
  std::map<int, std::string> named;
  for (size_t i = 0; i < all.size(); ++i)
    if (!all[i].empty()) named.emplace(static_cast<int>(i + 1), all[i]);
  set_groups(named, static_cast<int>(all.size()), r);
}

void groups_from_re2(const re2::RE2& re, Rule* r) {
  set_groups(re.CapturingGroupNames(), re.NumberOfCapturingGroups(), r);
}

// Checks a rule's kind and attributes against the contract (contract.h) and resolves its kind.
// Appends the problems; false when there was one.
bool check_contract(Rule* r, const std::function<bool(std::string_view)>& has_lexicon,
                    const std::function<const nlohmann::json&(std::string_view)>& model,
                    std::vector<RuleError>* errors) {
  const KindTraits* k = find_kind(r->kind);
  if (!k) {
    std::string kinds;
    for (const auto& t : all_kinds()) kinds += (kinds.empty() ? "" : ", ") + std::string(t.name);
    errors->push_back(
        {r->loc, "rule " + r->id + ": unknown kind `" + r->kind + "` (" + kinds + ")"});
    return false;
  }
  r->type = k->kind;
  r->stage = k->stage;
  std::vector<RuleError> found;  // in file order, not the attributes' alphabetical one
  for (const auto& [key, v] : r->attrs.items()) {
    auto at = r->attr_locs.count(key) ? r->attr_locs.at(key) : r->loc;
    const AttrSpec* spec = find_attr(*k, key);
    if (!spec) {
      std::string known;
      for (const auto* list : {&k->attrs, &common_attrs()})
        for (const auto& a : *list) known += (known.empty() ? "" : ", ") + std::string(a.name);
      found.push_back({at, "rule " + r->id + ": a `" + r->kind + "` rule has no attribute `" + key +
                               "` (it may have: " + known + ")"});
      continue;
    }
    std::string why = attr_problem(*spec, v, has_lexicon);
    if (why.empty() && spec->type == AttrType::kModelKey) {
      const nlohmann::json& map = model(spec->values[0]);
      std::string field(spec->values[1]);
      if (!map.is_object() || !map.contains(field) || !map[field].contains(v.get<std::string>()))
        why = "`" + key + "` is `" + v.get<std::string>() + "`, which is not in the `" + field +
              "` of the " + std::string(spec->values[0]) + " model";
    }
    if (!why.empty()) found.push_back({at, "rule " + r->id + ": " + why});
  }
  std::stable_sort(found.begin(), found.end(), [](const RuleError& a, const RuleError& b) {
    return std::tie(a.loc.line, a.loc.col) < std::tie(b.loc.line, b.loc.col);
  });
  errors->insert(errors->end(), found.begin(), found.end());
  return found.empty();
}

}  // namespace

// Strings that live as long as the process, each kept once: rule ids that results point at.
// Books come and go (a service reloads its packs); the ids of their rules are few and repeat.
std::string_view stable_string(const std::string& s) {
  static std::mutex mu;
  static std::unordered_set<std::string>* pool = new std::unordered_set<std::string>();
  std::lock_guard lock(mu);
  return *pool->insert(s).first;  // node-based: an element never moves
}

namespace {

// A named group the rule's stage does not read is a mistake (a misspelt group is no match).
bool check_groups(const Rule& r, std::vector<RuleError>* errors) {
  const auto& known = stage_groups(r.stage);
  for (const auto& [name, index] : r.groups) {
    if (name == "span" || std::find(known.begin(), known.end(), name) != known.end()) continue;
    if (r.attrs.value("acronym_group", "") == name) continue;  // the rule names it itself
    SourceLoc at = r.pattern_loc;  // at the group when the pattern itself names it
    if (size_t w = r.pattern.find("(?P<" + name + ">"); w != std::string::npos)
      at.col += static_cast<int>(w);
    errors->push_back({at, "rule " + r.id + ": group `" + name + "` is read by no " +
                               std::string(stage_name(r.stage)) + " code"});
    return false;
  }
  return true;
}

// The stages read a lexicon's entry attributes with the types the embedded lexicon gives them
// ("value" a number in vulgar_fractions, a name in qualifiers): a lexicon that replaces one must
// keep them, or a document would fail where the pack could have been refused.
void check_replacement(const Lexicon& old, const Lexicon& now, std::vector<RuleError>* errors) {
  auto type_name = [](const nlohmann::json& v) -> std::string {
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "true or false";
    if (v.is_array()) return "a list";
    if (v.is_object()) return "a map";
    return "null";
  };
  std::map<std::string, std::set<std::string>> types;  // an attribute may take several types
  for (const auto& e : old.entries())
    for (const auto& [key, v] : e.attrs.items()) types[key].insert(type_name(v));
  int reported = 0;
  bool bare = std::any_of(now.entries().begin(), now.entries().end(),
                          [](const LexiconEntry& e) { return e.attrs.is_null(); });
  if (bare && !types.empty()) {
    errors->push_back({now.loc, "lexicon `" + now.name + "` is a word list, but the lexicon it " +
                                    "replaces (" + old.loc.file +
                                    ") has attributes: give entries"});
    return;
  }
  for (const auto& e : now.entries())
    for (const auto& [key, v] : e.attrs.items()) {
      auto t = types.find(key);
      if (t == types.end() || t->second.count(type_name(v)) || reported >= 5) continue;
      std::string allowed;
      for (const auto& x : t->second) allowed += (allowed.empty() ? "" : " or ") + x;
      errors->push_back({{now.loc.file, e.line, 0},
                         "lexicon `" + now.name + "`, entry `" + e.form + "`: `" + key +
                             "` must be " + allowed + ", as in the lexicon it replaces (" +
                             old.loc.file + ")"});
      ++reported;
    }
}

// A pack that overrides one of the same name and drops a lexicon or model a stage reads by name
// would turn that feature off without a word: an error, at the overriding pack. (A book built
// from packs of its own, as the tests build them, may leave out what it does not use.)
void check_needed_data(const std::vector<Rule>& rules,
                       const std::map<std::string, std::string, std::less<>>& dropped,
                       const std::function<bool(std::string_view)>& has_lexicon,
                       const std::function<const nlohmann::json&(std::string_view)>& model,
                       std::vector<RuleError>* errors) {
  for (const auto& need : needed_data()) {
    bool used = std::any_of(rules.begin(), rules.end(),
                            [&](const Rule& r) { return r.stage == need.stage; });
    if (!used) continue;
    std::string stage(stage_name(need.stage));
    for (auto name : need.lexicons)
      if (auto d = dropped.find(name); d != dropped.end() && !has_lexicon(name))
        errors->push_back({{d->second, 0, 0},
                           "this pack drops lexicon `" + std::string(name) + "`, which the " +
                               stage + " stage reads"});
    for (auto pack : need.models)
      if (auto d = dropped.find("model:" + std::string(pack));
          d != dropped.end() && !model(pack).is_object())
        errors->push_back({{d->second, 0, 0},
                           "this pack drops the `model:` of pack " + std::string(pack) +
                               ", which the " + stage + " stage reads"});
  }
}

}  // namespace

namespace {

bool is_iso_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  auto num = [&](size_t at, size_t n) { return std::stoi(s.substr(at, n)); };
  return std::chrono::year_month_day{std::chrono::year{num(0, 4)},
                                     std::chrono::month{static_cast<unsigned>(num(5, 2))},
                                     std::chrono::day{static_cast<unsigned>(num(8, 2))}}
      .ok();
}

std::vector<Example> parse_examples(const std::string& file, const YAML::Node& list,
                                    std::vector<RuleError>* errors) {
  std::vector<Example> out;
  if (!list) return out;
  if (!list.IsSequence()) {
    errors->push_back({loc_of(file, list), "examples must be a list"});
    return out;
  }
  for (const auto& n : list) {
    Example ex;
    ex.loc = loc_of(file, n);
    if (n.IsScalar()) {
      ex.text = n.Scalar();
      ex.expect = nlohmann::json::object();
    } else if (n.IsMap() && n["text"] && n["text"].IsScalar()) {
      ex.text = n["text"].Scalar();
      ex.expect = n["expect"] ? to_json(n["expect"]) : nlohmann::json::object();
      if (!ex.expect.is_object()) {
        errors->push_back({loc_of(file, n["expect"]), "expect must be a map"});
        continue;
      }
      if (n["date"]) {
        ex.date = n["date"].IsScalar() ? n["date"].Scalar() : "";
        if (!is_iso_date(ex.date)) {
          errors->push_back({loc_of(file, n["date"]), "date must be a date as YYYY-MM-DD"});
          continue;
        }
      }
    } else {
      errors->push_back({ex.loc, "an example is a string or a map with `text`"});
      continue;
    }
    out.push_back(std::move(ex));
  }
  return out;
}

}  // namespace

void RuleBook::Impl::parse_lexicon(PackData& pack, const std::string& name, const YAML::Node& n,
                                   std::vector<RuleError>* errors) const {
  Lexicon lex;
  lex.name = name;
  lex.loc = loc_of(pack.file, n);
  YAML::Node entries = n;
  if (n.IsMap()) {
    if (n["ignore_case"]) lex.ignore_case = n["ignore_case"].as<bool>();
    if (const auto& b = n["boundaries"]) {
      std::string v = b.as<std::string>();
      lex.left_boundary = v == "true" || v == "left";
      lex.right_boundary = v == "true" || v == "right";
      if (v != "true" && v != "false" && v != "left" && v != "right")
        errors->push_back({loc_of(pack.file, b), "boundaries is true, false, left or right"});
    }
    entries = n["entries"];
  }
  if (!entries || !entries.IsSequence()) {
    errors->push_back({lex.loc, "lexicon `" + name + "` needs a list of entries"});
    return;
  }
  for (const auto& e : entries) {
    std::vector<std::string> forms;
    nlohmann::json attrs = nlohmann::json::object();
    if (e.IsScalar()) {
      forms.push_back(e.Scalar());
    } else if (e.IsMap()) {
      for (const auto& kv : e) {
        std::string key = kv.first.as<std::string>();
        if (key == "form" && kv.second.IsScalar())
          forms.push_back(kv.second.Scalar());
        else if (key == "forms" && kv.second.IsSequence())
          for (const auto& f : kv.second) forms.push_back(f.as<std::string>());
        else
          attrs[key] = to_json(kv.second);
      }
    }
    if (forms.empty()) {
      errors->push_back({loc_of(pack.file, e), "lexicon entry without `form` or `forms`"});
      continue;
    }
    int line = loc_of(pack.file, e).line;
    for (auto& f : forms) lex.edit_entries().push_back({std::move(f), attrs, line});
  }
  lex.index_entries();
  pack.lexicons.push_back(std::move(lex));
}

bool RuleBook::Impl::parse_rule(PackData& pack, const YAML::Node& n,
                                std::vector<RuleError>* errors) const {
  Rule r;
  r.pack = pack.name;
  r.loc = loc_of(pack.file, n);
  if (!n.IsMap()) {
    errors->push_back({r.loc, "a rule is a map with id, kind and pattern"});
    return false;
  }
  r.attrs = nlohmann::json::object();
  for (const auto& kv : n) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "id")
      r.id = v.as<std::string>();
    else if (key == "kind")
      r.kind = v.as<std::string>();
    else if (key == "pattern") {
      r.pattern = v.as<std::string>();
      r.pattern_loc = loc_of(pack.file, v);
      if (v.Tag() == "!") r.pattern_loc.col += 1;  // past the opening quote
    } else if (key == "priority")
      r.priority = v.as<int>();
    else if (key == "examples")
      r.examples = parse_examples(pack.file, v, errors);
    else if (key == "counterexamples")
      r.counterexamples = parse_examples(pack.file, v, errors);
    else {
      r.attrs[key] = to_json(v);
      r.attr_locs[key] = loc_of(pack.file, v);
    }
  }
  for (const char* field : {"id", "kind", "pattern"}) {
    bool missing = (std::string(field) == "id" && r.id.empty()) ||
                   (std::string(field) == "kind" && r.kind.empty()) ||
                   (std::string(field) == "pattern" && r.pattern.empty());
    if (missing) {
      errors->push_back({r.loc, std::string("rule without `") + field + "`"});
      return false;
    }
  }
  pack.rules.push_back(std::move(r));
  return true;
}

namespace {

// A generated word list is one string, a form a line: common_words' 64,000 forms, as an array
// of strings, took ~90 ms to read (a JSON value each). Its entries' attrs are null, not empty
// objects: 72,000 empty maps were a tenth of start-up (allocating them, and faulting their pages).
void add_word_list(const nlohmann::json& words, Lexicon* lex) {
  std::string_view all = words.get_ref<const std::string&>();
  lex->edit_entries().reserve(static_cast<size_t>(std::count(all.begin(), all.end(), '\n')) + 1);
  while (!all.empty()) {
    size_t nl = std::min(all.find('\n'), all.size());
    if (nl > 0) lex->edit_entries().push_back({std::string(all.substr(0, nl)), nlohmann::json()});
    all.remove_prefix(std::min(nl + 1, all.size()));
  }
  lex->index_entries();
}

// Generated lexicon files are JSON (a subset of YAML); nlohmann reads them ~20x faster than
// yaml-cpp, which matters at start-up. They hold `lexicons` only.
bool parse_json_lexicons(const SourceFile& src, PackData* pack, std::vector<RuleError>* errors) {
  nlohmann::json root = nlohmann::json::parse(src.text, nullptr, false);
  if (root.is_discarded() || !root.is_object()) return false;
  for (const auto& [key, v] : root.items())
    if (key != "lexicons" && key != "generated" && key != "pack") return false;
  pack->name = root.value("pack", std::filesystem::path(src.name).stem().string());
  if (!root.contains("lexicons")) return true;
  auto& all = root["lexicons"];
  for (auto it = all.begin(); it != all.end(); ++it) {
    const std::string& name = it.key();
    auto& body = it.value();
    Lexicon lex;
    lex.name = name;
    lex.loc = {src.name, 1, 1};
    lex.ignore_case = body.value("ignore_case", false);
    if (auto words = body.find("words"); words != body.end() && words->is_string()) {
      add_word_list(*words, &lex);
      pack->lexicons.push_back(std::move(lex));
      continue;
    }
    auto& entries = body.contains("entries") ? body["entries"] : body;
    if (!entries.is_array()) {
      errors->push_back({lex.loc, "lexicon `" + name + "` needs a list of entries"});
      continue;
    }
    lex.edit_entries().reserve(entries.size());
    for (auto& e : entries) {
      if (e.is_string()) {
        lex.edit_entries().push_back(
            {std::move(e.get_ref<std::string&>()), nlohmann::json::object()});
        continue;
      }
      auto form = e.is_object() ? e.find("form") : e.end();
      if (form == e.end() || !form->is_string()) {
        errors->push_back({lex.loc, "lexicon `" + name + "`: an entry needs a string `form`"});
        continue;
      }
      std::string text = std::move(form->get_ref<std::string&>());
      e.erase(form);
      lex.edit_entries().push_back({std::move(text), std::move(e)});
    }
    lex.index_entries();
    pack->lexicons.push_back(std::move(lex));
  }
  return true;
}

}  // namespace

namespace {

// The place of byte `at` in text, 1-based.
SourceLoc loc_at(const std::string& file, std::string_view text, size_t at) {
  std::string_view before = text.substr(0, at);
  size_t nl = before.rfind('\n');
  size_t col = nl == std::string_view::npos ? at : at - nl - 1;
  int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  return {file, line, static_cast<int>(col) + 1};
}

}  // namespace

std::optional<PackData> RuleBook::Impl::parse_pack(const SourceFile& src,
                                                   std::vector<RuleError>* errors) const {
  // Names and attributes end up in JSON output, which must be UTF-8: refuse the pack up front.
  if (size_t bad = first_invalid_utf8(src.text); bad != std::string_view::npos) {
    errors->push_back({loc_at(src.name, src.text, bad), "invalid UTF-8 (packs must be UTF-8)"});
    return std::nullopt;
  }
  if (!src.text.empty() && src.text[0] == '{') {
    PackData pack;
    pack.file = src.name;
    pack.layer = layer;
    bool parsed = false;
    try {
      parsed = parse_json_lexicons(src, &pack, errors);
    } catch (const nlohmann::json::exception& e) {
      errors->push_back({{src.name, 1, 1}, std::string("bad lexicon file: ") + e.what()});
      return std::nullopt;
    }
    if (parsed) return pack;
  }
  YAML::Node root;
  try {
    root = YAML::Load(src.text);
  } catch (const YAML::Exception& e) {
    errors->push_back({{src.name, e.mark.line + 1, e.mark.column + 1}, e.msg});
    return std::nullopt;
  }
  if (!root.IsMap()) {
    errors->push_back(
        {{src.name, 1, 1}, "a rule pack is a YAML map (pack, defines, lexicons, rules)"});
    return std::nullopt;
  }
  PackData pack;
  pack.file = src.name;
  pack.layer = layer;
  try {
    if (root["pack"]) {
      pack.name = root["pack"].as<std::string>();
    } else {
      pack.name = std::filesystem::path(src.name).stem().string();
    }
    if (const auto& d = root["defines"]) {
      for (const auto& kv : d) {
        Define def{kv.second.as<std::string>(), loc_of(src.name, kv.second), kv.second.Tag() == "!",
                   pack.name};
        if (def.quoted) def.loc.col += 1;
        pack.defines[kv.first.as<std::string>()] = def;
      }
    }
    if (const auto& l = root["lexicons"]) {
      for (const auto& kv : l) parse_lexicon(pack, kv.first.as<std::string>(), kv.second, errors);
    }
    if (const auto& rules = root["rules"]) {
      for (const auto& n : rules) parse_rule(pack, n, errors);
    }
    if (root["model"]) pack.model = to_json(root["model"]);
  } catch (const YAML::Exception& e) {
    errors->push_back({{src.name, e.mark.line + 1, e.mark.column + 1}, e.msg});
    return std::nullopt;
  }
  for (auto& r : pack.rules) r.pack = pack.name;
  return pack;
}

void RuleBook::Impl::merge(PackData pack) {
  auto it = std::find_if(packs.begin(), packs.end(),
                         [&](const PackData& p) { return p.name == pack.name; });
  if (it != packs.end()) {
    // A later pack of the same name overrides. What the old one gave that the new one does not
    // is gone: compile() reports it when a stage reads it by name (check_needed_data).
    for (const auto& l : it->lexicons)
      if (std::none_of(pack.lexicons.begin(), pack.lexicons.end(),
                       [&](const Lexicon& x) { return x.name == l.name; }))
        dropped[l.name] = pack.file;
    if (!it->model.is_null() && pack.model.is_null()) dropped["model:" + pack.name] = pack.file;
    *it = std::move(pack);
  } else
    packs.push_back(std::move(pack));
}

bool RuleBook::Impl::expand(const Rule& rule, const std::string& in, const SourceLoc& loc,
                            int depth, const std::string& scope,
                            const std::map<std::string, const Define*>& defines, std::string* out,
                            std::vector<std::string>* lexicons_used, std::vector<RuleError>* errors,
                            const Shadow* shadow) const {
  if (depth > 8) {
    errors->push_back({loc, "defines nest too deep (a define that uses itself?)"});
    return false;
  }
  // The pattern's own text; for the shadow, with a mark allowed after what matches letters
  // (false, with no error, when a fragment cannot be read alone: the rule keeps its Set pattern).
  auto text = [&](size_t from, size_t n) {
    if (!shadow) {
      out->append(in, from, n);
      return true;
    }
    return widen_letters(std::string_view(in).substr(from, n), out);
  };
  size_t pos = 0;
  while (pos < in.size()) {
    size_t open = in.find("{{", pos);
    if (open == std::string::npos) {
      if (!text(pos, std::string::npos)) return false;
      break;
    }
    if (!text(pos, open - pos)) return false;
    size_t close = in.find("}}", open + 2);
    SourceLoc at = loc;
    if (at.line > 0) at.col += static_cast<int>(open);
    if (close == std::string::npos) {
      errors->push_back({at, "unclosed `{{`"});
      return false;
    }
    std::string name = in.substr(open + 2, close - open - 2);
    if (!name.empty() && name[0] == '@') {
      auto lex = lexicons.find(name.substr(1));
      if (lex == lexicons.end()) {
        errors->push_back({at, "unknown lexicon `" + name.substr(1) + "` in rule " + rule.id});
        return false;
      }
      if (shadow) {  // shadowed: a marked word; else a stand-in (shadow_set_pattern)
        auto& used = *lexicons_used;
        auto at = std::find(used.begin(), used.end(), lex->first);
        if (at == used.end()) at = used.insert(used.end(), lex->first);
        *out += shadow->shadows(lex->first) ? shadow->reference(lex->first)
                                            : Shadow::stand_in(static_cast<int>(at - used.begin()));
        pos = close + 2;
        continue;
      }
      auto re = lexicon_regex.find(lex->first);
      if (re == lexicon_regex.end())
        re = lexicon_regex.emplace(lex->first, lex->second->regex()).first;
      *out += "(?:" + re->second + ")";
      lexicons_used->push_back(lex->first);
    } else {
      // Defines are keyed "pack.NAME": a rule names its own pack's as {{NAME}} and another
      // pack's as {{pack.NAME}}; names inside a define resolve in the define's pack.
      auto def = defines.find(name.find('.') == std::string::npos ? scope + "." + name : name);
      if (def == defines.end()) {
        errors->push_back({at, "unknown define `" + name + "` in rule " + rule.id});
        return false;
      }
      *out += "(?:";
      if (!expand(rule, def->second->pattern, def->second->loc, depth + 1, def->second->pack,
                  defines, out, lexicons_used, errors, shadow))
        return false;
      *out += ")";
    }
    pos = close + 2;
  }
  return true;
}

void RuleBook::Impl::shadow_set_pattern(Rule& r, const std::string& scope,
                                        const std::map<std::string, const Define*>& defines,
                                        std::map<std::string, std::string>* marked) const {
  r.set_on_shadow = false;
  if (shadow.empty() || std::none_of(r.lexicons.begin(), r.lexicons.end(),
                                     [&](const std::string& n) { return shadow.shadows(n); }))
    return;
  std::string on_shadow;
  std::vector<std::string> used;
  std::vector<RuleError> unused;
  if (!expand(r, r.pattern, r.pattern_loc, 0, scope, defines, &on_shadow, &used, &unused, &shadow))
    return;
  // The other lexicons stood in for by one code point each while the edges were trimmed: those
  // left come back as their forms, marks allowed after the words that may carry one.
  if (used.size() > 0xFF - 0x40) return;  // past the stand-ins' code points
  std::string p = open_repetitions(trim_optional_edges(on_shadow));
  for (size_t i = 0; i < used.size(); ++i) {
    std::string stand_in = Shadow::stand_in(static_cast<int>(i));
    if (shadow.shadows(used[i]) || p.find(stand_in) == std::string::npos) continue;
    std::string& re = (*marked)[used[i]];
    if (re.empty()) re = shadow.marked_regex(*lexicons.at(used[i]));
    std::string forms = "(?:(?:" + re + ")" + optional_mark() + ")";
    for (size_t at; (at = p.find(stand_in)) != std::string::npos;)
      p.replace(at, stand_in.size(), forms);
  }
  if (p.size() >= r.in_set().size()) return;
  r.set_patterns(r.expanded, p);
  r.set_on_shadow = true;
}

namespace {

// Every lexicon a rule or a define of the packs refers to.
std::set<std::string> referenced_lexicons(const std::vector<PackData>& packs) {
  std::set<std::string> out;
  auto scan = [&](const std::string& pattern) {
    for (size_t at = pattern.find("{{@"); at != std::string::npos; at = pattern.find("{{@", at + 3))
      if (size_t close = pattern.find("}}", at + 3); close != std::string::npos)
        out.insert(pattern.substr(at + 3, close - at - 3));
  };
  for (const auto& p : packs) {
    for (const auto& r : p.rules) scan(r.pattern);
    for (const auto& [name, d] : p.defines) scan(d.pattern);
  }
  return out;
}

}  // namespace

std::map<std::string, size_t> RuleBook::Impl::lexicon_set_bytes(
    const std::map<std::string, const Define*>& defines) const {
  std::map<std::string, size_t> bytes;
  std::vector<RuleError> ignored;  // compile() reports them
  for (const auto& p : packs)
    for (const auto& r : p.rules) {
      const KindTraits* kind = find_kind(r.kind);
      if (!kind || kind->stage != Stage::kFigures) continue;
      std::string expanded;
      std::vector<std::string> used;
      if (!expand(r, r.pattern, r.pattern_loc, 0, p.name, defines, &expanded, &used, &ignored))
        continue;
      std::string set = open_repetitions(trim_optional_edges(expanded));
      std::sort(used.begin(), used.end());
      used.erase(std::unique(used.begin(), used.end()), used.end());
      for (const auto& l : used) {
        std::string re = "(?:" + lexicon_regex.at(l) + ")";  // expand() wrote it
        for (size_t at = set.find(re); at != std::string::npos; at = set.find(re, at + re.size()))
          bytes[l] += re.size();
      }
    }
  return bytes;
}

RuleBook::RuleBook() : impl_(std::make_unique<Impl>()) {}
RuleBook::~RuleBook() = default;
RuleBook::RuleBook(RuleBook&&) noexcept = default;
RuleBook& RuleBook::operator=(RuleBook&&) noexcept = default;

// Sources are parsed on all cores (yaml-cpp is a quarter of start-up), then merged in order, so
// which pack overrides which, and the order of errors, never depend on the thread count.
void RuleBook::add_sources(const std::vector<SourceFile>& sources, std::vector<RuleError>* errors) {
  impl_->background.reset();  // it reads the packs this changes
  impl_->fill_source_rules();
  ++impl_->layer;
  std::vector<std::optional<PackData>> parsed(sources.size());
  std::vector<std::vector<RuleError>> found(sources.size());
  on_all_cores(
      sources.size(), [&](size_t i) { return sources[i].text.size(); },
      [&](size_t i) { parsed[i] = impl_->parse_pack(sources[i], &found[i]); });
  for (size_t i = 0; i < sources.size(); ++i) {
    errors->insert(errors->end(), found[i].begin(), found[i].end());
    if (parsed[i]) impl_->merge(std::move(*parsed[i]));
  }
}

void RuleBook::add_directory(const std::string& dir, std::vector<RuleError>* errors) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    errors->push_back({{dir, 0, 0}, "not a directory of rule packs"});
    return;
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto ext = it->path().extension();
    if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
  }
  if (ec) errors->push_back({{dir, 0, 0}, ec.message()});
  std::sort(files.begin(), files.end());
  std::vector<SourceFile> sources;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in && !in.eof()) {
      errors->push_back({{f.string(), 0, 0}, "cannot read"});
      continue;
    }
    sources.push_back({f.string(), ss.str()});
  }
  add_sources(sources, errors);
}

void RuleBook::Impl::finish() {
  rule_index.clear();
  pack_index.clear();
  for (size_t i = 0; i < rules.size(); ++i) rule_index[rules[i].id] = i;
  for (size_t i = 0; i < packs.size(); ++i) pack_index[packs[i].name] = i;
  auto fill = [&](const char* name, std::unordered_set<std::string>* out) {
    out->clear();
    auto it = lexicons.find(name);
    if (it == lexicons.end()) return;
    for (const auto& e : it->second->entries()) out->insert(it->second->fold(e.form));
  };
  sentence_packs.clear();
  zone_packs.clear();
  for (const auto& p : packs) {
    auto has = [&](bool zone) {
      return std::any_of(p.set_rules.begin(), p.set_rules.end(),
                         [&](size_t ri) { return (rules[ri].type == RuleKind::kZone) == zone; });
    };
    if (has(false)) sentence_packs.push_back(p.name);
    if (has(true)) zone_packs.push_back(p.name);
  }
  fill("abbreviations", &segment.abbreviations);
  fill("title_abbreviations", &segment.title_abbreviations);
  fill("number_abbreviations", &segment.number_abbreviations);
  fill("sentence_starters", &segment.sentence_starters);
}

bool RuleBook::compile(std::vector<RuleError>* errors, Compile mode) {
  impl_->background.reset();  // it reads the packs this replaces
  impl_->derived.clear();     // derived from the packs as they were
  size_t before = errors->size();
  Impl& m = *impl_;
  m.fill_source_rules();
  m.rules.clear();
  m.lexicons.clear();
  m.lexicon_regex.clear();
  m.rule_index.clear();
  m.pack_index.clear();
  m.lexicon_layer.clear();
  for (const auto& p : m.packs) {
    for (const auto& l : p.lexicons) {
      auto [it, fresh] = m.lexicons.emplace(l.name, &l);
      if (fresh) {
        m.lexicon_layer[l.name] = p.layer;
        continue;
      }
      // A lexicon of a later layer (--patterns DIR) replaces an embedded one of the same name;
      // two in one layer are a mistake.
      if (m.lexicon_layer[l.name] == p.layer)
        errors->push_back(
            {l.loc, "lexicon `" + l.name + "` is already defined in " + it->second->loc.file});
      else
        check_replacement(*it->second, l, errors);
      it->second = &l;
      m.lexicon_layer[l.name] = p.layer;
    }
  }
  re2::RE2::Options opts = rule_options(false);
  // A model holds numbers (or maps of numbers): the stages read them without further checks.
  std::function<bool(const nlohmann::json&)> numeric = [&](const nlohmann::json& j) {
    if (j.is_number()) return true;
    if (!j.is_object()) return false;
    return std::all_of(j.begin(), j.end(), [&](const nlohmann::json& v) { return numeric(v); });
  };
  std::map<std::string, const Define*> defines;  // "pack.NAME"; a later layer's pack wins
  for (const auto& p : m.packs)
    for (const auto& [name, d] : p.defines) defines[p.name + "." + name] = &d;
  auto has_lexicon = [&](std::string_view name) { return m.lexicons.count(name) > 0; };
  auto model_of = [&](std::string_view pack) -> const nlohmann::json& {
    for (auto it = m.packs.rbegin(); it != m.packs.rend(); ++it)
      if (it->name == pack) return it->model;
    return m.null_model;
  };
  m.shadow.build(m.lexicons, referenced_lexicons(m.packs), m.lexicon_set_bytes(defines));
  std::map<std::string, std::string> marked;  // unshadowed lexicon -> Shadow::marked_regex
  for (size_t pi = 0; pi < m.packs.size(); ++pi) {
    PackData& p = m.packs[pi];
    if (!p.model.is_null() && !numeric(p.model))
      errors->push_back({{p.file, 0, 0}, "pack " + p.name + ": `model` must hold numbers only"});
    m.pack_index[p.name] = pi;
    p.parts.clear();
    p.hs_parts.clear();  // an image's databases hold the rules as they were: RE2 Sets from now
    p.set_rules.clear();
    for (const auto& src : p.rules) {
      Rule r = src;
      if (m.rule_index.count(r.id)) {
        const Rule& first = m.rules[m.rule_index[r.id]];
        errors->push_back({r.loc, "duplicate rule id `" + r.id + "` (first at " + first.loc.file +
                                      ":" + std::to_string(first.loc.line) + ")"});
        continue;
      }
      if (!check_contract(&r, has_lexicon, model_of, errors)) continue;
      std::string expanded;
      if (!m.expand(r, r.pattern, r.pattern_loc, 0, p.name, defines, &expanded, &r.lexicons,
                    errors))
        continue;
      std::string set = open_repetitions(trim_optional_edges(expanded));
      r.set_patterns(expanded, set == expanded ? std::string_view() : set);
      m.shadow_set_pattern(r, p.name, defines, &marked);
      r.re = std::make_shared<RuleRegex>(r, rule_options(r.attrs.value("longest", false)));
      if (mode == Compile::kLazy) {
        groups_from_scan(&r);
      } else if (const re2::RE2& re = r.re->get(); re.ok()) {
        groups_from_re2(re, &r);
      } else {
        // Point at the fragment RE2 complains about: in the pattern, else in a define it uses.
        SourceLoc at = r.pattern_loc;
        const std::string& arg = re.error_arg();
        size_t where = arg.empty() ? std::string::npos : r.pattern.find(arg);
        if (where != std::string::npos) {
          at.col += static_cast<int>(where);
        } else if (!arg.empty()) {
          for (const auto& [name, d] : p.defines)
            if (size_t w = d.pattern.find(arg); w != std::string::npos && d.loc.line > 0) {
              at = d.loc;
              at.col += static_cast<int>(w);
              break;
            }
        }
        errors->push_back({at, "bad pattern in rule " + r.id + ": " + re.error()});
        continue;
      }
      if (!check_groups(r, errors)) continue;
      r.stable_id = stable_string(r.id);
      m.rule_index[r.id] = m.rules.size();
      p.set_rules.push_back(m.rules.size());
      m.rules.push_back(std::move(r));
    }
  }
  check_needed_data(m.rules, m.dropped, has_lexicon, model_of, errors);
  plan_parts(m.packs, m.rules, opts, m.lexicons);
  compile_sets(m.packs, m.rules, errors);
  m.finish();
  return errors->size() == before;
}

void RuleBook::match_pack(std::string_view pack, std::string_view text, size_t begin, size_t end,
                          std::vector<Match>* out) const {
  for_each_match(pack, text, begin, end, [out](const Match& m) { out->push_back(m); });
}

namespace {

// A lexicon rule's matches in the slice, non-overlapping, leftmost first, as RE2's would be:
// group 0 and its one group (if any) are the whole match.
template <typename Fn>
void match_lexicons(const LexiconMatcher& lm, const Rule& r, const re2::StringPiece& slice,
                    const char* text, Match& mt, Fn& fn) {
  std::string_view s(slice.data(), slice.size());
  size_t offset = slice.data() - text;
  mt.rule = &r;
  mt.groups.resize(r.captures + 1);
  size_t pos = 0;
  while (auto m = lm.find(s, pos)) {
    mt.whole = {offset + m->first, offset + m->second};
    for (auto& g : mt.groups) g = mt.whole;
    mt.span = mt.whole;
    fn(mt);
    pos = m->second;
  }
}

// Buffers reused by a thread's calls (matching runs for every sentence and pack), one set per
// nesting level: a callback may match again. A deque keeps them in place as it grows.
struct MatchScratch {
  std::vector<PackData::SetPart::Window> fired;
  std::vector<std::pair<size_t, PackData::SetPart::Window>> fired_in;  // by slice
  std::vector<re2::StringPiece> subs;
  Match mt;
};

class ScratchLevel {
 public:
  ScratchLevel() {
    if (levels_.size() <= depth_) levels_.emplace_back();
    own_ = &levels_[depth_++];
  }
  ~ScratchLevel() { --depth_; }
  ScratchLevel(const ScratchLevel&) = delete;
  ScratchLevel& operator=(const ScratchLevel&) = delete;
  MatchScratch& operator*() const { return *own_; }

 private:
  static thread_local std::deque<MatchScratch> levels_;
  static thread_local size_t depth_;
  MatchScratch* own_;
};
thread_local std::deque<MatchScratch> ScratchLevel::levels_;
thread_local size_t ScratchLevel::depth_ = 0;

// RE2 finds where an unanchored match starts with a reverse program, which it compiles on the
// first search that needs one: a fifth of a one-line run's instructions. A rule's first few
// searches of a short window try each start in turn, anchored, instead: that finds the same
// match (the leftmost start, then the pattern's own preference among the matches there, or the
// longest with `longest: true`), without the reverse program, for the rules a short input runs
// once. Later searches are unanchored (one pass over the window).
constexpr uint32_t kWalkedSearches = 4;
constexpr size_t kWalkBytes = 256;

bool walk_starts(RuleRegex& re, const PackData::SetPart::Window& w) {
  if (w.to - w.from > kWalkBytes) return false;
  std::atomic<uint32_t>& n = re.searches;
  // Read first: once a rule is past its first searches, the threads only share the count.
  return n.load(std::memory_order_relaxed) < kWalkedSearches &&
         n.fetch_add(1, std::memory_order_relaxed) < kWalkedSearches;
}

// The matches of one fired rule in text[begin, end), searched in the window `w` its database
// gives, handed to fn as found (see for_each_match).
template <typename Fn>
void match_fired(const std::vector<Rule>& rules, const PackData& p, std::string_view text,
                 size_t begin, size_t end, const PackData::SetPart::Window& w,
                 const std::vector<char>* fire_only, MatchScratch& own, Fn& fn) {
  // Rules see the slice alone, as the Set does: ^ and $ are its edges (a sentence's). A rule
  // searches only the window its database puts its matches in, with the slice around as context.
  const re2::StringPiece whole(text.data() + begin, end - begin);
  const size_t index = p.set_rules[w.k];
  const Rule& r = rules[index];
  Match& mt = own.mt;
  if (const LexiconMatcher* lm = p.matchers[w.k].get()) {
    match_lexicons(*lm, r, whole, text.data(), mt, fn);
    return;
  }
  if (w.fires && fire_only && index < fire_only->size() && (*fire_only)[index]) {
    mt.rule = &r;
    mt.whole = mt.span = {begin, end};
    mt.groups.assign(r.captures + 1, {kNoPos, kNoPos});
    mt.groups[0] = mt.whole;
    fn(mt);
    return;
  }
  const re2::RE2& re = r.re->get();
  if (!re.ok())  // a lazily compiled rule that `rules check` would have rejected
    throw Error("rule " + r.id + ": " + re.error());
  std::vector<re2::StringPiece>& subs = own.subs;
  int n = r.captures + 1;
  int asked = r.group1_is_whole ? 1 : n;
  subs.assign(n, re2::StringPiece());
  mt.rule = &r;
  mt.groups.resize(n);
  size_t pos = w.from;
  while (pos > 0 && (static_cast<unsigned char>(whole[pos]) & 0xC0) == 0x80)
    --pos;  // a code point's start
  const bool walk = walk_starts(*r.re, w);
  while (pos < w.to && leftmost_match(re, whole, pos, w.to, walk, subs.data(), asked)) {
    if (r.group1_is_whole) subs[1] = subs[0];
    size_t ms = subs[0].data() - text.data();
    size_t me = ms + subs[0].size();
    if (me == ms) {  // empty match: step one code point on
      pos = ms - begin + 1;
      while (pos < w.to && (static_cast<unsigned char>(text[begin + pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    mt.whole = {ms, me};
    for (int g = 0; g < n; ++g) {
      if (subs[g].data() == nullptr) {
        mt.groups[g] = {kNoPos, kNoPos};
        continue;
      }
      size_t gs = subs[g].data() - text.data();
      mt.groups[g] = {gs, gs + subs[g].size()};
    }
    for (const auto& [first, other] : r.group_aliases)
      if (!mt.has(first) && mt.has(other)) mt.groups[first] = mt.groups[other];
    mt.span = mt.has(r.span_group) ? mt.groups[r.span_group] : mt.whole;
    fn(mt);
    // Resume right after the span when only a little context follows it ("1,5, 2,5": the
    // ", " after one number is the context before the next), else after the whole match, so
    // a long trailing context is never scanned twice.
    bool short_tail = mt.span.end > ms && mt.span.end <= me && me - mt.span.end <= 16;
    pos = (short_tail ? mt.span.end : me) - begin;
  }
}

}  // namespace

bool leftmost_match(const re2::RE2& re, const re2::StringPiece& text, size_t pos, size_t to,
                    bool walk, re2::StringPiece* subs, int n) {
  if (!walk) return re.Match(text, pos, to, re2::RE2::UNANCHORED, subs, n);
  // Every byte, as the unanchored search's prefix reads them; and `to`, where it may find an
  // empty match.
  for (size_t p = pos; p <= to; ++p)
    if (re.Match(text, p, to, re2::RE2::ANCHOR_START, subs, n)) return true;
  return false;
}

void RuleBook::for_each_match(std::string_view pack, std::string_view text, size_t begin,
                              size_t end, const std::function<void(const Match&)>& fn,
                              const std::vector<char>* fire_only) const {
  auto pit = impl_->pack_index.find(pack);
  if (pit == impl_->pack_index.end() || begin >= end) return;
  const PackData& p = impl_->packs[pit->second];
  if (p.set_rules.empty()) return;
  ScratchLevel level;
  MatchScratch& own = *level;
  fired_rules(p, re2::StringPiece(text.data() + begin, end - begin), false, impl_->shadow,
              &own.fired);
  for (const auto& w : own.fired)
    match_fired(impl_->rules, p, text, begin, end, w, fire_only, own, fn);
}

void RuleBook::for_each_match(std::string_view pack, const std::vector<Slice>& slices,
                              const std::function<void(size_t, const Match&)>& fn,
                              const std::vector<char>* fire_only) const {
  auto pit = impl_->pack_index.find(pack);
  if (pit == impl_->pack_index.end()) return;
  const PackData& p = impl_->packs[pit->second];
  if (p.set_rules.empty()) return;
  ScratchLevel level;
  MatchScratch& own = *level;
  // Every slice's scan first, then rule by rule: the pack's database, then each rule's RE2,
  // stays in the CPU caches from slice to slice, where a slice at a time took turns with all.
  own.fired_in.clear();
  for (size_t i = 0; i < slices.size(); ++i) {
    const Slice& s = slices[i];
    if (s.begin >= s.end) continue;
    fired_rules(p, re2::StringPiece(s.text.data() + s.begin, s.end - s.begin), s.utf8,
                impl_->shadow, &own.fired);
    for (const auto& w : own.fired) own.fired_in.emplace_back(i, w);
  }
  // Stable: a rule's slices stay in order, and a slice's entries of one rule as fired_rules
  // gave them.
  std::stable_sort(own.fired_in.begin(), own.fired_in.end(),
                   [](const auto& a, const auto& b) { return a.second.k < b.second.k; });
  for (const auto& [i, w] : own.fired_in) {
    const Slice& s = slices[i];
    auto each = [&fn, i = i](const Match& m) { fn(i, m); };
    match_fired(impl_->rules, p, s.text, s.begin, s.end, w, fire_only, own, each);
  }
}

const std::vector<std::string>& RuleBook::sentence_packs() const {
  return impl_->sentence_packs;
}

const std::vector<std::string>& RuleBook::zone_packs() const {
  return impl_->zone_packs;
}

RuleBook::Plan RuleBook::plan() const {
  Plan out;
  for (const auto& p : impl_->packs) {
    for (const auto& part : p.parts) {
      out.set_parts += !part.members.empty();
      out.set_rules += part.members.size();
      for (int k : part.members) out.set_bytes += impl_->rules[p.set_rules[k]].expanded.size();
    }
    out.filtered_rules += p.filtered_rules.size();
    for (const auto& part : p.gated) out.gated_rules += part.members.size();
    out.lexicon_rules += p.lexicon_rules.size();
  }
  return out;
}

const Shadow& RuleBook::shadow() const {
  return impl_->shadow;
}

const Lexicon* RuleBook::lexicon(std::string_view name) const {
  auto it = impl_->lexicons.find(name);
  return it == impl_->lexicons.end() ? nullptr : it->second;
}

const std::vector<Rule>& RuleBook::rules() const {
  return impl_->rules;
}

const Rule* RuleBook::rule(std::string_view id) const {
  auto it = impl_->rule_index.find(id);
  return it == impl_->rule_index.end() ? nullptr : &impl_->rules[it->second];
}

std::shared_ptr<const void> RuleBook::derived_slot(
    const std::string& key, const std::function<std::shared_ptr<const void>()>& make) const {
  std::lock_guard<std::mutex> lock(impl_->derived_mutex);
  auto& slot = impl_->derived[key];
  if (!slot) slot = make();
  return slot;
}

const nlohmann::json& RuleBook::model(std::string_view pack) const {
  auto it = impl_->pack_index.find(pack);
  if (it == impl_->pack_index.end()) return impl_->null_model;
  return impl_->packs[it->second].model;
}

std::vector<std::string> RuleBook::pack_names() const {
  std::vector<std::string> out;
  for (const auto& p : impl_->packs) out.push_back(p.name);
  return out;
}

const SegmentRules& RuleBook::segment_rules() const {
  return impl_->segment;
}

std::string_view RuleBook::group(const Match& m, std::string_view text, std::string_view name) {
  auto it = m.rule->groups.find(name);  // no allocation: called for every match
  if (it == m.rule->groups.end() || !m.has(it->second)) return {};
  const TextRange& g = m.groups[it->second];
  return text.substr(g.start, g.end - g.start);
}

namespace {

size_t indent_of(std::string_view line) {
  size_t i = line.find_first_not_of(' ');
  return i == std::string_view::npos ? line.size() : i;
}

// A YAML pack with its `examples:` and `counterexamples:` blocks blanked, line for line, so
// every other node keeps its line and column. Extraction never reads examples, and they are
// 29% of the embedded YAML (yaml-cpp is a quarter of start-up). A block is the key's line and
// the lines after it that are blank, indented deeper, or sequence items at the key's indent.
// Only for the embedded packs, whose rules a test checks are the same either way.
std::string without_examples(std::string_view yaml) {
  std::string out;
  out.reserve(yaml.size());
  size_t block_indent = std::string_view::npos;  // npos: not in a block
  while (!yaml.empty()) {
    size_t nl = yaml.find('\n');
    std::string_view line = yaml.substr(0, nl);
    yaml.remove_prefix(nl == std::string_view::npos ? yaml.size() : nl + 1);
    size_t ind = indent_of(line);
    std::string_view rest = line.substr(ind);
    if (block_indent != std::string_view::npos) {
      bool inside =
          rest.empty() || ind > block_indent || (ind == block_indent && rest.substr(0, 2) == "- ");
      if (!inside) block_indent = std::string_view::npos;
    }
    if (block_indent == std::string_view::npos &&
        (rest.substr(0, 9) == "examples:" || rest.substr(0, 16) == "counterexamples:"))
      block_indent = ind;
    if (block_indent == std::string_view::npos) out += line;
    if (nl != std::string_view::npos) out += '\n';
  }
  return out;
}

}  // namespace

std::vector<SourceFile> embedded_extraction_sources() {
  std::vector<SourceFile> sources = embedded_pack_sources();
  for (auto& s : sources)
    if (!s.text.empty() && s.text[0] != '{') s.text = without_examples(s.text);
  return sources;
}

const RuleBook& default_rulebook() {
  static const RuleBook* book = [] {
    auto b = std::make_unique<RuleBook>();
    std::vector<RuleError> errors;
    if (std::string_view image = embedded_book_image(); !image.empty()) {
      b->load_image(image, &errors, true);  // compiled at build time from the same sources
    } else {
      b->add_sources(embedded_extraction_sources(), &errors);
      b->compile(&errors, RuleBook::Compile::kLazy);
    }
    if (!errors.empty()) {
      std::string all = "the embedded rule packs do not compile:";
      for (const auto& e : errors) all.append("\n").append(e.format());
      throw Error(all);
    }
    // The book lives as long as the process; its background compilers stop at exit, before
    // anything they use is torn down.
    std::atexit([] { book->impl_->background.reset(); });
    return b.release();
  }();
  return *book;
}

}  // namespace claimx
