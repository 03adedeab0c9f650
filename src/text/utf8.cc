#include <algorithm>

#include "claimx/extract.h"
#include "claimx/text.h"

namespace claimx {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid; *consumed gets the length of
// the maximal invalid subpart when invalid (at least 1).
size_t valid_sequence(std::string_view s, size_t i, size_t* consumed) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  *consumed = 1;
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return 0;
    unsigned char cc = b(i + k);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (cc < l || cc > h) return 0;
    *consumed = k + 1;
  }
  return len;
}

}  // namespace

size_t first_invalid_utf8(std::string_view in) {
  size_t i = 0, consumed = 0;
  while (i < in.size()) {
    size_t n = valid_sequence(in, i, &consumed);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string repair_utf8(std::string_view in, size_t* replaced) {
  *replaced = 0;
  size_t i = first_invalid_utf8(in), consumed = 0;
  if (i == std::string_view::npos) return std::string(in);
  std::string out(in.substr(0, i));
  out.reserve(in.size() + 16);
  while (i < in.size()) {
    size_t n = valid_sequence(in, i, &consumed);
    if (n > 0) {
      out.append(in, i, n);
      i += n;
    } else {
      out += kReplacement;
      ++*replaced;
      i += consumed;  // the maximal invalid subpart
    }
  }
  return out;
}

bool looks_binary(std::string_view bytes, size_t* where) {
  size_t n = std::min<size_t>(bytes.size(), 8192), controls = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) {
      *where = i;
      return true;
    }
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' && c != 0x1B)
      ++controls;
  }
  if (n >= 32 && controls * 10 > n) {  // over 10% control bytes: not text
    *where = 0;
    return true;
  }
  return false;
}

Document make_document(std::string id, std::string source, std::string bytes) {
  Document doc;
  size_t replaced = 0;
  doc.id = repair_utf8(id, &replaced);  // names from the file system need not be UTF-8
  doc.source = repair_utf8(source, &replaced);
  doc.text = repair_utf8(bytes, &replaced);
  if (replaced > 0)
    doc.warnings.push_back(
        {"invalid-utf8", "invalid UTF-8 replaced with U+FFFD; offsets refer to the repaired text",
         replaced});
  if (doc.text.rfind("\xEF\xBB\xBF", 0) == 0)
    doc.warnings.push_back(
        {"byte-order-mark", "text starts with a byte-order mark (kept as text)", 1});
  return doc;
}

OffsetMap::OffsetMap(std::string_view text, OffsetUnit unit) : text_(text), unit_(unit) {
  if (unit_ == OffsetUnit::kBytes) return;
  checkpoints_.reserve(text.size() / kStep + 2);
  uint64_t units = 0;
  for (size_t i = 0; i <= text.size(); i += kStep) {
    checkpoints_.push_back(units);
    units += units_of(i, std::min(i + kStep, text.size()));
  }
}

size_t OffsetMap::units_of(size_t from, size_t to) const {
  size_t n = 0;
  for (size_t i = from; i < to; ++i) {
    unsigned char c = static_cast<unsigned char>(text_[i]);
    if ((c & 0xC0) != 0x80) ++n;                        // a code point starts here
    if (unit_ == OffsetUnit::kUtf16 && c >= 0xF0) ++n;  // needs a surrogate pair
  }
  return n;
}

size_t OffsetMap::convert(size_t byte_offset) const {
  if (unit_ == OffsetUnit::kBytes) return byte_offset;
  byte_offset = std::min(byte_offset, text_.size());
  size_t k = byte_offset / kStep;
  return checkpoints_[k] + units_of(k * kStep, byte_offset);
}

}  // namespace claimx
