// The build tool's half of rules/hyperscan.h: compiling Set patterns into database bytes.
#include <hs/hs.h>

#include <cstdlib>
#include <numeric>

#include "rules/hyperscan.h"

namespace claimx::hyperscan {

namespace {

// Any x86-64 CPU that Hyperscan runs on reads the bytes: claimx may run on another machine
// than the one that built it. Tuning for the build machine was no faster on the BBC corpus.
hs_platform_info_t generic_platform() {
  hs_platform_info_t p{};
  p.tune = HS_TUNE_FAMILY_GENERIC;
  p.cpu_features = 0;
  return p;
}

// The database as it lies at a kAlign-aligned address: serialized, then read back there.
std::string aligned_copy(const hs_database_t* db) {
  char* bytes = nullptr;
  size_t length = 0, size = 0;
  std::string out;
  if (hs_serialize_database(db, &bytes, &length) == HS_SUCCESS &&
      hs_serialized_database_size(bytes, length, &size) == HS_SUCCESS) {
    void* at = std::aligned_alloc(kAlign, (size + kAlign - 1) / kAlign * kAlign);
    if (at &&
        hs_deserialize_database_at(bytes, length, static_cast<hs_database_t*>(at)) == HS_SUCCESS)
      out.assign(static_cast<const char*>(at), size);
    std::free(at);
  }
  std::free(bytes);
  return out;
}

// The fewest and most bytes a match of the pattern spans (the most kUnbounded when unbounded).
Widths widths_of(const std::string& pattern, unsigned flags) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(pattern.c_str(), flags, &info, &err) != HS_SUCCESS) {
    hs_free_compile_error(err);
    return {};
  }
  Widths w{info->min_width, info->max_width};  // max_width is UINT_MAX when unbounded
  std::free(info);
  return w;
}

}  // namespace

std::string compile(const std::vector<std::string>& patterns, std::vector<char>* kept,
                    std::vector<Widths>* widths, std::string* error) {
  // Patterns in UTF-8 like RE2's, and patterns that may match the empty string allowed: they
  // match every text. Every match is reported, not only a pattern's first (HS_FLAG_SINGLEMATCH):
  // the last end bounds the rule's RE2 search, and the databases scanned the BBC corpus in a
  // fifth less time so.
  constexpr unsigned kFlags = HS_FLAG_UTF8 | HS_FLAG_ALLOWEMPTY;
  kept->assign(patterns.size(), 1);
  widths->assign(patterns.size(), Widths{});
  hs_platform_info_t platform = generic_platform();
  for (;;) {
    std::vector<const char*> exprs;
    std::vector<size_t> index;  // expression -> pattern
    for (size_t i = 0; i < patterns.size(); ++i)
      if ((*kept)[i]) {
        exprs.push_back(patterns[i].c_str());
        index.push_back(i);
      }
    std::vector<unsigned> ids(exprs.size());
    std::iota(ids.begin(), ids.end(), 0u);
    if (exprs.empty()) {
      *error = "no pattern compiles";
      return {};
    }
    std::vector<unsigned> flags(exprs.size(), kFlags);
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, &platform, &db,
                         &err) == HS_SUCCESS) {
      std::string out = aligned_copy(db);
      hs_free_database(db);
      for (size_t i : index) (*widths)[i] = widths_of(patterns[i], kFlags);
      if (out.empty()) *error = "cannot serialize the database";
      return out;
    }
    int at = err->expression;
    *error = err->message;
    hs_free_compile_error(err);
    if (at < 0) return {};  // not one pattern's fault: give up on the database
    (*kept)[index[at]] = 0;
  }
}

}  // namespace claimx::hyperscan
