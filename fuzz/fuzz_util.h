// Helpers shared by the libFuzzer targets: invariants every output must keep, and a file in
// memory for the readers that take a path.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "claimx/ingest.h"

namespace claimx_fuzz {

// A failed invariant is a finding: print it and abort so libFuzzer keeps the input.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
  std::abort();
}

// Written apart from the library's UTF-8 code on purpose: the oracle must not share its bugs.
inline bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// The code points of s (valid UTF-8), for slicing by code point offsets.
inline std::u32string codepoints(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

// Every object with integer start/end and a string text, at any depth, must have that text at
// [start, end) in code points of the document text.
inline void check_spans(const nlohmann::json& node, const std::u32string& text) {
  if (node.is_object()) {
    auto s = node.find("start"), e = node.find("end"), t = node.find("text");
    if (s != node.end() && e != node.end() && t != node.end() && s->is_number_integer() &&
        e->is_number_integer() && t->is_string()) {
      int64_t a = *s, b = *e;
      if (a < 0 || a > b || static_cast<size_t>(b) > text.size())
        fail("span out of range: " + node.dump());
      if (codepoints(t->get<std::string>()) != text.substr(a, b - a))
        fail("span text differs from the document: " + node.dump());
    }
    for (const auto& [key, value] : node.items())
      if (key != "document") check_spans(value, text);
  } else if (node.is_array()) {
    for (const auto& value : node) check_spans(value, text);
  }
}

// An anonymous in-memory file, rewritten for each input: the readers that take a path read it
// through /proc/self/fd (no disk I/O, nothing left behind).
class MemFile {
 public:
  MemFile() : fd_(memfd_create("claimx-fuzz", 0)) {
    if (fd_ < 0) fail("memfd_create failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  const std::string& write(const uint8_t* data, size_t size) {
    if (ftruncate(fd_, 0) != 0) fail("ftruncate failed");
    size_t done = 0;
    while (done < size) {
      ssize_t n = pwrite(fd_, data + done, size - done, done);
      if (n <= 0) fail("pwrite failed");
      done += n;
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

// Reads the input as one file of the given --input-format through the batch reader, as the CLI
// does, and hands every item to check(path, item); a failure must carry a reason.
template <typename Check>
void ingest_as(const uint8_t* data, size_t size, const char* format, Check check) {
  static MemFile file;
  const std::string& path = file.write(data, size);
  claimx::IngestOptions options;
  options.format = format;
  claimx::ingest({path}, options, [&](claimx::Item item) {
    if (!item.doc && item.error.empty()) fail("failure without a reason");
    check(path, item);
    return true;
  });
}

}  // namespace claimx_fuzz
