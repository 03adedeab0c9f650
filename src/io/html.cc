#include "claimx/html.h"

#include <gumbo.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "claimx/extract.h"

namespace claimx {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* attr(const GumboNode* n, const char* name) {
  if (n->type != GUMBO_NODE_ELEMENT) return nullptr;
  const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? a->value : nullptr;
}

bool contains_any(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s.find(w) != std::string::npos) return true;
  return false;
}

// Collapses whitespace runs to one space and trims.
std::string squeeze(std::string_view s) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!ws && c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
      ws = true;  // no-break space
      ++i;
    }
    if (ws) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool is_block(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_CENTER:
      return true;
    default:
      return false;
  }
}

bool always_dropped(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_MATH:
      return true;
    default:
      return false;
  }
}

std::string class_id(const GumboNode* n) {
  std::string s;
  if (const char* c = attr(n, "class")) s += c;
  s += ' ';
  if (const char* i = attr(n, "id")) s += i;
  return lower(s);
}

std::vector<std::string> tokens(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur += c;
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// A class/id token names the word: equal, plural, or (words of 6+ letters) a prefix.
bool has_word(const std::vector<std::string>& toks, std::initializer_list<const char*> words) {
  for (const auto& t : toks)
    for (const char* w : words) {
      size_t n = std::strlen(w);
      if (t == w || (t.size() == n + 1 && t.compare(0, n, w) == 0 && t[n] == 's') ||
          (n >= 6 && t.compare(0, n, w) == 0))
        return true;
    }
  return false;
}

// Readability's unlikely-candidate test on class and id tokens.
bool unlikely(const std::string& ci) {
  auto toks = tokens(ci);
  if (toks.empty()) return false;
  bool bad = has_word(
      toks, {"ad",         "ads",        "banner",     "breadcrumb", "breadcrumbs", "combx",
             "comment",    "community",  "disqus",     "extra",      "footer",      "gdpr",
             "legends",    "menu",       "related",    "remark",     "replies",     "rss",
             "shoutbox",   "sidebar",    "skyscraper", "social",     "sponsor",     "supplemental",
             "agegate",    "pagination", "pager",      "popup",      "share",       "sharing",
             "newsletter", "subscribe",  "cookie",     "promo",      "recommended", "signup",
             "outbrain",   "taboola",    "navigation", "nav",        "navbar",      "masthead",
             "modal",      "toolbar"});
  if (!bad) return false;
  return !has_word(toks, {"and", "article", "body", "column", "content", "main", "shadow", "story",
                          "text", "post", "entry"});
}

bool hidden(const GumboNode* n) {
  if (attr(n, "hidden")) return true;
  if (const char* a = attr(n, "aria-hidden"); a && std::strcmp(a, "true") == 0) return true;
  if (const char* s = attr(n, "style")) {
    std::string st = lower(s);
    st.erase(std::remove(st.begin(), st.end(), ' '), st.end());
    if (st.find("display:none") != std::string::npos ||
        st.find("visibility:hidden") != std::string::npos)
      return true;
  }
  return false;
}

int class_weight(const GumboNode* n) {
  int w = 0;
  for (const char* name : {"class", "id"}) {
    const char* v = attr(n, name);
    if (!v || !*v) continue;
    std::string s = lower(v);
    if (contains_any(
            s, {"comment",  "com-",    "contact",    "foot",    "footer",   "footnote", "masthead",
                "media",    "meta",    "outbrain",   "promo",   "related",  "scroll",   "share",
                "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags",     "tool",
                "widget",   "hidden",  "-ad-",       "byline",  "caption"}))
      w -= 25;
    if (contains_any(s, {"article", "body", "content", "entry", "hentry", "h-entry", "main", "page",
                         "pagination", "post", "text", "blog", "story"}))
      w += 25;
  }
  return w;
}

struct Info {
  size_t text = 0;  // bytes of squeezed text below
  size_t link = 0;  // of which inside <a>
  size_t commas = 0;
  int paragraphs = 0;
  bool removed = false;
  double score = 0;
  bool candidate = false;
};

class Extractor {
 public:
  enum : unsigned { kStripUnlikely = 1, kWeightClasses = 2, kClean = 4 };
  Extractor(GumboNode* root, unsigned flags) : root_(root), flags_(flags) {}

  std::string run() {
    mark(root_, false);
    measure(root_, false);
    score_paragraphs(root_);
    const GumboNode* top = nullptr;
    double best = 0;
    for (auto& [node, info] : info_) {
      if (!info.candidate || info.removed) continue;
      double s = info.score * (1.0 - density(node));
      info.score = s;
      if (!top || s > best || (s == best && order_[node] < order_[top])) {
        best = s;
        top = node;
      }
    }
    if (!top) top = body();
    if (!top) return {};
    refine(&top, &best);
    std::vector<const GumboNode*> keep;
    const GumboNode* parent = top->parent;
    double threshold = std::max(10.0, best * 0.2);
    if (parent && parent->type == GUMBO_NODE_ELEMENT && parent->v.element.tag != GUMBO_TAG_HTML) {
      const GumboVector& ch = parent->v.element.children;
      for (unsigned i = 0; i < ch.length; ++i) {
        auto* c = static_cast<const GumboNode*>(ch.data[i]);
        if (c->type != GUMBO_NODE_ELEMENT || info_[c].removed) continue;
        if (c == top) {
          keep.push_back(c);
          continue;
        }
        const Info& ci = info_[c];
        double bonus = weight(c) == weight(top) && weight(top) > 0 ? best * 0.2 : 0;
        if (ci.candidate && ci.score + bonus >= threshold) {
          keep.push_back(c);
        } else if (c->v.element.tag == GUMBO_TAG_P) {
          double d = density(c);
          if ((ci.text > 80 && d < 0.25) ||
              (ci.text > 0 && ci.text <= 80 && d == 0 && ends_sentence(c)))
            keep.push_back(c);
        }
      }
    } else {
      keep.push_back(top);
    }
    if (flags_ & kClean)
      for (const GumboNode* k : keep) clean(k);
    std::string out;
    for (const GumboNode* k : keep) emit(k, &out, &line_);
    flush(&out, &line_);
    return out;
  }

 private:
  static bool is_body(const GumboNode* n) {
    return !n || n->type != GUMBO_NODE_ELEMENT || n->v.element.tag == GUMBO_TAG_BODY ||
           n->v.element.tag == GUMBO_TAG_HTML;
  }

  // Readability's refinements of the top candidate: an ancestor shared by three of the (up to
  // four) other candidates scoring at least 75% of the top one holds a split article; a parent
  // scoring more than the node (climbing while scores stay above a third) is the container; an
  // only child gives way to its parent.
  void refine(const GumboNode** top, double* best) {
    std::vector<std::pair<double, const GumboNode*>> ranked;
    for (const auto& [node, info] : info_)
      if (info.candidate && !info.removed && node != *top) ranked.push_back({info.score, node});
    std::sort(ranked.begin(), ranked.end(), [&](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : order_[x.second] < order_[y.second];
    });
    if (ranked.size() > 4) ranked.resize(4);
    std::vector<const GumboNode*> close;
    for (const auto& [score, node] : ranked)
      if (*best > 0 && score / *best >= 0.75) close.push_back(node);
    if (close.size() >= 3) {
      for (const GumboNode* a = (*top)->parent; !is_body(a); a = a->parent) {
        int containing = 0;
        for (const GumboNode* c : close)
          for (const GumboNode* x = c->parent; x; x = x->parent)
            if (x == a) {
              ++containing;
              break;
            }
        if (containing >= 3) {
          *top = a;
          break;
        }
      }
    }
    double last = info_[*top].score;
    double floor = last / 3;
    for (const GumboNode* a = (*top)->parent; !is_body(a); a = a->parent) {
      auto it = info_.find(a);
      if (it == info_.end() || !it->second.candidate) continue;
      double score = it->second.score;
      if (score < floor) break;
      if (score > last) {
        *top = a;
        break;
      }
      last = score;
    }
    for (const GumboNode* p = (*top)->parent; !is_body(p); p = p->parent) {
      int elements = 0;
      for (unsigned i = 0; i < p->v.element.children.length; ++i)
        if (static_cast<const GumboNode*>(p->v.element.children.data[i])->type ==
            GUMBO_NODE_ELEMENT)
          ++elements;
      if (elements != 1) break;
      *top = p;
    }
    *best = std::max(*best, info_[*top].score);
  }

  GumboNode* root_;
  unsigned flags_;
  int weight(const GumboNode* n) const { return flags_ & kWeightClasses ? class_weight(n) : 0; }
  std::unordered_map<const GumboNode*, Info> info_;
  std::unordered_map<const GumboNode*, size_t> order_;
  std::string line_;

  const GumboNode* body() const {
    std::vector<const GumboNode*> stack{root_};
    while (!stack.empty()) {
      const GumboNode* n = stack.back();
      stack.pop_back();
      if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) continue;
      if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_BODY) return n;
      const GumboVector& ch =
          n->type == GUMBO_NODE_DOCUMENT ? n->v.document.children : n->v.element.children;
      for (unsigned i = ch.length; i-- > 0;)
        stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
    }
    return nullptr;
  }

  static const GumboVector* children(const GumboNode* n) {
    if (n->type == GUMBO_NODE_DOCUMENT) return &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
      return &n->v.element.children;
    return nullptr;
  }

  // Marks removed subtrees (boilerplate tags, hidden nodes, unlikely classes).
  void mark(const GumboNode* n, bool removed) {
    order_[n] = order_.size();
    if (n->type == GUMBO_NODE_ELEMENT) {
      GumboTag t = n->v.element.tag;
      if (!removed && t != GUMBO_TAG_BODY && t != GUMBO_TAG_HTML) {
        if (always_dropped(t) || hidden(n))
          removed = true;
        else if ((flags_ & kStripUnlikely) && t != GUMBO_TAG_A && unlikely(class_id(n)))
          removed = true;
        if (const char* role = attr(n, "role")) {
          std::string r = lower(role);
          if (r == "navigation" || r == "complementary" || r == "banner" || r == "menu" ||
              r == "contentinfo" || r == "dialog" || r == "alert" || r == "menubar")
            removed = true;
        }
      }
      info_[n].removed = removed;
    }
    if (const GumboVector* ch = children(n))
      for (unsigned i = 0; i < ch->length; ++i)
        mark(static_cast<const GumboNode*>(ch->data[i]), removed);
  }

  // Text, link text, commas and paragraph counts, bottom-up.
  void measure(const GumboNode* n, bool in_link) {
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) return;
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) return;
    if (n->type == GUMBO_NODE_ELEMENT && info_[n].removed) return;
    bool link = in_link || (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_A);
    Info total;
    const GumboVector* ch = children(n);
    for (unsigned i = 0; ch && i < ch->length; ++i) {
      auto* c = static_cast<const GumboNode*>(ch->data[i]);
      if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_CDATA) {
        std::string t = squeeze(c->v.text.text);
        total.text += t.size();
        if (link) total.link += t.size();
        total.commas += static_cast<size_t>(std::count(t.begin(), t.end(), ','));
      } else if (c->type == GUMBO_NODE_ELEMENT && !info_[c].removed) {
        measure(c, link);
        const Info& ci = info_[c];
        total.text += ci.text;
        total.link += ci.link;
        total.commas += ci.commas;
        total.paragraphs += ci.paragraphs;
      }
    }
    if (n->type == GUMBO_NODE_ELEMENT) {
      Info& me = info_[n];
      me.text = total.text;
      me.link = total.link;
      me.commas = total.commas;
      me.paragraphs = total.paragraphs + (n->v.element.tag == GUMBO_TAG_P ? 1 : 0);
    }
  }

  double density(const GumboNode* n) {
    const Info& i = info_[n];
    return i.text ? static_cast<double>(i.link) / static_cast<double>(i.text) : 0.0;
  }

  bool ends_sentence(const GumboNode* n) {
    std::string t = text_of(n);
    return !t.empty() && std::strchr(".!?\"'”", t.back()) != nullptr;
  }

  std::string text_of(const GumboNode* n) {
    std::string out, line;
    emit(n, &out, &line);
    flush(&out, &line);
    return squeeze(out);
  }

  static bool has_block_child(const GumboNode* n) {
    const GumboVector* ch = children(n);
    for (unsigned i = 0; ch && i < ch->length; ++i) {
      auto* c = static_cast<const GumboNode*>(ch->data[i]);
      if (c->type == GUMBO_NODE_ELEMENT && is_block(c->v.element.tag) &&
          c->v.element.tag != GUMBO_TAG_BR)
        return true;
    }
    return false;
  }

  void init_candidate(const GumboNode* n) {
    Info& i = info_[n];
    if (i.candidate) return;
    i.candidate = true;
    double s = 0;
    switch (n->v.element.tag) {
      case GUMBO_TAG_DIV:
      case GUMBO_TAG_ARTICLE:
      case GUMBO_TAG_MAIN:
      case GUMBO_TAG_SECTION:
        s = 5;
        break;
      case GUMBO_TAG_PRE:
      case GUMBO_TAG_TD:
      case GUMBO_TAG_BLOCKQUOTE:
        s = 3;
        break;
      case GUMBO_TAG_ADDRESS:
      case GUMBO_TAG_OL:
      case GUMBO_TAG_UL:
      case GUMBO_TAG_DL:
      case GUMBO_TAG_DD:
      case GUMBO_TAG_DT:
      case GUMBO_TAG_LI:
      case GUMBO_TAG_FORM:
        s = -3;
        break;
      case GUMBO_TAG_H1:
      case GUMBO_TAG_H2:
      case GUMBO_TAG_H3:
      case GUMBO_TAG_H4:
      case GUMBO_TAG_H5:
      case GUMBO_TAG_H6:
      case GUMBO_TAG_TH:
        s = -5;
        break;
      default:
        break;
    }
    i.score += s + weight(n);
  }

  // Each paragraph-like element votes for its parent (full) and grandparent (half) ... up to 3.
  void score_paragraphs(const GumboNode* n) {
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) return;
    if (n->type == GUMBO_NODE_ELEMENT) {
      if (info_[n].removed) return;
      GumboTag t = n->v.element.tag;
      bool para = t == GUMBO_TAG_P || t == GUMBO_TAG_PRE || t == GUMBO_TAG_TD ||
                  ((t == GUMBO_TAG_DIV || t == GUMBO_TAG_SECTION) && !has_block_child(n));
      if (para) {
        const Info& i = info_[n];
        size_t len = i.text - i.link;
        if (len >= 25) {
          double s = 1 + static_cast<double>(i.commas) +
                     std::min(3.0, static_cast<double>(i.text) / 100.0);
          const GumboNode* a = n->parent;
          for (int level = 0; a && level < 3; ++level, a = a->parent) {
            if (a->type != GUMBO_NODE_ELEMENT || a->v.element.tag == GUMBO_TAG_HTML) break;
            init_candidate(a);
            info_[a].score += s / (level == 0 ? 1 : level == 1 ? 2 : level * 3);
          }
        }
      }
    }
    const GumboVector* ch = children(n);
    for (unsigned i = 0; ch && i < ch->length; ++i)
      score_paragraphs(static_cast<const GumboNode*>(ch->data[i]));
  }

  // Readability's conditional cleaning inside the kept content.
  void clean(const GumboNode* n) {
    const GumboVector* ch = children(n);
    for (unsigned i = 0; ch && i < ch->length; ++i) {
      auto* c = static_cast<const GumboNode*>(ch->data[i]);
      if (c->type != GUMBO_NODE_ELEMENT || info_[c].removed) continue;
      GumboTag t = c->v.element.tag;
      Info& ci = info_[c];
      bool list = t == GUMBO_TAG_UL || t == GUMBO_TAG_OL;
      if (t == GUMBO_TAG_DIV || t == GUMBO_TAG_SECTION || list || t == GUMBO_TAG_TABLE ||
          t == GUMBO_TAG_P || (t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6) || t == GUMBO_TAG_LI) {
        int w = weight(c);
        double d = density(c);
        if (w < 0 && ci.paragraphs < 3) {
          remove(c);
          continue;
        }
        if (ci.commas < 10) {
          if ((w < 25 && d > 0.35 && ci.text > 0) || (d > 0.6)) {
            remove(c);
            continue;
          }
        }
      }
      clean(c);
    }
  }

  void remove(const GumboNode* n) { info_[n].removed = true; }

  static void flush(std::string* out, std::string* line) {
    std::string l = squeeze(*line);
    line->clear();
    if (l.empty()) return;
    out->append(l);
    out->push_back('\n');
  }

  void emit(const GumboNode* n, std::string* out, std::string* line) {
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
        n->type == GUMBO_NODE_WHITESPACE) {
      line->append(n->v.text.text);
      return;
    }
    if (n->type != GUMBO_NODE_ELEMENT) return;
    if (info_[n].removed) return;
    GumboTag t = n->v.element.tag;
    bool block = is_block(t);
    if (block) flush(out, line);
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = 0; i < ch.length; ++i)
      emit(static_cast<const GumboNode*>(ch.data[i]), out, line);
    if (block)
      flush(out, line);
    else if (t == GUMBO_TAG_TD || t == GUMBO_TAG_IMG)
      line->push_back(' ');
  }
};

std::string node_text(const GumboNode* n) {
  std::string out;
  std::vector<const GumboNode*> stack{n};
  while (!stack.empty()) {
    const GumboNode* c = stack.back();
    stack.pop_back();
    if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_CDATA ||
        c->type == GUMBO_NODE_WHITESPACE) {
      out += c->v.text.text;
    } else if (c->type == GUMBO_NODE_ELEMENT) {
      const GumboVector& ch = c->v.element.children;
      for (unsigned i = ch.length; i-- > 0;)
        stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
      out += ' ';
    }
  }
  return squeeze(out);
}

bool iso_date(const std::string& s, std::string* out) {
  if (s.size() < 10) return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s[4] != '-' || s[7] != '-') return false;
  if (!parse_iso_date_public(s.substr(0, 10))) return false;  // "2026-02-30" is no anchor
  *out = s.substr(0, 10);
  return true;
}

struct Meta {
  std::string og_title, title, h1, date, canonical, og_url, ld_date, time_date;
  std::vector<std::string> h1s;
};

// Elements that never hold children, and those whose end tags are implied (a second <p>, <li>,
// <td> closes the first): neither adds to the depth the scan counts.
bool uncounted(const std::string& name) {
  static const std::unordered_set<std::string> kNames = {
      "area",   "base",   "br",       "col",   "embed",  "hr",    "img",      "input",
      "keygen", "link",   "meta",     "param", "source", "track", "wbr",      "p",
      "li",     "dt",     "dd",       "tr",    "td",     "th",    "thead",    "tbody",
      "tfoot",  "option", "optgroup", "rb",    "rt",     "rp",    "colgroup", "caption",
      "a",      "button", "form",     "nobr",  "html",   "head",  "body"};
  return kNames.count(name) > 0;
}

bool raw_text(const std::string& name) {
  return name == "script" || name == "style" || name == "textarea" || name == "title" ||
         name == "xmp" || name == "iframe" || name == "noembed" || name == "noframes" ||
         name == "noscript" || name == "plaintext";
}

// The open elements of the depth scan. Past the cap a start tag is blanked and counted, and the
// same number of its end tags are blanked after it.
class NestingCap {
 public:
  explicit NestingCap(size_t max_depth) : max_(max_depth) {}

  // Returns true when the tag [at, end) is to be blanked.
  bool start(const std::string& name, bool self_closing) {
    if (self_closing || uncounted(name)) return false;
    if (open_.size() < max_) {
      open_.push_back(name);
      return false;
    }
    ++dropped_[name];
    return true;
  }
  bool end(const std::string& name) {
    auto d = dropped_.find(name);
    if (d != dropped_.end() && d->second > 0) {
      --d->second;
      return true;
    }
    auto it = std::find(open_.rbegin(), open_.rend(), name);
    if (it != open_.rend()) open_.erase(std::prev(it.base()), open_.end());
    return false;
  }

 private:
  size_t max_;
  std::vector<std::string> open_;
  std::unordered_map<std::string, size_t> dropped_;
};

size_t tag_name_end(std::string_view html, size_t from) {
  while (from < html.size() && (std::isalnum(static_cast<unsigned char>(html[from])) ||
                                html[from] == '-' || html[from] == ':'))
    ++from;
  return from;
}

void collect_meta(const GumboNode* n, Meta* m) {
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) return;
  if (n->type == GUMBO_NODE_ELEMENT) {
    GumboTag t = n->v.element.tag;
    if (t == GUMBO_TAG_META) {
      const char* content = attr(n, "content");
      std::string key;
      if (const char* p = attr(n, "property"))
        key = lower(p);
      else if (const char* nm = attr(n, "name"))
        key = lower(nm);
      else if (const char* ip = attr(n, "itemprop"))
        key = lower(ip);
      if (content) {
        if (key == "og:title" && m->og_title.empty()) m->og_title = squeeze(content);
        if (key == "og:url" && m->og_url.empty()) m->og_url = squeeze(content);
        if (m->date.empty() &&
            (key == "article:published_time" || key == "datepublished" || key == "date" ||
             key == "pubdate" || key == "publishdate" || key == "dc.date" ||
             key == "dc.date.issued" || key == "sailthru.date" || key == "parsely-pub-date" ||
             key == "og:published_time" || key == "article.published"))
          iso_date(squeeze(content), &m->date);
      }
    } else if (t == GUMBO_TAG_TITLE && m->title.empty()) {
      m->title = node_text(n);
    } else if (t == GUMBO_TAG_H1) {
      m->h1s.push_back(node_text(n));
    } else if (t == GUMBO_TAG_LINK) {
      const char* rel = attr(n, "rel");
      const char* href = attr(n, "href");
      if (rel && href && lower(rel) == "canonical" && m->canonical.empty()) m->canonical = href;
    } else if (t == GUMBO_TAG_TIME && m->time_date.empty()) {
      if (const char* dt = attr(n, "datetime")) iso_date(dt, &m->time_date);
    } else if (t == GUMBO_TAG_SCRIPT && m->ld_date.empty()) {
      const char* type = attr(n, "type");
      if (type && lower(type) == "application/ld+json" && n->v.element.children.length > 0) {
        auto* c = static_cast<const GumboNode*>(n->v.element.children.data[0]);
        if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_CDATA) {
          std::string_view s = c->v.text.text;
          size_t k = s.find("\"datePublished\"");
          if (k != std::string_view::npos) {
            size_t q = s.find('"', s.find(':', k) + 1);
            if (q != std::string_view::npos)
              iso_date(std::string(s.substr(q + 1, 10)), &m->ld_date);
          }
        }
      }
    }
  }
  const GumboVector& ch =
      n->type == GUMBO_NODE_DOCUMENT ? n->v.document.children : n->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i)
    collect_meta(static_cast<const GumboNode*>(ch.data[i]), m);
}

}  // namespace

std::string cap_html_nesting(std::string_view html, size_t max_depth) {
  std::string out(html);
  NestingCap cap(max_depth);
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.compare(i, 4, "<!--") == 0) {  // comments: skipped whole
      size_t e = html.find("-->", i + 4);
      i = e == std::string_view::npos ? html.size() : e + 3;
      continue;
    }
    bool closing = i + 1 < html.size() && html[i + 1] == '/';
    size_t name_at = i + (closing ? 2 : 1);
    if (name_at >= html.size() || !std::isalpha(static_cast<unsigned char>(html[name_at]))) {
      ++i;
      continue;
    }
    size_t name_end = tag_name_end(html, name_at);
    std::string name = lower(html.substr(name_at, name_end - name_at));
    size_t gt = html.find('>', name_end);
    if (gt == std::string_view::npos) break;
    bool blank = closing ? cap.end(name) : cap.start(name, html[gt - 1] == '/');
    if (blank) std::fill(out.begin() + i, out.begin() + gt + 1, ' ');
    i = gt + 1;
    if (!closing && raw_text(name)) {  // no tags inside <script>, <style>, ...: skip to its end
      size_t e = i;
      while ((e = html.find("</", e)) != std::string_view::npos &&
             lower(html.substr(e + 2, name.size())) != name)
        e += 2;
      i = e == std::string_view::npos ? html.size() : e;
    }
  }
  return out;
}

HtmlArticle extract_html(std::string_view page) {
  HtmlArticle a;
  std::string html = cap_html_nesting(page, kMaxHtmlDepth);
  GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  Meta m;
  collect_meta(out->document, &m);
  if (!m.og_title.empty()) a.title = m.og_title;
  if (!a.title)
    for (const auto& h : m.h1s)
      if (!h.empty() && m.title.find(h) != std::string::npos) {
        a.title = h;
        break;
      }
  if (!a.title && !m.title.empty()) a.title = m.title;
  if (!m.date.empty())
    a.date = m.date;
  else if (!m.ld_date.empty())
    a.date = m.ld_date;
  else if (!m.time_date.empty())
    a.date = m.time_date;
  if (!m.canonical.empty())
    a.url = m.canonical;
  else if (!m.og_url.empty())
    a.url = m.og_url;
  // Readability's retries: when little text survives, relax the cleaning step by step and keep
  // the longest result.
  for (unsigned flags : {7u, 6u, 4u, 0u}) {
    std::string text = Extractor(out->root, flags).run();
    if (text.size() > a.text.size()) a.text = std::move(text);
    if (a.text.size() >= 500) break;
  }
  // The headline is metadata, not a paragraph of the body.
  if (a.title) {
    size_t nl = a.text.find('\n');
    if (nl != std::string::npos && a.text.compare(0, nl, *a.title) == 0) a.text.erase(0, nl + 1);
  }
  gumbo_destroy_output(&kGumboDefaultOptions, out);
  return a;
}

std::string html_charset(std::string_view html, std::string_view content_type) {
  auto find_charset = [](std::string_view s) -> std::string {
    std::string l = lower(s);
    size_t k = l.find("charset=");
    if (k == std::string::npos) return "";
    k += 8;
    while (k < l.size() && (l[k] == '"' || l[k] == '\'' || l[k] == ' ')) ++k;
    size_t e = k;
    while (e < l.size() && (std::isalnum(static_cast<unsigned char>(l[e])) || l[e] == '-' ||
                            l[e] == '_' || l[e] == ':' || l[e] == '.'))
      ++e;
    return l.substr(k, e - k);
  };
  std::string cs = find_charset(content_type);
  if (cs.empty()) cs = find_charset(html.substr(0, 4096));
  return cs;
}

std::string to_utf8(std::string bytes, const std::string& charset) {
  if (charset.empty() || charset == "utf-8" || charset == "utf8") return bytes;
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return bytes;
  std::string out(bytes.size() * 3 + 16, '\0');
  char* in = bytes.data();
  size_t in_left = bytes.size();
  char* dst = out.data();
  size_t out_left = out.size();
  while (in_left > 0) {
    size_t r = iconv(cd, &in, &in_left, &dst, &out_left);
    if (r == static_cast<size_t>(-1)) {
      if (errno == EILSEQ || errno == EINVAL) {  // keep the byte; UTF-8 repair marks it later
        if (out_left == 0) break;
        *dst++ = *in++;
        --in_left;
        --out_left;
        continue;
      }
      break;
    }
  }
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

}  // namespace claimx
