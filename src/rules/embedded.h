// Declares the generated embedded_pack_sources() (see tools/embed.cc) and embedded_book_image()
// (see tools/pack_image.cc).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "claimx/rules.h"

namespace claimx {

// The embedded packs compiled at build time (RuleBook::save_image), or empty in the build tool
// that writes it (src/rules/no_image.cc): then the packs are read from their sources.
std::string_view embedded_book_image();

}  // namespace claimx
