// The build tool that compiles the embedded packs (tools/pack_image.cc) has no image yet: its
// default_rulebook() reads the packs' sources.
#include "rules/embedded.h"

namespace claimx {

std::string_view embedded_book_image() {
  return {};
}

}  // namespace claimx
