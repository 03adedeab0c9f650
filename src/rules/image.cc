// The compiled rule book as bytes. claimx's embedded packs are parsed, checked, expanded and
// planned when claimx is built (tools/pack_image.cc writes the image, the build embeds it), so
// start-up reads flat records instead of YAML and 72,000 lexicon entries of JSON, and copies the
// lexicons' look-up tables and the prefilters instead of building them. What cannot be stored
// (RE2 programs) is compiled at load: the Sets now, each rule's own RE2 on first use.
//
// Layout: a magic line, then fields in a fixed order, little-endian, strings as a 32-bit length
// and bytes. Every read is bounds-checked: a damaged image is an error, never a crash.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "claimx/error.h"
#include "rules/book_impl.h"
#include "rules/embedded.h"

namespace claimx {

namespace {

constexpr std::string_view kMagic = "claimx compiled rule book 13\n";

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void i32(int32_t v) { raw(&v, sizeof v); }
  void u64(uint64_t v) { raw(&v, sizeof v); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  void loc(const SourceLoc& l) {
    str(l.file);
    i32(l.line);
    i32(l.col);
  }
  void json(const nlohmann::json& j);
  // Zero bytes up to a multiple of n from the image's start, so a table there can be read in
  // place (the embedded image starts 16-aligned).
  void align(size_t n) { out_.append((n - out_.size() % n) % n, '\0'); }
  std::string take() { return std::move(out_); }
  size_t size() const { return out_.size(); }
  void patch_u64(size_t at, uint64_t v) { std::memcpy(out_.data() + at, &v, sizeof v); }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(std::string_view in, size_t at) : in_(in), at_(at) {}
  uint8_t u8() { return static_cast<uint8_t>(*take(1)); }
  uint32_t u32() { return pod<uint32_t>(); }
  int32_t i32() { return pod<int32_t>(); }
  uint64_t u64() { return pod<uint64_t>(); }
  std::string_view view() {
    uint32_t n = u32();
    return {take(n), n};
  }
  std::string str() { return std::string(view()); }
  const char* take(size_t n) {
    if (n > in_.size() - at_) throw Error("the compiled rule book is damaged (truncated)");
    const char* p = in_.data() + at_;
    at_ += n;
    return p;
  }
  SourceLoc loc() {
    SourceLoc l;
    l.file = str();
    l.line = i32();
    l.col = i32();
    return l;
  }
  // A count of items that each take at least `min_bytes`: a damaged count cannot make a
  // reserve() ask for gigabytes.
  uint32_t count(size_t min_bytes = 1) {
    uint32_t n = u32();
    if (n > (in_.size() - at_) / std::max<size_t>(min_bytes, 1))
      throw Error("the compiled rule book is damaged (count)");
    return n;
  }
  nlohmann::json json(int depth = 0);
  void align(size_t n) { take((n - at_ % n) % n); }
  size_t at() const { return at_; }
  bool done() const { return at_ == in_.size(); }

 private:
  template <class T>
  T pod() {
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  std::string_view in_;
  size_t at_ = 0;
};

// JSON values keep their exact type (integer, unsigned or float), so a value reads back as the
// YAML loader made it.
enum JsonTag : uint8_t { kNull, kFalse, kTrue, kInt, kUint, kFloat, kString, kArray, kObject };

void Writer::json(const nlohmann::json& j) {
  using T = nlohmann::json::value_t;
  switch (j.type()) {
    case T::boolean:
      u8(j.get<bool>() ? kTrue : kFalse);
      return;
    case T::number_integer:
      u8(kInt);
      u64(static_cast<uint64_t>(j.get<int64_t>()));
      return;
    case T::number_unsigned:
      u8(kUint);
      u64(j.get<uint64_t>());
      return;
    case T::number_float: {
      u8(kFloat);
      double d = j.get<double>();
      raw(&d, sizeof d);
      return;
    }
    case T::string:
      u8(kString);
      str(j.get_ref<const std::string&>());
      return;
    case T::array:
      u8(kArray);
      u32(static_cast<uint32_t>(j.size()));
      for (const auto& v : j) json(v);
      return;
    case T::object:
      u8(kObject);
      u32(static_cast<uint32_t>(j.size()));
      for (const auto& [k, v] : j.items()) {
        str(k);
        json(v);
      }
      return;
    default:  // null, and nothing else occurs in a pack
      u8(kNull);
  }
}

nlohmann::json Reader::json(int depth) {
  if (depth > 64) throw Error("the compiled rule book is damaged (nesting)");
  switch (u8()) {
    case kNull:
      return nullptr;
    case kFalse:
      return false;
    case kTrue:
      return true;
    case kInt:
      return static_cast<int64_t>(u64());
    case kUint:
      return u64();
    case kFloat: {
      double d;
      std::memcpy(&d, take(sizeof d), sizeof d);
      return d;
    }
    case kString:
      return str();
    case kArray: {
      nlohmann::json a = nlohmann::json::array();
      for (uint32_t n = count(); n > 0; --n) a.push_back(json(depth + 1));
      return a;
    }
    case kObject: {
      nlohmann::json o = nlohmann::json::object();
      auto& members = o.get_ref<nlohmann::json::object_t&>();
      for (uint32_t n = count(); n > 0; --n) {
        std::string k = str();
        // Written in key order, so each goes at the end (a repeated key, only in a damaged
        // image, keeps its first value).
        members.emplace_hint(members.end(), std::move(k), json(depth + 1));
      }
      return o;
    }
    default:
      throw Error("the compiled rule book is damaged (value)");
  }
}

template <class T, class Fn>
void write_all(Writer& w, const T& items, Fn fn) {
  w.u32(static_cast<uint32_t>(items.size()));
  for (const auto& x : items) fn(x);
}

void write_example(Writer& w, const Example& e) {
  w.str(e.text);
  w.json(e.expect);
  w.str(e.date);
  w.loc(e.loc);
}

Example read_example(Reader& r) {
  Example e;
  e.text = r.str();
  e.expect = r.json();
  e.date = r.str();
  e.loc = r.loc();
  return e;
}

void write_rule(Writer& w, const Rule& r) {
  w.str(r.id);
  w.str(r.kind);
  w.u8(static_cast<uint8_t>(r.type));
  w.u8(static_cast<uint8_t>(r.stage));
  w.str(r.pack);
  w.str(r.pattern);
  w.str(r.expanded);
  w.str(r.set_pattern);
  w.u8(r.set_on_shadow);
  w.i32(r.priority);
  w.json(r.attrs);
  write_all(w, r.attr_locs, [&](const auto& kv) {
    w.str(kv.first);
    w.loc(kv.second);
  });
  write_all(w, r.lexicons, [&](const std::string& s) { w.str(s); });
  write_all(w, r.examples, [&](const Example& e) { write_example(w, e); });
  write_all(w, r.counterexamples, [&](const Example& e) { write_example(w, e); });
  w.loc(r.loc);
  w.loc(r.pattern_loc);
  w.i32(r.captures);
  w.u8(r.group1_is_whole);
  write_all(w, r.groups, [&](const auto& kv) {
    w.str(kv.first);
    w.i32(kv.second);
  });
  write_all(w, r.group_aliases, [&](const auto& p) {
    w.i32(p.first);
    w.i32(p.second);
  });
  w.i32(r.span_group);
}

// With `in_place`, the rule's patterns (and so its RE2's) are views into the image's bytes, which
// outlive the book: nothing is copied.
Rule read_rule(Reader& in, bool in_place) {
  Rule r;
  r.id = in.str();
  r.kind = in.str();
  r.type = static_cast<RuleKind>(in.u8());
  r.stage = static_cast<Stage>(in.u8());
  r.pack = in.str();
  r.pattern = in.str();
  std::string_view expanded = in.view(), set = in.view();
  if (in_place) {
    r.expanded = expanded;
    r.set_pattern = set;
  } else {
    r.set_patterns(expanded, set);
  }
  r.set_on_shadow = in.u8() != 0;
  r.priority = in.i32();
  r.attrs = in.json();
  for (uint32_t n = in.count(); n > 0; --n) {
    std::string key = in.str();
    r.attr_locs[key] = in.loc();
  }
  for (uint32_t n = in.count(4); n > 0; --n) r.lexicons.push_back(in.str());
  for (uint32_t n = in.count(); n > 0; --n) r.examples.push_back(read_example(in));
  for (uint32_t n = in.count(); n > 0; --n) r.counterexamples.push_back(read_example(in));
  r.loc = in.loc();
  r.pattern_loc = in.loc();
  r.captures = in.i32();
  r.group1_is_whole = in.u8() != 0;
  for (uint32_t n = in.count(); n > 0; --n) {
    std::string name = in.str();
    r.groups[name] = in.i32();
  }
  for (uint32_t n = in.count(8); n > 0; --n) {
    int first = in.i32();
    r.group_aliases.emplace_back(first, in.i32());
  }
  r.span_group = in.i32();
  r.stable_id = stable_string(r.id);
  r.re = std::make_shared<RuleRegex>(r, rule_options(r.attrs.value("longest", false)));
  return r;
}

// A rule as its pack holds it before compile(): what compile() derives is left out, so a book
// read from an image compiles again (with --patterns packs on top) as one read from YAML.
Rule source_rule(const Rule& compiled) {
  Rule r = compiled;
  r.expanded = {};
  r.set_pattern = {};
  r.pattern_bytes.reset();
  r.set_on_shadow = false;
  r.lexicons.clear();
  r.re.reset();
  r.stable_id = {};
  r.captures = 0;
  r.group1_is_whole = false;
  r.groups.clear();
  r.group_aliases.clear();
  r.span_group = 0;
  return r;
}

template <class T>
void write_pod_vector(Writer& w, const std::vector<T>& v) {
  w.u32(static_cast<uint32_t>(v.size()));
  w.raw(v.data(), v.size() * sizeof(T));
}

template <class T>
void read_pod_vector(Reader& r, std::vector<T>* v) {
  uint32_t n = r.count(sizeof(T));
  v->resize(n);
  if (n > 0) std::memcpy(v->data(), r.take(n * sizeof(T)), n * sizeof(T));
}

}  // namespace

struct BookImage {
  static void write_lexicon(Writer& w, const Lexicon& l) {
    w.str(l.name);
    w.u8(l.ignore_case);
    w.u8(l.left_boundary);
    w.u8(l.right_boundary);
    w.loc(l.loc);
    // The entries' bytes first, so a reader that defers them can step over them.
    size_t length_at = w.size();
    w.u64(0);
    write_all(w, l.entries(), [&](const LexiconEntry& e) {
      w.str(e.form);
      w.i32(e.line);
      w.json(e.attrs);
    });
    w.patch_u64(length_at, w.size() - length_at - sizeof(uint64_t));
    w.str(l.keys());
    w.u32(static_cast<uint32_t>(l.slot_count()));
    w.align(alignof(Lexicon::Slot));
    w.raw(l.slots(), l.slot_count() * sizeof(Lexicon::Slot));
  }

  // A lexicon's entries: the whole of `block`.
  static std::vector<LexiconEntry> read_entries(std::string_view block, const std::string& name) {
    Reader r(block, 0);
    std::vector<LexiconEntry> entries(r.count(9));
    for (auto& e : entries) {
      e.form = r.str();
      e.line = r.i32();
      e.attrs = r.json();
    }
    if (!r.done()) throw Error("the compiled rule book is damaged (lexicon " + name + ")");
    return entries;
  }

  // In place: the table points into the image, which outlives the book, and the entries are
  // read from it on first use.
  static Lexicon read_lexicon(Reader& r, bool in_place) {
    Lexicon l;
    l.name = r.str();
    l.ignore_case = r.u8() != 0;
    l.left_boundary = r.u8() != 0;
    l.right_boundary = r.u8() != 0;
    l.loc = r.loc();
    uint64_t length = r.u64();
    std::string_view block(r.take(length), length);  // bounds-checked
    size_t n = 0;
    if (in_place) {
      n = Reader(block, 0).count(9);  // checked against the block's size
      l.deferred_ = std::make_shared<Lexicon::Deferred>();
      l.deferred_->block = block;
      l.deferred_->read = [name = l.name](std::string_view b) { return read_entries(b, name); };
    } else {
      l.entries_ = read_entries(block, l.name);
      n = l.entries_.size();
    }
    std::string_view keys = r.view();
    uint32_t slots = r.count(sizeof(Lexicon::Slot));
    r.align(alignof(Lexicon::Slot));
    const char* table = r.take(size_t{slots} * sizeof(Lexicon::Slot));
    in_place = in_place && reinterpret_cast<uintptr_t>(table) % alignof(Lexicon::Slot) == 0;
    if (in_place) {
      l.image_keys_ = keys;
      l.image_slots_ = reinterpret_cast<const Lexicon::Slot*>(table);
      l.image_slot_count_ = slots;
    } else {
      l.keys_ = keys;
      l.slots_.resize(slots);
      if (slots > 0) std::memcpy(l.slots_.data(), table, slots * sizeof(Lexicon::Slot));
    }
    // Checked once here, so find() trusts the table (a damaged image must not read astray).
    if ((slots & (slots - 1)) != 0) throw Error("the compiled rule book is damaged (lexicon)");
    for (size_t i = 0; i < slots; ++i) {
      const Lexicon::Slot& s = l.slots()[i];
      if (s.entry > n || size_t{s.key_offset} + s.key_size > keys.size())
        throw Error("the compiled rule book is damaged (lexicon " + l.name + ")");
    }
    return l;
  }

  // The bytes of the image a lexicon read in place goes on reading: its table, and its
  // entries until they are made.
  static void in_place_ranges(const Lexicon& l, std::vector<std::pair<uintptr_t, uintptr_t>>* out) {
    auto range = [&](const void* p, size_t n) {
      auto at = reinterpret_cast<uintptr_t>(p);
      out->emplace_back(at, at + n);
    };
    if (l.image_slots_ != nullptr) {
      range(l.image_keys_.data(), l.image_keys_.size());
      range(l.image_slots_, l.image_slot_count_ * sizeof(Lexicon::Slot));
    }
    if (l.deferred_) range(l.deferred_->block.data(), l.deferred_->block.size());
  }

  static void write_filter(Writer& w, const prefilter::Filter& f) {
    write_all(w, f.rules_, [&](const prefilter::Filter::RuleNeed& n) {
      write_all(w, n.clauses, [&](const prefilter::Filter::CompiledClause& c) {
        w.u64(c.bytes);
        w.i32(c.id);
      });
    });
    w.u8(f.any_clause_);
    w.raw(f.byte_bits_, sizeof f.byte_bits_);
    w.raw(f.symbol_, sizeof f.symbol_);
    w.i32(f.symbols_);
    write_pod_vector(w, f.table_);
    write_pod_vector(w, f.out_atom_);
    write_pod_vector(w, f.out_next_);
    w.u64(f.atom_count_);
    w.i32(f.clause_count_);
    write_pod_vector(w, f.atom_clause_begin_);
    write_pod_vector(w, f.atom_clause_ids_);
  }

  static void read_filter(Reader& r, prefilter::Filter* f) {
    f->rules_.resize(r.count(4));
    for (auto& n : f->rules_) {
      n.clauses.resize(r.count(12));
      for (auto& c : n.clauses) {
        c.bytes = r.u64();
        c.id = r.i32();
      }
    }
    f->any_clause_ = r.u8() != 0;
    std::memcpy(f->byte_bits_, r.take(sizeof f->byte_bits_), sizeof f->byte_bits_);
    std::memcpy(f->symbol_, r.take(sizeof f->symbol_), sizeof f->symbol_);
    f->symbols_ = r.i32();
    read_pod_vector(r, &f->table_);
    read_pod_vector(r, &f->out_atom_);
    read_pod_vector(r, &f->out_next_);
    f->atom_count_ = r.u64();
    f->clause_count_ = r.i32();
    read_pod_vector(r, &f->atom_clause_begin_);
    read_pod_vector(r, &f->atom_clause_ids_);
  }

  // A lexicon rule's trie, as built at compile time (building it from the forms was a twentieth
  // of a one-line run). Field by field: Edge and Term have padding, the image must not.
  static void write_matcher(Writer& w, const LexiconMatcher& m) {
    w.u8(m.longest_);
    write_pod_vector(w, m.nodes_);
    write_all(w, m.edges_, [&](const LexiconMatcher::Edge& e) {
      w.u8(e.byte);
      w.u32(e.child);
    });
    write_all(w, m.terms_, [&](const LexiconMatcher::Term& t) {
      w.u32(t.order);
      w.u8(t.left_boundary);
      w.u8(t.right_boundary);
    });
  }

  // Every index match_at() follows is checked: a damaged image is an error, not a crash.
  static std::shared_ptr<const LexiconMatcher> read_matcher(Reader& r) {
    auto m = std::shared_ptr<LexiconMatcher>(new LexiconMatcher());
    m->longest_ = r.u8() != 0;
    read_pod_vector(r, &m->nodes_);
    m->edges_.resize(r.count(5));
    for (auto& e : m->edges_) {
      e.byte = r.u8();
      e.child = r.u32();
    }
    m->terms_.resize(r.count(6));
    for (auto& t : m->terms_) {
      t.order = r.u32();
      t.left_boundary = r.u8() != 0;
      t.right_boundary = r.u8() != 0;
    }
    auto bad = [] { throw Error("the compiled rule book is damaged (lexicon trie)"); };
    auto fits = [](uint64_t first, uint64_t n, size_t size) { return first + n <= size; };
    for (const auto& n : m->nodes_)
      if (!fits(n.first_edge, n.edge_count, m->edges_.size()) ||
          !fits(n.first_term, n.term_count, m->terms_.size()))
        bad();
    for (const auto& e : m->edges_)
      if (e.child >= m->nodes_.size()) bad();
    if (m->nodes_.empty() && !m->edges_.empty()) bad();
    m->index_first_bytes();
    return m;
  }

  // The shadow's forms; its look-up tables are rebuilt from them (Shadow::index).
  static void write_shadow(Writer& w, const Shadow& s) {
    write_all(w, s.names_, [&](const std::string& n) { w.str(n); });
    write_pod_vector(w, s.left_bounded_);
    write_pod_vector(w, s.words_);
    for (const auto* table : {&s.whole_, &s.suffix_})
      write_all(w, *table, [&](const auto& kv) {
        w.str(kv.first);
        w.u64(kv.second);
      });
    write_pod_vector(w, s.suffix_lengths_);
    write_pod_vector(w, s.phrase_nodes_);
    write_pod_vector(w, s.phrase_edges_);
  }

  static void read_shadow(Reader& r, Shadow* s) {
    *s = Shadow();
    for (uint32_t n = r.count(4); n > 0; --n) s->names_.push_back(std::string(r.str()));
    read_pod_vector(r, &s->left_bounded_);
    read_pod_vector(r, &s->words_);
    auto bad = [] { throw Error("the compiled rule book is damaged (shadow)"); };
    for (auto* table : {&s->whole_, &s->suffix_})
      for (uint32_t n = r.count(12); n > 0; --n) {
        std::string key(r.str());
        bool letters =
            std::all_of(key.begin(), key.end(), [](char c) { return c >= 'a' && c <= 'z'; });
        if (!letters || key.size() < (table == &s->suffix_ ? 2u : 1u)) bad();
        (*table)[key] = r.u64();
      }
    read_pod_vector(r, &s->suffix_lengths_);
    read_pod_vector(r, &s->phrase_nodes_);
    read_pod_vector(r, &s->phrase_edges_);
    if (s->names_.size() > 64 || s->left_bounded_.size() != s->names_.size() ||
        s->words_.size() != s->names_.size())
      bad();
    // Every edge phrase_label() may follow stays in the tables, in byte order per node.
    for (const auto& node : s->phrase_nodes_) {
      if (node.first_edge > s->phrase_edges_.size() ||
          node.edges > s->phrase_edges_.size() - node.first_edge)
        bad();
      for (uint32_t e = node.first_edge; e < node.first_edge + node.edges; ++e) {
        const auto& edge = s->phrase_edges_[e];
        if (edge.child >= s->phrase_nodes_.size() || edge.byte > 0xFF ||
            (e > node.first_edge && s->phrase_edges_[e - 1].byte >= edge.byte))
          bad();
      }
    }
    s->index();
    s->index_phrase_tails();
  }

  // Every index Filter::passing() follows, checked once here: a damaged image is an error.
  static void check_filter(const prefilter::Filter& f, size_t rules) {
    auto bad = [] { throw Error("the compiled rule book is damaged (prefilter)"); };
    auto within = [](int64_t v, int64_t lo, size_t n) { return v >= lo && v < int64_t(n); };
    if (f.rules_.size() != rules || f.clause_count_ < 0) bad();
    for (const auto& n : f.rules_)
      for (const auto& c : n.clauses)
        if (!within(c.id, 0, size_t(f.clause_count_))) bad();
    if (!f.any_clause_) return;
    if (f.symbols_ < 1 || f.symbols_ > 0xFFFF) bad();
    for (auto sym : f.symbol_)
      if (sym >= f.symbols_) bad();
    const size_t stride = size_t(f.symbols_) + 1;
    if (f.table_.empty() || f.table_.size() % stride != 0) bad();
    for (size_t i = 0; i < f.table_.size(); ++i) {
      int32_t v = f.table_[i];
      bool output = i % stride == stride - 1;
      if (output ? !within(v, -1, f.out_atom_.size())
                 : !within(v, 0, f.table_.size()) || size_t(v) % stride != 0)
        bad();
    }
    if (f.out_next_.size() != f.out_atom_.size()) bad();
    for (size_t o = 0; o < f.out_atom_.size(); ++o)
      if (!within(f.out_atom_[o], 0, f.atom_count_) ||
          !within(f.out_next_[o], -1, f.out_next_.size()))
        bad();
    const auto& begin = f.atom_clause_begin_;
    if (begin.size() != f.atom_count_ + 1 || begin.front() != 0 ||
        size_t(begin.back()) != f.atom_clause_ids_.size())
      bad();
    for (size_t a = 0; a + 1 < begin.size(); ++a)
      if (begin[a] > begin[a + 1]) bad();
    for (int32_t id : f.atom_clause_ids_)
      if (!within(id, 0, size_t(f.clause_count_))) bad();
  }
};

hyperscan::Compiler image_set_compiler = nullptr;

namespace {

// The rules of a pack that its Hyperscan parts search: all but the lexicon rules (a trie finds
// those), in the order the RE2 parts hold them, then the filtered ones.
std::vector<int> hyperscan_rules(const PackData& p) {
  std::vector<int> out;
  for (const auto* list : {&p.parts, &p.gated})
    for (const auto& part : *list) out.insert(out.end(), part.members.begin(), part.members.end());
  for (int k : p.filtered_rules)
    if (!p.in_gated[k]) out.push_back(k);
  return out;
}

// The Hyperscan parts of a book read from an image, for writing again.
std::vector<std::vector<PackData::SetPart>> hyperscan_parts_as_read(
    const std::vector<PackData>& packs) {
  std::vector<std::vector<PackData::SetPart>> out(packs.size());
  for (size_t pi = 0; pi < packs.size(); ++pi)
    for (const auto& part : packs[pi].hs_parts) {
      PackData::SetPart& copy = out[pi].emplace_back();
      copy.members = part.members;
      copy.shadow = part.shadow;
      copy.exact = part.exact;
      copy.max_width = part.max_width;
      if (part.database) copy.owned = part.owned.empty() ? part.serialized : part.owned;
    }
  return out;
}

// A pack's Hyperscan parts (see PackData::hs_parts), compiled: its database (the bytes in
// `owned`), then an RE2 part for the rules it rejects on the sentence and one for those on the
// shadow, where there are such rules. Empty, with `error` set, when no database compiles.
// Hyperscan takes the lexicons' alternations as literals, so the shadow and the Set patterns'
// trimming, which keep RE2's Sets small, are not needed: on 300 BBC articles the rules' own
// patterns were searched in 161 ms, the Set patterns on the shadow in 191 ms (two rules' `(?:\S+
// )*` phrase references 37 of them). And a database of the rules' own patterns says exactly
// which rules match: no prefilter, and a filtered rule runs only where it matches (three in
// four of its runs found nothing).
std::vector<PackData::SetPart> compile_hyperscan_parts(const PackData& p,
                                                       const std::vector<Rule>& rules,
                                                       std::string* error) {
  PackData::SetPart database;
  std::vector<std::string> patterns;
  std::vector<const Rule*> of;
  for (int k : hyperscan_rules(p)) {
    of.push_back(&rules[p.set_rules[k]]);
    database.members.push_back(k);
    patterns.push_back(hyperscan::pattern_for(of.back()->expanded));
  }
  if (patterns.empty()) return {};
  std::vector<char> kept, own(patterns.size(), 1);  // the rule's own pattern, not its Set's
  std::vector<hyperscan::Widths> widths;
  database.owned = image_set_compiler(patterns, &kept, &widths, error);
  // A rule too large for Hyperscan (four deal rules, of many lexicons) goes in with its Set
  // pattern when that one searches the sentence: trimmed, it may match more, never less, but
  // its matches may end elsewhere than the rule's.
  bool again = false;
  for (size_t i = 0; i < kept.size(); ++i)
    if (!kept[i] && !of[i]->set_on_shadow && !of[i]->set_pattern.empty()) {
      patterns[i] = hyperscan::pattern_for(of[i]->set_pattern);
      own[i] = 0;
      again = true;
    }
  if (again) database.owned = image_set_compiler(patterns, &kept, &widths, error);
  if (database.owned.empty()) return {};
  std::vector<PackData::SetPart> out(3);  // the database, the rejected on sentence and shadow
  out[1].shadow = false;
  out[2].shadow = true;
  for (size_t i = 0; i < kept.size(); ++i) {
    out[kept[i] ? 0 : 1 + of[i]->set_on_shadow].members.push_back(database.members[i]);
    if (!kept[i]) continue;
    // An own pattern none of whose matches is empty fires only where its rule's RE2 finds a
    // match (the RE2 loop steps over empty ones).
    database.exact.push_back(own[i] ? (widths[i].min > 0 ? kFires : kOwn) : kTrimmed);
    database.max_width.push_back(widths[i].max);
  }
  database.members = std::move(out[0].members);
  out[0] = std::move(database);
  std::erase_if(out, [](const PackData::SetPart& part) { return part.members.empty(); });
  return out;
}

// Each pack's Hyperscan parts when the build tool set a compiler (else those the book was read
// with, if any). Compiling takes seconds, so the packs are shared out among the cores.
std::vector<std::vector<PackData::SetPart>> hyperscan_parts(const std::vector<PackData>& packs,
                                                            const std::vector<Rule>& rules) {
  if (!image_set_compiler) return hyperscan_parts_as_read(packs);
  std::vector<std::vector<PackData::SetPart>> out(packs.size());
  std::vector<std::string> errors(packs.size());
  on_all_cores(
      packs.size(), [&](size_t i) { return packs[i].set_rules.size(); },
      [&](size_t i) { out[i] = compile_hyperscan_parts(packs[i], rules, &errors[i]); });
  for (size_t i = 0; i < packs.size(); ++i)
    if (out[i].empty() && !hyperscan_rules(packs[i]).empty())
      throw Error("save_image: Hyperscan cannot compile the rules of pack " + packs[i].name + ": " +
                  errors[i]);
  return out;
}

}  // namespace

std::string RuleBook::save_image() const {
  const Impl& m = *impl_;
  Writer w;
  w.raw(kMagic.data(), kMagic.size());
  w.i32(m.layer);
  write_all(w, m.dropped, [&](const auto& kv) {
    w.str(kv.first);
    w.str(kv.second);
  });
  write_all(w, m.rules, [&](const Rule& r) { write_rule(w, r); });
  // Each pack's Set plan first: the reader starts compiling the Sets before it reads the rest.
  auto write_part = [&](const PackData::SetPart& part) {
    write_pod_vector(w, part.members);
    w.u8(part.shadow);
  };
  std::vector<std::vector<PackData::SetPart>> hs_parts = hyperscan_parts(m.packs, m.rules);
  w.u32(static_cast<uint32_t>(m.packs.size()));
  for (size_t pi = 0; pi < m.packs.size(); ++pi) {
    const PackData& p = m.packs[pi];
    if (!p.rules_pending && p.rules.size() != p.set_rules.size())
      throw Error("save_image: pack " + p.name + " did not compile cleanly");
    write_all(w, p.set_rules, [&](size_t i) { w.u32(static_cast<uint32_t>(i)); });
    write_all(w, p.parts, write_part);
    write_pod_vector(w, p.filtered_rules);
    write_all(w, p.gated, write_part);
    write_all(w, hs_parts[pi], [&](const PackData::SetPart& part) {
      write_part(part);
      write_pod_vector(w, part.exact);
      write_pod_vector(w, part.max_width);
      w.u32(static_cast<uint32_t>(part.owned.size()));  // 0 for an RE2 part
      w.align(hyperscan::kAlign);                       // read in place (hyperscan::Database::load)
      w.raw(part.owned.data(), part.owned.size());
    });
  }
  for (const PackData& p : m.packs) {
    w.str(p.name);
    w.str(p.file);
    w.i32(p.layer);
    write_all(w, p.defines, [&](const auto& kv) {
      w.str(kv.first);
      w.str(kv.second.pattern);
      w.loc(kv.second.loc);
      w.u8(kv.second.quoted);
      w.str(kv.second.pack);
    });
    // The lexicons as one block of known size: the reader skips it and decodes it on another
    // thread while the Sets compile.
    w.u32(static_cast<uint32_t>(p.lexicons.size()));
    size_t block = w.size();
    w.u64(0);
    for (const Lexicon& l : p.lexicons) BookImage::write_lexicon(w, l);
    w.patch_u64(block, w.size() - block - sizeof(uint64_t));
    w.json(p.model);
    write_pod_vector(w, p.lexicon_rules);
    for (int k : p.lexicon_rules) {
      if (!p.matchers[k]) throw Error("save_image: lexicon rule without a trie in " + p.name);
      BookImage::write_matcher(w, *p.matchers[k]);
    }
    // The prefilter as one block of known size: the reader decodes it on first use.
    size_t filter_at = w.size();
    w.u64(0);
    BookImage::write_filter(w, p.filter.get());
    w.patch_u64(filter_at, w.size() - filter_at - sizeof(uint64_t));
  }
  BookImage::write_shadow(w, m.shadow);
  // Which pack's lexicon each name resolves to (a later layer's replaces an earlier one's).
  write_all(w, m.lexicons, [&](const auto& kv) {
    w.str(kv.first);
    w.i32(m.lexicon_layer.at(kv.first));
    for (size_t pi = 0; pi < m.packs.size(); ++pi)
      for (size_t li = 0; li < m.packs[pi].lexicons.size(); ++li)
        if (&m.packs[pi].lexicons[li] == kv.second) {
          w.u32(static_cast<uint32_t>(pi));
          w.u32(static_cast<uint32_t>(li));
        }
  });
  return w.take();
}

namespace {

// Whether the pack's Hyperscan parts, if any, search each of its hyperscan_rules() exactly once
// (and no other rule): a database on the sentence, knowing each member's exactness and width,
// an RE2 part on the text of its rules' Set patterns.
bool hyperscan_plan_matches(const PackData& p, const std::vector<Rule>& rules) {
  if (p.hs_parts.empty()) return true;
  const size_t n = p.set_rules.size();
  std::vector<char> wanted(n, 0), searched(n, 0);
  for (int k : hyperscan_rules(p)) wanted[k] = 1;
  for (const auto& part : p.hs_parts) {
    if (part.database && part.shadow) return false;
    size_t known = part.database ? part.members.size() : 0;  // exact, max_width: a database's
    if (part.exact.size() != known || part.max_width.size() != known) return false;
    if (std::any_of(part.exact.begin(), part.exact.end(), [](char e) { return e > kFires; }))
      return false;
    for (int k : part.members) {
      if (k < 0 || size_t(k) >= n || searched[k]) return false;
      if (!part.database && part.shadow != rules[p.set_rules[k]].set_on_shadow) return false;
      searched[k] = 1;
    }
  }
  return wanted == searched;
}

// The embedded image is read once at start-up; afterwards only the lexicon tables and Hyperscan
// databases read in place and the entries of lexicons not yet used are, and a rule's patterns
// when its RE2 or Set first compiles, a prefilter when a sentence first needs it. Its other pages
// are handed back: they are pages of the executable, read again from the file should anything
// touch them (the patterns and prefilters, once each), and about 3.5 MB of RSS otherwise.
void release_unread_pages(std::string_view image, const std::vector<PackData>& packs) {
  std::vector<std::pair<uintptr_t, uintptr_t>> keep;
  for (const auto& p : packs) {
    for (const auto& l : p.lexicons) BookImage::in_place_ranges(l, &keep);
    for (const auto& part : p.hs_parts)  // the Hyperscan databases are searched in place
      if (part.database && part.owned.empty()) {
        auto from = reinterpret_cast<uintptr_t>(part.serialized.data());
        keep.emplace_back(from, from + part.serialized.size());
      }
  }
  std::sort(keep.begin(), keep.end());
  auto begin = reinterpret_cast<uintptr_t>(image.data());
  keep.emplace_back(begin + image.size(), begin + image.size());
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t at = begin;
  for (const auto& [from, to] : keep) {
    uintptr_t first = (at + page - 1) / page * page, last = from / page * page;
    if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
    at = std::max(at, to);
  }
}

}  // namespace

void RuleBook::Impl::fill_source_rules() {
  for (auto& p : packs) {
    if (!p.rules_pending) continue;
    p.rules.clear();
    for (size_t i : p.set_rules) p.rules.push_back(source_rule(rules[i]));
    p.rules_pending = false;
  }
}

bool RuleBook::load_image(std::string_view bytes, std::vector<RuleError>* errors,
                          bool bytes_outlive_book) {
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    errors->push_back({{"compiled rule book", 0, 0}, "not a rule book image of this claimx"});
    return false;
  }
  auto fresh = std::make_unique<Impl>();
  Impl& m = *fresh;
  struct Block {
    PackData* pack;
    size_t begin, end;
  };
  std::vector<Block> blocks;  // each pack's lexicons
  try {
    Reader r(bytes, kMagic.size());
    m.layer = r.i32();
    for (uint32_t n = r.count(8); n > 0; --n) {
      std::string key = r.str();
      m.dropped[key] = r.str();
    }
    uint32_t rule_count = r.count(16);
    m.rules.reserve(rule_count);  // each read into place, not into a default-made rule
    for (uint32_t n = rule_count; n > 0; --n) m.rules.push_back(read_rule(r, bytes_outlive_book));
    m.packs.resize(r.count(16));
    auto damaged = [](const std::string& what) {
      throw Error("the compiled rule book is damaged (" + what + ")");
    };
    for (auto& p : m.packs) {
      p.set_rules.resize(r.count(4));
      for (auto& i : p.set_rules)
        if ((i = r.u32()) >= m.rules.size()) damaged("rule index");
      auto read_parts = [&](std::vector<PackData::SetPart>* parts) {
        parts->resize(r.count(4));
        for (auto& part : *parts) {
          read_pod_vector(r, &part.members);
          part.shadow = r.u8() != 0;
          part.set = std::make_unique<re2::RE2::Set>(rule_options(false), re2::RE2::UNANCHORED);
        }
      };
      read_parts(&p.parts);
      read_pod_vector(r, &p.filtered_rules);
      read_parts(&p.gated);
      p.hs_parts.resize(r.count(9));
      for (auto& part : p.hs_parts) {
        read_pod_vector(r, &part.members);
        part.shadow = r.u8() != 0;
        read_pod_vector(r, &part.exact);
        read_pod_vector(r, &part.max_width);
        uint32_t size = r.u32();
        r.align(hyperscan::kAlign);
        part.serialized = {r.take(size), size};
        if (part.serialized.empty()) {  // rules Hyperscan rejected, in an RE2 Set
          part.set = std::make_unique<re2::RE2::Set>(rule_options(false), re2::RE2::UNANCHORED);
          continue;
        }
        if (!bytes_outlive_book) part.owned = part.serialized;
        part.database = std::make_unique<hyperscan::Database>();
      }
      // Every pack-local index must name one of the pack's rules.
      std::vector<const std::vector<int>*> lists{&p.filtered_rules};
      for (const auto& part : p.parts) lists.push_back(&part.members);
      for (const auto& part : p.gated) lists.push_back(&part.members);
      for (const auto* list : lists)
        for (int k : *list)
          if (k < 0 || static_cast<size_t>(k) >= p.set_rules.size()) damaged("Set plan");
      if (!p.index_gated()) damaged("Set plan");
      if (!hyperscan_plan_matches(p, m.rules)) damaged("Hyperscan plan");
    }
    // The Sets compile while the rest is read, and go on compiling after this returns: a
    // document waits only for the Sets it searches (PackData::SetPart::ready).
    m.compile_in_background();
    for (auto& p : m.packs) {
      p.name = r.str();
      p.file = r.str();
      p.layer = r.i32();
      for (uint32_t n = r.count(16); n > 0; --n) {
        std::string name = r.str();
        Define& d = p.defines[name];
        d.pattern = r.str();
        d.loc = r.loc();
        d.quoted = r.u8() != 0;
        d.pack = r.str();
      }
      p.lexicons.resize(r.count(16));
      uint64_t block = r.u64();
      if (block > bytes.size()) damaged("lexicons");
      blocks.push_back({&p, r.at(), r.at() + block});
      r.take(block);
      p.model = r.json();
      p.rules_pending = true;  // fill_source_rules()
      read_pod_vector(r, &p.lexicon_rules);
      p.matchers.assign(p.set_rules.size(), nullptr);
      for (int k : p.lexicon_rules) {
        if (k < 0 || static_cast<size_t>(k) >= p.set_rules.size() || p.matchers[k])
          damaged("pack " + p.name);
        p.matchers[k] = BookImage::read_matcher(r);
      }
      uint64_t filter_size = r.u64();
      std::string_view filter_block(r.take(filter_size), filter_size);  // bounds-checked
      auto read_filter = [filter_block, rules = p.set_rules.size()] {
        Reader fr(filter_block, 0);
        prefilter::Filter f;
        BookImage::read_filter(fr, &f);
        if (!fr.done()) throw Error("the compiled rule book is damaged (prefilter)");
        BookImage::check_filter(f, rules);
        return f;
      };
      p.filter = bytes_outlive_book ? PackFilter(read_filter) : PackFilter(read_filter());
    }
    BookImage::read_shadow(r, &m.shadow);
    for (uint32_t n = r.count(12); n > 0; --n) {
      std::string name = r.str();
      m.lexicon_layer[name] = r.i32();
      uint32_t pi = r.u32(), li = r.u32();
      if (pi >= m.packs.size() || li >= m.packs[pi].lexicons.size())
        throw Error("the compiled rule book is damaged (lexicon index)");
      m.lexicons[name] = &m.packs[pi].lexicons[li];
    }
    if (!r.done()) throw Error("the compiled rule book is damaged (trailing bytes)");
  } catch (const Error& e) {
    errors->push_back({{"compiled rule book", 0, 0}, e.what()});
    return false;
  }
  // The lexicons' tables are read on another thread while this one finishes.
  std::string lexicon_error;
  std::thread lexicons([&] {
    try {
      for (const Block& b : blocks) {
        Reader r(bytes.substr(0, b.end), b.begin);
        for (auto& l : b.pack->lexicons) l = BookImage::read_lexicon(r, bytes_outlive_book);
        if (!r.done()) throw Error("the compiled rule book is damaged (lexicons)");
      }
    } catch (const Error& e) {
      lexicon_error = e.what();
    }
  });
  lexicons.join();
  if (!lexicon_error.empty()) {
    errors->push_back({{"compiled rule book", 0, 0}, lexicon_error});
    return false;
  }
  m.finish();
  if (bytes_outlive_book && bytes.data() == embedded_book_image().data())
    release_unread_pages(bytes, m.packs);
  impl_ = std::move(fresh);
  return true;
}

}  // namespace claimx
