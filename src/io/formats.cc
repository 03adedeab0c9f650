// TSV and JSON-LD renderings of a document's result (include/claimx/formats.h).
#include "claimx/formats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <queue>

#include "claimx/text.h"

namespace claimx {
namespace {

std::string item_id(char prefix, size_t i) {
  return prefix + std::to_string(i + 1);
}

std::string_view slice(const Document& doc, const TextRange& r) {
  return std::string_view(doc.text).substr(r.start, r.end - r.start);
}

const std::vector<Claim>& claims_of(const Result& r, const WriteOptions& opt) {
  return opt.all_sentences ? r.all_scored : r.claims;
}

// --- TSV: one row per figure, entity mention, agreement mention and claim --------------------

const char* const kTsvHeader =
    "doc_id\tkind\tid\tstart\tend\ttext\tvalue\tunit_or_currency\ttype\tscore\trule\n";

std::string joined(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& p : parts) out.append(out.empty() ? "" : std::string(1, sep)).append(p);
  return out;
}

struct TsvWriter {
  const Document& doc;
  const WriteOptions& opt;
  OffsetMap map;
  std::string out;

  void row(std::string_view kind, const std::string& id, const TextRange& span,
           std::string_view value, std::string_view unit, std::string_view type,
           std::string_view score, std::string_view rule) {
    const std::string start = std::to_string(map.convert(span.start)),
                      end = std::to_string(map.convert(span.end));
    for (std::string_view field :
         {std::string_view(doc.id), kind, std::string_view(id), std::string_view(start),
          std::string_view(end), slice(doc, span), value, unit, type, score, rule}) {
      out += tsv_escape(field);
      out += '\t';
    }
    out.back() = '\n';
  }
};

std::string tsv_document(const Document& doc, const Result& r, const WriteOptions& opt) {
  TsvWriter w{doc, opt, OffsetMap(doc.text, opt.offsets), {}};
  if (opt.figures)
    for (size_t i = 0; i < r.figures.size(); ++i) {
      const Figure& f = r.figures[i];
      w.row("figure", item_id('f', i), f.span, figure_value_text(f),
            f.currency.empty() ? f.unit : f.currency, f.kind, "", f.rule);
    }
  if (opt.entities)
    for (size_t i = 0; i < r.entities.size(); ++i)
      for (const Mention& m : r.entities[i].mentions)
        w.row("entity", item_id('e', i), m.span, r.entities[i].name, "", r.entities[i].type, "",
              m.rule);
  if (opt.agreements)
    for (size_t i = 0; i < r.agreements.size(); ++i)
      for (const Mention& m : r.agreements[i].mentions)
        w.row("agreement", item_id('a', i), m.span, r.agreements[i].name, "", r.agreements[i].kind,
              "", m.rule);
  if (opt.claims) {
    const auto& claims = claims_of(r, opt);
    for (size_t i = 0; i < claims.size(); ++i) {
      const Claim& c = claims[i];
      w.row("claim", item_id('c', i), c.span, c.key, "", joined(c.types, ','),
            json_number(c.checkworthiness), joined(c.cues, ','));
    }
  }
  return std::move(w.out);
}

// --- JSON-LD: a schema.org NewsArticle, its entities, Claims and ClaimReview skeletons -------

using ojson = nlohmann::ordered_json;

// An IRI for a document without a URL: urn:claimx: and its id, percent-encoded.
std::string document_iri(const Document& doc) {
  if (doc.url) return *doc.url;
  static const char* kHex = "0123456789ABCDEF";
  std::string out = "urn:claimx:";
  for (unsigned char ch : doc.id) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '/' ||
        ch == ':') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

const char* schema_type(const Entity& e) {
  if (e.type == "person") return "Person";
  if (e.type == "place") return "Place";
  return "Organization";
}

ojson node_ref(const std::string& iri) {
  return ojson{{"@id", iri}};
}

// A Claim: its text, key, the article it appears in, its speaker and the entities it is about.
ojson jsonld_claim(const Document& doc, const Result& r, const WriteOptions& opt, const Claim& c,
                   const std::string& base, const std::string& iri) {
  auto entity_iri = [&](size_t i) { return base + "#" + item_id('e', i); };
  ojson claim{{"@type", "Claim"},
              {"@id", iri},
              {"identifier", c.key},
              {"text", slice(doc, c.span)},
              {"appearance", node_ref(base)}};
  // The attributed speaker, when it is a person or an organization (author takes no place).
  if (opt.entities && c.attribution && c.attribution->entity &&
      r.entities[*c.attribution->entity].type != "place")
    claim["author"] = node_ref(entity_iri(*c.attribution->entity));
  if (doc.date) claim["datePublished"] = *doc.date;
  ojson about = ojson::array();
  if (opt.entities)
    for (size_t ei : c.entities) about.push_back(node_ref(entity_iri(ei)));
  if (!about.empty()) claim["about"] = about;
  return claim;
}

// A ClaimReview skeleton: what the fact-checker fills in is null (the rating, the review's URL,
// author and date).
ojson jsonld_review(const Document& doc, const Claim& c, const std::string& claim_iri) {
  return {{"@type", "ClaimReview"},
          {"@id", claim_iri + "-review"},
          {"claimReviewed", slice(doc, c.span)},
          {"itemReviewed", node_ref(claim_iri)},
          {"reviewRating",
           {{"@type", "Rating"},
            {"ratingValue", nullptr},
            {"bestRating", nullptr},
            {"worstRating", nullptr},
            {"alternateName", nullptr}}},
          {"url", nullptr},
          {"author", nullptr},
          {"datePublished", nullptr}};
}

// The document as a schema.org graph: the NewsArticle, its entities (unless --only leaves them
// out), then each claim and its review.
ojson jsonld_document(const Document& doc, const Result& r, const WriteOptions& opt) {
  const std::string base = document_iri(doc);
  ojson graph = ojson::array();
  ojson article{{"@type", "NewsArticle"}, {"@id", base}, {"identifier", doc.id}};
  if (auto title = document_title(doc, r)) article["headline"] = *title;
  if (doc.date) article["datePublished"] = *doc.date;
  if (doc.url) article["url"] = *doc.url;
  ojson entities = ojson::array(), mentions = ojson::array();
  for (size_t i = 0; opt.entities && i < r.entities.size(); ++i) {
    const Entity& e = r.entities[i];
    const std::string iri = base + "#" + item_id('e', i);
    ojson node{{"@type", schema_type(e)}, {"@id", iri}, {"name", e.name}};
    if (!e.aliases.empty()) node["alternateName"] = e.aliases;
    entities.push_back(std::move(node));
    mentions.push_back(node_ref(iri));
  }
  if (!mentions.empty()) article["mentions"] = mentions;
  graph.push_back(article);
  for (auto& node : entities) graph.push_back(std::move(node));
  const auto& claims = claims_of(r, opt);
  for (size_t i = 0; opt.claims && i < claims.size(); ++i) {
    const std::string iri = base + "#" + item_id('c', i);
    graph.push_back(jsonld_claim(doc, r, opt, claims[i], base, iri));
    graph.push_back(jsonld_review(doc, claims[i], iri));
  }
  return ojson{{"@context", "https://schema.org"}, {"@graph", graph}};
}

// --- HTML: one self-contained page, no script, no request: the text with every item marked,
// the claims by score; details on hover and keyboard focus, from CSS alone -------------------

const char* const kHtmlHead = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="claimx">
<title>claimx report</title>
<style>
:root { --fig: #fde68a; --person: #bfdbfe; --org: #c7d2fe; --place: #bbf7d0; --deal: #fbcfe8;
        --claim: #fef9c3; --ink: #1f2937; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; padding: 0.75rem; color: var(--ink); font: 16px/1.55 system-ui, sans-serif;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
header, main { max-width: 60rem; margin: 0 auto; }
h1 { font-size: 1.3rem; margin: 0 0 0.5rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.25rem; overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 1rem 0 0.5rem; }
.legend, .meta { color: var(--muted); font-size: 0.9rem; overflow-wrap: anywhere; }
.legend mark { margin-right: 0.4rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid #e5e7eb;
        padding-left: 0.6rem; }
mark { color: inherit; background: none; border-radius: 2px; }
mark.claim { background: var(--claim); }
mark.figure { background: var(--fig); }
mark.person { background: var(--person); }
mark.organization { background: var(--org); }
mark.place { background: var(--place); }
mark.agreement { background: var(--deal); }
mark.boilerplate { color: var(--muted); }
mark[tabindex]:focus { outline: 2px solid #2563eb; outline-offset: 1px; }
/* The details of the item under the pointer or with the focus, in a bar at the foot of the
   window: never wider than the screen, never over the text being read. */
mark[data-tip]:hover::after, mark[data-tip]:focus::after {
  content: attr(data-tip); position: fixed; left: 0.5rem; right: 0.5rem; bottom: 0.5rem;
  z-index: 10; padding: 0.4rem 0.6rem; border-radius: 4px; background: #111827; color: #f9fafb;
  font-size: 0.85rem; white-space: pre-wrap; }
mark[data-tip]:has(mark:hover)::after { content: none; }
ol.claims { padding-left: 1.5rem; }
ol.claims li { margin: 0 0 0.8rem; }
.score { font-weight: 600; font-variant-numeric: tabular-nums; }
.chips { display: flex; flex-wrap: wrap; gap: 0.25rem; margin-top: 0.2rem; font-size: 0.85rem; }
.chip { padding: 0 0.35rem; border-radius: 3px; overflow-wrap: anywhere; }
.chip.figure { background: var(--fig); } .chip.person { background: var(--person); }
.chip.organization { background: var(--org); } .chip.place { background: var(--place); }
.chip.agreement { background: var(--deal); } .chip.key { background: #e5e7eb; }
a { color: inherit; }
@media print {
  body { font-size: 11pt; padding: 0; }
  mark[data-tip]::after { content: none !important; }
  article.doc { break-before: page; }
  article.doc:first-of-type { break-before: auto; }
  ol.claims li { break-inside: avoid; }
}
</style>
</head>
<body>
<header>
<h1>claimx report</h1>
<p class="legend"><mark class="claim">claim</mark><mark class="figure">figure</mark><mark class="person">person</mark><mark class="organization">organization</mark><mark class="place">place</mark><mark class="agreement">agreement</mark> Point at or tab to a highlight for its details.</p>
</header>
<main>
)html";

const char* const kHtmlTail = "</main>\n</body>\n</html>\n";

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// One highlight: an item's span (or the rest of one that crossed another's end: a part).
struct Highlight {
  size_t start = 0, end = 0;
  int rank = 0;             // claims open before the items inside them
  std::string cls, item;    // CSS class, item id ("f1", "e2.m3", "c1")
  std::string tip, anchor;  // details; the element id (claims)
  bool part = false;        // the continuation of a highlight split at another's end
};

bool opens_before(const Highlight& a, const Highlight& b) {
  if (a.start != b.start) return a.start < b.start;
  if (a.end != b.end) return a.end > b.end;
  return a.rank < b.rank;
}

// The text with its highlights as properly nested <mark>s. A highlight that crosses the end of
// the one it opened inside is split there; the rest is a part with the same data-item.
std::string marked_text(std::string_view text, std::vector<Highlight> spans) {
  auto later = [](const Highlight& a, const Highlight& b) { return opens_before(b, a); };
  std::priority_queue<Highlight, std::vector<Highlight>, decltype(later)> todo(later,
                                                                               std::move(spans));
  std::string out;
  std::vector<size_t> open;  // ends of the open marks
  size_t pos = 0;
  auto text_to = [&](size_t to) {
    out += html_escape(text.substr(pos, to - pos));
    pos = to;
  };
  auto close_to = [&](size_t at) {
    while (!open.empty() && open.back() <= at) {
      text_to(open.back());
      out += "</mark>";
      open.pop_back();
    }
  };
  while (!todo.empty()) {
    Highlight h = todo.top();
    todo.pop();
    if (h.end <= h.start || h.start < pos) continue;
    close_to(h.start);
    text_to(h.start);
    if (!open.empty() && h.end > open.back()) {
      Highlight rest = h;
      rest.start = open.back();
      rest.part = true;
      todo.push(rest);
      h.end = open.back();
    }
    out += "<mark class=\"" + h.cls + "\"";
    if (!h.item.empty()) out += " data-item=\"" + h.item + "\"";
    if (h.part) {
      out += " data-part=\"\"";
    } else {
      if (!h.anchor.empty()) out += " id=\"" + h.anchor + "\"";
      if (!h.tip.empty()) out += " tabindex=\"0\" data-tip=\"" + html_escape(h.tip) + "\"";
    }
    out += ">";
    open.push_back(h.end);
  }
  close_to(text.size());
  text_to(text.size());
  return out;
}

std::string figure_tip(const Figure& f) {
  std::string tip = f.kind;
  std::string value = figure_value_text(f);
  if (!value.empty()) tip += ": " + value;
  if (!f.currency.empty()) tip += " " + f.currency;
  if (!f.unit.empty()) tip += " " + f.unit;
  if (!f.qualifier.empty()) tip += " (" + f.qualifier + ")";
  return tip + "\nrule " + std::string(f.rule);
}

// The terms that moved a claim's score most, by size: "figure.money +1.24, hedge -0.80".
std::string score_terms(const Claim& c, size_t n) {
  std::vector<const ScoreTerm*> terms;
  for (const auto& t : c.terms)
    if (t.name != "bias" && t.value * t.weight != 0) terms.push_back(&t);
  std::stable_sort(terms.begin(), terms.end(), [](const ScoreTerm* a, const ScoreTerm* b) {
    return std::fabs(a->value * a->weight) > std::fabs(b->value * b->weight);
  });
  std::string out;
  char buf[32];
  for (size_t i = 0; i < terms.size() && i < n; ++i) {
    std::snprintf(buf, sizeof buf, " %+.2f", terms[i]->value * terms[i]->weight);
    out += (i ? ", " : "") + terms[i]->name + buf;
  }
  return out;
}

std::string claim_tip(const std::string& id, const Claim& c) {
  std::string tip =
      "claim " + id + ": score " + json_number(c.checkworthiness) + ", " + joined(c.types, ',');
  if (!c.cues.empty()) tip += "\ncues " + joined(c.cues, ',');
  std::string terms = score_terms(c, 5);
  if (!terms.empty()) tip += "\nterms " + terms;
  return tip + "\nkey " + c.key;
}

std::vector<Highlight> highlights(const Result& r, const WriteOptions& opt,
                                  const std::string& prefix) {
  std::vector<Highlight> out;
  for (const auto& b : r.boilerplate)
    out.push_back({b.span.start, b.span.end, 0, "boilerplate", "", "", "", false});
  if (opt.claims) {
    const auto& claims = claims_of(r, opt);
    for (size_t i = 0; i < claims.size(); ++i) {
      const std::string id = item_id('c', i);
      out.push_back({claims[i].span.start, claims[i].span.end, 1, "claim", id,
                     claim_tip(id, claims[i]), prefix + "-" + id, false});
    }
  }
  if (opt.figures)
    for (size_t i = 0; i < r.figures.size(); ++i)
      out.push_back({r.figures[i].span.start, r.figures[i].span.end, 2, "figure", item_id('f', i),
                     figure_tip(r.figures[i]), "", false});
  if (opt.entities)
    for (size_t i = 0; i < r.entities.size(); ++i) {
      const Entity& e = r.entities[i];
      for (size_t m = 0; m < e.mentions.size(); ++m)
        out.push_back({e.mentions[m].span.start, e.mentions[m].span.end, 3, e.type,
                       item_id('e', i) + ".m" + std::to_string(m + 1),
                       e.type + (e.subtype.empty() ? "" : " (" + e.subtype + ")") + ": " + e.name +
                           "\nrule " + std::string(e.mentions[m].rule),
                       "", false});
    }
  if (opt.agreements)
    for (size_t i = 0; i < r.agreements.size(); ++i) {
      const Agreement& a = r.agreements[i];
      for (size_t m = 0; m < a.mentions.size(); ++m)
        out.push_back({a.mentions[m].span.start, a.mentions[m].span.end, 4, "agreement",
                       item_id('a', i) + ".m" + std::to_string(m + 1),
                       "agreement, " + a.kind + ": " + a.name +
                           (a.status.empty() ? "" : "\nstatus " + a.status) + "\nrule " +
                           std::string(a.mentions[m].rule),
                       "", false});
    }
  return out;
}

std::string chip(const std::string& cls, std::string_view text) {
  return "<span class=\"chip " + cls + "\">" + html_escape(text) + "</span>";
}

// The claims by score (ties in document order), each with what it rests on.
std::string claims_panel(const Document& doc, const Result& r, const WriteOptions& opt,
                         const std::string& prefix) {
  const auto& claims = claims_of(r, opt);
  std::vector<size_t> order(claims.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return claims[a].checkworthiness > claims[b].checkworthiness;
  });
  std::string out = "<h3>Claims by score</h3>\n<ol class=\"claims\">\n";
  for (size_t i : order) {
    const Claim& c = claims[i];
    const std::string id = item_id('c', i);
    out += "<li data-claim=\"" + id + "\" data-score=\"" + json_number(c.checkworthiness) +
           "\"><span class=\"score\">" + json_number(c.checkworthiness) + "</span> <a href=\"#" +
           prefix + "-" + id + "\">" + html_escape(slice(doc, c.span)) +
           "</a>\n<div class=\"chips\">";
    out += chip("key", joined(c.types, ',') + " · " + c.key);
    if (c.attribution)
      out += chip(c.attribution->entity ? r.entities[*c.attribution->entity].type : "key",
                  "said by " + std::string(slice(doc, c.attribution->speaker)));
    for (size_t f : c.figures) {
      const Figure& fig = r.figures[f];
      std::string v = figure_value_text(fig);
      if (!v.empty() && !(fig.currency.empty() && fig.unit.empty()))
        v += " " + (fig.currency.empty() ? fig.unit : fig.currency);
      out += chip("figure", std::string(slice(doc, fig.span)) + (v.empty() ? "" : " = " + v));
    }
    for (size_t e : c.entities) out += chip(r.entities[e].type, r.entities[e].name);
    for (size_t a : c.agreements) out += chip("agreement", r.agreements[a].name);
    out += "</div></li>\n";
  }
  return out + "</ol>\n";
}

std::string html_document(const Document& doc, const Result& r, const WriteOptions& opt) {
  char prefix[20];
  std::snprintf(prefix, sizeof prefix, "d%016llx",
                static_cast<unsigned long long>(fnv1a64(doc.id + '\x1f' + doc.source)));
  auto title = document_title(doc, r);
  std::string out = "<article class=\"doc\" id=\"" + std::string(prefix) + "\" data-id=\"" +
                    html_escape(doc.id) + "\">\n<h2>" +
                    html_escape(title ? *title : std::string_view(doc.id)) +
                    "</h2>\n<p class=\"meta\">" + html_escape(doc.source);
  if (doc.date) out += " · " + html_escape(*doc.date);
  if (doc.url) out += " · " + html_escape(*doc.url);
  out += "</p>\n";
  if (opt.claims) out += claims_panel(doc, r, opt, prefix);
  out += "<h3>Text</h3>\n<div class=\"text\">" + marked_text(doc.text, highlights(r, opt, prefix)) +
         "</div>\n</article>\n";
  return out;
}

}  // namespace

std::optional<OutputFormat> parse_format(std::string_view name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "tsv") return OutputFormat::kTsv;
  if (name == "jsonld") return OutputFormat::kJsonLd;
  if (name == "html") return OutputFormat::kHtml;
  return std::nullopt;
}

std::string format_prologue(OutputFormat format) {
  if (format == OutputFormat::kTsv) return kTsvHeader;
  if (format == OutputFormat::kHtml) return kHtmlHead;
  return "";
}

std::string format_epilogue(OutputFormat format) {
  return format == OutputFormat::kHtml ? kHtmlTail : "";
}

std::string format_document(OutputFormat format, const Document& doc, const Result& result,
                            const WriteOptions& options) {
  switch (format) {
    case OutputFormat::kJson:
      return to_json(doc, result, options) + "\n";
    case OutputFormat::kTsv:
      return tsv_document(doc, result, options);
    case OutputFormat::kHtml:
      return html_document(doc, result, options);
    case OutputFormat::kJsonLd:
      return jsonld_document(doc, result, options)
                 .dump(options.pretty ? 2 : -1, ' ', false,
                       nlohmann::json::error_handler_t::replace) +
             "\n";
  }
  return "";
}

std::string tsv_escape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (char ch : field) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

}  // namespace claimx
