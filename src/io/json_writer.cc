// Streams claimx/1 JSON without building a DOM, so output memory stays proportional to the
// output string (a 50 MB article can yield millions of items). Pretty output, meant for
// terminals, re-indents the compact form.
#include "claimx/json_writer.h"

#include <cmath>
#include <cstring>

namespace claimx {

std::optional<std::string_view> document_title(const Document& doc, const Result& result) {
  if (doc.title) return *doc.title;
  if (result.headline)
    return std::string_view(doc.text).substr(result.headline->start,
                                             result.headline->end - result.headline->start);
  return std::nullopt;
}

std::string json_number(const nlohmann::json& v) {
  if (!v.is_number()) return "null";
  double d = v.get<double>();
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
    return std::to_string(static_cast<int64_t>(d));
  return nlohmann::json(d).dump();
}

std::string figure_value_text(const Figure& f) {
  if (f.value.is_null()) return "";
  std::string v = f.value.is_string() ? f.value.get<std::string>() : json_number(f.value);
  if (!f.value_max.is_null()) v += ".." + json_number(f.value_max);
  return v;
}

namespace {

class Out {
 public:
  // With a file, the buffer is flushed to it whenever it passes 1 MiB.
  explicit Out(std::string* s, std::FILE* file = nullptr) : s_(s), file_(file) {}

  bool flush() {
    if (file_ && !s_->empty()) {
      ok_ = ok_ && std::fwrite(s_->data(), 1, s_->size(), file_) == s_->size();
      s_->clear();
    }
    return ok_;
  }

  void open(char c) {
    if (file_ && s_->size() > (1 << 20)) flush();
    comma();
    *s_ += c;
    first_ = true;
  }
  void close(char c) {
    *s_ += c;
    first_ = false;
  }
  void key(std::string_view k) {
    if (!quoted(k, ":")) {
      comma();
      str_raw(k);
      *s_ += ':';
    }
    first_ = true;  // the value follows without a comma
  }
  void str(std::string_view v) {
    if (quoted(v, "")) return;
    comma();
    str_raw(v);
  }
  void str_or_null(std::string_view v) { v.empty() ? null() : str(v); }
  void null() { raw("null"); }
  void boolean(bool b) { raw(b ? "true" : "false"); }
  void integer(int64_t v) { raw(std::to_string(v)); }
  void number(const nlohmann::json& v) { raw(json_number(v)); }
  // key: value pairs.
  void field(std::string_view k, std::string_view v) {
    key(k);
    str(v);
  }
  void field_or_null(std::string_view k, std::string_view v) {
    key(k);
    str_or_null(v);
  }
  void field_int(std::string_view k, int64_t v) {
    key(k);
    integer(v);
  }
  void field_bool(std::string_view k, bool v) {
    key(k);
    boolean(v);
  }
  void field_number(std::string_view k, const nlohmann::json& v) {
    key(k);
    number(v);
  }
  void field_strings(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    strings(v);
  }

  void strings(const std::vector<std::string>& v) {
    open('[');
    for (const auto& s : v) str(s);
    close(']');
  }

 private:
  void comma() {
    if (!first_) *s_ += ',';
    first_ = false;
  }
  void raw(std::string_view v) {
    comma();
    *s_ += v;
  }
  static bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }
  // The comma, `v` quoted and `after` in one append, when no byte of `v` needs an escape (the
  // contract's keys, most values): a quarter of the writer's time went to appending a byte at a
  // time. False, with nothing written, when one does.
  bool quoted(std::string_view v, std::string_view after) {
    for (char ch : v)
      if (needs_escape(static_cast<unsigned char>(ch))) return false;
    size_t n = s_->size();
    s_->resize(n + !first_ + v.size() + 2 + after.size());
    char* p = s_->data() + n;
    if (!first_) *p++ = ',';
    *p++ = '"';
    if (!v.empty()) std::memcpy(p, v.data(), v.size());  // a default view's data is null
    p += v.size();
    *p++ = '"';
    if (!after.empty()) std::memcpy(p, after.data(), after.size());
    first_ = false;
    return true;
  }
  // Runs of bytes that need no escape are appended whole: a byte at a time was a fifth of the
  // writer's time on long texts.
  void str_raw(std::string_view v) {
    *s_ += '"';
    size_t run = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(v[i]);
      if (!needs_escape(c)) continue;  // text is valid UTF-8 (repaired on input)
      s_->append(v, run, i - run);
      escape(c);
      run = i + 1;
    }
    s_->append(v, run, v.size() - run);
    *s_ += '"';
  }
  void escape(unsigned char c) {
    static const char* kHex = "0123456789abcdef";
    switch (c) {
      case '"':
        *s_ += "\\\"";
        break;
      case '\\':
        *s_ += "\\\\";
        break;
      case '\n':
        *s_ += "\\n";
        break;
      case '\r':
        *s_ += "\\r";
        break;
      case '\t':
        *s_ += "\\t";
        break;
      case '\b':
        *s_ += "\\b";
        break;
      case '\f':
        *s_ += "\\f";
        break;
      default:
        *s_ += "\\u00";
        *s_ += kHex[c >> 4];
        *s_ += kHex[c & 15];
    }
  }

  std::string* s_;
  std::FILE* file_;
  bool first_ = true;
  bool ok_ = true;
};

struct Writer {
  const Document& doc;
  const Result& r;
  const WriteOptions& opt;
  OffsetMap map;
  Out& o;

  void span(const TextRange& s) {
    o.field("text", std::string_view(doc.text).substr(s.start, s.end - s.start));
    o.field_int("start", static_cast<int64_t>(map.convert(s.start)));
    o.field_int("end", static_cast<int64_t>(map.convert(s.end)));
  }
  static std::string id(char prefix, size_t i) { return prefix + std::to_string(i + 1); }
  void ids(char prefix, const std::vector<size_t>& v) {
    o.open('[');
    for (size_t i : v) o.str(id(prefix, i));
    o.close(']');
  }

  void document() {
    o.key("document");
    o.open('{');
    o.field("id", doc.id);
    o.field_or_null("source", doc.source);
    if (doc.url) o.field("url", *doc.url);
    o.key("title");
    auto title = document_title(doc, r);
    title ? o.str(*title) : o.null();
    o.key("date");
    doc.date ? o.str(*doc.date) : o.null();
    o.field_int("chars", static_cast<int64_t>(map.convert(doc.text.size())));
    o.field("offsets", opt.offsets == OffsetUnit::kBytes   ? "bytes"
                       : opt.offsets == OffsetUnit::kUtf16 ? "utf16"
                                                           : "codepoints");
    o.key("boilerplate");
    o.open('[');
    for (const auto& b : r.boilerplate) {
      o.open('{');
      o.field_int("start", static_cast<int64_t>(map.convert(b.span.start)));
      o.field_int("end", static_cast<int64_t>(map.convert(b.span.end)));
      o.field("reason", b.reason);
      o.close('}');
    }
    o.close(']');
    o.key("warnings");
    o.open('[');
    for (const auto& w : doc.warnings) {
      o.open('{');
      o.field("code", w.code);
      o.field("message", w.message);
      o.field_int("count", static_cast<int64_t>(w.count));
      o.close('}');
    }
    o.close(']');
    if (opt.include_text) {
      o.field("text", doc.text);
    }
    o.close('}');
  }

  void sentences() {
    o.key("sentences");
    o.open('[');
    for (const auto& s : r.sentences) {
      o.open('{');
      span(s.span);
      o.field("zone", s.zone);
      o.close('}');
    }
    o.close(']');
  }

  void entities() {
    o.key("entities");
    o.open('[');
    for (size_t i = 0; i < r.entities.size(); ++i) {
      const Entity& e = r.entities[i];
      o.open('{');
      o.field("id", id('e', i));
      o.field("type", e.type);
      o.field_or_null("subtype", e.subtype);
      o.field("name", e.name);
      o.field_strings("aliases", e.aliases);
      o.key("mentions");
      o.open('[');
      for (const auto& m : e.mentions) {
        o.open('{');
        span(m.span);
        o.field("rule", m.rule);
        o.field("form", m.form);
        o.close('}');
      }
      o.close(']');
      o.close('}');
    }
    o.close(']');
  }

  void figures() {
    o.key("figures");
    o.open('[');
    for (size_t i = 0; i < r.figures.size(); ++i) {
      const Figure& f = r.figures[i];
      o.open('{');
      o.field("id", id('f', i));
      o.field("kind", f.kind);
      span(f.span);
      o.key("value");
      f.value.is_string() ? o.str(f.value.get_ref<const std::string&>()) : o.number(f.value);
      o.field_number("value_max", f.value_max);
      if (f.overflow) o.field_bool("overflow", true);
      o.field_or_null("unit", f.unit);
      o.field_or_null("currency", f.currency);
      if (f.currency_ambiguous) {
        o.field_bool("currency_ambiguous", true);
        o.field_strings("candidates", f.candidates);
      }
      o.field_or_null("qualifier", f.qualifier);
      if (!f.granularity.empty()) {
        o.field("granularity", f.granularity);
      }
      o.field_int("sentence", f.sentence);
      o.field("rule", f.rule);
      o.close('}');
    }
    o.close(']');
  }

  void figure_ref(std::string_view key, const std::optional<size_t>& fi) {
    if (fi)
      o.field(key, id('f', *fi));
    else
      o.field_or_null(key, "");
  }

  void agreements() {
    o.key("agreements");
    o.open('[');
    for (size_t i = 0; i < r.agreements.size(); ++i) {
      const Agreement& g = r.agreements[i];
      o.open('{');
      o.field("id", id('a', i));
      o.field("name", g.name);
      o.field_strings("aliases", g.aliases);
      o.field("type", g.type);
      o.field("kind", g.kind);
      o.field_or_null("status", g.status);
      o.field_bool("named", g.named);
      o.key("parties");
      ids('e', g.parties);
      o.key("roles");
      o.open('{');
      for (size_t p = 0; p < g.parties.size() && p < g.roles.size(); ++p)
        if (!g.roles[p].empty()) o.field(id('e', g.parties[p]), g.roles[p]);
      o.close('}');
      figure_ref("value", g.value);
      figure_ref("date", g.date);
      o.key("evidence");
      if (g.evidence.end > g.evidence.start) {
        o.open('{');
        span(g.evidence);
        o.close('}');
      } else {
        o.null();
      }
      o.key("mentions");
      o.open('[');
      for (const auto& m : g.mentions) {
        o.open('{');
        span(m.span);
        o.field("rule", m.rule);
        o.close('}');
      }
      o.close(']');
      o.close('}');
    }
    o.close(']');
  }

  void claims() {
    o.key("claims");
    o.open('[');
    const auto& list = opt.all_sentences ? r.all_scored : r.claims;
    for (size_t i = 0; i < list.size(); ++i) {
      const Claim& c = list[i];
      o.open('{');
      o.field("id", id('c', i));
      o.field("key", c.key);
      span(c.span);
      o.field_int("sentence", c.sentence);
      o.field_strings("types", c.types);
      o.field_number("checkworthiness", c.checkworthiness);
      o.key("figures");
      ids('f', c.figures);
      o.key("entities");
      ids('e', c.entities);
      o.key("agreements");
      ids('a', c.agreements);
      o.key("attribution");
      if (c.attribution) {
        const Attribution& at = *c.attribution;
        o.open('{');
        o.key("speaker");
        at.entity ? o.str(id('e', *at.entity)) : o.null();
        o.field("speaker_text", std::string_view(doc.text).substr(
                                    at.speaker.start, at.speaker.end - at.speaker.start));
        o.field_or_null("verb", at.verb);
        o.field_bool("direct", at.direct);
        o.close('}');
      } else {
        o.null();
      }
      if (c.change) {
        const Change& ch = *c.change;
        o.key("change");
        o.open('{');
        o.field("direction", ch.direction);
        o.field("verb",
                std::string_view(doc.text).substr(ch.verb.start, ch.verb.end - ch.verb.start));
        for (auto [name, index] :
             {std::pair{"by", ch.by}, std::pair{"from", ch.from}, std::pair{"to", ch.to}}) {
          o.key(name);
          index ? o.str(id('f', *index)) : o.null();
        }
        o.close('}');
      }
      o.field_bool("hedged", c.hedged);
      o.field_bool("negated", c.negated);
      o.field_strings("cues", c.cues);
      if (opt.explain) {
        o.key("score_terms");
        o.open('[');
        for (const ScoreTerm& t : c.terms) {
          o.open('{');
          o.field("feature", t.name);
          o.field_number("value", t.value);
          o.field_number("weight", t.weight);
          o.field_number("contribution", std::round(t.value * t.weight * 1e6) / 1e6);
          o.close('}');
        }
        o.close(']');
        // The words beside the cues: which of the sentence's own words moved the score most.
        o.key("top_words");
        o.open('[');
        for (const ScoreTerm* t : top_word_terms(c, 5)) {
          o.open('{');
          o.field("word", std::string_view(t->name).substr(2));
          o.field_number("contribution", std::round(t->value * t->weight * 1e6) / 1e6);
          o.close('}');
        }
        o.close(']');
        if (!c.not_claim_reason.empty()) o.field("not_claim_reason", c.not_claim_reason);
      }
      o.close('}');
    }
    o.close(']');
  }
};

}  // namespace

namespace {

void write_all(Writer& w, Out& o, const WriteOptions& opt) {
  o.open('{');
  o.field("schema", "claimx/1");
  w.document();
  if (opt.sentences) w.sentences();
  if (opt.entities) w.entities();
  if (opt.figures) w.figures();
  if (opt.agreements) w.agreements();
  if (opt.claims) w.claims();
  o.close('}');
}

}  // namespace

std::string to_json(const Document& doc, const Result& result, const WriteOptions& opt) {
  std::string s;
  Out o(&s);
  Writer w{doc, result, opt, OffsetMap(doc.text, opt.offsets), o};
  write_all(w, o, opt);
  if (!opt.pretty) return s;
  return nlohmann::ordered_json::parse(s).dump(2);
}

bool write_json(const Document& doc, const Result& result, const WriteOptions& opt,
                std::FILE* out) {
  if (opt.pretty) {  // for terminals: documents are small, re-indent the whole
    std::string s = to_json(doc, result, opt) + "\n";
    return std::fwrite(s.data(), 1, s.size(), out) == s.size();
  }
  std::string buffer;
  buffer.reserve(1 << 21);
  Out o(&buffer, out);
  Writer w{doc, result, opt, OffsetMap(doc.text, opt.offsets), o};
  write_all(w, o, opt);
  buffer += '\n';
  return o.flush();
}

}  // namespace claimx
