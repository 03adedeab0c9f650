#include "claimx/reader.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "claimx/html.h"
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
  std::string what;
  if (looks_binary(*bytes, &what)) {
    *error = "binary file (" + what + "), not processed";
    return std::nullopt;
  }
  return make_document(path, path, std::move(*bytes));
}

Document html_document(std::string bytes, const std::string& content_type,
                       const std::string& source) {
  std::string charset = html_charset(bytes, content_type);
  bytes = to_utf8(std::move(bytes), charset);
  HtmlArticle a = extract_html(bytes);
  Document doc = make_document(source, source, std::move(a.text));
  doc.title = a.title;
  doc.date = a.date;
  doc.url = a.url;
  return doc;
}

std::optional<Document> jsonl_record(const std::string& line, const std::string& source,
                                     const JsonlFields& fields, std::string* error) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) {
    *error = "not valid JSON";
    return std::nullopt;
  }
  if (!j.is_object()) {
    *error = "not a JSON object";
    return std::nullopt;
  }
  auto text = j.find(fields.text);
  if (text == j.end() || !text->is_string()) {
    *error = "no string field \"" + fields.text + "\" (set --text-field)";
    return std::nullopt;
  }
  std::string id = source;
  if (auto it = j.find(fields.id); it != j.end()) {
    if (it->is_string())
      id = it->get<std::string>();
    else if (it->is_number_integer())
      id = std::to_string(it->get<long long>());
  }
  Document doc = make_document(id, source, text->get<std::string>());
  if (auto it = j.find(fields.title); it != j.end() && it->is_string())
    doc.title = it->get<std::string>();
  if (auto it = j.find(fields.date); it != j.end() && it->is_string()) {
    std::string d = it->get<std::string>().substr(0, 10);
    if (parse_iso_date_public(d)) doc.date = d;
  }
  for (const char* key : {"url", "link"})
    if (auto it = j.find(key); !doc.url && it != j.end() && it->is_string())
      doc.url = it->get<std::string>();
  return doc;
}

bool read_jsonl(const std::string& path, const JsonlFields& fields,
                const std::function<void(Document)>& on_document,
                const std::function<void(const std::string&, const std::string&)>& on_error,
                std::string* error) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    *error = std::strerror(errno);
    return false;
  }
  std::string name = path == "-" ? "<stdin>" : path;
  char* raw = nullptr;
  size_t capacity = 0;
  size_t number = 0;
  ssize_t n;
  while ((n = ::getline(&raw, &capacity, f)) >= 0) {  // any length, NUL bytes included
    ++number;
    std::string line(raw, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string source = name + ":" + std::to_string(number);
    std::string why;
    if (auto doc = jsonl_record(line, source, fields, &why))
      on_document(std::move(*doc));
    else
      on_error(source, why);
  }
  std::free(raw);
  bool failed = std::ferror(f);
  int err = errno;
  if (f != stdin) std::fclose(f);
  if (failed) {
    *error = err == EISDIR ? "is a directory" : std::strerror(err);
    return false;
  }
  return true;
}

}  // namespace claimx
