// Agreements: named treaties, deals and partnerships from the `agreements` pack; acronyms
// defined in parentheses become aliases; parties from the places inside the name or from a
// known agreement's codes; status from the verbs in the sentences that mention it.
#include <map>
#include <set>

#include "extract/internal.h"

namespace claimx {

namespace {

// The first entry of `agreement_types` (in lexicon order) found as words in text.
std::string type_from(const Context& ctx, std::string_view text) {
  const Lexicon* lex = ctx.book.lexicon("agreement_types");
  if (!lex) return "";
  std::string low = lower_ascii(text);
  for (const auto& e : lex->entries())
    if (!find_words(low, 0, low.size(), lower_ascii(e.form)).empty())
      return e.attrs.value("type", "");
  return "";
}

TextRange trim_leading(const Context& ctx, const Rule& r, TextRange span) {
  if (!r.attrs.contains("trim_leading")) return span;
  for (;;) {
    std::string_view s = ctx.slice(span);
    size_t sp = s.find_first_of(" -");
    if (sp == std::string_view::npos) return span;
    bool cut = false;
    for (const auto& name : r.attrs["trim_leading"]) {
      const Lexicon* lex = ctx.book.lexicon(name.get<std::string>());
      if (lex && lex->contains(s.substr(0, sp))) cut = true;
    }
    if (!cut) return span;
    span.start += sp + 1;
  }
}

}  // namespace

std::optional<AgreementCandidate> interpret_agreement(const Context& ctx, const Match& m,
                                                      int sentence) {
  const Rule& r = *m.rule;
  auto name_it = r.groups.find("name");
  if (name_it == r.groups.end() || !m.has(name_it->second)) return std::nullopt;
  TextRange name_span = trim_leading(ctx, r, m.groups[name_it->second]);
  std::string_view name = ctx.slice(name_span);
  // A name must be more than its head word ("Agreement", "The Deal").
  const Lexicon* heads = ctx.book.lexicon("agreement_heads");
  if (heads && heads->find(name)) return std::nullopt;
  AgreementCandidate c;
  c.whole = m.whole;
  c.priority = r.priority;
  c.sentence = sentence;
  c.name = std::string(name);
  c.mentions.push_back({name_span, r.id, "name"});
  if (auto acr = ctx.group(m, "acr"); !acr.empty()) {
    auto gi = r.groups.at("acr");
    c.acronym = std::string(acr);
    c.mentions.push_back({m.groups[gi], r.id, "acronym"});
  }
  const Lexicon* known = ctx.book.lexicon("known_agreements");
  for (std::string_view key : {std::string_view(c.name), std::string_view(c.acronym)}) {
    const LexiconEntry* e = known && !key.empty() ? known->find(key) : nullptr;
    if (!e) continue;
    c.name = e->attrs.value("name", c.name);
    c.type = e->attrs.value("type", "");
    if (e->attrs.contains("parties")) c.parties = e->attrs["parties"];
    break;
  }
  return c;
}

namespace {

std::string country_name(const Context& ctx, const std::string& code) {
  for (const char* lname : {"countries", "place_aliases"}) {
    const Lexicon* lex = ctx.book.lexicon(lname);
    if (!lex) continue;
    for (const auto& e : lex->entries())
      if (e.attrs.value("code", "") == code) return e.attrs.value("name", e.form);
  }
  return "";
}

// Place mentions by position and place entities by name, built once per document.
struct PlaceIndex {
  std::vector<std::pair<TextRange, size_t>> mentions;  // sorted by start; demonyms left out
  std::map<std::string, size_t> by_name;

  explicit PlaceIndex(const Result& r) {
    for (size_t ei = 0; ei < r.entities.size(); ++ei) {
      if (r.entities[ei].type != "place") continue;
      by_name.emplace(r.entities[ei].name, ei);
      for (const auto& m : r.entities[ei].mentions)
        if (m.form != "demonym") mentions.emplace_back(m.span, ei);
    }
    std::sort(mentions.begin(), mentions.end(),
              [](const auto& a, const auto& b) { return a.first.start < b.first.start; });
  }
};

void add_parties(const Context& ctx, const AgreementCandidate& c, const PlaceIndex& places,
                 Agreement* a) {
  auto add = [&](size_t ei) {
    if (std::find(a->parties.begin(), a->parties.end(), ei) == a->parties.end())
      a->parties.push_back(ei);
  };
  if (c.parties.is_array()) {
    if (!a->parties.empty()) return;  // a known agreement's parties are the same every time
    for (const auto& code : c.parties) {
      auto it = places.by_name.find(country_name(ctx, code.get<std::string>()));
      if (it != places.by_name.end()) add(it->second);
    }
    return;
  }
  // Places named inside the agreement's name, in the order they appear.
  for (const auto& nm : c.mentions) {
    auto it = std::lower_bound(places.mentions.begin(), places.mentions.end(), nm.span.start,
                               [](const auto& p, size_t start) { return p.first.start < start; });
    for (; it != places.mentions.end() && it->first.start < nm.span.end; ++it)
      if (it->first.end <= nm.span.end) add(it->second);
  }
}

// The kind of a named agreement: a word of its name that says one ("Treaty", "Partnership",
// "Free Trade"), else its type's.
std::string named_kind(const Context& ctx, const Agreement& a) {
  std::string low = lower_ascii(a.name);
  for (const char* lname : {"deal_kinds", "deal_nouns"})
    if (const Lexicon* lex = ctx.lexicon(lname))
      for (const auto& e : lex->entries()) {
        std::string kind = e.attrs.value("kind", "");
        if (kind != "other" && !find_words(low, 0, low.size(), lower_ascii(e.form)).empty())
          return kind;
      }
  if (a.type == "trade" || a.type == "investment") return "trade";
  if (a.type == "strategic") return "partnership";
  if (a.type == "security" || a.type == "climate") return "treaty";
  return "other";
}

}  // namespace

void finish_agreements(const Context& ctx, std::vector<AgreementCandidate> cands,
                       const std::vector<Hit>& status_cues, Result* out) {
  cands = resolve_overlaps(
      std::move(cands), [](const AgreementCandidate& c) { return c.whole; },
      [](const AgreementCandidate& c) { return c.priority; });

  // Acronyms defined anywhere name the agreement everywhere.
  std::map<std::string, std::string> acronym_of;
  for (const auto& c : cands)
    if (!c.acronym.empty()) acronym_of[c.acronym] = c.name;
  SpanIndex taken;
  for (const auto& c : cands) taken.add(c.whole);
  for (const auto& [acr, name] : acronym_of)
    for (size_t at : ctx.find_in_items(acr)) {
      TextRange span{at, at + acr.size()};
      if (taken.overlaps(span)) continue;
      taken.add(span);
      AgreementCandidate c;
      c.whole = span;
      c.name = name;
      c.mentions.push_back({span, "link.acronym", "acronym"});
      cands.push_back(std::move(c));
    }
  std::sort(cands.begin(), cands.end(),
            [](const AgreementCandidate& a, const AgreementCandidate& b) {
              return a.whole.start < b.whole.start;
            });

  PlaceIndex places(*out);
  std::map<std::string, size_t> index;
  std::vector<std::set<int>> sentences_of;
  for (auto& c : cands) {
    auto [it, fresh] = index.emplace(c.name, out->agreements.size());
    if (fresh) {
      Agreement a;
      a.name = c.name;
      out->agreements.push_back(std::move(a));
      sentences_of.emplace_back();
    }
    Agreement& a = out->agreements[it->second];
    if (a.type.empty()) a.type = c.type;
    for (auto& mn : c.mentions) {
      std::string text(ctx.slice(mn.span));
      if (text != a.name && std::find(a.aliases.begin(), a.aliases.end(), text) == a.aliases.end())
        a.aliases.push_back(text);
      sentences_of[it->second].insert(ctx.sentence_at(mn.span.start));
      a.mentions.push_back(mn);
    }
    add_parties(ctx, c, places, &a);
  }
  std::map<int, std::vector<const Hit*>> status_in;  // status cues by sentence
  for (const Hit& h : status_cues) status_in[h.sentence].push_back(&h);
  for (size_t ai = 0; ai < out->agreements.size(); ++ai) {
    Agreement& a = out->agreements[ai];
    if (a.type.empty()) a.type = type_from(ctx, a.name);
    if (a.type.empty())
      for (int si : sentences_of[ai])
        if (si >= 0 && a.type.empty())
          a.type = type_from(ctx, ctx.slice((*ctx.sentences)[si].span));
    if (a.type.empty()) a.type = "other";
    a.kind = named_kind(ctx, a);
    if (!a.mentions.empty()) {
      int si = ctx.sentence_at(a.mentions.front().span.start);
      if (si >= 0) a.evidence = (*ctx.sentences)[si].span;
    }
    int best = -1;
    for (int si : sentences_of[ai]) {
      auto hits = status_in.find(si);
      if (hits == status_in.end()) continue;
      for (const Hit* h : hits->second) {
        if (h->rule->priority <= best) continue;
        best = h->rule->priority;
        a.status = h->rule->attrs.value("status", "");
      }
    }
  }
}

}  // namespace claimx
