// Entities: mentions from the `entities` pack, canonical names from lexicons, then linking
// within the document ("Carney" -> Mark Carney once "Mark Carney" is a person).
#include <map>
#include <set>

#include "extract/internal.h"

namespace claimx {

namespace {

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\n' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool in_any(const Context& ctx, const nlohmann::json& lexicons, std::string_view word) {
  if (!lexicons.is_array()) return false;
  for (const auto& name : lexicons) {
    const Lexicon* lex = ctx.book.lexicon(name.get<std::string>());
    if (lex && lex->find(word)) return true;
  }
  return false;
}

bool acronym_shape(std::string_view s) {
  size_t letters = 0;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z')
      ++letters;
    else if (c != '.' && c != '-' && !(c >= '0' && c <= '9'))
      return false;
  }
  return letters >= 2;
}

std::string squeeze(std::string_view s) {
  std::string out;
  for (auto t : tokens(s)) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

}  // namespace

std::optional<EntityCandidate> interpret_entity(const Context& ctx, const Match& m) {
  const Rule& r = *m.rule;
  EntityCandidate c;
  c.mention.span = m.span;
  c.mention.rule = r.id;
  c.type = r.attrs.value("type", "");
  c.subtype = r.attrs.value("subtype", "");
  c.priority = r.priority;
  // Cut leading words such as "The" that open a sentence rather than a name.
  if (r.attrs.contains("trim_leading")) {
    auto toks = tokens(ctx.slice(c.mention.span));
    size_t k = 0;
    while (k + 1 < toks.size() && in_any(ctx, r.attrs["trim_leading"], toks[k])) ++k;
    if (k > 0) c.mention.span.start = static_cast<size_t>(toks[k].data() - ctx.text.data());
  }
  std::string_view text = ctx.slice(c.mention.span);
  auto toks = tokens(text);
  if (toks.empty()) return std::nullopt;
  if (r.attrs.contains("reject_first_token") && in_any(ctx, r.attrs["reject_first_token"], toks[0]))
    return std::nullopt;
  if (r.attrs.contains("exclude_lexicon")) {
    const Lexicon* ex = ctx.book.lexicon(r.attrs["exclude_lexicon"].get<std::string>());
    if (ex && ex->find(text)) return std::nullopt;
  }
  // Canonical name and subtype from the first lexicon that knows the mention; subtype may
  // also come from a group (the suffix of "Acme Inc.").
  for (const auto& lname : r.lexicons) {
    const Lexicon* lex = ctx.book.lexicon(lname);
    if (!lex) continue;
    if (c.name.empty())
      if (const LexiconEntry* e = lex->find(text)) {
        c.name = e->attrs.value("name", e->form);
        if (c.subtype.empty()) c.subtype = e->attrs.value("subtype", "");
      }
    for (const auto& [gname, gi] : r.groups) {
      if (gname == "span" || !m.has(gi) || !c.subtype.empty()) continue;
      if (const LexiconEntry* e = lex->find(ctx.slice(m.groups[gi])))
        c.subtype = e->attrs.value("subtype", "");
    }
  }
  if (c.name.empty()) c.name = squeeze(text);
  std::string form = r.attrs.value("form", "");
  if (form.empty()) form = acronym_shape(text) ? "acronym" : "name";
  if (form == "demonym" && c.subtype.empty()) {
    // A demonym's place: the subtype of the canonical name in the place lexicons.
    for (const char* lname : {"countries", "place_aliases"})
      if (const Lexicon* lex = ctx.book.lexicon(lname))
        if (const LexiconEntry* e = lex->find(c.name)) {
          c.subtype = e->attrs.value("subtype", "");
          break;
        }
  }
  c.mention.form = form;
  return c;
}

namespace {

std::string last_token(const std::string& name) {
  size_t sp = name.rfind(' ');
  return sp == std::string::npos ? "" : name.substr(sp + 1);
}

// "Carney" alone is the person "Mark Carney" when exactly one known person ends so.
void link_surnames(std::vector<EntityCandidate>* cands) {
  std::map<std::string, std::set<std::string>> by_surname;
  for (const auto& c : *cands)
    if (c.type == "person" && c.name.find(' ') != std::string::npos)
      by_surname[last_token(c.name)].insert(c.name);
  for (auto& c : *cands) {
    if (c.type != "person" || c.name.find(' ') != std::string::npos) continue;
    auto it = by_surname.find(c.name);
    if (it != by_surname.end() && it->second.size() == 1) c.name = *it->second.begin();
  }
}

// Every later bare "Carney" in the text becomes a mention of Mark Carney.
void propagate_surnames(const Context& ctx, std::vector<EntityCandidate>* cands) {
  std::map<std::string, std::set<std::string>> by_surname;
  for (const auto& c : *cands)
    if (c.type == "person" && c.name.find(' ') != std::string::npos)
      by_surname[last_token(c.name)].insert(c.name);
  SpanIndex taken;
  for (const auto& c : *cands) taken.add(c.mention.span);
  std::vector<EntityCandidate> added;
  for (const auto& [surname, names] : by_surname) {
    if (names.size() != 1 || surname.size() < 2) continue;
    for (size_t at : ctx.find_in_items(surname)) {
      TextRange span{at, at + surname.size()};
      if (taken.overlaps(span)) continue;
      taken.add(span);
      EntityCandidate c;
      c.mention = {span, "link.surname", "name"};
      c.type = "person";
      c.name = *names.begin();
      added.push_back(std::move(c));
    }
  }
  for (auto& c : added) cands->push_back(std::move(c));
}

}  // namespace

void finish_entities(const Context& ctx, std::vector<EntityCandidate> cands, Result* out) {
  cands = resolve_overlaps(
      std::move(cands), [](const EntityCandidate& c) { return c.mention.span; },
      [](const EntityCandidate& c) { return c.priority; });
  link_surnames(&cands);
  propagate_surnames(ctx, &cands);
  std::sort(cands.begin(), cands.end(), [](const EntityCandidate& a, const EntityCandidate& b) {
    return a.mention.span.start < b.mention.span.start;
  });

  std::map<std::pair<std::string, std::string>, size_t> index;  // (type, name) -> entity
  for (auto& c : cands) {
    auto key = std::make_pair(c.type, c.name);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, out->entities.size()).first;
      Entity e;
      e.type = c.type;
      e.subtype = c.subtype;
      e.name = c.name;
      out->entities.push_back(std::move(e));
    }
    Entity& e = out->entities[it->second];
    if (e.subtype.empty()) e.subtype = c.subtype;
    std::string text(ctx.slice(c.mention.span));
    if (text != e.name && std::find(e.aliases.begin(), e.aliases.end(), text) == e.aliases.end())
      e.aliases.push_back(text);
    e.mentions.push_back(std::move(c.mention));
  }
}

}  // namespace claimx
