// The pipeline: zone -> segment -> match -> interpret -> link. See docs/ARCHITECTURE.md.
#include <set>

#include "extract/internal.h"
#include "text/zones.h"

namespace claimx {

int Context::sentence_at(size_t byte) const {
  const auto& s = *sentences;
  auto it = std::upper_bound(s.begin(), s.end(), byte,
                             [](size_t b, const Sentence& x) { return b < x.span.start; });
  if (it == s.begin()) return -1;
  --it;
  return byte < it->span.end ? static_cast<int>(it - s.begin()) : -1;
}

std::vector<size_t> Context::find_in_items(std::string_view needle) const {
  std::vector<size_t> out;
  for (size_t at : find_words(text, 0, text.size(), needle)) {
    int si = sentence_at(at);
    if (si >= 0 && is_item_sentence[si] && at + needle.size() <= (*sentences)[si].span.end)
      out.push_back(at);
  }
  return out;
}

Hit make_hit(const Context& ctx, const Match& m, int sentence) {
  Hit h;
  h.rule = m.rule;
  h.span = m.span;
  h.sentence = sentence;
  for (auto [name, field] : {std::pair{"speaker", &h.speaker}, std::pair{"verb", &h.verb}}) {
    auto it = m.rule->groups.find(name);
    if (it != m.rule->groups.end() && m.has(it->second)) *field = m.groups[it->second];
  }
  (void)ctx;
  return h;
}

namespace {

// Rules that read capitalisation as evidence say which zones they skip (a headline in title
// case capitalises every word). Zone rules read whole lines (text/zones.cc), not sentences.
// A shouting sentence (all capitals) counts as the zone `shouting` as well as its own.
bool skipped(const Match& m, const std::string& zone, bool shouting) {
  if (m.rule->kind == "zone") return true;
  auto skip = m.rule->attrs.find("skip_zones");
  if (skip == m.rule->attrs.end() || !skip->is_array()) return false;
  if (shouting && std::find(skip->begin(), skip->end(), "shouting") != skip->end()) return true;
  return std::find(skip->begin(), skip->end(), zone) != skip->end();
}

// Matches of one pack over a window of sentences, kept for routing. The Match objects are
// reused from window to window (their group vectors keep their capacity).
struct PackMatches {
  std::vector<Match> matches;
  std::vector<size_t> first;  // per sentence of the window: index of its first match; then size
  size_t size = 0;

  void collect(const RuleBook& book, const std::string& pack, std::string_view text,
               const std::vector<TextRange>& spans) {
    size = 0;
    first.clear();
    for (const auto& span : spans) {
      first.push_back(size);
      book.for_each_match(pack, text, span.start, span.end, [this](const Match& m) { add(m); });
    }
    first.push_back(size);
  }
  void add(const Match& m) {
    if (size < matches.size())
      matches[size] = m;
    else
      matches.push_back(m);
    ++size;
  }
};

// Runs each pack over a window of consecutive sentences before the next pack (one RE2::Set
// stays hot in the CPU caches instead of seven taking turns: matching is about twice as fast),
// then routes the matches in the order of a sentence-by-sentence run: sentence, then pack, then
// as found. A window holds about kWindowBytes of text, so memory stays flat on any document; a
// longer sentence is matched alone and routed as its matches are found.
template <typename Route>
void match_in_windows(const RuleBook& book, std::string_view text,
                      const std::vector<Sentence>& sentences, const std::vector<size_t>& items,
                      Route route) {
  constexpr size_t kWindowBytes = 16 << 10;
  std::vector<std::string> packs = book.pack_names();
  std::vector<PackMatches> found(packs.size());
  std::vector<TextRange> window;
  for (size_t begin = 0; begin < items.size();) {
    const TextRange& first = sentences[items[begin]].span;
    if (first.end - first.start > kWindowBytes) {
      for (const auto& pack : packs)
        book.for_each_match(pack, text, first.start, first.end,
                            [&](const Match& m) { route(m, items[begin]); });
      ++begin;
      continue;
    }
    window.clear();
    for (size_t bytes = 0; begin + window.size() < items.size() && bytes < kWindowBytes;) {
      const TextRange& span = sentences[items[begin + window.size()]].span;
      if (span.end - span.start > kWindowBytes) break;
      window.push_back(span);
      bytes += span.end - span.start;
    }
    for (size_t p = 0; p < packs.size(); ++p) found[p].collect(book, packs[p], text, window);
    for (size_t i = 0; i < window.size(); ++i)
      for (const auto& pm : found)
        for (size_t k = pm.first[i]; k < pm.first[i + 1]; ++k)
          route(pm.matches[k], items[begin + i]);
    begin += window.size();
  }
}

}  // namespace

Result extract(const Document& doc, const RuleBook& book, const ExtractOptions& options) {
  Result r;
  std::string_view text = doc.text;
  auto paragraphs = split_paragraphs(text);
  Zoning zoning = find_zones(text, paragraphs, book);
  r.boilerplate = zoning.boilerplate;
  if (zoning.headline) r.headline = paragraphs[*zoning.headline];
  for (size_t p = 0; p < paragraphs.size(); ++p) {
    size_t start = paragraphs[p].start;
    if (zoning.dateline == p) {  // "OTTAWA (Reuters) -" is a sentence of its own, not body
      r.sentences.push_back({zoning.dateline_span, "dateline"});
      start = zoning.dateline_span.end;
    }
    for (const auto& s : split_sentences(text, start, paragraphs[p].end, book.segment_rules()))
      r.sentences.push_back({s, zoning.zone[p]});
  }

  Context ctx{text, book, std::nullopt, &r.sentences, {}, {}, {}, number_lexicons(book), {}};
  if (options.anchor_date)
    ctx.anchor = parse_iso_date(*options.anchor_date);
  else if (doc.date)
    ctx.anchor = parse_iso_date(*doc.date);
  ctx.is_item_sentence.assign(r.sentences.size(), false);
  ctx.shouting.assign(r.sentences.size(), false);
  for (size_t i = 0; i < r.sentences.size(); ++i)
    if (r.sentences[i].zone != "boilerplate") {
      ctx.shouting[i] = is_shouting(ctx.slice(r.sentences[i].span));
      ctx.item_sentences.push_back(i);
      ctx.is_item_sentence[i] = true;
    }

  // Match every pack over each sentence and interpret the matches sentence by sentence, pack by
  // pack, routed by the rule's kind (not its pack).
  std::vector<Figure> figures;
  std::vector<EntityCandidate> entities;
  std::vector<AgreementCandidate> agreements;
  std::vector<Hit> status, cues;
  SpanIndex masks;  // URLs, e-mail addresses, phone numbers: no item comes from inside them
  auto route = [&](const Match& m, size_t si) {
    if (skipped(m, r.sentences[si].zone, ctx.shouting[si])) return;
    const std::string& kind = m.rule->kind;
    if (is_figure_kind(kind)) {
      interpret_figures(ctx, m, &figures);
    } else if (kind == "entity") {
      interpret_entity(ctx, m, &entities);
    } else if (kind == "agreement") {
      if (auto a = interpret_agreement(ctx, m)) agreements.push_back(std::move(*a));
    } else if (kind == "agreement-status") {
      status.push_back(make_hit(ctx, m, static_cast<int>(si)));
    } else if (is_claim_kind(kind)) {
      cues.push_back(make_hit(ctx, m, static_cast<int>(si)));
    } else if (kind == "mask") {
      masks.add(m.span);
    }
  };
  match_in_windows(book, text, r.sentences, ctx.item_sentences, route);
  auto masked = [&](auto& items, auto span_of) {
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const auto& x) { return masks.overlaps(span_of(x)); }),
                items.end());
  };
  masked(figures, [](const Figure& f) { return f.span; });
  masked(entities, [](const EntityCandidate& e) { return e.mention.span; });
  masked(agreements, [](const AgreementCandidate& a) { return a.whole; });
  // A capitalised sequence or acronym definition inside an agreement's name, or its acronym
  // ("CUSMA"), is no entity.
  {
    SpanIndex named;
    std::set<std::string, std::less<>> acronyms;
    for (const auto& a : agreements) {
      named.add(a.whole);
      if (!a.acronym.empty()) acronyms.insert(a.acronym);
    }
    entities.erase(std::remove_if(entities.begin(), entities.end(),
                                  [&](const EntityCandidate& e) {
                                    return (e.auto_typed || !e.acronym.empty()) &&
                                           (named.overlaps(e.mention.span) ||
                                            acronyms.count(ctx.slice(e.mention.span)));
                                  }),
                   entities.end());
  }
  finish_figures(ctx, std::move(figures), &r);
  if (options.compose_dates) compose_dates(ctx, &r.figures);
  finish_entities(ctx, std::move(entities), &r);
  mark_currency_context(ctx, &r);
  finish_agreements(ctx, std::move(agreements), status, &r);
  finish_claims(ctx, cues, options, &r);
  return r;
}

}  // namespace claimx
