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
  uint64_t serial = 0;   // which database, for the threads' scratch spaces: never reused
  void* copy = nullptr;  // when the database could not be read in place
  void free() {
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
  // it (version, platform, checksum), as every later allocation for it does again.
  auto db = static_cast<const hs_database_t*>(at);
  size_t size = 0;
  hs_scratch_t* scratch = nullptr;
  bool ok = hs_database_size(db, &size) == HS_SUCCESS && size == bytes.size() &&
            hs_alloc_scratch(db, &scratch) == HS_SUCCESS;
  hs_free_scratch(scratch);
  if (!ok) {
    impl_->free();
    return false;
  }
  static std::atomic<uint64_t> serials{0};
  impl_->db = db;
  impl_->serial = ++serials;
  return true;
}

namespace {

// Each thread's scratch space, grown to fit every database it searches. A scan checks only
// some of the sizes a database needs (a scratch too small in the others crashed it), so the
// scratch is grown for each database before its first scan (which also checks the database's
// checksum: too slow to do per scan).
struct Scratch {
  hs_scratch_t* space = nullptr;
  std::vector<uint64_t> fitted;  // the databases it was grown for (Impl::serial)
  ~Scratch() { hs_free_scratch(space); }
  bool fit(const hs_database_t* db, uint64_t serial) {
    if (std::find(fitted.begin(), fitted.end(), serial) != fitted.end()) return true;
    if (fitted.size() >= 64) fitted.clear();  // books come and go in a long-lived process
    if (hs_alloc_scratch(db, &space) != HS_SUCCESS) return false;
    fitted.push_back(serial);
    return true;
  }
};

int on_match(unsigned id, unsigned long long, unsigned long long, unsigned, void* ids) {
  static_cast<std::vector<int>*>(ids)->push_back(static_cast<int>(id));
  return 0;  // go on: every pattern reports once (HS_FLAG_SINGLEMATCH)
}

}  // namespace

bool Database::match(std::string_view text, std::vector<int>* ids) const {
  static thread_local Scratch scratch;
  ids->clear();
  if (!impl_->db || !scratch.fit(impl_->db, impl_->serial)) return false;
  return hs_scan(impl_->db, text.data(), static_cast<unsigned>(text.size()), 0, scratch.space,
                 on_match, ids) == HS_SUCCESS;
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

bool Database::match(std::string_view, std::vector<int>* ids) const {
  ids->clear();
  return false;
}

#endif

}  // namespace claimx::hyperscan
