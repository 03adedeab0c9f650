// Deals: agreements that news reports without a name ("Oracle's $10.3bn takeover of
// Peoplesoft", "Bath have signed Andy Williams"), from the frames of the `deals` pack. A frame's
// slots become parties (the entities they name, or new organizations), its words give the kind
// and status, the money figure beside it the value; later mentions ("the deal") join the
// nearest earlier deal of a compatible kind, and frames that name the same parties are one deal.
#include <set>

#include "extract/internal.h"

namespace claimx {

namespace {

bool set(const TextRange& r) {
  return r.start != kNoPos;
}

TextRange range_of(const Match& m, std::string_view name) {
  auto it = m.rule->groups.find(name);
  if (it == m.rule->groups.end() || !m.has(it->second)) return {kNoPos, kNoPos};
  return m.groups[it->second];
}

std::string lookup_attr(const Context& ctx, const char* lexicon, std::string_view form,
                        const char* attr) {
  const LexiconEntry* e = lookup(ctx, lexicon, form);
  return e ? e->attrs.value(attr, "") : "";
}

// The words before a deal noun describe it ("a $1bn cost-cutting deal"); a word that ends a
// phrase among them ("the purchase with a £900m loan") means the frame starts after it: the
// verb before belongs to another phrase, and a slot before means the frame misread the
// sentence. False when the frame does not hold.
bool trim_modifiers(const Context& ctx, AgreementCandidate* c) {
  size_t from = c->whole.start;
  bool slot_before = false;
  if (set(c->verb)) from = std::max(from, c->verb.end);
  for (const auto& s : c->slots)
    if (s.second.end <= c->head.start) from = std::max(from, s.second.end), slot_before = true;
  std::string_view region = ctx.text.substr(from, c->head.start - from);
  size_t cut = std::string_view::npos;
  for (size_t i = 0; i < region.size();) {
    size_t j = region.find(' ', i);
    if (j == std::string_view::npos) j = region.size();
    if (j > i && lookup(ctx, "deal_phrase_breaks", region.substr(i, j - i))) cut = j + 1;
    i = j + 1;
  }
  if (cut == std::string_view::npos) return true;
  if (slot_before) return false;
  // What is left must open with a determiner: "... with a £900m loan", not "money on offer".
  std::string_view rest = region.substr(std::min(cut, region.size()));
  std::string_view first = rest.substr(0, rest.find(' '));
  if (!lookup(ctx, "deal_determiners", first)) return false;
  c->verb = {kNoPos, kNoPos};
  c->whole.start = std::min(from + cut, c->head.start);
  return true;
}

}  // namespace

std::optional<AgreementCandidate> interpret_deal(const Context& ctx, const Match& m, int sentence) {
  AgreementCandidate c;
  c.rule = m.rule;
  c.deal = true;
  c.reference = m.rule->type == RuleKind::kDealMention;
  c.whole = m.whole;
  c.priority = m.rule->priority;
  c.sentence = sentence;
  c.head = range_of(m, "head");
  if (!set(c.head)) return std::nullopt;
  c.verb = range_of(m, "verb");
  for (const char* slot : {"a", "a2", "b", "c", "g"})
    if (TextRange r = range_of(m, slot); set(r) && r.end > r.start) c.slots.emplace_back(slot, r);
  // Parties in the order the text names them.
  std::sort(c.slots.begin(), c.slots.end(),
            [](const auto& x, const auto& y) { return x.second.start < y.second.start; });
  c.mentions.push_back({c.head, m.rule->stable_id, "deal"});
  if (!c.reference && lookup(ctx, "deal_nouns", ctx.slice(c.head)) && !trim_modifiers(ctx, &c))
    return std::nullopt;
  return c;
}

int status_priority(const Context& ctx, std::string_view status) {
  // The plainest cue of a status sets its rank: "close to agreeing" (negotiating, 70) outranks
  // what a verb says, but negotiating itself ranks as talks do (20).
  int rank = 0;
  for (const Rule& r : ctx.book.rules())
    if (r.type == RuleKind::kAgreementStatus && r.attrs.value("status", "") == status)
      rank = rank == 0 ? r.priority : std::min(rank, r.priority);
  return rank;
}

namespace {

// Entity mentions of the document by start, for slot and pronoun look-ups.
struct MentionIndex {
  struct Entry {
    TextRange span;
    size_t entity;
  };
  std::vector<Entry> all;  // sorted by start; demonyms left out
  // The first mention that starts at or after `at`.
  std::vector<Entry>::const_iterator from(size_t at) const {
    return std::lower_bound(all.begin(), all.end(), at,
                            [](const Entry& e, size_t x) { return e.span.start < x; });
  }

  SpanIndex spans;  // the same spans, for overlap tests in O(log n)

  static bool before(const Entry& a, const Entry& b) {
    return a.span.start != b.span.start ? a.span.start < b.span.start : a.entity < b.entity;
  }
  void build(const Result& r) {
    all.clear();
    for (size_t ei = 0; ei < r.entities.size(); ++ei)
      for (const auto& mn : r.entities[ei].mentions)
        if (mn.form != "demonym") all.push_back({mn.span, ei});
    std::sort(all.begin(), all.end(), before);
    for (const auto& e : all) spans.add(e.span);
  }
  // One more mention (a new party's): kept in order without rebuilding.
  void add(TextRange span, size_t entity) {
    Entry e{span, entity};
    all.insert(std::upper_bound(all.begin(), all.end(), e, before), e);
    spans.add(span);
  }
  // Mentions wholly inside r, in order.
  std::vector<Entry> inside(TextRange r) const {
    std::vector<Entry> out;
    for (auto it = from(r.start); it != all.end() && it->span.start < r.end; ++it)
      if (it->span.end <= r.end) out.push_back(*it);
    return out;
  }
  bool overlaps(TextRange r) const { return spans.overlaps(r); }
};

constexpr size_t kFresh = SIZE_MAX / 2;  // Frame::parties: a new name, not yet an entity

bool is_possessive_at(std::string_view text, size_t at) {
  return text.substr(at, 2) == "'s" || text.substr(at, 4) == "\xE2\x80\x99s";
}

// Bytes of a final "'s" or "’s" (0 when none).
size_t possessive_suffix(std::string_view w) {
  if (w.size() > 2 && w.substr(w.size() - 2) == "'s") return 2;
  if (w.size() > 4 && w.substr(w.size() - 4) == "\xE2\x80\x99s") return 4;
  return 0;
}

// A frame's reading: its parties (entity indices, or kFresh + i for a new name), their roles,
// and what commit() adds: kind, status, value, date.
struct Frame {
  std::vector<size_t> parties;
  std::vector<std::string> roles;
  // Names no rule typed: new organizations, made only when the frame holds (two parties).
  // Until then `parties` holds kFresh + their index here, so the text's order is kept.
  std::vector<TextRange> fresh;
  // A group a description names ("its pilots", "Rhode Island authorities"), by fresh index:
  // its entity's name ("Delta pilots"); empty for a name.
  std::vector<std::string> group_name;
  std::set<size_t> company;       // entities "it" stands for: organizations, whatever their type
  std::optional<size_t> officer;  // the person a role ties to the subject ("Arsenal manager X")
  size_t tail_end = kNoPos;       // the end of the frame's last slot once cut
  std::map<size_t, size_t> promoted;  // fuller name -> the shorter one whose type it takes
  size_t size() const { return parties.size(); }
  std::string kind, status;
  int status_priority = 0;
  std::optional<size_t> value, date;
};

class DealBuilder {
 public:
  DealBuilder(const Context& ctx, const std::vector<Hit>& cues, Result* out)
      : ctx_(ctx), out_(out) {
    for (const Hit& h : cues) cues_[h.sentence].push_back(&h);
    mentions_.build(*out);
    for (size_t ei = 0; ei < out->entities.size(); ++ei) index_name(ei);
    // The organization the story is about: the most often named, three times or more.
    for (size_t ei = 0; ei < out->entities.size(); ++ei)
      if (out->entities[ei].type == "organization" && out->entities[ei].mentions.size() >= 3 &&
          (!main_org_ || out->entities[ei].mentions.size() > mention_count(*main_org_)))
        main_org_ = ei;
    // Named agreements are deals too: "an alliance between Canada and Mexico" and "the
    // partnership" join the Canada-Mexico Comprehensive Strategic Partnership.
    for (size_t ai = 0; ai < out->agreements.size(); ++ai) {
      deals_.push_back(ai);
      for (const auto& mn : out->agreements[ai].mentions) starts_[ai].push_back(mn.span.start);
      std::sort(starts_[ai].begin(), starts_[ai].end());
      for (size_t p : out->agreements[ai].parties) deals_by_party_[p].push_back(ai);
      const std::string& st = out->agreements[ai].status;
      status_prio_[ai] = st.empty() ? 0 : status_priority(ctx, st);
    }
  }

  // The parties a frame names, without touching the result; none unless there are two sides
  // (one side is talk of a deal, not a deal).
  std::optional<Frame> plan(const AgreementCandidate& c) const {
    Frame f;
    // The subject first: "the whole firm" after it is another company than the subject.
    fill_subject(c, &f);
    for (const auto& [slot, span] : c.slots) fill_slot(c, slot, span, &f);
    // `one_side`: a deal made ("struck a deal to defer debt") needs only its maker.
    size_t sides = c.rule->attrs.value("one_side", false) ? 1 : 2;
    if (sides == 1) add_employment(&f);
    if (f.size() < sides || !needs_person_ok(c, f)) return std::nullopt;
    // A group alone ("I signed a deal with a new record company") names no side.
    size_t named = 0;
    for (size_t p : f.parties) named += p < kFresh || f.group_name[p - kFresh].empty();
    if (named == 0) return std::nullopt;
    // A person alone ("Williams has agreed a contract") is half a deal: who with is unknown.
    if (f.size() == 1 && f.parties[0] < kFresh && out_->entities[f.parties[0]].type == "person")
      return std::nullopt;
    // Talks are a deal's only when the words say which ("merger talks"), not "held talks".
    const LexiconEntry* noun = lookup(ctx_, "deal_nouns", ctx_.slice(c.head));
    if (noun && noun->attrs.value("needs_kind", false) && modifier_kind(c).empty() &&
        !has_company(f))
      return std::nullopt;
    // `not_after`: words before the head that make it another part of speech ("will partner").
    if (auto no = c.rule->attrs.find("not_after"); no != c.rule->attrs.end()) {
      std::string w = lower_ascii(word_before(c.head.start));
      for (const auto& x : *no)
        if (w == x.get<std::string>()) return std::nullopt;
    }
    // `need_company`: some party is a company or body, not all people and places.
    if (c.rule->attrs.value("need_company", false) && !has_company(f)) return std::nullopt;
    // `need_places`: every party a place ("China-UK tourism", not "Coca-Cola").
    if (c.rule->attrs.value("need_places", false))
      for (size_t p : f.parties)
        if (p >= kFresh || out_->entities[p].type != "place") return std::nullopt;
    // `active: true`: "It was sold by the authorities to ..." is no seller's sale.
    if (c.rule->attrs.value("active", false) && after_passive_aux(c.head.start))
      return std::nullopt;
    // `exclude_heads`: deal words a frame does not read ("Britain's proposal for ...").
    if (auto ex = c.rule->attrs.find("exclude_heads"); ex != c.rule->attrs.end())
      for (const auto& h : *ex)
        if (lower_ascii(ctx_.slice(c.head)) == h.get<std::string>()) return std::nullopt;
    // A name the frame ends on that describes the noun after it ("its bid for Davis Cup
    // success", "bought Google shares") is no party.
    if (f.tail_end != kNoPos && !c.rule->attrs.value("names_describe", false) &&
        describes_next(f.tail_end))
      return std::nullopt;
    // `no_people`: a partnership with a person is a doubles pair or a duo, not a deal.
    if (c.rule->attrs.value("no_people", false))
      for (size_t p : f.parties)
        if (p < kFresh && is_full_person(out_->entities[p])) return std::nullopt;
    // Deals are between companies, clubs, states: people alone are coaches, duos, rivals.
    bool people = true;
    for (size_t p : f.parties) people = people && p < kFresh && is_full_person(out_->entities[p]);
    if (people) return std::nullopt;
    // A person buying something no rule named is shopping ("Tony Blair bought two copies of
    // Band Aid 20"), not a takeover.
    bool person_buyer = false, fresh_target = false;
    for (size_t i = 0; i < f.parties.size(); ++i) {
      if (f.roles[i] == "buyer" && f.parties[i] < kFresh)
        person_buyer = is_full_person(out_->entities[f.parties[i]]);
      if (f.roles[i] == "target")
        fresh_target =
            f.parties[i] >= kFresh || out_->entities[f.parties[i]].type != "organization";
    }
    if (person_buyer && fresh_target) return std::nullopt;
    // A bid for the Games, a Cup, a title is no takeover ("London's bid for the 2012 Games").
    for (size_t i = 0; i < f.parties.size(); ++i)
      if (f.roles[i] == "target" && names_event(f, i)) return std::nullopt;
    return f;
  }

  // A planned frame joins the deal it restates, or starts one; a later mention joins the deal
  // it refers to.
  void commit(const AgreementCandidate& c, Frame f) {
    if (c.reference) return join_reference(c);
    // `target_from_story`: a rival's bid with no target named ("Euronext is working also on a
    // bid") is for the target of the story's latest takeover.
    if (c.rule->attrs.value("target_from_story", false)) {
      auto target = latest_target(f);
      if (!target) return;
      f.parties.push_back(*target);
      f.roles.push_back("target");
    }
    make_fresh(c, &f);
    retype(f);
    f.kind = frame_kind(c, f);
    // A bid for a player is a transfer: the person bought is the player, the buyer a club.
    if (f.kind == "takeover" && c.rule->attrs.value("person_target", "") == "transfer")
      for (size_t i = 0; i < f.parties.size(); ++i)
        if (f.roles[i] == "target" && is_full_person(out_->entities[f.parties[i]])) {
          f.kind = "transfer";
          f.roles[i] = "player";
          for (auto& r : f.roles)
            if (r == "buyer" || r == "seller") r = "club";
        }
    // Buyer, seller and target are the parts of a sale; in a settlement or a partnership the
    // same slots are just parties.
    const LexiconEntry* family = lookup(ctx_, "deal_kind_families", f.kind);
    if (!family || !family->attrs.value("sale", false))
      for (auto& role : f.roles)
        if (role == "buyer" || role == "seller" || role == "target") role = "party";
    std::tie(f.status, f.status_priority) = frame_status(c);
    f.value = nearest_figure(c, true);
    f.date = nearest_figure(c, false);
    // Only deals sharing a party can be this one (in creation order, the first that fits).
    std::vector<size_t> near;
    for (size_t p : f.parties)
      if (auto it = deals_by_party_.find(p); it != deals_by_party_.end())
        near.insert(near.end(), it->second.begin(), it->second.end());
    std::sort(near.begin(), near.end());
    near.erase(std::unique(near.begin(), near.end()), near.end());
    for (size_t di : near)
      if (same_deal(out_->agreements[di], f)) return merge(di, c, f);
    create(c, f);
  }

 private:
  // --- parties ---------------------------------------------------------------------------

  std::string role_of(const AgreementCandidate& c, const std::string& slot) const {
    auto roles = c.rule->attrs.find("roles");
    if (roles == c.rule->attrs.end() || !roles->is_object()) return "";
    std::string base = slot == "a2" ? "a" : slot;
    return roles->value(slot, roles->value(base, ""));
  }

  // What "the firm" or "the government" before `at` stands for: the nearest earlier entity,
  // within the sentence and the three before it, that is not already a party of the frame; a
  // country for the government, the state or the authorities, a company for the rest.
  std::optional<size_t> antecedent(size_t at, int sentence, std::string_view noun,
                                   const Frame& f) const {
    bool state = lookup_attr(ctx_, "deal_anaphor_nouns", noun, "refers") == "country";
    size_t floor = (*ctx_.sentences)[std::max(0, sentence - 3)].span.start;
    auto fits = [&](size_t ei) {
      if (std::find(f.parties.begin(), f.parties.end(), fullest(ei)) != f.parties.end())
        return false;
      const Entity& e = out_->entities[ei];
      return state ? e.subtype == "country"
                   : e.type == "organization" || (e.type == "person" && !is_full_person(e));
    };
    std::optional<size_t> nearest = nearest_before(at, floor, fits);
    if (nearest) nearest = fullest(*nearest);
    // The story's own company or club ("the club" in a Chelsea story is Chelsea, though AC
    // Milan was named last): an organization the document names at least three times and
    // more often than the nearest one, named before this point. Not for a part ("the unit"
    // is the one just named, not its parent the story is about).
    bool part = lookup_attr(ctx_, "deal_anaphor_nouns", noun, "part") == "true";
    if (!state && !part && main_org_ && fits(*main_org_) && mentions_before(*main_org_, at) &&
        (!nearest || mention_count(*main_org_) > mention_count(*nearest)))
      return main_org_;
    return nearest;
  }

  // A deal one side makes for a person is the person's with their employer: "Arsenal manager
  // Arsene Wenger has signed a new contract", "Wenger ... agreeing a long-term contract".
  void add_employment(Frame* f) const {
    if (f->officer && out_->entities[*f->officer].type == "person")
      add_party(f, *f->officer, "party");
    if (f->size() != 1 || f->parties[0] >= kFresh) return;
    if (!is_full_person(out_->entities[f->parties[0]])) return;
    if (auto body = employer(f->parties[0])) add_party(f, *body, "party");
  }

  // The body a role noun ties a person to anywhere in the document ("Manchester United winger
  // Cristiano Ronaldo"); the first 16 of the person's mentions are read.
  std::optional<size_t> employer(size_t person) const {
    const auto& ms = out_->entities[person].mentions;
    for (size_t k = 0; k < ms.size() && k < 16; ++k) {
      auto it = mentions_.from(ms[k].span.start);
      if (it == mentions_.all.begin()) continue;
      --it;
      const Entity& e = out_->entities[it->entity];
      if (e.type == "organization" && role_between(it->span.end, ms[k].span.start))
        return fullest(it->entity);
    }
    return std::nullopt;
  }

  // A place that a lowercase noun follows describes it ("the US unit", "UK banks"): no subject.
  // A verb or a preposition after it ("Turkey has", "Turkey in") is no noun.
  bool describes_noun(const MentionIndex::Entry& e) const {
    if (out_->entities[e.entity].type != "place") return false;
    std::string_view rest = ctx_.text.substr(e.span.end, 24);
    if (rest.size() < 2 || rest[0] != ' ' || !std::islower(static_cast<unsigned char>(rest[1])))
      return false;
    rest.remove_prefix(1);
    std::string_view word = rest.substr(0, rest.find_first_of(" ,.;:"));
    return !lookup(ctx_, "deal_slot_breaks", word) && !lookup(ctx_, "deal_aux", word);
  }

  // "former Chelsea chairman Ken Bates": the body was the person's once, not now.
  bool former_before(size_t at) const {
    std::string w = lower_ascii(word_before(at));
    return lookup(ctx_, "deal_former_names", w) || lookup(ctx_, "deal_former_roles", w);
  }

  // The word that ends before `at` (spaces between skipped); "" at the start.
  std::string_view word_before(size_t at) const {
    size_t begin = at >= 40 ? at - 40 : 0;
    std::string_view before = ctx_.text.substr(begin, at - begin);
    while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
    size_t sp = before.rfind(' ');
    return sp == std::string_view::npos ? before : before.substr(sp + 1);
  }

  // "driven by" before `by_at` (the start of "by"): a past participle, so what follows is the
  // agent.
  bool passive_agent(size_t by_at) const {
    if (ctx_.text.substr(by_at, 3) != "by ") return false;
    std::string_view w = word_before(by_at);
    auto ends = [&](std::string_view x) {
      return w.size() > x.size() + 2 && w.substr(w.size() - x.size()) == x;
    };
    return ends("ed") || ends("en") || lookup(ctx_, "deal_irregular_participles", w);
  }

  // The word before `at` is a passive's auxiliary ("was sold", "being bought").
  bool after_passive_aux(size_t at) const {
    return lookup(ctx_, "deal_passive_aux", word_before(at)) != nullptr;
  }

  // The nearest organization named before `at`, in its sentence or the one before.
  std::optional<size_t> nearest_org(size_t at, int sentence) const {
    size_t floor = (*ctx_.sentences)[std::max(0, sentence - 1)].span.start;
    auto org = nearest_before(at, floor,
                              [&](size_t ei) { return out_->entities[ei].type == "organization"; });
    if (org) org = fullest(*org);
    return org;
  }

  // The entity of the nearest mention that starts in [floor, at) and that `keep` accepts.
  template <class Keep>
  std::optional<size_t> nearest_before(size_t at, size_t floor, Keep keep) const {
    for (auto it = mentions_.from(at); it != mentions_.all.begin();) {
      --it;
      if (it->span.start < floor) break;
      if (keep(it->entity)) return it->entity;
    }
    return std::nullopt;
  }

  // Every capitalised word of r is inside a place's mention: "the US unit", "the German firm"
  // describe a company by where it is, so they may still stand for one named before.
  bool capitals_are_places(TextRange r) const {
    std::string_view s = ctx_.slice(r);
    auto places = mentions_.inside(r);
    for (size_t i = 0; i < s.size(); ++i) {
      if ((i > 0 && s[i - 1] != ' ') || !std::isupper(static_cast<unsigned char>(s[i]))) continue;
      bool place = false;
      for (const auto& m : places)
        place = place || (m.span.start <= r.start + i && r.start + i < m.span.end &&
                          out_->entities[m.entity].type == "place");
      if (!place) return false;
    }
    return true;
  }

  // The party's name ends in an event's word (lexicon `event_keywords`: Games, Cup, Open).
  bool names_event(const Frame& f, size_t i) const {
    std::string name = f.parties[i] >= kFresh
                           ? std::string(ctx_.slice(f.fresh[f.parties[i] - kFresh]))
                           : out_->entities[f.parties[i]].name;
    return lookup(ctx_, "event_keywords", name.substr(name.rfind(' ') + 1)) != nullptr;
  }

  // Every word of name after `from` is a company's word (lexicon `org_keywords`: Group, Inc).
  bool corporate_tail(const std::string& name, size_t from) const {
    bool any = false;
    for (size_t at = from; at < name.size();) {
      size_t sp = name.find(' ', at);
      if (sp == std::string::npos) sp = name.size();
      if (sp > at) {
        if (!lookup(ctx_, "org_keywords", std::string_view(name).substr(at, sp - at))) return false;
        any = true;
      }
      at = sp + 1;
    }
    return any;
  }

  // a's first mention is before b's.
  bool named_first(size_t a, size_t b) const {
    const auto& ma = out_->entities[a].mentions;
    const auto& mb = out_->entities[b].mentions;
    return !ma.empty() && (mb.empty() || ma.front().span.start < mb.front().span.start);
  }
  size_t mention_count(size_t ei) const { return out_->entities[ei].mentions.size(); }
  bool mentions_before(size_t ei, size_t at) const {
    const auto& ms = out_->entities[ei].mentions;
    return !ms.empty() && ms.front().span.start < at;
  }

  // Only a role noun between two mentions ("LSE boss Clara Furse", "Euronext chief ...").
  bool role_between(size_t from, size_t to) const {
    if (to <= from) return false;
    std::string_view between = ctx_.text.substr(from, to - from);
    while (!between.empty() && between.front() == ' ') between.remove_prefix(1);
    while (!between.empty() && between.back() == ' ') between.remove_suffix(1);
    return !between.empty() && lookup(ctx_, "person_roles", between) != nullptr;
  }

  static bool has_lowercase_word(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i)
      if ((i == 0 || s[i - 1] == ' ') && std::islower(static_cast<unsigned char>(s[i])))
        return true;
    return false;
  }

  // A slot cut before the first word that ends a name's description ("Ambev last year",
  // "shares on Monday"): lexicon `deal_slot_breaks`.
  TextRange cut_slot(TextRange slot, bool of_ends) const {
    std::string_view s = ctx_.slice(slot);
    bool named = false;  // a capitalised word came before
    for (size_t i = 0; i < s.size();) {
      size_t j = s.find(' ', i);
      if (j == std::string_view::npos) j = s.size();
      std::string_view w = s.substr(i, j - i);
      // "of" ends a description ("two copies of ..."), not a name ("Bank of America").
      bool of = of_ends && w == "of" && i > 1 &&
                std::islower(static_cast<unsigned char>(s[s.rfind(' ', i - 2) + 1]));
      // A past tense after the name is the clause's verb ("the LSE resumed ..."); before it,
      // a describing word ("troubled Russian oil firm Yukos").
      bool verb = named && w.size() > 3 && w.substr(w.size() - 2) == "ed" &&
                  std::islower(static_cast<unsigned char>(w[0]));
      if (!w.empty() && std::isupper(static_cast<unsigned char>(w[0]))) named = true;
      if (of || verb || lookup(ctx_, "deal_slot_breaks", w) || lookup(ctx_, "deal_time_words", w))
        return i == 0 ? TextRange{kNoPos, kNoPos} : TextRange{slot.start, slot.start + i - 1};
      i = j + 1;
    }
    return slot;
  }

  // The parties a slot names: its entity mentions and, when its last name is no entity's, that
  // name; less the words that only describe a party ("Brazil's" and "US" in "Brazil's biggest
  // firm Ambev", "US bank Wells Fargo"). Names joined by "and" or a comma are all parties.
  struct SlotParty {
    TextRange span;
    std::optional<size_t> entity;  // none: a new organization of that name
  };
  std::vector<SlotParty> slot_parties(TextRange slot, int sentence, size_t frame_end) const {
    std::vector<SlotParty> in;
    for (const auto& e : mentions_.inside(slot)) {
      // "UK-based", "state-owned": a describer ("China-UK" joins two names).
      if (e.span.end + 1 < ctx_.text.size() && ctx_.text[e.span.end] == '-' &&
          std::islower(static_cast<unsigned char>(ctx_.text[e.span.end + 1])))
        continue;
      // A mention with a possessive inside ("Australia's Woodside Petroleum") names the part
      // after it.
      std::string_view text = ctx_.slice(e.span);
      size_t poss = text.find("'s ");
      if (poss == std::string_view::npos) poss = text.find("\xE2\x80\x99s ");
      if (poss != std::string_view::npos) {
        size_t cut = text.find(' ', poss) + 1;
        in.push_back({{e.span.start + cut, e.span.end}, {}});
        continue;
      }
      in.push_back({e.span, e.entity});
    }
    // The name the slot ends with, when it is longer than the last mention ("AOL Europe" over
    // "Europe", "France Televisions" over "France"), is the party.
    TextRange tail = trailing_name(slot, sentence);
    if (set(tail)) {
      // Only a place grows so ("Argentine President Nestor Kirchner" stays Kirchner).
      while (!in.empty() && in.back().span.end > tail.start &&
             tail.end - tail.start > in.back().span.end - in.back().span.start &&
             (!in.back().entity || out_->entities[*in.back().entity].type == "place"))
        in.pop_back();
      if (in.empty() || in.back().span.end <= tail.start) in.push_back({tail, {}});
    }
    // "LSE boss Clara Furse": the body a role noun ties a person to is the party.
    for (size_t i = 0; i + 1 < in.size(); ++i)
      if (in[i].entity && out_->entities[*in[i].entity].type == "organization" &&
          role_between(in[i].span.end, in[i + 1].span.start)) {
        in.resize(i + 1);
        return in;
      }
    // A mention that lowercase words follow describes them ("a US investment group").
    if (!in.empty() &&
        has_lowercase_word(ctx_.text.substr(in.back().span.end, slot.end - in.back().span.end)))
      in.pop_back();
    std::vector<SlotParty> out;
    for (size_t i = 0; i < in.size(); ++i) {
      // "China's" in "China's top carmaker": a possessive describes what follows it, unless
      // the frame reads it ("Oracle's takeover of ...").
      if (is_possessive_at(ctx_.text, in[i].span.end) && in[i].span.end + 2 > frame_end) continue;
      if (i + 1 < in.size()) {
        std::string_view between =
            ctx_.text.substr(in[i].span.end, in[i + 1].span.start - in[i].span.end);
        bool joined = between.find(" and ") != std::string_view::npos ||
                      between.find(',') != std::string_view::npos ||
                      between.find(" & ") != std::string_view::npos;
        if (!joined) continue;
      }
      out.push_back(in[i]);
    }
    return out;
  }

  // "it", "its", "he", ...: the nearest earlier organization (person for he/she) within the
  // sentence or the two before it.
  std::optional<size_t> pronoun(TextRange slot, int sentence, const std::string& want) const {
    if (want == "organization") {
      if (auto speaker = said_before((*ctx_.sentences)[sentence].span.start, slot.start))
        return speaker;
      // The subject of the sentence, else of the nearest before that has one (up to four
      // back: "Delta has been hit ... It has said ... the airline might ... it struck a deal"):
      // "DaimlerChrysler agreed a package with partner Mitsubishi Motors which will see it buy
      // out ..." is Daimler's.
      for (int si = sentence; si >= std::max(0, sentence - 4); --si) {
        TextRange s = (*ctx_.sentences)[si].span;
        if (si == sentence) s.end = slot.start;
        size_t at = kNoPos;
        auto subject = subject_in(s, &at);
        // "In 2003 it bought GeCAD Software": a sentence whose subject is itself a pronoun
        // passes the question back ("it" in the next sentence is still Microsoft).
        if (pronoun_before(s, subject ? at : s.end)) continue;
        if (subject) return subject;
      }
    }
    size_t floor = (*ctx_.sentences)[std::max(0, sentence - 2)].span.start;
    return nearest_before(slot.start, floor,
                          [&](size_t ei) { return out_->entities[ei].type == want; });
  }

  // The first entity of a stretch that no preposition governs and that may stand for a company
  // (not a person named in full, not an "X-based" describer).
  // A subject pronoun (`deal_pronouns` marked `subject`: it, he, they, ...) in
  // [s.start, before), unless a speech verb follows it: "It said Deutsche Boerse had to ..."
  // leaves the clause's subject to the name after it.
  bool pronoun_before(TextRange s, size_t before) const {
    std::string_view t = ctx_.text.substr(s.start, std::min(before, s.end) - s.start);
    std::vector<std::string_view> words;
    for (size_t i = 0; i < t.size();) {
      size_t j = std::min(t.find_first_of(" ,;:\"'", i), t.size());
      if (j > i) words.push_back(t.substr(i, j - i));
      i = j + 1;
    }
    for (size_t k = 0; k < words.size(); ++k) {
      const LexiconEntry* p = lookup(ctx_, "deal_pronouns", words[k]);
      bool speaker = k + 1 < words.size() && lookup(ctx_, "deal_said", words[k + 1]);
      if (p && p->attrs.value("subject", false) && !speaker) return true;
    }
    return false;
  }

  std::optional<size_t> subject_in(TextRange s, size_t* at = nullptr) const {
    std::optional<size_t> possessor;  // "Microsoft's announcement ... it": when none follows
    size_t possessor_at = kNoPos;
    for (const auto& e : mentions_.inside(s)) {
      if (ctx_.text.substr(e.span.end, 1) == "-") continue;  // "Netherlands-based"
      if (is_full_person(out_->entities[e.entity])) continue;
      size_t sp = e.span.start >= 2 ? ctx_.text.rfind(' ', e.span.start - 2) : std::string::npos;
      size_t from = sp == std::string::npos || sp < s.start ? s.start : sp + 1;
      std::string_view before = e.span.start > from
                                    ? ctx_.text.substr(from, e.span.start - 1 - from)
                                    : std::string_view();
      // "is being driven by Constellation": a passive's agent is its subject.
      if (!before.empty() && lookup(ctx_, "deal_phrase_breaks", before) && !passive_agent(from))
        continue;
      // "The firm, formerly Interbrew, ...": an old name is not the subject.
      if (!before.empty() && lookup(ctx_, "deal_former_names", before)) continue;
      if (is_possessive_at(ctx_.text, e.span.end)) {  // "India's biggest firm, ONGC"
        if (!possessor) possessor = e.entity, possessor_at = e.span.start;
        continue;
      }
      if (at) *at = e.span.start;
      return e.entity;
    }
    if (at) *at = possessor_at;
    return possessor;
  }

  // "Boeing said it had agreed ...": the entity a speech verb follows, earlier in the sentence,
  // is what "it" stands for, however the typing read it (lexicon `deal_said`).
  std::optional<size_t> said_before(size_t begin, size_t end) const {
    std::optional<size_t> found;
    for (const auto& e : mentions_.inside({begin, end})) {
      if (is_full_person(out_->entities[e.entity])) continue;
      std::string_view after = ctx_.text.substr(e.span.end, end - e.span.end);
      for (std::string_view aux : {" has", " had", " have", " also", " has also"})  // "has said"
        if (after.substr(0, aux.size() + 1) == std::string(aux) + " ")
          after.remove_prefix(aux.size());
      size_t sp = after.find(' ', 1);
      std::string_view verb = after.substr(1, sp == std::string_view::npos ? sp : sp - 1);
      if (after.size() > 1 && after[0] == ' ' && lookup(ctx_, "deal_said", verb)) found = e.entity;
    }
    return found;
  }

  // No entity for "its": the name that opens the sentence ("Oracle is cutting jobs after its
  // takeover of ..."), when a rule left it untyped.
  TextRange opening_name(TextRange slot, int sentence) const {
    TextRange s = (*ctx_.sentences)[sentence].span;
    size_t end = s.start;
    while (end < slot.start) {
      size_t sp = ctx_.text.find(' ', end);
      if (sp == std::string_view::npos || sp >= slot.start) break;
      if (!capitalised(ctx_.text.substr(end, sp - end))) break;
      end = sp + 1;
    }
    if (end == s.start) return {kNoPos, kNoPos};
    TextRange run{s.start, end - 1};
    if (mentions_.overlaps(run)) return {kNoPos, kNoPos};
    return trailing_name(run, sentence);
  }

  bool capitalised(std::string_view w) const {
    return !w.empty() && (std::isupper(static_cast<unsigned char>(w[0])) ||
                          static_cast<unsigned char>(w[0]) >= 0xC3);
  }

  // A sentence-opening plural of a common noun ("Investors bought ..."): no party's name.
  // Singular ones ("Oracle", "Shell", "Bath") are as often companies or clubs.
  bool generic_plural(std::string_view w) const {
    if (w.size() < 4 || w.back() != 's') return false;
    std::string low = lower_ascii(w);
    return known(ctx_, "common_words", low) &&
           known(ctx_, "common_words", std::string_view(low).substr(0, low.size() - 1));
  }

  // A sentence-opening determiner or number ("Other measures", "Five unions") is a name only
  // where the document also writes it capitalised inside a sentence.
  bool unproven_common(std::string_view w, size_t at) const {
    std::string low = lower_ascii(w);
    if (!lookup(ctx_, "deal_determiners_not_names", low) && !lookup(ctx_, "number_words", low))
      return false;
    // Whether the word is written capitalised inside a sentence anywhere: once per word.
    auto [it, fresh] = proven_.emplace(std::string(w), false);
    if (fresh)
      for (size_t pos : ctx_.find_in_items(w)) {
        int si = ctx_.sentence_at(pos);
        if (pos != at && si >= 0 && (*ctx_.sentences)[si].span.start != pos) it->second = true;
      }
    return !it->second;
  }

  // The name a slot ends with, when no rule found an entity in it: its last run of capitalised
  // words, less a sentence-opening common word and an "X-based" before it.
  TextRange trailing_name(TextRange slot, int sentence) const {
    std::string_view s = ctx_.slice(slot);
    std::vector<std::pair<size_t, size_t>> words;  // offsets in s
    for (size_t i = 0; i < s.size();) {
      size_t j = s.find(' ', i);
      if (j == std::string_view::npos) j = s.size();
      if (j > i) words.emplace_back(i, j);
      i = j + 1;
    }
    static const std::set<std::string, std::less<>> joins = {"&", "of", "de", "du", "da", "del"};
    size_t first = words.size();
    while (first > 0) {
      std::string_view w =
          s.substr(words[first - 1].first, words[first - 1].second - words[first - 1].first);
      bool possessive = possessive_suffix(w) > 0;
      if ((!capitalised(w) && !(joins.count(w) && first < words.size())) ||
          (possessive && first < words.size()))
        break;
      --first;
    }
    while (first < words.size()) {
      std::string_view w = s.substr(words[first].first, words[first].second - words[first].first);
      size_t at = slot.start + words[first].first;
      bool opens = at == (*ctx_.sentences)[sentence].span.start;
      bool drop = joins.count(w) || (w.size() > 6 && w.substr(w.size() - 6) == "-based") ||
                  lookup(ctx_, "sentence_starters", w) || lookup(ctx_, "not_name_words", w) ||
                  (opens && (generic_plural(w) || unproven_common(w, at)));
      if (!drop) break;
      ++first;
    }
    if (first == words.size()) return {kNoPos, kNoPos};
    TextRange r{slot.start + words[first].first, slot.start + words.back().second};
    // "the Italian car maker", "Russian": a people's word, not a party's name.
    std::string_view whole = ctx_.slice(r);
    if (lookup(ctx_, "demonyms", whole) || lookup(ctx_, "languages", whole))
      return {kNoPos, kNoPos};
    // A possessive or trailing punctuation is not part of the name.
    while (r.end > r.start && std::ispunct(static_cast<unsigned char>(ctx_.text[r.end - 1])) &&
           ctx_.text[r.end - 1] != '.' && ctx_.text[r.end - 1] != '&')
      --r.end;
    r.end -= possessive_suffix(ctx_.text.substr(r.start, r.end - r.start));
    return r.end > r.start ? r : TextRange{kNoPos, kNoPos};
  }

  // A new organization for a name no rule typed, with its other whole-word mentions.
  size_t new_party(TextRange name, const Rule& rule) {
    std::string text(ctx_.slice(name));
    if (auto known = by_name_.find(text); known != by_name_.end()) {
      size_t ei = known->second.front();
      // Frames are planned before any is committed, so a later frame may name a party an
      // earlier one made, at a place its other mentions already cover.
      if (mentions_.overlaps(name)) return ei;
      // In place: frames come in document order, so this is nearly always the end.
      auto& ms = out_->entities[ei].mentions;
      Mention m{name, rule.id, "name"};
      ms.insert(std::upper_bound(
                    ms.begin(), ms.end(), m,
                    [](const Mention& a, const Mention& b) { return a.span.start < b.span.start; }),
                std::move(m));
      mentions_.add(name, ei);
      return ei;
    }
    Entity e;
    e.type = "organization";
    e.name = text;
    e.mentions.push_back({name, rule.id, "name"});
    // Its other mentions, for the first kLinkedParties new names of a document: each search
    // reads the whole document, and a flood of deals must stay linear.
    if (++linked_parties_ <= kLinkedParties)
      for (size_t at : ctx_.find_in_items(text)) {
        TextRange r{at, at + text.size()};
        if (at != name.start && !mentions_.overlaps(r))
          e.mentions.push_back({r, "link.deal-party", "name"});
      }
    sort_mentions(e);
    size_t ei = out_->entities.size();
    for (const auto& m : e.mentions) mentions_.add(m.span, ei);
    out_->entities.push_back(std::move(e));
    index_name(ei);
    return ei;
  }

  // A group a description names: an organization of subtype "group", mentioned once.
  size_t new_group(TextRange span, const std::string& name, const Rule& rule) {
    Entity e;
    e.type = "organization";
    e.subtype = "group";
    e.name = name;
    e.mentions.push_back({span, rule.id, "description"});
    size_t ei = out_->entities.size();
    mentions_.add(span, ei);
    out_->entities.push_back(std::move(e));
    return ei;
  }

  // Entities by name and multi-word organizations by initials, for fullest() and expansion().
  void index_name(size_t ei) {
    const Entity& e = out_->entities[ei];
    by_name_[e.name].push_back(ei);
    if (e.type == "person" || e.name.find(' ') == std::string::npos) return;
    size_t sp = e.name.find(' ');
    if (e.type == "organization" && sp == e.name.rfind(' ') &&
        e.name.find('\'') == std::string::npos)
      by_last_word_[e.name.substr(sp + 1)].push_back(ei);
    std::string initials;
    for (size_t at = 0; at < e.name.size();) {
      size_t sp = e.name.find(' ', at);
      if (sp == std::string::npos) sp = e.name.size();
      if (sp > at && std::isupper(static_cast<unsigned char>(e.name[at]))) initials += e.name[at];
      at = sp + 1;
    }
    by_initials_.emplace(initials, ei);  // the first entity of those initials keeps them
  }

  static void sort_mentions(Entity& e) {
    std::sort(e.mentions.begin(), e.mentions.end(),
              [](const Mention& a, const Mention& b) { return a.span.start < b.span.start; });
  }

  // The fullest name the document gives a party: "RSA" is "RSA Security" where both occur.
  // The longer name takes the shorter one's type: a company's short name is typed by more
  // contexts ("RSA" said, shares in "RSA") than its full name ("RSA Security", once).
  size_t fullest(size_t ei) const {
    const std::string& name = out_->entities[ei].name;
    // A person or a place keeps its name ("Mexico" is no "Mexico City").
    if (is_full_person(out_->entities[ei]) || out_->entities[ei].type == "place") return ei;
    if (auto full = expansion(name)) return *full;
    if (name.size() < 3) return ei;
    // The longest longer name that opens with this one and a space, the first entity of it.
    size_t best = ei;
    std::string prefix = name + " ";
    int looked = 0;
    for (auto it = by_name_.lower_bound(prefix);
         it != by_name_.end() && it->first.compare(0, prefix.size(), prefix) == 0 && ++looked <= 64;
         ++it)
      for (size_t j : it->second) {
        const Entity& e = out_->entities[j];
        size_t have = out_->entities[best].name.size();
        bool longer = e.name.size() > have || (best != ei && e.name.size() == have && j < best);
        // The full name comes first in news ("RSA Security ... RSA"), or adds only a company's
        // word ("Lenovo Group"); one first named later is a part ("Fiat ... Fiat Powertrain",
        // "Diageo ... Diageo Chateau & Estate Wines").
        if (e.type != "place" && longer &&
            e.name.find_first_of("0123456789", name.size()) == std::string::npos &&  // "A300s"
            (named_first(j, ei) || corporate_tail(e.name, name.size())))
          best = j;
      }
    // A one-word organization that ends one other two-word organization's name: "United" is
    // "Manchester United" where that is the only such name.
    if (best == ei && out_->entities[ei].type == "organization" &&
        name.find(' ') == std::string::npos)
      if (auto it = by_last_word_.find(name); it != by_last_word_.end() && it->second.size() == 1)
        return it->second.front();
    return best;
  }

  // "LSE" where the document names the "London Stock Exchange": an acronym that spells the
  // initials of an organization's name (less of, the, and, &, for) is that organization.
  std::optional<size_t> expansion(const std::string& acr) const {
    if (acr.size() < 2 || acr.size() > 6) return std::nullopt;
    for (char ch : acr)
      if (!std::isupper(static_cast<unsigned char>(ch))) return std::nullopt;
    auto it = by_initials_.find(acr);
    if (it == by_initials_.end() || out_->entities[it->second].type == "person")
      return std::nullopt;
    return it->second;
  }

  // A person by name: a given name then more ("Tony Roche"). A "person" of one word, or with
  // no given name ("Glaxo Wellcome", "Tulip Computers"), is as often a company the typing
  // missed, and a frame's role (buyer, target) says which.
  bool is_full_person(const Entity& e) const {
    if (e.type != "person") return false;
    // Asked for every candidate of every frame: the answer per entity is kept (an entity's
    // name and title mentions do not change here; its type may, so that is read each time).
    size_t ei = static_cast<size_t>(&e - out_->entities.data());
    if (ei >= person_named_.size()) person_named_.resize(out_->entities.size(), -1);
    if (person_named_[ei] < 0) person_named_[ei] = person_named(e) ? 1 : 0;
    return person_named_[ei] == 1;
  }
  bool person_named(const Entity& e) const {
    // "Prof Reddy", "President Nestor Kirchner": a title, or a rule that reads people only.
    for (const auto& m : e.mentions)
      if (m.form == "title" || m.rule == "person.title-name") return true;
    size_t sp = e.name.find(' ');
    if (sp == std::string::npos) return false;
    std::string_view first = std::string_view(e.name).substr(0, sp);
    if (known(ctx_, "given_names", first)) return true;
    // "Argentine President Nestor Kirchner": a title anywhere but last.
    std::string_view rest = e.name;
    for (size_t at = 0; (sp = rest.find(' ', at)) != std::string_view::npos; at = sp + 1)
      if (lookup(ctx_, "titles", rest.substr(at, sp - at))) return true;
    return false;
  }

  void add_party(Frame* f, size_t ei, const std::string& role) const {
    size_t full = fullest(ei);
    if (full != ei) f->promoted[full] = ei;
    ei = full;
    if (std::find(f->parties.begin(), f->parties.end(), ei) != f->parties.end()) return;
    f->parties.push_back(ei);
    f->roles.push_back(role);
  }

  // A place in a company's role is the company ("Liverpool" the club, not the city).
  void retype(const Frame& f) {
    for (const auto& [full, short_name] : f.promoted) {
      Entity& e = out_->entities[full];
      if (!is_full_person(out_->entities[short_name]) &&
          e.type != out_->entities[short_name].type) {
        e.type = out_->entities[short_name].type;
        e.subtype = out_->entities[short_name].subtype;
      }
    }
    for (size_t i = 0; i < f.parties.size(); ++i) {
      Entity& e = out_->entities[f.parties[i]];
      bool company_role = lookup(ctx_, "deal_company_roles", f.roles[i]) != nullptr;
      if (f.company.count(f.parties[i]) ||
          (company_role && e.type == "place" && e.subtype != "country") ||
          (company_role && e.type == "person" && !is_full_person(e))) {
        e.type = "organization";
        e.subtype.clear();
      }
    }
  }

  void fill_slot(const AgreementCandidate& c, const std::string& slot, TextRange span,
                 Frame* f) const {
    std::string role = role_of(c, slot);
    if (slot == "g") return fill_group(c, span, role, f);
    std::string w = lower_ascii(ctx_.slice(span));
    if (const LexiconEntry* p = lookup(ctx_, "deal_pronouns", w)) {
      bool company = p->attrs.value("company", false);
      // "sold it to Southcorp": an object pronoun is the company named just before.
      if (w == "it" && span.start == c.head.end + 1) {
        if (auto ei = nearest_org(c.head.start, c.sentence)) add_party(f, *ei, role);
        return;
      }
      if (auto ei = pronoun(span, c.sentence, p->attrs.value("refers", ""))) {
        add_party(f, *ei, role);
        if (company) f->company.insert(*ei);
      } else if (company) {
        if (TextRange name = opening_name(span, c.sentence); set(name)) add_fresh(f, name, role);
      }
      return;
    }
    // "the whole firm", "the US unit", "the government": what the story named before.
    if (w.rfind("the ", 0) == 0 && capitals_are_places(span)) {
      fill_anaphor(c, w, span.start, role, f);
      return;
    }
    // A slot that ends the frame in "'s" names what describes the party ("a tie-up with
    // China's top carmaker"), not the party.
    if (span.end == c.whole.end && possessive_suffix(ctx_.slice(span)) > 0) return;
    TextRange cut = cut_slot(span, c.rule->attrs.value("of_ends_slot", false));
    if (!set(cut)) return;
    if (span.end == c.whole.end) f->tail_end = cut.end;  // where the frame's last name ends
    for (const auto& p : slot_parties(cut, c.sentence, c.whole.end)) {
      if (p.entity)
        add_party(f, *p.entity, role);
      else
        add_fresh(f, p.span, role);
    }
  }

  // The frame holds: its new names become organizations (or join an entity of that name).
  void make_fresh(const AgreementCandidate& c, Frame* f) {
    std::vector<size_t> made;
    for (size_t k = 0; k < f->fresh.size(); ++k)
      made.push_back(f->group_name[k].empty() ? new_party(f->fresh[k], *c.rule)
                                              : new_group(f->fresh[k], f->group_name[k], *c.rule));
    std::vector<size_t> parties;
    std::vector<std::string> roles;
    for (size_t i = 0; i < f->parties.size(); ++i) {
      size_t ei = f->parties[i] >= kFresh ? made[f->parties[i] - kFresh] : f->parties[i];
      if (std::find(parties.begin(), parties.end(), ei) != parties.end()) continue;
      parties.push_back(ei);
      roles.push_back(f->roles[i]);
    }
    f->parties = std::move(parties);
    f->roles = std::move(roles);
    f->fresh.clear();
  }

  void add_fresh(Frame* f, TextRange span, const std::string& role) const {
    std::string_view text = ctx_.slice(span);
    for (size_t k = 0; k < f->fresh.size(); ++k)
      if (ctx_.slice(f->fresh[k]) == text) return;
    f->parties.push_back(kFresh + f->fresh.size());
    f->roles.push_back(role);
    f->fresh.push_back(span);
    f->group_name.emplace_back();
  }

  // "the firm" (lower-cased in `w`, at `at`): the entity it stands for becomes the party.
  // False when the last word is no anaphor noun (lexicon `deal_anaphor_nouns`).
  bool fill_anaphor(const AgreementCandidate& c, std::string_view w, size_t at,
                    const std::string& role, Frame* f) const {
    std::string_view last = w.substr(w.rfind(' ') + 1);
    if (!lookup(ctx_, "deal_anaphor_nouns", last)) return false;
    if (auto ei = antecedent(at, c.sentence, last, *f)) {
      add_party(f, *ei, role);
      if (out_->entities[*ei].type != "place") f->company.insert(*ei);
    }
    return true;
  }

  // Slot `g`: a group no name gives ("its pilots", "a London-based company", "creditors"),
  // a party all the same. "its"/"their" name whose group it is: Delta's pilots are "Delta
  // pilots".
  void fill_group(const AgreementCandidate& c, TextRange span, const std::string& role,
                  Frame* f) const {
    std::string_view text = ctx_.slice(span);
    size_t sp = text.find(' ');
    std::string first = lower_ascii(text.substr(0, sp));
    // "the company" is one named before, not a group.
    if (first == "the" && fill_anaphor(c, lower_ascii(text), span.start, role, f)) return;
    std::string name(text);
    if (sp != std::string_view::npos && lookup(ctx_, "deal_determiners", first)) {
      name = std::string(text.substr(sp + 1));
      const LexiconEntry* p = lookup(ctx_, "deal_pronouns", first);
      if (p && p->attrs.value("refers", "") == "organization") {
        if (auto owner = pronoun({span.start, span.start}, c.sentence, "organization"))
          name = out_->entities[fullest(*owner)].name + " " + name;
      }
    }
    add_fresh(f, span, role);
    f->group_name.back() = name;
  }

  // `subject: a`: the nearest entity before the head in the sentence, outside the slots.
  void fill_subject(const AgreementCandidate& c, Frame* f) const {
    std::string slot = c.rule->attrs.value("subject", "");
    if (slot.empty()) return;
    for (const auto& s : c.slots)
      if (s.first == slot) return;
    // "an alliance between Canada and Mexico" names both sides.
    if (ctx_.text.substr(c.head.end, 9) == " between ") return;
    size_t begin = (*ctx_.sentences)[c.sentence].span.start;
    // `subject_from: sentence`: an elided subject ("... and was sold to", "... and came close
    // to buying") is the sentence's.
    if (c.rule->attrs.value("subject_from", "") == "sentence") {
      if (auto s = subject_in({begin, c.head.start})) {
        f->parties.insert(f->parties.begin(), fullest(*s));
        f->roles.insert(f->roles.begin(), role_of(c, slot));
      }
      return;
    }
    std::optional<MentionIndex::Entry> best, before_best;
    for (const auto& e : mentions_.inside({begin, c.head.start}))
      if (std::find(f->parties.begin(), f->parties.end(), e.entity) == f->parties.end() &&
          !describes_noun(e)) {
        before_best = best;
        best = e;
      }
    // "Euronext chief Jean-Francois Theodore held talks with ...": the body, not its officer.
    if (best && before_best && out_->entities[before_best->entity].type == "organization" &&
        role_between(before_best->span.end, best->span.start) &&
        !former_before(before_best->span.start)) {
      f->officer = fullest(best->entity);
      best = before_best;
    }
    // "Euronext, which combines the Paris and Lisbon exchanges, also began talks with ...":
    // past a relative clause the subject is the sentence's.
    std::string_view lead = ctx_.text.substr(begin, c.head.start - begin);
    if (best && (lead.find(", which ") != std::string_view::npos ||
                 lead.find(", who ") != std::string_view::npos))
      if (auto s = subject_in({begin, c.head.start})) best = MentionIndex::Entry{{0, 0}, *s};
    std::optional<size_t> who;
    if (best) who = fullest(best->entity);
    // "The airline also said it had agreed a $600m loan from ...": "it" or "the airline"
    // between the nearest entity and the head stands for a company named before; "the party"
    // in "Bournemouth hosted it before the party signed a deal" is no Bournemouth.
    size_t after = best ? best->span.end : begin;
    if (std::string_view noun = anaphor_before(after, c.head.start); !noun.empty()) {
      std::optional<size_t> ref = named_by(noun, c.head.start);
      if (!ref) ref = pronoun({c.head.start, c.head.start}, c.sentence, "organization");
      if (ref) ref = fullest(*ref);
      // What the anaphor stands for wins over the nearest entity when it is a company, or
      // the nearest entity itself ("Nordvik said it would ...").
      if (ref && (!who || *ref == *who || out_->entities[*ref].type == "organization")) {
        who = ref;
        f->company.insert(*who);
      }
    }
    if (who && std::find(f->parties.begin(), f->parties.end(), *who) == f->parties.end()) {
      f->parties.insert(f->parties.begin(), *who);
      f->roles.insert(f->roles.begin(), role_of(c, slot));
      return;
    }
    // No entity before the head: the name the sentence opens with ("Shell has signed a $6bn
    // deal with Qatar"), when no rule typed it.
    if (!who) {
      TextRange name = opening_name({c.head.start, c.head.start}, c.sentence);
      if (set(name)) {
        std::string role = role_of(c, slot);
        add_fresh(f, name, role);
        // The opening name goes first, as the text names it.
        std::rotate(f->parties.begin(), f->parties.end() - 1, f->parties.end());
        std::rotate(f->roles.begin(), f->roles.end() - 1, f->roles.end());
      }
    }
  }

  // The last word of `deal_anaphors` in text[begin, end), or "".
  std::string_view anaphor_before(size_t begin, size_t end) const {
    std::string_view s = ctx_.text.substr(begin, end - begin), found;
    const Lexicon* lex = ctx_.lexicon("deal_anaphors");
    if (!lex) return found;
    for (size_t i = 0; i < s.size();) {
      size_t j = s.find(' ', i);
      if (j == std::string_view::npos) j = s.size();
      if (lex->contains(s.substr(i, j - i))) found = s.substr(i, j - i);
      i = j + 1;
    }
    return found;
  }

  // "the party" is the nearest earlier entity whose name ends in "Party", anywhere before.
  std::optional<size_t> named_by(std::string_view noun, size_t before) const {
    if (noun.size() < 4) return std::nullopt;  // "it", "its"
    // A body named by its kind is the story's, however far back it was named.
    std::string want = " " + lower_ascii(noun);
    auto it = std::make_reverse_iterator(mentions_.from(before));
    for (int looked = 0; it != mentions_.all.rend() && looked < 4096; ++it, ++looked) {
      std::string name = " " + lower_ascii(out_->entities[it->entity].name);
      if (name.size() >= want.size() &&
          name.compare(name.size() - want.size(), want.size(), want) == 0)
        return it->entity;
    }
    return std::nullopt;
  }

  bool needs_person_ok(const AgreementCandidate& c, const Frame& f) const {
    auto need = c.rule->attrs.find("need_person");
    if (need == c.rule->attrs.end()) return true;
    for (const auto& slot : *need) {
      std::string role = role_of(c, slot.get<std::string>());
      bool ok = false;
      for (size_t i = 0; i < f.parties.size(); ++i)
        if (f.roles[i] == role && f.parties[i] < kFresh &&
            out_->entities[f.parties[i]].type == "person")
          ok = true;
      if (!ok) return false;
    }
    return true;
  }

  // Some party is a company, club or body: not a person, not a place.
  bool has_company(const Frame& f) const {
    for (size_t p : f.parties)
      if (p >= kFresh
              ? f.group_name[p - kFresh].empty()
              : out_->entities[p].type == "organization" && out_->entities[p].subtype != "group")
        return true;
    return false;
  }

  bool describes_next(size_t at) const {
    std::string_view rest = ctx_.text.substr(at);
    if (rest.size() < 2 || rest[0] != ' ' || !std::islower(static_cast<unsigned char>(rest[1])))
      return false;
    size_t sp = rest.find_first_of(" ,.;:!?)", 1);
    std::string_view w = rest.substr(1, sp == std::string_view::npos ? sp : sp - 1);
    // A past tense is the clause's verb ("the merger of X and Y created ..."), not a noun.
    bool past = w.size() > 3 && w.substr(w.size() - 2) == "ed";
    return !past && !lookup(ctx_, "deal_slot_breaks", w) && !lookup(ctx_, "deal_time_words", w) &&
           !lookup(ctx_, "deal_followers", w) && !lookup(ctx_, "deal_business_nouns", w);
  }

  // --- kind, status, value ---------------------------------------------------------------

  std::string frame_kind(const AgreementCandidate& c, const Frame& f) const {
    if (std::string k = modifier_kind(c); !k.empty()) return k;
    std::string head_kind = lookup_attr(ctx_, "deal_nouns", ctx_.slice(c.head), "kind");
    if (!head_kind.empty() && head_kind != "other") return head_kind;
    std::string dflt = c.rule->attrs.value("kind_default", "");
    if (!dflt.empty()) return dflt;
    bool companies = true;
    for (size_t ei : f.parties) companies = companies && out_->entities[ei].type == "organization";
    return companies ? "contract" : "other";
  }

  // The kind the words just before the head give ("merger talks", "sponsorship deal"),
  // nearest first; "" when none does.
  std::string modifier_kind(const AgreementCandidate& c) const {
    size_t from = set(c.verb) ? c.verb.end : c.whole.start;
    for (const auto& s : c.slots)
      if (s.second.end <= c.head.start) from = std::max(from, s.second.end);
    std::string_view before = ctx_.text.substr(from, c.head.start - from);
    std::vector<std::string_view> words;
    for (size_t i = 0; i < before.size();) {
      size_t j = before.find(' ', i);
      if (j == std::string_view::npos) j = before.size();
      if (j > i) words.push_back(before.substr(i, j - i));
      i = j + 1;
    }
    for (auto w = words.rbegin(); w != words.rend(); ++w)
      if (auto k = lookup_attr(ctx_, "deal_kinds", *w, "kind"); !k.empty()) return k;
    return "";
  }

  // The strongest status cue in [from, to) of a sentence.
  std::pair<std::string, int> cue_in(int sentence, size_t from, size_t to) const {
    std::pair<std::string, int> best{"", 0};
    auto it = cues_.find(sentence);
    if (it == cues_.end()) return best;
    size_t sentence_start = (*ctx_.sentences)[sentence].span.start;
    for (const Hit* h : it->second) {
      // `scope: sentence`: speculation anywhere before the frame colours it.
      size_t begin = h->rule->attrs.value("scope", "") == "sentence" ? sentence_start : from;
      // A cue that reaches into the window counts ("whether to begin talks").
      if (h->span.end > begin && h->span.start < to && h->rule->priority > best.second)
        best = {h->rule->attrs.value("status", ""), h->rule->priority};
    }
    return best;
  }

  // Cues inside the frame or just after it ("... bid for the LSE was rejected"), then the verb
  // before the deal noun, the deal noun's ("a bid" is proposed), the frame's own status.
  std::pair<std::string, int> frame_status(const AgreementCandidate& c) const {
    size_t send = (*ctx_.sentences)[c.sentence].span.end;
    auto cue = cue_in(c.sentence, c.whole.start, std::min(send, c.whole.end + 40));
    if (!cue.first.empty()) return cue;
    std::string s;
    if (const LexiconEntry* v =
            set(c.verb) ? lookup(ctx_, "deal_verbs", ctx_.slice(c.verb)) : nullptr) {
      // "has a deal with" is one in force; "had received a takeover approach" says nothing.
      std::string_view next = ctx_.text.substr(c.verb.end + 1, 4);
      bool article = next.substr(0, 2) == "a " || next.substr(0, 3) == "an " || next == "the ";
      if (!v->attrs.value("needs_article", false) || article) s = v->attrs.value("status", "");
    }
    if (s.empty()) s = lookup_attr(ctx_, "deal_nouns", ctx_.slice(c.head), "status");
    if (s.empty()) s = c.rule->attrs.value("status", "");
    if (s.empty()) return {"", 0};
    auto [it, fresh] = status_priorities_.emplace(s, 0);
    if (fresh) it->second = status_priority(ctx_, s);
    return {s, it->second};
  }

  // The money figure inside the frame, else the one nearest the head in its sentence.
  std::optional<size_t> nearest_figure(const AgreementCandidate& c, bool money) const {
    std::optional<size_t> best;
    size_t best_gap = SIZE_MAX;
    auto [from, to] = figures_in(c.sentence);
    for (size_t fi = from; fi < to; ++fi) {
      const Figure& fg = out_->figures[fi];
      if (fg.sentence != c.sentence) continue;
      if (money ? fg.kind != "money" : fg.kind != "date") continue;
      bool inside = fg.span.start >= c.whole.start && fg.span.end <= c.whole.end;
      // "the fifth billion-dollar telecoms deal": a size class, not this deal's value.
      std::string_view t = ctx_.slice(fg.span);
      if (!inside && t.find('-') != std::string_view::npos &&
          t.find_first_of("0123456789") == std::string_view::npos)
        continue;
      size_t gap = inside                        ? 0
                   : fg.span.start >= c.head.end ? fg.span.start - c.head.end
                   : fg.span.end <= c.head.start ? c.head.start - fg.span.end
                                                 : 0;
      if (gap < best_gap) best = fi, best_gap = gap;
    }
    return best;
  }

  // The figures of a sentence, as a range of indices: figures are sorted by start.
  std::pair<size_t, size_t> figures_in(int sentence) const {
    TextRange s = (*ctx_.sentences)[sentence].span;
    const auto& fs = out_->figures;
    auto by_start = [](const Figure& f, size_t at) { return f.span.start < at; };
    size_t from = std::lower_bound(fs.begin(), fs.end(), s.start, by_start) - fs.begin();
    size_t to = std::lower_bound(fs.begin(), fs.end(), s.end, by_start) - fs.begin();
    return {from, to};
  }

  // --- one agreement per deal ------------------------------------------------------------

  // The families of a kind (lexicon `deal_kind_families`); none for "other".
  const nlohmann::json* families(const std::string& kind) const {
    const LexiconEntry* e = lookup(ctx_, "deal_kind_families", kind);
    auto it = e ? e->attrs.find("families") : nlohmann::json::const_iterator{};
    return e && it != e->attrs.end() ? &*it : nullptr;
  }
  // Two kinds may be one deal: one fits any, or they share a family.
  bool compatible(const std::string& a, const std::string& b) const {
    const nlohmann::json *fa = families(a), *fb = families(b);
    if (!fa || !fb) return true;
    for (const auto& x : *fa)
      if (std::find(fb->begin(), fb->end(), x) != fb->end()) return true;
    return false;
  }

  double amount(std::optional<size_t> fi) const {
    const auto& v = out_->figures[*fi].value;
    return v.is_number() ? v.get<double>() : -1;
  }

  bool same_deal(const Agreement& a, const Frame& f) const {
    if (!compatible(a.kind, f.kind)) return false;
    size_t shared = 0;
    for (size_t p : f.parties)
      shared += std::find(a.parties.begin(), a.parties.end(), p) != a.parties.end();
    if (shared < std::min<size_t>(2, std::min(a.parties.size(), f.parties.size()))) return false;
    // Two amounts far apart are two deals ("a $10bn loan" and "the current $18.6bn one").
    if (a.value && f.value && *a.value != *f.value) {
      // Amounts in two currencies cannot be told apart: "$339m for the unit" and "a £308m
      // takeover" are two deals; a deal quoted twice is quoted in its sentence's first currency.
      if (out_->figures[*a.value].currency != out_->figures[*f.value].currency) return false;
      double x = amount(a.value), y = amount(f.value);
      if (x > 0 && y > 0 && std::abs(x - y) > 0.1 * std::max(x, y)) return false;
    }
    return true;
  }

  void set_status(size_t di, const std::string& status, int priority) {
    if (status.empty() || priority <= status_prio_[di]) return;
    out_->agreements[di].status = status;
    status_prio_[di] = priority;
  }

  // A mention joins a deal; its start is kept sorted for join_reference().
  void add_mention(size_t di, const Mention& m) {
    out_->agreements[di].mentions.push_back(m);
    auto& starts = starts_[di];
    starts.insert(std::upper_bound(starts.begin(), starts.end(), m.span.start), m.span.start);
  }

  void merge(size_t di, const AgreementCandidate& c, const Frame& f) {
    Agreement& a = out_->agreements[di];
    add_mention(di, c.mentions.front());
    for (size_t i = 0; i < f.parties.size(); ++i)
      if (std::find(a.parties.begin(), a.parties.end(), f.parties[i]) == a.parties.end()) {
        a.parties.push_back(f.parties[i]);
        a.roles.push_back(f.roles[i]);
        deals_by_party_[f.parties[i]].push_back(di);
      }
    if (!families(a.kind)) a.kind = f.kind;  // "other" takes the kind a later frame gives
    if (!a.value) a.value = f.value;
    if (!a.date) a.date = f.date;
    set_status(di, f.status, f.status_priority);
  }

  void create(const AgreementCandidate& c, const Frame& f) {
    Agreement a;
    a.named = false;
    a.kind = f.kind;
    a.type = f.kind == "trade" ? "trade" : "other";
    a.parties = f.parties;
    a.roles = f.roles;
    a.value = f.value;
    a.date = f.date;
    a.evidence = (*ctx_.sentences)[c.sentence].span;
    a.mentions.push_back(c.mentions.front());
    a.name = deal_name(a);
    for (size_t p : a.parties) deals_by_party_[p].push_back(out_->agreements.size());
    deals_.push_back(out_->agreements.size());
    starts_[deals_.back()].push_back(c.mentions.front().span.start);
    out_->agreements.push_back(std::move(a));
    status_prio_[deals_.back()] = 0;
    set_status(deals_.back(), f.status, f.status_priority);
  }

  // "The deal, known as the Atlantic Gateway Partnership": the named agreement whose mention
  // follows a later mention and a naming phrase (lexicon `deal_naming`) is the same deal.
  std::optional<size_t> named_after(size_t at) const {
    std::string_view rest = ctx_.text.substr(at, 64);
    if (rest.rfind(", ", 0) == 0) rest.remove_prefix(2);
    size_t words = 0;
    for (size_t sp = 0; words < 4 && (sp = rest.find(' ', sp)) != std::string_view::npos; ++sp)
      if (lookup(ctx_, "deal_naming", rest.substr(0, sp))) {
        size_t from = at + (ctx_.text.substr(at, 2) == ", " ? 2 : 0) + sp + 1;
        if (ctx_.text.substr(from, 4) == "the ") from += 4;
        for (size_t ai = 0; ai < out_->agreements.size(); ++ai)
          for (const auto& m : out_->agreements[ai].mentions)
            if (out_->agreements[ai].named && m.span.start == from) return ai;
        return std::nullopt;
      } else {
        ++words;
      }
    return std::nullopt;
  }

 public:
  // Deals that a naming phrase tied to a named agreement, as (deal, named) pairs.
  const std::vector<std::pair<size_t, size_t>>& absorbed() const { return absorbed_; }

 private:
  // The target of the latest takeover told before, when none of the frame's parties is in it.
  std::optional<size_t> latest_target(const Frame& f) const {
    for (size_t k = deals_.size(); k-- > 0;) {
      const Agreement& a = out_->agreements[deals_[k]];
      if (a.kind != "takeover") continue;
      std::optional<size_t> target;
      for (size_t i = 0; i < a.parties.size(); ++i) {
        if (std::find(f.parties.begin(), f.parties.end(), a.parties[i]) != f.parties.end())
          return std::nullopt;
        if (a.roles[i] == "target") target = a.parties[i];
      }
      if (target) return target;
    }
    return std::nullopt;
  }

  // "Oracle takeover of Peoplesoft"-like names: the parties and the kind.
  std::string deal_name(const Agreement& a) const {
    std::string name;
    for (size_t i = 0; i < a.parties.size(); ++i)
      name += (i ? (i + 1 == a.parties.size() ? " and " : ", ") : "") +
              out_->entities[a.parties[i]].name;
    return name + " " + a.kind;
  }

  // "the deal", "the £1.3bn offer": the nearest earlier deal of a compatible kind.
  void join_reference(const AgreementCandidate& c) {
    // "the sale of new shares": a mention that names its own object is another deal.
    std::string_view after = ctx_.text.substr(c.head.end, 5);
    if (after.substr(0, 4) == " of " || after == " for ") return;
    std::string kind = lookup_attr(ctx_, "deal_nouns", ctx_.slice(c.head), "kind");
    // "the Verizon offer" refers to a deal of Verizon's only.
    std::vector<size_t> named;
    for (const auto& e : mentions_.inside({c.whole.start, c.head.start})) named.push_back(e.entity);
    bool capital = false;
    for (size_t i = c.whole.start + 1; i < c.head.start; ++i)
      capital = capital ||
                (ctx_.text[i - 1] == ' ' && std::isupper(static_cast<unsigned char>(ctx_.text[i])));
    if (capital && named.empty()) return;
    std::optional<size_t> best;
    size_t best_at = 0;
    // The 64 most recent deals: a later mention refers to one told nearby, and a flood of deals
    // stays linear.
    size_t from_deal = deals_.size() > 64 ? deals_.size() - 64 : 0;
    for (size_t k = from_deal; k < deals_.size(); ++k) {
      size_t di = deals_[k];
      const Agreement& a = out_->agreements[di];
      if (!compatible(a.kind, kind)) continue;
      bool names_it = true;
      for (size_t e : named)
        names_it = names_it && std::find(a.parties.begin(), a.parties.end(), e) != a.parties.end();
      if (!names_it) continue;
      // Its nearest mention before this one: a binary search, so a deal told 10,000 times
      // stays linear.
      const auto& starts = starts_[di];
      auto at = std::lower_bound(starts.begin(), starts.end(), c.head.start);
      if (at == starts.begin()) continue;
      size_t start = *std::prev(at);
      if (!best || start >= best_at) best = di, best_at = start;
    }
    if (!best) return;
    Agreement& a = out_->agreements[*best];
    add_mention(*best, c.mentions.front());
    if (auto named = named_after(c.head.end)) absorbed_.emplace_back(*best, *named);
    // The verb of a later mention is as often before it ("they signed the deal") as after.
    TextRange sent = (*ctx_.sentences)[c.sentence].span;
    size_t from = c.whole.start > sent.start + 30 ? c.whole.start - 30 : sent.start;
    auto cue = cue_in(c.sentence, from, sent.end);
    // A later sentence may end a deal or take it further, not take it back to talk ("the
    // firm wants to sign more deals" after "signed a deal").
    bool step_back = cue.first == "proposed" || cue.first == "negotiating";
    if (!(step_back && !a.status.empty())) set_status(*best, cue.first, cue.second);
    if (!a.value) {
      auto [from, to] = figures_in(c.sentence);
      for (size_t fi = from; fi < to; ++fi) {
        const Figure& fg = out_->figures[fi];
        if (fg.kind == "money" && fg.span.start >= c.whole.start && fg.span.end <= c.head.start)
          a.value = fi;
      }
    }
  }

  const Context& ctx_;
  Result* out_;
  std::map<int, std::vector<const Hit*>> cues_;      // status cues by sentence
  std::vector<std::pair<size_t, size_t>> absorbed_;  // see absorbed()
  std::optional<size_t> main_org_;                   // the story's most named organization
  MentionIndex mentions_;
  std::vector<size_t> deals_;          // indices into out_->agreements, in creation order
  std::map<size_t, int> status_prio_;  // by agreement index: the priority of its status
  std::map<size_t, std::vector<size_t>> deals_by_party_;  // entity -> agreements, in order
  std::map<size_t, std::vector<size_t>> starts_;  // agreement -> its mentions' starts, sorted
  std::map<std::string, std::vector<size_t>, std::less<>> by_name_;  // entity name -> indices
  std::map<std::string, size_t, std::less<>> by_initials_;
  std::map<std::string, std::vector<size_t>, std::less<>>
      by_last_word_;  // "United" -> orgs  // "LSE" -> London Stock Exchange
  static constexpr size_t kLinkedParties = 64;
  size_t linked_parties_ = 0;  // new parties whose other mentions were searched
  mutable std::map<std::string, int> status_priorities_;     // status_priority(), asked once
  mutable std::vector<signed char> person_named_;            // is_full_person(), by entity
  mutable std::map<std::string, bool, std::less<>> proven_;  // unproven_common(), per word
};

}  // namespace

// A deal the text names ("The deal, known as the Atlantic Gateway Partnership") becomes part
// of that named agreement: its parties, roles, mentions, value, date and status join it, and
// the deal is dropped.
void absorb_named(const std::vector<std::pair<size_t, size_t>>& pairs, Result* out) {
  std::vector<bool> gone(out->agreements.size(), false);
  for (auto [di, ni] : pairs) {
    if (gone[di] || gone[ni] || di == ni) continue;
    Agreement& d = out->agreements[di];
    Agreement& n = out->agreements[ni];
    n.roles.resize(n.parties.size());
    for (size_t i = 0; i < d.parties.size(); ++i)
      if (std::find(n.parties.begin(), n.parties.end(), d.parties[i]) == n.parties.end()) {
        n.parties.push_back(d.parties[i]);
        n.roles.push_back(i < d.roles.size() ? d.roles[i] : "");
      }
    n.mentions.insert(n.mentions.end(), d.mentions.begin(), d.mentions.end());
    if (!n.value) n.value = d.value;
    if (!n.date) n.date = d.date;
    if (n.status.empty()) n.status = d.status;
    if (n.kind.empty() || n.kind == "other") n.kind = d.kind;
    n.evidence = d.evidence;  // the sentence that reports the deal states it best
    gone[di] = true;
  }
  size_t kept = 0;
  for (size_t ai = 0; ai < out->agreements.size(); ++ai)
    if (!gone[ai]) {
      if (kept != ai) out->agreements[kept] = std::move(out->agreements[ai]);
      ++kept;
    }
  out->agreements.resize(kept);
}

void finish_deals(const Context& ctx, std::vector<AgreementCandidate> cands,
                  const std::vector<Hit>& status, Result* out) {
  if (cands.empty()) return;
  // A frame or mention whose deal word is inside a named agreement's name is that agreement.
  SpanIndex named;
  for (const auto& a : out->agreements)
    for (const auto& mn : a.mentions) named.add(mn.span);
  cands.erase(std::remove_if(cands.begin(), cands.end(),
                             [&](const AgreementCandidate& c) { return named.overlaps(c.head); }),
              cands.end());
  // Overlaps are settled among the frames that hold, so a frame that names one side only
  // ("Celtic signed a sponsorship deal") leaves the place to one that names both.
  DealBuilder builder(ctx, status, out);
  using Planned = std::pair<AgreementCandidate, Frame>;
  std::vector<Planned> planned;
  for (auto& c : cands) {
    if (c.reference) {
      planned.emplace_back(std::move(c), Frame{});
    } else if (auto f = builder.plan(c)) {
      planned.emplace_back(std::move(c), std::move(*f));
    }
  }
  planned = resolve_overlaps(
      std::move(planned), [](const Planned& p) { return p.first.whole; },
      [](const Planned& p) { return p.first.priority; });
  std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
    return a.first.head.start < b.first.head.start;
  });
  for (auto& [c, f] : planned) builder.commit(c, std::move(f));
  absorb_named(builder.absorbed(), out);
  for (auto& a : out->agreements)
    std::stable_sort(a.mentions.begin(), a.mentions.end(), [](const Mention& x, const Mention& y) {
      return x.span.start < y.span.start;
    });
}

}  // namespace claimx
