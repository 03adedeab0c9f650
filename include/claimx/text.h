// UTF-8 helpers: repair, and conversion of byte offsets to code points or UTF-16 units.
//
// Internally every offset is a byte offset into valid UTF-8. Output offsets are code points by
// default; OffsetMap converts in O(1) amortised per offset with a small checkpoint table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace claimx {

// Replaces each maximal invalid subsequence with U+FFFD (as the Unicode standard recommends);
// *replaced counts the replacements. Valid input is returned unchanged.
std::string repair_utf8(std::string_view in, size_t* replaced);

// Offset of the first byte that is not part of valid UTF-8, or npos when all of it is valid.
size_t first_invalid_utf8(std::string_view in);

// True when the bytes are a binary file, not text with stray bytes: a known magic number
// (images, PDF, executables, office and media files, databases), or a first 8 KiB that, NUL
// bytes set aside, is mostly (over 40%) control bytes and invalid UTF-8. NUL bytes alone (a
// zero-filled block of a truncated download) are no sign. *why gets what it is.
bool looks_binary(std::string_view bytes, std::string* why);

// Replaces each NUL and C0 control byte but tab, line feed, carriage return, form feed,
// vertical tab and escape with U+FFFD in valid UTF-8 text; returns how many.
size_t replace_control_bytes(std::string* text);

// FNV-1a, 64 bits: a small, fixed, well-known hash (claim keys, the HTML report's element ids),
// easy to recompute in any language. Fed piece by piece, it hashes the pieces' concatenation
// without writing it.
struct Fnv1a64 {
  uint64_t h = 14695981039346656037ull;  // the FNV-1a 64 offset basis
  void add(std::string_view s) {
    for (unsigned char ch : s) {
      h ^= ch;
      h *= 1099511628211ull;
    }
  }
};

inline uint64_t fnv1a64(std::string_view s) {
  Fnv1a64 f;
  f.add(s);
  return f.h;
}

// The hash of the tables claimx builds for itself (lexicons, shadow words, word weights): eight
// bytes a step, where FNV-1a takes one (a lexicon look-up hashes every candidate word). Only
// claimx reads it, so it may change with the image format; nothing outside depends on it.
inline uint64_t table_hash(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  // The last 0-7 bytes in two loads, which may overlap (the length is in h already).
  const char* p = s.data() + i;
  const size_t r = s.size() - i;
  uint64_t tail = 0;
  if (r >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + r - 4, 4);
    tail = (uint64_t{a} << 32) | b;
  } else if (r > 0) {
    auto byte = [&](size_t k) { return uint64_t{static_cast<unsigned char>(p[k])}; };
    tail = (byte(0) << 16) | (byte(r >> 1) << 8) | byte(r - 1);
  }
  h = (h ^ tail) * 0x94D049BB133111EBull;
  return h ^ (h >> 29);
}

// The code point whose UTF-8 starts at s[i] (the text is valid UTF-8; a sequence cut by the end
// of s keeps the bits it has); *length gets its byte length.
uint32_t decode_utf8(std::string_view s, size_t i, size_t* length = nullptr);

// Appends the UTF-8 bytes of code point cp.
void append_utf8(uint32_t cp, std::string* out);

// Whether c is an ASCII letter (one compare: words are scanned a byte at a time).
inline bool ascii_letter(uint32_t c) {
  return ((c | 0x20) - 'a') < 26u;
}

enum class OffsetUnit { kCodepoints, kBytes, kUtf16 };

class OffsetMap {
 public:
  OffsetMap(std::string_view text, OffsetUnit unit);
  size_t convert(size_t byte_offset) const;  // byte offset on a code point boundary
  OffsetUnit unit() const { return unit_; }

 private:
  // Every item's start and end is converted: a checkpoint every 32 bytes keeps each to a few
  // bytes' count (at 256, counting was 1.6% of a batch), for a table a quarter the text's size.
  static constexpr size_t kStep = 32;
  std::string_view text_;
  OffsetUnit unit_;
  std::vector<uint64_t> checkpoints_;  // units before byte i * kStep
  size_t units_of(size_t from, size_t to) const;
};

}  // namespace claimx
