#include "claimx/reader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "claimx/text.h"

namespace claimx {

std::optional<std::string> read_bytes(const std::string& path, std::string* error) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    *error = std::strerror(errno);
    return std::nullopt;
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool failed = std::ferror(f);
  int err = errno;
  if (f != stdin) std::fclose(f);
  if (failed) {
    *error = err == EISDIR ? "is a directory" : std::strerror(err);
    return std::nullopt;
  }
  return out;
}

std::optional<Document> read_document(const std::string& path, std::string* error) {
  auto bytes = read_bytes(path, error);
  if (!bytes) return std::nullopt;
  size_t where = 0;
  if (looks_binary(*bytes, &where)) {
    *error = "binary file (NUL or control bytes near offset " + std::to_string(where) +
             "), not processed";
    return std::nullopt;
  }
  return make_document(path, path, std::move(*bytes));
}

}  // namespace claimx
