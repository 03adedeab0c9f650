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

  // Match every pack over each sentence and interpret each match as it is found, routed by
  // the rule's kind (not its pack).
  std::vector<Figure> figures;
  std::vector<EntityCandidate> entities;
  std::vector<AgreementCandidate> agreements;
  std::vector<Hit> status, cues;
  SpanIndex masks;  // URLs, e-mail addresses, phone numbers: no item comes from inside them
  std::vector<std::string> packs = book.pack_names();
  for (size_t si : ctx.item_sentences) {
    const Sentence& s = r.sentences[si];
    int sentence = static_cast<int>(si);
    auto route = [&](const Match& m) {
      if (skipped(m, s.zone, ctx.shouting[si])) return;
      const std::string& kind = m.rule->kind;
      if (is_figure_kind(kind)) {
        interpret_figures(ctx, m, &figures);
      } else if (kind == "entity") {
        interpret_entity(ctx, m, &entities);
      } else if (kind == "agreement") {
        if (auto a = interpret_agreement(ctx, m)) agreements.push_back(std::move(*a));
      } else if (kind == "agreement-status") {
        status.push_back(make_hit(ctx, m, sentence));
      } else if (is_claim_kind(kind)) {
        cues.push_back(make_hit(ctx, m, sentence));
      } else if (kind == "mask") {
        masks.add(m.span);
      }
    };
    for (const auto& pack : packs) book.for_each_match(pack, text, s.span.start, s.span.end, route);
  }
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
