// The one exception type the library throws. Library code never aborts or exits: it returns
// errors (RuleBook::compile) or throws claimx::Error, and each front end (the CLI, a binding, a
// service) catches it at its boundary. extract_batch() turns a document that fails into a
// failure in its place (Result::error) and keeps the others.
#pragma once

#include <stdexcept>
#include <string>

namespace claimx {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace claimx
