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

std::vector<Match> match_sentences(const Context& ctx) {
  std::vector<Match> out;
  std::vector<std::string> packs = ctx.book.pack_names();
  for (size_t si : ctx.item_sentences) {
    const Sentence& s = (*ctx.sentences)[si];
    size_t first = out.size();
    for (const auto& pack : packs) ctx.book.match_pack(pack, ctx.text, s.span.start, s.span.end, &out);
    // Zone rules read whole lines (text/zones.cc); rules that read capitalisation as evidence
    // say which zones they skip (a headline in title case capitalises every word).
    auto skipped = [&](const Match& m) {
      if (m.rule->kind == "zone") return true;
      const auto& skip = m.rule->attrs.find("skip_zones");
      if (skip == m.rule->attrs.end() || !skip->is_array()) return false;
      return std::find(skip->begin(), skip->end(), s.zone) != skip->end();
    };
    out.erase(std::remove_if(out.begin() + first, out.end(), skipped), out.end());
  }
  return out;
}

Result extract(const Document& doc, const RuleBook& book, const ExtractOptions& options) {
  Result r;
  std::string_view text = doc.text;
  auto paragraphs = split_paragraphs(text);
  Zoning zoning = find_zones(text, paragraphs, book);
  r.boilerplate = zoning.boilerplate;
  if (zoning.headline) r.headline = paragraphs[*zoning.headline];
  for (size_t p = 0; p < paragraphs.size(); ++p)
    for (const auto& s : split_sentences(text, paragraphs[p].start, paragraphs[p].end, book.segment_rules()))
      r.sentences.push_back({s, zoning.zone[p]});

  Context ctx{text, book, std::nullopt, &r.sentences, {}};
  if (options.anchor_date) ctx.anchor = parse_iso_date(*options.anchor_date);
  else if (doc.date) ctx.anchor = parse_iso_date(*doc.date);
  for (size_t i = 0; i < r.sentences.size(); ++i)
    if (r.sentences[i].zone != "boilerplate") ctx.item_sentences.push_back(i);

  std::vector<Match> figures, entities, agreements, claims;
  for (Match& m : match_sentences(ctx)) {
    const std::string& kind = m.rule->kind;
    if (is_figure_kind(kind)) figures.push_back(std::move(m));
    else if (kind == "entity") entities.push_back(std::move(m));
    else if (kind == "agreement" || kind == "agreement-status") agreements.push_back(std::move(m));
    else if (is_claim_kind(kind)) claims.push_back(std::move(m));
  }
  extract_figures(ctx, figures, &r);
  extract_entities(ctx, entities, &r);
  extract_agreements(ctx, std::move(agreements), &r);
  extract_claims(ctx, claims, options, &r);
  std::stable_sort(r.cues.begin(), r.cues.end(), [](const Cue& a, const Cue& b) { return a.span.start < b.span.start; });
  return r;
}

}  // namespace claimx
