#include "text/zones.h"

#include <algorithm>

namespace claimx {

namespace {

struct ZoneModel {
  size_t related_max_line_bytes = 700;
  size_t related_min_lines = 2;
  size_t teaser_min_lines = 4;
  size_t furniture_max_line_bytes = 120;
  size_t headline_max_bytes = 300;
  double caps_ratio = 0.6;
  size_t table_min_numbers = 2;
};

ZoneModel load_model(const RuleBook& book) {
  ZoneModel m;
  const auto& j = book.model("zones");
  if (!j.is_object()) return m;
  m.related_max_line_bytes = j.value("related_max_line_bytes", m.related_max_line_bytes);
  m.related_min_lines = j.value("related_min_lines", m.related_min_lines);
  m.teaser_min_lines = j.value("teaser_min_lines", m.teaser_min_lines);
  m.headline_max_bytes = j.value("headline_max_bytes", m.headline_max_bytes);
  m.furniture_max_line_bytes = j.value("furniture_max_line_bytes", m.furniture_max_line_bytes);
  m.caps_ratio = j.value("caps_ratio", m.caps_ratio);
  m.table_min_numbers = j.value("table_min_numbers", m.table_min_numbers);
  return m;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The role of a paragraph from the zone rules that cover it whole, or "".
std::string line_role(std::string_view text, const TextRange& p, const RuleBook& book,
                      const std::vector<std::string>& packs, std::vector<Match>* scratch) {
  scratch->clear();
  for (const auto& pack : packs) book.match_pack(pack, text, p.start, p.end, scratch);
  for (const auto& m : *scratch)
    if (m.rule->type == RuleKind::kZone && m.whole.start <= p.start && m.whole.end >= p.end)
      return m.rule->attrs.value("role", "");
  return "";
}

// Share of upper-case ASCII letters among the letters of the first 80 bytes.
double caps_share(std::string_view line) {
  size_t upper = 0, letters = 0;
  for (size_t i = 0; i < line.size() && i < 80; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (std::isalpha(c)) {
      ++letters;
      if (std::isupper(c)) ++upper;
    }
  }
  return letters == 0 ? 0.0 : static_cast<double>(upper) / letters;
}

// Words that are numbers ("3", "0.530", "1/2", "4-37"): a line with several is a row of a
// table or of results, not a headline.
size_t numeric_words(std::string_view line) {
  size_t n = 0;
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i &&
        (std::isdigit(static_cast<unsigned char>(line[i])) ||
         (line[i] == '.' && j > i + 1 && std::isdigit(static_cast<unsigned char>(line[i + 1])))))
      ++n;
    i = j;
  }
  return n;
}

// Headline-like: a teaser cut with an ellipsis, a line with no sentence-final punctuation (a
// comma goes on, so counts as one), or a shouting line; never a row of numbers.
bool headline_like(std::string_view line, const ZoneModel& model) {
  if (numeric_words(line) >= model.table_min_numbers) return false;
  if (ends_with(line, "…") || ends_with(line, "….") || ends_with(line, "...")) return true;
  if (caps_share(line) >= model.caps_ratio) return true;
  static constexpr std::string_view kFinal[] = {".", "!", "?", "\"", "”", "’", ")", ":", ";", ","};
  for (auto f : kFinal)
    if (ends_with(line, f)) return false;
  return true;
}

}  // namespace

Zoning find_zones(std::string_view text, const std::vector<TextRange>& paras,
                  const RuleBook& book) {
  const ZoneModel& model = book.derived<ZoneModel>("zones.model", [&] { return load_model(book); });
  Zoning z;
  z.zone.assign(paras.size(), "body");
  std::vector<std::string> roles(paras.size());
  std::vector<Match> scratch;
  const std::vector<std::string>& packs = book.zone_packs();
  for (size_t i = 0; i < paras.size(); ++i)
    roles[i] = line_role(text, paras[i], book, packs, &scratch);
  auto line = [&](size_t i) { return text.substr(paras[i].start, paras[i].end - paras[i].start); };
  auto furniture = [&](size_t i) {
    return (roles[i] == "furniture" || roles[i] == "share") &&
           paras[i].end - paras[i].start <= model.furniture_max_line_bytes;
  };

  // The related-links list: a label line after the article, followed only by short lines that
  // mostly look like headlines; or, without a label, a trailing run of headline-like lines.
  // One backward pass: after[k] describes the non-furniture lines after paragraph k.
  struct Tail {
    size_t lines = 0, like = 0;
    bool all_short = true;
  };
  std::vector<Tail> after(paras.size());
  for (size_t k = paras.size(); k-- > 1;) {
    Tail t = k + 1 < paras.size() ? after[k + 1] : Tail{};
    size_t i = k + 1 < paras.size() ? k + 1 : paras.size();
    if (i < paras.size() && !furniture(i)) {
      ++t.lines;
      if (paras[i].end - paras[i].start > model.related_max_line_bytes) t.all_short = false;
      if (headline_like(line(i), model)) ++t.like;
    }
    after[k] = t;
  }
  std::optional<size_t> related;
  for (size_t k = 1; k < paras.size() && !related; ++k) {
    const Tail& t = after[k];
    if (roles[k] == "related-label" && t.all_short && t.lines >= model.related_min_lines &&
        t.like * 10 >= t.lines * 6)
      related = k;
  }
  if (!related) {
    size_t i = paras.size();
    while (i > 0 && furniture(i - 1)) --i;
    size_t run = 0;
    while (i > 1 && headline_like(line(i - 1), model) &&
           paras[i - 1].end - paras[i - 1].start <= model.related_max_line_bytes) {
      --i;
      ++run;
    }
    // A pack may set the threshold to 0; an empty run is still no list (and no paragraph).
    if (run > 0 && run >= model.teaser_min_lines) related = i;
  }
  size_t body_end = related ? *related : paras.size();
  for (size_t i = 0; i < body_end; ++i) {
    if (!furniture(i)) continue;
    z.zone[i] = "boilerplate";
    z.boilerplate.push_back({paras[i], roles[i] == "share" ? "share" : "furniture"});
  }
  if (related) {
    for (size_t i = *related; i < paras.size(); ++i) z.zone[i] = "boilerplate";
    z.boilerplate.push_back({{paras[*related].start, paras.back().end}, "related-links"});
  }
  for (size_t i = 0; i < body_end; ++i)
    if (roles[i] == "byline" && paras[i].end - paras[i].start <= model.furniture_max_line_bytes)
      z.zone[i] = "byline";
  if (paras.size() > 1 && z.zone[0] == "body") {
    std::string_view first = line(0);
    static constexpr std::string_view kSentenceEnd[] = {".", "\"", "”", "’", ":", ";"};
    bool sentence = std::any_of(std::begin(kSentenceEnd), std::end(kSentenceEnd),
                                [&](std::string_view e) { return ends_with(first, e); });
    if (first.size() <= model.headline_max_bytes && !sentence) {
      z.zone[0] = "headline";
      z.headline = 0;
    }
  }
  // The dateline: a zone rule of role `dateline` opening the first body paragraph.
  for (size_t i = 0; i < body_end; ++i) {
    if (z.zone[i] != "body") continue;
    scratch.clear();
    for (const auto& pack : packs)
      book.match_pack(pack, text, paras[i].start, paras[i].end, &scratch);
    for (const auto& m : scratch)
      if (m.rule->type == RuleKind::kZone && m.rule->attrs.value("role", "") == "dateline" &&
          m.whole.start == paras[i].start && m.whole.end < paras[i].end) {
        z.dateline = i;
        z.dateline_span = m.span;
        break;
      }
    break;
  }
  return z;
}

}  // namespace claimx
