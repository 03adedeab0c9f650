// Zones: which paragraphs are the headline, the body, or page furniture (boilerplate).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "claimx/extract.h"
#include "claimx/rules.h"

namespace claimx {

struct Zoning {
  std::vector<std::string> zone;  // per paragraph: headline, byline, dateline, body, boilerplate
  std::vector<Boilerplate> boilerplate;
  std::optional<size_t> headline;  // paragraph index
  // The dateline opening the first body paragraph ("OTTAWA (Reuters) -"): its paragraph and
  // span; the rest of that paragraph is body.
  std::optional<size_t> dateline;
  TextRange dateline_span;
};

// Uses the `zones` pack: its rules mark whole lines as furniture, share bars, bylines or
// related-list labels, or open the first body paragraph (dateline), and its `model` holds the
// thresholds of the related-links heuristic.
Zoning find_zones(std::string_view text, const std::vector<TextRange>& paragraphs,
                  const RuleBook& book);

}  // namespace claimx
