#include "rules/hyperscan.h"

#ifdef CLAIMX_HYPERSCAN
#include <hs/hs_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#endif

namespace claimx::hyperscan {

std::string pattern_for(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {  // an escaped character
      out += p.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      out += c;
      continue;
    }
    if (c == '[') {  // `[]...]` and `[^]...]` hold a literal ]
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      out += p.substr(i, j - i);
      i = j - 1;
      in_class = true;
      continue;
    }
    size_t name = p.compare(i, 4, "(?P<") == 0 ? 4 : p.compare(i, 3, "(?<") == 0 ? 3 : 0;
    if (name && i + name < p.size() && p[i + name] != '=' && p[i + name] != '!') {
      size_t close = p.find('>', i + name);
      if (close != std::string_view::npos) {
        out += "(?:";
        i = close;
        continue;
      }
    }
    out += c;
  }
  return out;
}

#ifdef CLAIMX_HYPERSCAN

struct Database::Impl {
  const hs_database_t* db = nullptr;
  uint64_t serial = 0;                // which database, for the threads' scratch: never reused
  hs_scratch_t* prototype = nullptr;  // what each thread's scratch for it is cloned from
  // A clone made when the database loads (on a background thread, at start-up): the first
  // thread to scan takes it rather than allocate and clear its own while a document waits.
  std::atomic<hs_scratch_t*> spare{nullptr};
  void* copy = nullptr;  // when the database could not be read in place
  void free() {
    hs_free_scratch(spare.exchange(nullptr));
    hs_free_scratch(prototype);
    prototype = nullptr;
    std::free(copy);
    copy = nullptr;
    db = nullptr;
  }
  ~Impl() { free(); }
};

bool available() {
  // The runtime picks an implementation for the CPU when it loads (SSSE3 at least); on a CPU
  // it cannot run on, every call fails with HS_ARCH_ERROR. (hs_valid_platform is not in the
  // runtime library.)
  return hs_free_scratch(nullptr) == HS_SUCCESS;
}

Database::Database() : impl_(std::make_unique<Impl>()) {}
Database::~Database() = default;

bool Database::load(std::string_view bytes, bool bytes_outlive) {
  impl_->free();
  const void* at = bytes.data();
  if (!bytes_outlive || reinterpret_cast<uintptr_t>(at) % kAlign != 0) {
    impl_->copy = std::aligned_alloc(kAlign, (bytes.size() + kAlign - 1) / kAlign * kAlign);
    if (!impl_->copy) return false;
    at = std::memcpy(impl_->copy, bytes.data(), bytes.size());
  }
  // hs_database_size checks the header; allocating a scratch for the database checks all of
  // it (version, platform, checksum).
  auto db = static_cast<const hs_database_t*>(at);
  size_t size = 0;
  if (hs_database_size(db, &size) != HS_SUCCESS || size != bytes.size() ||
      hs_alloc_scratch(db, &impl_->prototype) != HS_SUCCESS) {
    impl_->free();
    return false;
  }
  hs_scratch_t* spare = nullptr;
  if (hs_clone_scratch(impl_->prototype, &spare) == HS_SUCCESS) impl_->spare = spare;
  static std::atomic<uint64_t> serials{0};
  impl_->db = db;
  impl_->serial = ++serials;
  return true;
}

namespace {

// Each thread's scratch spaces, one a database, cloned from the database's own. A scratch must
// have been allocated for the database it serves (a scan checks only some of its sizes, and
// crashed on one grown for other databases), and allocating one checks the database's
// checksum, 19 M instructions for the embedded packs': done once, when the database loads.
struct Scratches {
  std::vector<std::pair<uint64_t, hs_scratch_t*>> spaces;  // by Impl::serial
  ~Scratches() {
    for (auto& s : spaces) hs_free_scratch(s.second);
  }
  hs_scratch_t* get(uint64_t serial, const hs_scratch_t* prototype,
                    std::atomic<hs_scratch_t*>* spare) {
    for (auto& s : spaces)
      if (s.first == serial) return s.second;
    if (spaces.size() >= 64) {  // books come and go in a long-lived process
      hs_free_scratch(spaces.front().second);
      spaces.erase(spaces.begin());
    }
    hs_scratch_t* space = spare->exchange(nullptr);
    if (!space && hs_clone_scratch(prototype, &space) != HS_SUCCESS) return nullptr;
    spaces.emplace_back(serial, space);
    return space;
  }
};

// Collects each pattern's first and last match end: `slot` maps an id to its place in `hits`.
struct Collect {
  std::vector<Hit>* hits;
  std::vector<int>* slot;
};

int on_match(unsigned id, unsigned long long, unsigned long long to, unsigned, void* context) {
  auto& c = *static_cast<Collect*>(context);
  if (id >= c.slot->size()) c.slot->resize(id + 1, -1);
  int& at = (*c.slot)[id];
  if (at < 0) {
    at = static_cast<int>(c.hits->size());
    c.hits->push_back({static_cast<int>(id), to, to});
  } else {  // ends come in no promised order
    Hit& h = (*c.hits)[at];
    h.first_end = std::min<size_t>(h.first_end, to);
    h.last_end = std::max<size_t>(h.last_end, to);
  }
  return 0;  // go on: the last end is wanted too
}

}  // namespace

bool Database::match(std::string_view text, std::vector<Hit>* hits) const {
  static thread_local Scratches scratches;
  static thread_local std::vector<int> slot;  // id -> index into hits; -1 between searches
  hits->clear();
  hs_scratch_t* space =
      impl_->db ? scratches.get(impl_->serial, impl_->prototype, &impl_->spare) : nullptr;
  Collect collect{hits, &slot};
  bool ok = space && hs_scan(impl_->db, text.data(), static_cast<unsigned>(text.size()), 0, space,
                             on_match, &collect) == HS_SUCCESS;
  for (const Hit& h : *hits) slot[h.id] = -1;
  return ok;
}

#else  // built without Hyperscan: no database loads, and the RE2 Sets are searched

struct Database::Impl {};

bool available() {
  return false;
}

Database::Database() = default;
Database::~Database() = default;

bool Database::load(std::string_view, bool) {
  return false;
}

bool Database::match(std::string_view, std::vector<Hit>* hits) const {
  hits->clear();
  return false;
}

#endif

}  // namespace claimx::hyperscan
