// Set parts as Hyperscan databases (issue #25, docs/ARCHITECTURE.md "Hyperscan parts").
//
// RE2 compiles a Set each time claimx starts, and that was two thirds of the instructions of a
// one-line run. Hyperscan compiles its databases once, when claimx is built, into bytes that
// the image carries: claimx only copies them into place. A database says which of its patterns
// match somewhere in a text, all in one pass, as a Set does; the fired rules' own RE2s then
// find the matches, so what a database reports only decides which rules run.
//
// The build tool compiles (hyperscan_compile.cc, which links the whole of Hyperscan); claimx
// links its runtime only. Without Hyperscan (CLAIMX_HYPERSCAN unset) nothing here loads and the
// RE2 Sets are searched, as for packs compiled at run time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace claimx::hyperscan {

// Whether claimx was built with Hyperscan and this CPU runs it.
bool available();

// How a database lies in memory is position-independent but for its alignment: the image
// holds each one as it lies at an address that is a multiple of kAlign, at such an offset, and
// claimx searches it where it lies when the image is so aligned (the embedded one is), without
// copying or allocating 9 MB.
constexpr size_t kAlign = 64;

// A pattern that matched in a text, and the smallest and the largest end offset of its
// matches: every match of it ends inside [first_end, last_end].
struct Hit {
  int id = 0;
  size_t first_end = 0, last_end = 0;
};

// A pattern's max_width when its matches may be of any length.
constexpr uint32_t kUnbounded = UINT32_MAX;

// The fewest and the most bytes a match of a pattern spans.
struct Widths {
  uint32_t min = 0, max = kUnbounded;
  bool operator==(const Widths&) const = default;
};

// A database the build tool wrote.
class Database {
 public:
  Database();
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Reads the database in `bytes` in place when they outlive it and are kAlign-aligned, else
  // from a copy; false when they are not a database this claimx and this CPU can run (checked
  // in full: version, platform and checksum).
  bool load(std::string_view bytes, bool bytes_outlive);
  // The patterns that match somewhere in `text`, each once, in no set order; false when the
  // search failed (then nothing is known). `text` must be valid UTF-8.
  bool match(std::string_view text, std::vector<Hit>* hits) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The Hyperscan pattern for a Set pattern: named groups become plain ones, since Hyperscan
// rejects a name used twice (a rule names `year` in each of its alternatives) and reports no
// groups anyway.
std::string pattern_for(std::string_view set_pattern);

// Compiles patterns into a database, as it lies in memory at a kAlign-aligned address; a
// pattern Hyperscan rejects ("Pattern is too large") is left out: `kept[i]` says which went
// in, and a pattern's id is its index among those kept. `widths[i]`: the fewest and most bytes a
// match of pattern i spans ({0, kUnbounded} when it was left out). Empty with `error`
// set when nothing could be compiled. (Hyperscan's prefilter mode takes such a pattern, but
// matches so much more that its rule ran, and its big RE2 was compiled, on a one-line input
// that it never matches.) Defined in hyperscan_compile.cc, which only the build tool links:
// claimx reads databases, it never compiles them.
using Compiler = std::string (*)(const std::vector<std::string>& patterns, std::vector<char>* kept,
                                 std::vector<Widths>* widths, std::string* error);
std::string compile(const std::vector<std::string>& patterns, std::vector<char>* kept,
                    std::vector<Widths>* widths, std::string* error);

}  // namespace claimx::hyperscan
