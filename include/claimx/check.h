// `claimx rules check`: runs every rule's examples and counter-examples through the real
// pipeline (Duckling-style: the pack is its own test suite).
#pragma once

#include <vector>

#include "claimx/rules.h"

namespace claimx {

// One RuleError per failing example, located at the example in its pack file.
std::vector<RuleError> check_examples(const RuleBook& book);

// Patterns that make RE2's DFA large (counted repetitions with a high bound): warnings, since
// they still work but slow every pack scan. Bound lengths in code instead.
std::vector<RuleError> pattern_warnings(const RuleBook& book);

}  // namespace claimx
