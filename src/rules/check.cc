#include "claimx/check.h"

#include <cmath>
#include <set>

#include "claimx/extract.h"

namespace claimx {

namespace {

using nlohmann::json;

// Rule kinds whose matches become items of the output; the others are cues.
bool item_kind(const Rule& r) {
  return r.stage == Stage::kFigures || r.stage == Stage::kEntities ||
         r.stage == Stage::kAgreements ||
         (r.stage == Stage::kDeals && r.type != RuleKind::kAgreementStatus);
}

std::string sub(const std::string& text, const TextRange& r) {
  return text.substr(r.start, r.end - r.start);
}

// Items a rule produced on a text, as JSON objects with the fields examples may expect.
std::vector<json> items_of(const RuleBook& book, const Rule& rule, const std::string& text,
                           const std::string& date = "") {
  Document doc = make_document("example", "", text);
  if (!date.empty()) doc.date = date;
  std::vector<json> out;
  if (!item_kind(rule)) {
    std::vector<Match> matches;
    book.match_pack(rule.pack, doc.text, 0, doc.text.size(), &matches);
    for (const auto& m : matches) {
      if (m.rule->id != rule.id) continue;
      // A zone rule counts only when it covers the whole line; a dateline, when it opens it.
      if (rule.type == RuleKind::kZone &&
          (m.whole.start != 0 ||
           (m.whole.end != doc.text.size() && rule.attrs.value("role", "") != "dateline")))
        continue;
      out.push_back({{"text", sub(doc.text, m.span)}});
    }
    return out;
  }
  ExtractOptions atoms;
  atoms.compose_dates = false;
  Result r = extract(doc, book, atoms);
  for (const auto& f : r.figures)
    if (f.rule == rule.id) {
      json o{{"text", sub(doc.text, f.span)}, {"kind", f.kind}, {"value", f.value}};
      if (!f.currency.empty()) o["currency"] = f.currency;
      if (!f.qualifier.empty()) o["qualifier"] = f.qualifier;
      if (!f.granularity.empty()) o["granularity"] = f.granularity;
      if (!f.unit.empty()) o["unit"] = f.unit;
      if (!f.value_max.is_null()) o["value_max"] = f.value_max;
      out.push_back(o);
    }
  for (const auto& e : r.entities)
    for (const auto& m : e.mentions)
      if (m.rule == rule.id)
        out.push_back({{"text", sub(doc.text, m.span)},
                       {"name", e.name},
                       {"type", e.type},
                       {"subtype", e.subtype},
                       {"form", m.form}});
  for (const auto& a : r.agreements)
    for (const auto& m : a.mentions)
      if (m.rule == rule.id) {
        json parties = json::array();
        for (size_t p : a.parties) parties.push_back(r.entities[p].name);
        out.push_back({{"text", sub(doc.text, m.span)},
                       {"name", a.name},
                       {"type", a.type},
                       {"kind", a.kind},
                       {"status", a.status},
                       {"parties", parties},
                       {"roles", a.roles}});
      }
  return out;
}

// When a rule matched but produced no item, another rule won the overlap: name it.
std::string shadowed_by(const RuleBook& book, const Rule& rule, const std::string& text) {
  if (!item_kind(rule)) return "";
  Document doc = make_document("example", "", text);
  std::vector<Match> matches;
  book.match_pack(rule.pack, doc.text, 0, doc.text.size(), &matches);
  for (const auto& m : matches) {
    if (m.rule->id != rule.id) continue;
    ExtractOptions atoms;
    atoms.compose_dates = false;
    Result r = extract(doc, book, atoms);
    for (const auto& f : r.figures)
      if (f.span.start < m.span.end && m.span.start < f.span.end)
        return " (it matched, but " + std::string(f.rule) +
               " won the overlap: raise `priority` or narrow one of them)";
    for (const auto& e : r.entities)
      for (const auto& mn : e.mentions)
        if (mn.span.start < m.span.end && m.span.start < mn.span.end)
          return " (it matched, but " + std::string(mn.rule) +
                 " won the overlap: raise `priority` or narrow one of them)";
    return " (it matched, but the interpreter rejected the match)";
  }
  return "";
}

bool same(const json& want, const json& got) {
  if (want.is_number() && got.is_number())
    return std::fabs(want.get<double>() - got.get<double>()) <=
           1e-9 * std::max(1.0, std::fabs(want.get<double>()));
  return want == got;
}

bool satisfies(const json& expect, const json& item) {
  for (const auto& [k, v] : expect.items())
    if (!item.contains(k) || !same(v, item[k])) return false;
  return true;
}

std::string summary(const std::vector<json>& items) {
  if (items.empty()) return "nothing";
  std::string s;
  for (size_t i = 0; i < items.size() && i < 4; ++i) s += (i ? ", " : "") + items[i].dump();
  if (items.size() > 4) s += ", ...";
  return s;
}

}  // namespace

std::vector<RuleError> check_examples(const RuleBook& book) {
  std::vector<RuleError> errors;
  for (const Rule& rule : book.rules()) {
    for (const Example& ex : rule.examples) {
      json expect = ex.expect;
      if (!expect.contains("text") && (item_kind(rule) || rule.type == RuleKind::kZone))
        expect["text"] = ex.text;
      auto items = items_of(book, rule, ex.text, ex.date);
      bool ok = false;
      for (const auto& it : items) ok = ok || satisfies(expect, it);
      if (!ok)
        errors.push_back({ex.loc, "example of " + rule.id + " expects " + expect.dump() + ", got " +
                                      summary(items) +
                                      (items.empty() ? shadowed_by(book, rule, ex.text) : "")});
    }
    for (const Example& ex : rule.counterexamples) {
      auto items = items_of(book, rule, ex.text, ex.date);
      if (!items.empty())
        errors.push_back({ex.loc, "counter-example of " + rule.id + " matched: " + summary(items)});
    }
  }
  return errors;
}

std::vector<RuleError> pattern_warnings(const RuleBook& book) {
  std::vector<RuleError> out;
  for (const Rule& rule : book.rules()) {
    std::string_view p = rule.expanded;
    for (size_t i = p.find('{'); i != std::string::npos; i = p.find('{', i + 1)) {
      if (i > 0 && p[i - 1] == '\\') continue;
      size_t comma = p.find(',', i), close = p.find('}', i);
      if (comma == std::string::npos || close == std::string::npos || comma > close) continue;
      std::string hi(p.substr(comma + 1, close - comma - 1));
      if (hi.empty() || hi.find_first_not_of("0123456789") != std::string::npos || hi.size() > 6)
        continue;
      if (std::stoi(hi) >= 30) {
        out.push_back(
            {rule.pattern_loc, "warning: rule " + rule.id + " repeats up to " + hi +
                                   " times; large counted repetitions blow up RE2's DFA"});
        break;
      }
    }
  }
  return out;
}

}  // namespace claimx
