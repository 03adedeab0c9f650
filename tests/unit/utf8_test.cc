#include <gtest/gtest.h>

#include "claimx/extract.h"
#include "claimx/text.h"

namespace claimx {
namespace {

struct RepairCase {
  std::string in, out;
  size_t replaced;
};

TEST(Utf8, RepairsEachMaximalInvalidSubpart) {
  const std::string R = "\xEF\xBF\xBD";
  const std::vector<RepairCase> cases = {
      {"plain ascii", "plain ascii", 0},
      {"caf\xC3\xA9", "caf\xC3\xA9", 0},  // valid 2-byte
      {"a\xFF"
       "b",
       "a" + R + "b", 1},  // invalid byte
      {"a\xC0\xAF"
       "b",
       "a" + R + R + "b", 2},  // overlong: both bytes invalid
      {"a\xED\xA0\x80"
       "b",
       "a" + R + R + R + "b", 3},  // surrogate
      {"a\xE2\x82", "a" + R, 1},   // truncated 3-byte sequence at the end
      {"a\xE2\x82"
       "b",
       "a" + R + "b", 1},                           // truncated in the middle
      {"\xF4\x90\x80\x80", R + R + R + R, 4},       // above U+10FFFF
      {"\xF0\x9F\xA5\x90", "\xF0\x9F\xA5\x90", 0},  // emoji
  };
  for (const auto& c : cases) {
    size_t replaced = 99;
    EXPECT_EQ(repair_utf8(c.in, &replaced), c.out) << c.in;
    EXPECT_EQ(replaced, c.replaced) << c.in;
  }
}

TEST(Utf8, FirstInvalidByte) {
  const size_t none = std::string_view::npos;
  EXPECT_EQ(first_invalid_utf8(""), none);
  EXPECT_EQ(first_invalid_utf8("caf\xC3\xA9 \xF0\x9F\xA5\x90"), none);
  EXPECT_EQ(first_invalid_utf8("ab\xC0\xAF"), 2u);        // overlong
  EXPECT_EQ(first_invalid_utf8("a\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(first_invalid_utf8("abc\xE2\x82"), 3u);       // truncated at the end
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
}

TEST(Utf8, MakeDocumentReportsRepairs) {
  Document d = make_document("x", "-", "Price \xFF rose");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].code, "invalid-utf8");
  EXPECT_EQ(d.warnings[0].count, 1u);
  EXPECT_EQ(d.text, "Price \xEF\xBF\xBD rose");
}

// Binary files are refused by what they are; text with stray bytes is text.
TEST(Utf8, BinaryDetection) {
  std::string why;
  EXPECT_FALSE(looks_binary(std::string("abc\0def", 7), &why));  // a stray NUL
  EXPECT_FALSE(looks_binary(std::string(1000, '\0') + "It cost $5 million.", &why));
  EXPECT_FALSE(looks_binary(std::string(20000, '\0'), &why));  // zero-filled
  EXPECT_FALSE(looks_binary("A normal line.\nAnother one.\r\n", &why));
  std::string text(4000, 'a');
  for (size_t i = 0; i < text.size(); i += 97) text[i] = static_cast<char>(i % 31 + 1);
  EXPECT_FALSE(looks_binary(text, &why));  // a few random control bytes
  EXPECT_TRUE(looks_binary(std::string(100, '\x01'), &why));
  EXPECT_EQ(why, "mostly control bytes and invalid UTF-8 in its first 8 KiB");
  EXPECT_TRUE(looks_binary(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), &why));
  EXPECT_EQ(why, "PNG image");
  EXPECT_TRUE(looks_binary("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", &why));
  EXPECT_TRUE(looks_binary(std::string("\0\0\0\x18"
                                       "ftypmp42",
                                       12),
                           &why));
  std::string noise;
  for (int i = 0; i < 4096; ++i) noise.push_back(static_cast<char>((i * 7919 + 13) % 256));
  EXPECT_TRUE(looks_binary(noise, &why));  // compressed or random bytes
}

// Stray NUL and control bytes become U+FFFD, counted; offsets stay exact (1 code point each).
TEST(Utf8, ControlBytesAreReplacedAndCounted) {
  Document d = make_document("t", "-", std::string("Up\0 5%\x01 today\ttoo", 17));
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].code, "control-bytes");
  EXPECT_EQ(d.warnings[0].count, 2u);
  EXPECT_EQ(d.text, "Up\xEF\xBF\xBD 5%\xEF\xBF\xBD today\ttoo");
}

TEST(Utf8, OffsetMapCountsCodepointsAndUtf16Units) {
  // "é" is 2 bytes / 1 code point / 1 unit; "🥐" is 4 bytes / 1 code point / 2 units.
  std::string text =
      "a\xC3\xA9"
      "b\xF0\x9F\xA5\x90"
      "c";
  OffsetMap cp(text, OffsetUnit::kCodepoints), u16(text, OffsetUnit::kUtf16),
      by(text, OffsetUnit::kBytes);
  EXPECT_EQ(cp.convert(0), 0u);
  EXPECT_EQ(cp.convert(3), 2u);  // after "é"
  EXPECT_EQ(cp.convert(8), 4u);  // after "🥐"
  EXPECT_EQ(u16.convert(8), 5u);
  EXPECT_EQ(by.convert(8), 8u);
  EXPECT_EQ(cp.convert(text.size()), 5u);
}

TEST(Utf8, OffsetMapAcrossCheckpoints) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "\xC3\xA9x";  // 3 bytes, 2 code points each
  OffsetMap cp(text, OffsetUnit::kCodepoints);
  for (size_t i = 0; i <= 1000; i += 37) EXPECT_EQ(cp.convert(i * 3), i * 2);
}

}  // namespace
}  // namespace claimx
