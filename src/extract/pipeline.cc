// The pipeline: zone -> segment -> match -> interpret -> link. See docs/ARCHITECTURE.md.
#include <memory>
#include <set>

#include "claimx/text.h"
#include "extract/internal.h"
#include "text/zones.h"

namespace claimx {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

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
// A shouting sentence (all capitals) counts as the zone `shouting` as well as its own. Read
// from the rules' attributes once per book (a JSON look-up for every match was 1% of a batch).
class SkippedZones {
 public:
  explicit SkippedZones(const RuleBook& book) : first_(book.rules().data()) {
    for (const Rule& r : book.rules()) {
      std::vector<std::string>& zones = of_.emplace_back();
      if (r.type == RuleKind::kZone) continue;
      auto skip = r.attrs.find("skip_zones");
      if (skip != r.attrs.end() && skip->is_array())
        for (const auto& z : *skip)
          if (z.is_string()) zones.push_back(z.get<std::string>());
    }
  }
  bool skipped(const Match& m, const std::string& zone, bool shouting) const {
    if (m.rule->type == RuleKind::kZone) return true;
    const auto& zones = of_[static_cast<size_t>(m.rule - first_)];
    for (const std::string& z : zones)
      if (z == zone || (shouting && z == "shouting")) return true;
    return false;
  }

 private:
  const Rule* first_;                         // the book's rules: a match's rule is one of them
  std::vector<std::vector<std::string>> of_;  // by rule index
};

// One document on its way through the pipeline. The constructor zones and segments it; the
// matches of its sentences come in through route(), in sentence order, pack by pack; finish()
// interprets what needs the whole document and links. Not movable: its Context points into it.
class DocRun {
 public:
  DocRun(const Document& doc, const RuleBook& book, const ExtractOptions& options)
      : options_(options),
        ctx_{doc.text, book, std::nullopt, &r_.sentences, {}, {}, {}, number_lexicons(book),
             {},       {}},
        skipped_(
            book.derived<SkippedZones>("pipeline.skip_zones", [&] { return SkippedZones(book); })) {
    std::string_view text = doc.text;
    utf8_ = first_invalid_utf8(text) == std::string_view::npos;
    auto paragraphs = split_paragraphs(text);
    Zoning zoning = find_zones(text, paragraphs, book);
    r_.boilerplate = zoning.boilerplate;
    if (zoning.headline) r_.headline = paragraphs[*zoning.headline];
    for (size_t p = 0; p < paragraphs.size(); ++p) {
      size_t start = paragraphs[p].start;
      if (zoning.dateline == p) {  // "OTTAWA (Reuters) -" is a sentence of its own, not body
        r_.sentences.push_back({zoning.dateline_span, "dateline"});
        start = zoning.dateline_span.end;
      }
      for (const auto& s : split_sentences(text, start, paragraphs[p].end, book.segment_rules()))
        r_.sentences.push_back({s, zoning.zone[p]});
    }
    if (options.anchor_date)
      ctx_.anchor = parse_iso_date(*options.anchor_date);
    else if (doc.date)
      ctx_.anchor = parse_iso_date(*doc.date);
    ctx_.is_item_sentence.assign(r_.sentences.size(), false);
    ctx_.shouting.assign(r_.sentences.size(), false);
    for (size_t i = 0; i < r_.sentences.size(); ++i)
      if (r_.sentences[i].zone != "boilerplate") {
        ctx_.shouting[i] = is_shouting(ctx_.slice(r_.sentences[i].span));
        ctx_.item_sentences.push_back(i);
        ctx_.is_item_sentence[i] = true;
      }
    if (!ctx_.anchor)
      for (size_t i = 0; i < r_.sentences.size() && dateline_ < 0; ++i)
        if (r_.sentences[i].zone == "dateline") dateline_ = static_cast<int>(i);
  }
  DocRun(const DocRun&) = delete;
  DocRun& operator=(const DocRun&) = delete;

  std::string_view text() const { return ctx_.text; }
  // Whether text[span] is valid UTF-8: the text is (documents are repaired on input; a library
  // caller's may not be: checked once, not by every pack for every sentence) and the span
  // neither starts nor ends inside a code point.
  bool utf8(const TextRange& span) const {
    auto inside = [&](size_t at) {
      return at < ctx_.text.size() && (static_cast<unsigned char>(ctx_.text[at]) & 0xC0) == 0x80;
    };
    return utf8_ && !inside(span.start) && !inside(span.end);
  }
  // Sentences items may come from, in order: what the packs are matched over.
  const std::vector<size_t>& items() const { return ctx_.item_sentences; }
  const TextRange& span(size_t sentence) const { return r_.sentences[sentence].span; }

  // A match in sentence si, interpreted by the rule's kind (not its pack).
  void route(const Match& m, size_t si) {
    if (skipped_.skipped(m, r_.sentences[si].zone, ctx_.shouting[si])) return;
    switch (m.rule->stage) {
      case Stage::kFigures:
        if (dateline_ >= 0)  // no anchor yet: the dateline's date may give one (finish())
          deferred_figures_.push_back({m, si});
        else
          interpret_figures(ctx_, m, &figures_);
        break;
      case Stage::kEntities:
        interpret_entity(ctx_, m, &entities_);
        break;
      case Stage::kAgreements:
        if (auto a = interpret_agreement(ctx_, m, static_cast<int>(si)))
          agreements_.push_back(std::move(*a));
        break;
      case Stage::kDeals:
        if (m.rule->type == RuleKind::kAgreementStatus) {
          status_.push_back(make_hit(ctx_, m, static_cast<int>(si)));
        } else if (auto a = interpret_deal(ctx_, m, static_cast<int>(si))) {
          deals_.push_back(std::move(*a));
        }
        break;
      case Stage::kClaims:
        cues_.push_back(make_hit(ctx_, m, static_cast<int>(si)));
        break;
      case Stage::kMasks:
        masks_.add(m.span);  // URLs, e-mail addresses, phone numbers: no item comes from inside
        break;
      case Stage::kZones:
        break;  // read per line by the zoner
    }
  }

  Result finish() {
    interpret_deferred_figures();
    auto masked = [&](auto& items, auto span_of) {
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [&](const auto& x) { return masks_.overlaps(span_of(x)); }),
                  items.end());
    };
    masked(figures_, [](const Figure& f) { return f.span; });
    masked(entities_, [](const EntityCandidate& e) { return e.mention.span; });
    masked(agreements_, [](const AgreementCandidate& a) { return a.whole; });
    drop_names_inside_agreements();
    finish_figures(ctx_, std::move(figures_), &r_);
    if (options_.compose_dates) compose_dates(ctx_, &r_.figures);
    finish_entities(ctx_, std::move(entities_), &r_);
    mark_currency_context(ctx_, &r_);
    finish_agreements(ctx_, std::move(agreements_), status_, &r_);
    masked(deals_, [](const AgreementCandidate& a) { return a.head; });
    finish_deals(ctx_, std::move(deals_), status_, &r_);
    finish_claims(ctx_, cues_, options_, &r_);
    return std::move(r_);
  }

 private:
  // A document with no anchor date and a dateline: a full date there ("LYON, March 3, 2025 -")
  // is when the story was filed, so it anchors the relative dates of the whole document. The
  // figure matches were kept until now; they are interpreted in the order they came.
  void interpret_deferred_figures() {
    if (dateline_ < 0) return;
    std::vector<Figure> in_dateline;
    for (const auto& [m, si] : deferred_figures_)
      if (si == static_cast<size_t>(dateline_) && m.rule->type == RuleKind::kDate)
        interpret_figures(ctx_, m, &in_dateline);
    for (const auto& f : in_dateline)
      if (f.kind == "date" && f.granularity == "day" && f.value.is_string())
        if (auto d = parse_iso_date(f.value.get<std::string>())) {
          ctx_.anchor = d;
          break;
        }
    for (const auto& [m, si] : deferred_figures_) interpret_figures(ctx_, m, &figures_);
    deferred_figures_.clear();
  }

  // A capitalised sequence or acronym definition inside an agreement's name, or its acronym
  // ("CUSMA"), is no entity.
  void drop_names_inside_agreements() {
    SpanIndex named;
    std::set<std::string, std::less<>> acronyms;
    for (const auto& a : agreements_) {
      named.add(a.whole);
      if (!a.acronym.empty()) acronyms.insert(a.acronym);
    }
    entities_.erase(std::remove_if(entities_.begin(), entities_.end(),
                                   [&](const EntityCandidate& e) {
                                     return (e.auto_typed || !e.acronym.empty()) &&
                                            (named.overlaps(e.mention.span) ||
                                             acronyms.count(ctx_.slice(e.mention.span)));
                                   }),
                    entities_.end());
  }

  const ExtractOptions& options_;
  Result r_;
  Context ctx_;
  std::vector<Figure> figures_;
  int dateline_ = -1;  // the dateline sentence, when there is one and no anchor date
  std::vector<std::pair<Match, size_t>> deferred_figures_;  // figure matches, see finish()
  std::vector<EntityCandidate> entities_;
  std::vector<AgreementCandidate> agreements_;
  std::vector<AgreementCandidate> deals_;  // frames and later mentions (deals.cc)
  std::vector<Hit> status_, cues_;
  SpanIndex masks_;
  const SkippedZones& skipped_;
  bool utf8_ = false;
};

// A sentence to match: its document and its index there.
struct Unit {
  DocRun* doc;
  size_t sentence;
};

// Matches of one pack over a window of sentences, kept for routing. The Match objects are
// reused from window to window (their group vectors keep their capacity).
struct PackMatches {
  std::vector<Match> matches;       // as found: rule by rule
  std::vector<size_t> sentence_of;  // per match: its sentence in the window
  std::vector<size_t> order;        // the matches by sentence, each sentence's as found
  std::vector<size_t> first;        // per sentence of the window: its first in `order`; then size
  std::vector<RuleBook::Slice> slices;
  size_t size = 0;

  void collect(const RuleBook& book, const std::string& pack, const std::vector<Unit>& units,
               size_t begin, size_t end, const std::vector<char>& fire_only) {
    size = 0;
    sentence_of.clear();
    slices.clear();
    for (size_t u = begin; u < end; ++u) {
      const TextRange& span = units[u].doc->span(units[u].sentence);
      slices.push_back({units[u].doc->text(), span.start, span.end, units[u].doc->utf8(span)});
    }
    book.for_each_match(
        pack, slices,
        [this](size_t i, const Match& m) {
          add(m);
          sentence_of.push_back(i);
        },
        &fire_only);
    // A counting sort by sentence, stable: each sentence's matches in the order
    // for_each_match gives them sentence by sentence.
    first.assign(slices.size() + 1, 0);
    for (size_t i : sentence_of) ++first[i + 1];
    for (size_t i = 0; i < slices.size(); ++i) first[i + 1] += first[i];
    order.resize(size);
    next.assign(first.begin(), first.end() - 1);
    for (size_t k = 0; k < size; ++k) order[next[sentence_of[k]]++] = k;
  }
  void add(const Match& m) {
    if (size < matches.size())
      matches[size] = m;
    else
      matches.push_back(m);
    ++size;
  }

 private:
  std::vector<size_t> next;
};

// Runs each pack over a window of consecutive sentences, of one document or of many, before the
// next pack: one RE2::Set stays hot in the CPU caches instead of seven taking turns (matching is
// about twice as fast; a window over many short documents cuts another third). Then routes the
// matches to their documents in the order of a sentence-by-sentence run: sentence, then pack,
// then as found, so no document can tell which others shared its windows. A window holds at
// most kWindowBytes of text, so memory stays flat. A sentence longer than kAloneBytes is matched
// alone and its matches routed as found: it fills the caches by itself, and holding its
// thousands of matches for routing only costs.
void match_in_windows(const RuleBook& book, const std::vector<Unit>& units) {
  constexpr size_t kWindowBytes = 256 << 10;
  constexpr size_t kAloneBytes = 16 << 10;
  const std::vector<std::string>& packs = book.sentence_packs();
  // Claim cues are read for whether they fire, so one hit per sentence does.
  const auto& fire_only =
      book.derived<std::vector<char>>("claims.fire_only", [&] { return claims_fire_only(book); });
  // Kept by the thread from batch to batch: a Match slot keeps its groups' buffer, so copying
  // a match into it allocates nothing once the slots have grown (a fresh set per batch of
  // documents allocated for every match).
  static thread_local std::vector<PackMatches> found;
  found.resize(packs.size());
  auto bytes_of = [&](size_t u) {
    const TextRange& s = units[u].doc->span(units[u].sentence);
    return s.end - s.start;
  };
  for (size_t begin = 0; begin < units.size();) {
    if (bytes_of(begin) > kAloneBytes) {
      const Unit& u = units[begin];
      const TextRange& span = u.doc->span(u.sentence);
      for (const auto& pack : packs)
        book.for_each_match(
            pack, u.doc->text(), span.start, span.end,
            [&](const Match& m) { u.doc->route(m, u.sentence); }, &fire_only);
      ++begin;
      continue;
    }
    size_t end = begin, bytes = 0;
    for (; end < units.size() && bytes_of(end) <= kAloneBytes &&
           bytes + bytes_of(end) <= kWindowBytes;
         ++end)
      bytes += bytes_of(end);
    for (size_t p = 0; p < packs.size(); ++p)
      found[p].collect(book, packs[p], units, begin, end, fire_only);
    for (size_t i = 0; i < end - begin; ++i) {
      const Unit& u = units[begin + i];
      for (const auto& pm : found)
        for (size_t k = pm.first[i]; k < pm.first[i + 1]; ++k)
          u.doc->route(pm.matches[pm.order[k]], u.sentence);
    }
    begin = end;
  }
}

}  // namespace

namespace {

std::vector<Result> extract_together(const std::vector<const Document*>& docs, const RuleBook& book,
                                     const ExtractOptions& options) {
  std::vector<std::unique_ptr<DocRun>> runs;
  std::vector<Unit> units;
  for (const Document* doc : docs) {
    runs.push_back(std::make_unique<DocRun>(*doc, book, options));
    for (size_t si : runs.back()->items()) units.push_back({runs.back().get(), si});
  }
  match_in_windows(book, units);
  std::vector<Result> out;
  out.reserve(runs.size());
  for (auto& run : runs) out.push_back(run->finish());
  return out;
}

}  // namespace

void check_options(const ExtractOptions& options) {
  if (options.anchor_date && !parse_iso_date(*options.anchor_date))
    throw Error("anchor date: expected a date as YYYY-MM-DD, got '" + *options.anchor_date + "'");
  if (options.min_score && !(*options.min_score >= 0 && *options.min_score <= 1))
    throw Error("min score: expected a number from 0 to 1");
}

std::vector<Result> extract_batch(const std::vector<const Document*>& docs, const RuleBook& book,
                                  const ExtractOptions& options) {
  check_options(options);
  try {
    return extract_together(docs, book, options);
  } catch (const std::exception&) {
    // Some document failed: each alone again, so the others keep their results (the same as
    // in a batch) and the one that fails is named in its place.
    std::vector<Result> out;
    for (const Document* doc : docs) {
      try {
        out.push_back(std::move(extract_together({doc}, book, options).front()));
      } catch (const std::exception& e) {
        Result failed;
        failed.error = std::string("extraction failed: ") + e.what();
        out.push_back(std::move(failed));
      }
    }
    return out;
  }
}

Result extract(const Document& doc, const RuleBook& book, const ExtractOptions& options) {
  check_options(options);
  try {
    return std::move(extract_together({&doc}, book, options).front());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("extraction failed: ") + e.what());
  }
}

}  // namespace claimx
