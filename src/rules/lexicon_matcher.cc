#include "rules/lexicon_matcher.h"

#include <re2/re2.h>

#include <algorithm>

namespace claimx {

namespace {

// RE2's \w and \b are ASCII.
bool word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

}  // namespace

struct LexiconMatcher::Item {
  std::string_view form;
  uint32_t term;
};

// The node of the forms items[lo, hi), which share their first `depth` bytes; sorted forms put
// a node's own forms first and each child's together, so no map of children is needed.
uint32_t LexiconMatcher::build(const std::vector<Item>& items, size_t lo, size_t hi, size_t depth,
                               const std::vector<Term>& terms) {
  auto id = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back();
  size_t i = lo;
  nodes_[id].first_term = static_cast<uint32_t>(terms_.size());
  for (; i < hi && items[i].form.size() == depth; ++i) terms_.push_back(terms[items[i].term]);
  nodes_[id].term_count = static_cast<uint32_t>(terms_.size()) - nodes_[id].first_term;
  auto byte_at = [&](size_t k) { return static_cast<unsigned char>(items[k].form[depth]); };
  size_t children = 0;
  for (size_t k = i; k < hi; ++k) children += k == i || byte_at(k) != byte_at(k - 1);
  auto first_edge = static_cast<uint32_t>(edges_.size());
  nodes_[id].first_edge = first_edge;
  nodes_[id].edge_count = static_cast<uint32_t>(children);
  edges_.resize(edges_.size() + children);
  for (size_t k = i, e = first_edge; k < hi; ++e) {
    size_t end = k + 1;
    while (end < hi && byte_at(end) == byte_at(k)) ++end;
    unsigned char c = byte_at(k);
    uint32_t child = build(items, k, end, depth + 1, terms);
    edges_[e] = {c, child};
    k = end;
  }
  return id;
}

LexiconMatcher::LexiconMatcher(const std::vector<const Lexicon*>& lexicons, bool longest)
    : longest_(longest) {
  std::vector<Term> terms;
  std::vector<Item> items;
  for (size_t order = 0; order < lexicons.size(); ++order) {
    const Lexicon& lex = *lexicons[order];
    for (const auto& e : lex.entries()) {
      const std::string& f = e.form;
      if (f.empty()) continue;
      items.push_back({f, static_cast<uint32_t>(terms.size())});
      terms.push_back({static_cast<uint32_t>(order),
                       lex.left_boundary && word_byte(static_cast<unsigned char>(f.front())),
                       lex.right_boundary && word_byte(static_cast<unsigned char>(f.back()))});
    }
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.form != b.form ? a.form < b.form : a.term < b.term;
  });
  if (items.empty()) return;
  build(items, 0, items.size(), 0, terms);
  index_first_bytes();
}

void LexiconMatcher::index_first_bytes() {
  std::fill(std::begin(first_byte_), std::end(first_byte_), false);
  std::fill(std::begin(mid_word_), std::end(mid_word_), true);
  if (nodes_.empty()) return;
  const Node& root = nodes_[0];
  for (uint32_t e = root.first_edge; e < root.first_edge + root.edge_count; ++e)
    first_byte_[edges_[e].byte] = true;
  // build() writes a node's terms before its children's, so the terms under each root edge are
  // one run of terms_, from its child's first_term to the next edge's. A trie that is not so
  // laid out keeps every byte at "may start inside a word".
  const uint32_t end = root.first_edge + root.edge_count;
  for (uint32_t e = root.first_edge; e < end; ++e) {
    uint32_t from = nodes_[edges_[e].child].first_term;
    uint32_t to =
        e + 1 < end ? nodes_[edges_[e + 1].child].first_term : static_cast<uint32_t>(terms_.size());
    if (from > to || to > terms_.size()) {
      std::fill(std::begin(mid_word_), std::end(mid_word_), true);
      return;
    }
    bool mid = false;
    for (uint32_t t = from; t < to && !mid; ++t) mid = !terms_[t].left_boundary;
    mid_word_[edges_[e].byte] = mid;
  }
}

// The length of the match starting at `at`, if one does.
std::optional<size_t> LexiconMatcher::match_at(std::string_view text, size_t at) const {
  bool left_ok = at == 0 || !word_byte(static_cast<unsigned char>(text[at - 1]));
  std::optional<size_t> best;
  uint32_t best_order = UINT32_MAX;
  uint32_t node = 0;
  for (size_t i = at;; ++i) {
    const Node& n = nodes_[node];
    if (n.term_count > 0) {  // never at the root: empty forms are skipped
      bool right_ok = i == text.size() || !word_byte(static_cast<unsigned char>(text[i]));
      for (uint32_t t = n.first_term; t < n.first_term + n.term_count; ++t) {
        const Term& term = terms_[t];
        if ((term.left_boundary && !left_ok) || (term.right_boundary && !right_ok)) continue;
        // Longest: any form, the longest wins. Leftmost-first: the first lexicon with a form
        // here, its longest form (an RE2 lexicon alternation lists the longest forms first).
        if (longest_ || term.order <= best_order) {
          best = i - at;
          best_order = term.order;
        }
      }
    }
    if (i == text.size() || n.edge_count == 0) break;
    auto c = static_cast<unsigned char>(text[i]);
    const Edge* first = edges_.data() + n.first_edge;
    const Edge* last = first + n.edge_count;
    const Edge* e =
        std::lower_bound(first, last, c, [](const Edge& x, unsigned char b) { return x.byte < b; });
    if (e == last || e->byte != c) break;
    node = e->child;
  }
  return best;
}

std::optional<std::pair<size_t, size_t>> LexiconMatcher::find(std::string_view text,
                                                              size_t from) const {
  for (size_t at = from; at < text.size(); ++at) {
    auto c = static_cast<unsigned char>(text[at]);
    if (!first_byte_[c]) continue;
    if (!mid_word_[c] && at > 0 && word_byte(static_cast<unsigned char>(text[at - 1]))) continue;
    if (auto n = match_at(text, at)) return std::make_pair(at, at + *n);
  }
  return std::nullopt;
}

std::shared_ptr<const LexiconMatcher> LexiconMatcher::for_rule(const Rule& r,
                                                               const LexiconMap& lexicons) {
  // "{{@a}}|{{@b}}", maybe inside one "(?P<name>...)" or "(...)" group.
  static const re2::RE2 shape(R"((?:\(\?P<\w+>|\()?\{\{@\w+\}\}(?:\|\{\{@\w+\}\})*\)?)");
  if (!re2::RE2::FullMatch(r.pattern, shape)) return nullptr;
  if ((r.pattern.front() == '(') != (r.pattern.back() == ')')) return nullptr;
  std::vector<const Lexicon*> in_order;
  for (const auto& name : r.lexicons) {
    auto it = lexicons.find(name);
    if (it == lexicons.end() || it->second->ignore_case) return nullptr;
    in_order.push_back(it->second);
  }
  if (in_order.empty()) return nullptr;
  return std::make_shared<LexiconMatcher>(in_order, r.attrs.value("longest", false));
}

}  // namespace claimx
