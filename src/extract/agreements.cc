// Agreements: named treaties, deals and partnerships from the `agreements` pack; acronyms
// defined in parentheses become aliases; parties from the places inside the name or from a
// known agreement's codes; status from the verbs in the sentences that mention it.
#include <map>
#include <set>

#include "extract/internal.h"

namespace claimx {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The first entry of `agreement_types` (in lexicon order) found as words in text.
std::string type_from(const Context& ctx, std::string_view text) {
  const Lexicon* lex = ctx.book.lexicon("agreement_types");
  if (!lex) return "";
  std::string low = lower(text);
  for (const auto& e : lex->entries)
    if (!find_words(low, 0, low.size(), lower(e.form)).empty()) return e.attrs.value("type", "");
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
      if (lex && lex->find(s.substr(0, sp))) cut = true;
    }
    if (!cut) return span;
    span.start += sp + 1;
  }
}

}  // namespace

std::optional<AgreementCandidate> interpret_agreement(const Context& ctx, const Match& m) {
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
    for (const auto& e : lex->entries)
      if (e.attrs.value("code", "") == code) return e.attrs.value("name", e.form);
  }
  return "";
}

void add_parties(const Context& ctx, const AgreementCandidate& c, const Result& r, Agreement* a) {
  auto add = [&](size_t ei) {
    if (std::find(a->parties.begin(), a->parties.end(), ei) == a->parties.end())
      a->parties.push_back(ei);
  };
  if (c.parties.is_array()) {
    for (const auto& code : c.parties) {
      std::string name = country_name(ctx, code.get<std::string>());
      for (size_t ei = 0; ei < r.entities.size(); ++ei)
        if (r.entities[ei].type == "place" && r.entities[ei].name == name) add(ei);
    }
    return;
  }
  // Places named inside the agreement's name, in the order they appear.
  std::vector<std::pair<size_t, size_t>> inside;  // (start, entity)
  for (const auto& nm : c.mentions)
    for (size_t ei = 0; ei < r.entities.size(); ++ei) {
      if (r.entities[ei].type != "place") continue;
      for (const auto& em : r.entities[ei].mentions)
        if (em.span.start >= nm.span.start && em.span.end <= nm.span.end && em.form != "demonym")
          inside.emplace_back(em.span.start, ei);
    }
  std::sort(inside.begin(), inside.end());
  for (auto& [start, ei] : inside) add(ei);
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
    for (size_t si : ctx.item_sentences) {
      const TextRange& s = (*ctx.sentences)[si].span;
      for (size_t at : find_words(ctx.text, s.start, s.end, acr)) {
        TextRange span{at, at + acr.size()};
        if (taken.overlaps(span)) continue;
        taken.add(span);
        AgreementCandidate c;
        c.whole = span;
        c.name = name;
        c.mentions.push_back({span, "link.acronym", "acronym"});
        cands.push_back(std::move(c));
      }
    }
  std::sort(cands.begin(), cands.end(),
            [](const AgreementCandidate& a, const AgreementCandidate& b) {
              return a.whole.start < b.whole.start;
            });

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
    add_parties(ctx, c, *out, &a);
  }
  for (size_t ai = 0; ai < out->agreements.size(); ++ai) {
    Agreement& a = out->agreements[ai];
    if (a.type.empty()) a.type = type_from(ctx, a.name);
    if (a.type.empty())
      for (int si : sentences_of[ai])
        if (si >= 0 && a.type.empty())
          a.type = type_from(ctx, ctx.slice((*ctx.sentences)[si].span));
    if (a.type.empty()) a.type = "other";
    int best = -1;
    for (const Hit& h : status_cues) {
      if (!sentences_of[ai].count(h.sentence) || h.rule->priority <= best) continue;
      best = h.rule->priority;
      a.status = h.rule->attrs.value("status", "");
    }
  }
}

}  // namespace claimx
