// The prefilter's one promise: a text RE2 matches is never held back. The input's first line is
// a pattern (skipped when RE2 rejects it), the rest the text; the text is also tried with its
// case changed, where folding ((?i), KELVIN SIGN, LONG S) is easiest to get wrong.
#include <re2/re2.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "rules/prefilter.h"

namespace {

void check(const std::string& pattern, const RE2& re, const claimx::prefilter::Filter& f,
           const std::string& text) {
  if (!RE2::PartialMatch(text, re)) return;
  std::vector<char> pass;
  f.passing(text, &pass);
  if (!pass.at(0)) claimx_fuzz::fail("prefilter holds back a match of /" + pattern + "/");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  if (nl == std::string::npos || nl > 512) return 0;
  std::string pattern = in.substr(0, nl), text = in.substr(nl + 1);
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(8 << 20);
  RE2 re(pattern, o);
  if (!re.ok()) return 0;
  claimx::prefilter::Filter f({claimx::prefilter::analyze(pattern)});
  check(pattern, re, f, text);
  std::string upper = text, lower = text;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  check(pattern, re, f, upper);
  check(pattern, re, f, lower);
  return 0;
}
