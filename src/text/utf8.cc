#include <algorithm>
#include <cstdint>
#include <cstring>

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
    // Eight ASCII bytes at a time: news text is mostly ASCII, and every sentence is checked
    // once per pack before Hyperscan reads it.
    if (i + 8 <= in.size()) {
      uint64_t word;
      std::memcpy(&word, in.data() + i, 8);
      if ((word & 0x8080808080808080u) == 0) {
        i += 8;
        continue;
      }
    }
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

namespace {

struct Magic {
  size_t at;
  std::string_view bytes;
  const char* what;
};

// File formats that are never articles, by their leading bytes (compressed streams and tar or
// zip archives are not here: ingestion opens those).
using namespace std::string_view_literals;

constexpr Magic kMagic[] = {
    {0, "\x89PNG\r\n\x1a\n"sv, "PNG image"},
    {0, "\xff\xd8\xff"sv, "JPEG image"},
    {0, "GIF87a"sv, "GIF image"},
    {0, "GIF89a"sv, "GIF image"},
    {0, "II*\0"sv, "TIFF image"},
    {0, "MM\0*"sv, "TIFF image"},
    {0, "8BPS"sv, "Photoshop image"},
    {0, "\0\0\1\0"sv, "icon"},
    {0, "%PDF-"sv, "PDF document"},
    {0,
     "\x7f"
     "ELF"sv,
     "ELF executable"},
    {0, "MZ\x90\0"sv, "Windows executable"},
    {0, "\xca\xfe\xba\xbe"sv, "Java class or Mach-O binary"},
    {0, "\xcf\xfa\xed\xfe"sv, "Mach-O binary"},
    {0, "\xce\xfa\xed\xfe"sv, "Mach-O binary"},
    {0, "\0asm"sv, "WebAssembly module"},
    {0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"sv, "Office (OLE2) document"},
    {0, "SQLite format 3\0"sv, "SQLite database"},
    {0, "ID3"sv, "MP3 audio"},
    {0, "OggS"sv, "Ogg media"},
    {0, "fLaC"sv, "FLAC audio"},
    {0, "RIFF"sv, "RIFF media (WAV, AVI, WebP)"},
    {0, "\x1a\x45\xdf\xa3"sv, "Matroska or WebM video"},
    {4, "ftyp"sv, "MP4 or QuickTime media"},
    {0, "wOFF"sv, "WOFF font"},
    {0, "wOF2"sv, "WOFF2 font"},
    {0, "7z\xbc\xaf\x27\x1c"sv, "7-Zip archive"},
    {0, "Rar!\x1a\x07"sv, "RAR archive"},
};

bool is_control(unsigned char c) {
  return c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1B;
}

}  // namespace

bool looks_binary(std::string_view bytes, std::string* why) {
  for (const Magic& m : kMagic)
    if (bytes.size() >= m.at + m.bytes.size() && bytes.substr(m.at, m.bytes.size()) == m.bytes) {
      *why = m.what;
      return true;
    }
  // NUL bytes set aside, how much of the head is control bytes or invalid UTF-8?
  std::string head;
  for (char c : bytes.substr(0, 8192))
    if (c != '\0') head.push_back(c);
  if (head.size() < 32) return false;
  size_t bad = 0;
  for (char c : head) bad += is_control(static_cast<unsigned char>(c));
  size_t replaced = 0;
  repair_utf8(head, &replaced);
  bad += replaced;
  // Random or compressed bytes score about 50%; text in a legacy 8-bit encoding 5-15%; the
  // hostile test's text of overlong sequences 33%.
  if (bad * 10 > head.size() * 4) {
    *why = "mostly control bytes and invalid UTF-8 in its first 8 KiB";
    return true;
  }
  return false;
}

size_t replace_control_bytes(std::string* text) {
  size_t n = 0;
  for (char c : *text) n += is_control(static_cast<unsigned char>(c));
  if (n == 0) return 0;
  std::string out;
  out.reserve(text->size() + 2 * n);
  for (char c : *text) {
    if (is_control(static_cast<unsigned char>(c)))
      out += "\xEF\xBF\xBD";
    else
      out.push_back(c);
  }
  *text = std::move(out);
  return n;
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
  if (size_t controls = replace_control_bytes(&doc.text))
    doc.warnings.push_back({"control-bytes",
                            "NUL or control bytes replaced with U+FFFD; offsets refer to the "
                            "repaired text",
                            controls});
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

uint32_t decode_utf8(std::string_view s, size_t i, size_t* length) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  if (i + n > s.size()) n = s.size() - i;
  uint32_t cp = n == 1 ? b : b & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  if (length) *length = n;
  return cp;
}

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace claimx
