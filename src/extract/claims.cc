// Claims: every body sentence gets features from the `claims` pack's cues and from the
// figures and entities in it; a logistic model (the pack's `model`) scores it.
#include <cmath>
#include <map>
#include <set>

#include "extract/internal.h"

namespace claimx {

namespace {

struct Model {
  double bias = 0;
  double threshold = 0.5;
  size_t change_window_bytes = 40;  // how far after a change verb its figures may stand
  std::map<std::string, double, std::less<>> weights;
  // Length features: a sentence of n words has the one whose lower bound is the largest <= n.
  std::vector<std::pair<double, std::string>> length_bins;
  double reason_min_drop = 0.25;  // a term names the not_claim_reason when it lowers z this much
};

Model load_model(const RuleBook& book) {
  Model m;
  const auto& j = book.model("claims");
  if (!j.is_object()) return m;
  m.bias = j.value("bias", 0.0);
  m.threshold = j.value("threshold", 0.5);
  m.change_window_bytes = static_cast<size_t>(j.value("change_window_bytes", 40.0));
  m.reason_min_drop = j.value("reason_min_drop", m.reason_min_drop);
  if (j.contains("weights") && j["weights"].is_object())
    for (const auto& [k, v] : j["weights"].items())
      if (v.is_number()) m.weights[k] = v.get<double>();
  if (j.contains("length_bins") && j["length_bins"].is_object())
    for (const auto& [k, v] : j["length_bins"].items())
      if (v.is_number()) m.length_bins.emplace_back(v.get<double>(), k);
  std::sort(m.length_bins.begin(), m.length_bins.end());
  return m;
}

size_t word_count(std::string_view s) {
  size_t n = 0;
  bool in = false;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
}

bool has_quote_marks(std::string_view s) {
  return s.find('"') != std::string_view::npos || s.find("“") != std::string_view::npos ||
         s.find("”") != std::string_view::npos;
}

void add_unique(std::vector<std::string>* v, const std::string& s) {
  if (!s.empty() && std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

// The last few words before byte `at`, nearest first.
std::vector<std::string_view> words_before(std::string_view text, size_t from, size_t at,
                                           size_t n) {
  std::vector<std::string_view> out;
  size_t i = at;
  while (out.size() < n && i > from) {
    while (i > from && (text[i - 1] == ' ' || text[i - 1] == '\n')) --i;
    size_t end = i;
    while (i > from && text[i - 1] != ' ' && text[i - 1] != '\n') --i;
    if (end > i) out.push_back(text.substr(i, end - i));
  }
  return out;
}

// "rose 3% to $11.1bn from $10.9bn": after the change verb, a figure's role is the nearest
// preposition before it (lexicon change_prepositions); the first one with none is the size.
Change find_change(const Context& ctx, const Hit& verb, const std::vector<size_t>& figures,
                   const Result& r, size_t window) {
  static const std::set<std::string, std::less<>> kAmounts{"money", "percent", "percentage-points",
                                                           "number", "measure"};
  Change c;
  c.direction = verb.rule->attrs.value("direction", "");
  c.verb = verb.span;
  const Lexicon* preps = ctx.book.lexicon("change_prepositions");
  size_t last_end = verb.span.end;
  for (size_t fi : figures) {
    const Figure& f = r.figures[fi];
    if (f.span.start < verb.span.end || !kAmounts.count(f.kind)) continue;
    // A change names its figures close after the verb ("rose 3% to $11.1bn"); a figure far on
    // belongs to something else ("increased border security ... $9.9 million").
    if (f.span.start - last_end > window) break;
    std::string role;
    for (auto w : words_before(ctx.text, last_end, f.span.start, 3))
      if (const LexiconEntry* e = preps ? preps->find(w) : nullptr) {
        role = e->attrs.value("role", "");
        break;
      }
    if (role.empty() && !c.by && !c.to && !c.from) role = "by";
    std::optional<size_t>* slot = role == "to"     ? &c.to
                                  : role == "from" ? &c.from
                                  : role == "by"   ? &c.by
                                                   : nullptr;
    if (slot && !*slot) *slot = fi;
    last_end = f.span.end;
  }
  return c;
}

// Why a sentence scored below the threshold: the feature that pulled it down most (a question,
// an opinion, ...) when it pulled by at least min_drop; else "no-claim-cue" when nothing raised
// it; else "low-score".
std::string not_claim_reason(const std::vector<ScoreTerm>& terms, double min_drop) {
  const ScoreTerm* worst = nullptr;
  bool raised = false;
  for (const ScoreTerm& t : terms) {
    if (t.name == "bias") continue;
    double contribution = t.value * t.weight;
    if (contribution > 0) raised = true;
    if (contribution < 0 && (!worst || contribution < worst->value * worst->weight)) worst = &t;
  }
  if (worst && worst->value * worst->weight <= -min_drop) return worst->name;
  return raised ? "low-score" : "no-claim-cue";
}

}  // namespace

void finish_claims(const Context& ctx, const std::vector<Hit>& hits, const ExtractOptions& options,
                   Result* out) {
  Model model = load_model(ctx.book);
  double threshold = options.min_score.value_or(model.threshold);
  std::map<int, std::vector<const Hit*>> cues_by_sentence;
  for (const Hit& h : hits) {
    cues_by_sentence[h.sentence].push_back(&h);
  }
  // Items by sentence, so each sentence looks only at its own (linear in the document).
  std::map<int, std::vector<size_t>> figures_in, entities_in, agreements_in;
  for (size_t fi = 0; fi < out->figures.size(); ++fi)
    figures_in[out->figures[fi].sentence].push_back(fi);
  std::map<int, std::vector<std::pair<TextRange, size_t>>> mentions_in;
  for (size_t ei = 0; ei < out->entities.size(); ++ei)
    for (const auto& mn : out->entities[ei].mentions) {
      int si = ctx.sentence_at(mn.span.start);
      auto& v = entities_in[si];
      if (v.empty() || v.back() != ei) v.push_back(ei);
      mentions_in[si].emplace_back(mn.span, ei);
    }
  for (size_t ai = 0; ai < out->agreements.size(); ++ai)
    for (const auto& mn : out->agreements[ai].mentions) {
      auto& v = agreements_in[ctx.sentence_at(mn.span.start)];
      if (v.empty() || v.back() != ai) v.push_back(ai);
    }
  static const std::set<std::string, std::less<>> kQuantity{
      "money", "number", "percent", "percentage-points", "ordinal", "range", "measure"};
  for (size_t si : ctx.item_sentences) {
    const Sentence& s = (*ctx.sentences)[si];
    if (s.zone != "body") continue;
    Claim c;
    c.span = s.span;
    c.sentence = static_cast<int>(si);
    std::map<std::string, double, std::less<>> features;
    int key = static_cast<int>(si);
    for (size_t fi : figures_in[key]) {
      const Figure& f = out->figures[fi];
      c.figures.push_back(fi);
      features["figure." + f.kind] = 1;
      if (kQuantity.count(f.kind)) add_unique(&c.types, "quantity");
    }
    c.entities = entities_in[key];
    std::sort(c.entities.begin(), c.entities.end());
    c.entities.erase(std::unique(c.entities.begin(), c.entities.end()), c.entities.end());
    if (!c.entities.empty()) features["entity"] = 1;
    c.agreements = agreements_in[key];
    std::sort(c.agreements.begin(), c.agreements.end());
    c.agreements.erase(std::unique(c.agreements.begin(), c.agreements.end()), c.agreements.end());
    for (const Hit* h : cues_by_sentence[key]) {
      const Rule& r = *h->rule;
      add_unique(&c.cues, r.id);
      if (r.kind == "hedge") c.hedged = true, features["hedge"] = 1;
      if (r.kind == "negation") c.negated = true, features["negation"] = 1;
      if (r.kind == "attribution" && !c.attribution) {
        Attribution a;
        a.speaker = h->speaker.start == kNoPos ? h->span : h->speaker;
        if (h->verb.start != kNoPos) a.verb = std::string(ctx.slice(h->verb));
        a.direct = has_quote_marks(ctx.slice(s.span));
        // The speaker is the entity with the longest mention inside the speaker's words
        // ("the New Zealand Ministry of Foreign Affairs" is the ministry, not the country).
        size_t best = 0;
        for (const auto& [span, ei] : mentions_in[key])
          if (span.start < a.speaker.end && a.speaker.start < span.end &&
              span.end - span.start > best) {
            best = span.end - span.start;
            a.entity = ei;
          }
        c.attribution = a;
        features["attribution"] = 1;
      }
      if (r.attrs.contains("direction") && !c.change) {
        Change ch = find_change(ctx, *h, c.figures, *out, model.change_window_bytes);
        if (ch.by || ch.from || ch.to) c.change = ch;
      }
      std::string feature = r.attrs.value("feature", "");
      if (!feature.empty()) features[feature] = 1;
      if (r.kind == "cue") add_unique(&c.types, r.attrs.value("type", ""));
    }
    const double words = static_cast<double>(word_count(ctx.slice(s.span)));
    const std::string* bin = nullptr;
    for (const auto& [lower, name] : model.length_bins)
      if (lower <= words) bin = &name;
    if (bin) features[*bin] = 1;
    double z = model.bias;
    c.terms.push_back({"bias", 1, model.bias});
    for (const auto& [name, x] : features) {
      auto w = model.weights.find(name);
      double weight = w != model.weights.end() ? w->second : 0.0;
      z += weight * x;
      c.terms.push_back({name, x, weight});
    }
    c.checkworthiness = std::round(1000.0 / (1.0 + std::exp(-z))) / 1000.0;
    if (c.checkworthiness < threshold && options.keep_all_scored)
      c.not_claim_reason = not_claim_reason(c.terms, model.reason_min_drop);
    if (c.types.empty()) c.types.push_back("other");
    // "other" only when nothing more specific applies.
    if (c.types.size() > 1)
      c.types.erase(std::remove(c.types.begin(), c.types.end(), "other"), c.types.end());
    // Every body sentence is scored, few are claims: copy the claims, move the rest.
    bool claim = c.checkworthiness >= threshold;
    if (!options.keep_all_scored) {
      if (claim) out->claims.push_back(std::move(c));
      continue;
    }
    if (claim) out->claims.push_back(c);
    out->all_scored.push_back(std::move(c));
  }
}

}  // namespace claimx
