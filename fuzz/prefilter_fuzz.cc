// The prefilter's one promise: a text RE2 matches is never held back. The input's first line is
// a pattern (skipped when RE2 rejects it), the rest the text; the text is also tried with its
// case changed, where folding ((?i), KELVIN SIGN, LONG S) is easiest to get wrong. The pattern's
// Set form (open_repetitions of trim_optional_edges) makes the same promise: it compiles, and
// matches every such text.
#include <re2/re2.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "claimx/rules.h"
#include "fuzz_util.h"
#include "rules/prefilter.h"

namespace {

void check(const std::string& pattern, const RE2& re, const claimx::prefilter::Filter& f,
           const RE2& in_set, const std::string& text) {
  if (!RE2::PartialMatch(text, re)) return;
  std::vector<char> pass;
  f.passing(text, &pass);
  if (!pass.at(0)) claimx_fuzz::fail("prefilter holds back a match of /" + pattern + "/");
  if (!RE2::PartialMatch(text, in_set))
    claimx_fuzz::fail("the Set pattern /" + in_set.pattern() + "/ misses a match of /" + pattern +
                      "/");
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
  RE2 in_set(claimx::open_repetitions(claimx::trim_optional_edges(pattern)), o);
  if (!in_set.ok())
    claimx_fuzz::fail("the Set pattern /" + in_set.pattern() + "/ of /" + pattern +
                      "/ does not compile: " + in_set.error());
  check(pattern, re, f, in_set, text);
  std::string upper = text, lower = text;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  check(pattern, re, f, in_set, upper);
  check(pattern, re, f, in_set, lower);
  return 0;
}
