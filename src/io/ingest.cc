#include "claimx/ingest.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "claimx/html.h"
#include "claimx/text.h"

namespace claimx {
namespace {

namespace fs = std::filesystem;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A whole string of digits in base 10 or 16 that fits a size_t (no sign, no overflow).
bool parse_size(std::string_view s, int base, size_t* out) {
  if (s.empty() || s[0] == '+' || s[0] == '-') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// The name without a compression suffix: "a.jsonl.gz" -> "a.jsonl".
std::string strip_compression(std::string name) {
  for (const char* ext : {".gz", ".bz2", ".xz", ".zst", ".zstd", ".lzma", ".tgz"}) {
    if (ends_with(lower(name), ext)) {
      name.resize(name.size() - std::strlen(ext));
      if (std::strcmp(ext, ".tgz") == 0) name += ".tar";
      break;
    }
  }
  return name;
}

// Buffered reading over one libarchive entry (a member, or the whole decompressed file). No
// read holds more than `limit` bytes: past it read_all fails and getline skips the line.
class Stream {
 public:
  Stream(struct archive* a, size_t limit) : a_(a), limit_(limit) {}

  // Makes at least n bytes available unless the stream ends first; false on a read error.
  bool fill(size_t n) {
    while (buf_.size() - pos_ < n && !eof_) {
      if (pos_ > 0 && pos_ >= buf_.size() / 2) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      char chunk[1 << 16];
      la_ssize_t got = archive_read_data(a_, chunk, sizeof chunk);
      if (got < 0) {
        const char* e = archive_error_string(a_);
        error_ = e ? e : "read error";
        eof_ = true;
        return false;
      }
      if (got == 0) eof_ = true;
      buf_.append(chunk, static_cast<size_t>(got));
    }
    return true;
  }
  std::string_view peek(size_t n) {
    fill(n);
    return std::string_view(buf_).substr(pos_, n);
  }
  // A line without its '\n'; false at the end (or on error: see error()). A line longer than
  // the limit is skipped and comes back empty with line_too_long() set.
  bool getline(std::string* line) {
    line->clear();
    too_long_ = false;
    for (;;) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        too_long_ = too_long_ || nl - pos_ > limit_;
        if (!too_long_) line->assign(buf_, pos_, nl - pos_);
        offset_ += nl + 1 - pos_;
        pos_ = nl + 1;
        return true;
      }
      if (eof_) break;
      size_t before = buf_.size() - pos_;
      if (before > limit_) {  // drop what is buffered and look for the end of the line
        too_long_ = true;
        offset_ += before;
        pos_ = buf_.size();
        before = 0;
      }
      if (!fill(before + (1 << 16)) && !error_.empty()) return false;
    }
    if (too_long_) return true;
    if (pos_ >= buf_.size()) return false;
    line->assign(buf_, pos_, std::string::npos);
    offset_ += buf_.size() - pos_;
    pos_ = buf_.size();
    return true;
  }
  bool read(size_t n, std::string* out) {
    fill(n);
    size_t take = std::min(n, buf_.size() - pos_);
    out->assign(buf_, pos_, take);
    pos_ += take;
    offset_ += take;
    return take == n;
  }
  // Skips n bytes; false when the stream ends first.
  bool skip(size_t n) {
    while (n > 0 && fill(1) && pos_ < buf_.size()) {
      size_t take = std::min(n, buf_.size() - pos_);
      pos_ += take;
      offset_ += take;
      n -= take;
    }
    return n == 0;
  }
  bool read_all(std::string* out) {
    while (!eof_ && buf_.size() - pos_ <= limit_) fill(buf_.size() - pos_ + (1 << 20));
    if (buf_.size() - pos_ > limit_) {
      error_ = too_large(limit_);
      return false;
    }
    out->assign(buf_, pos_, std::string::npos);
    offset_ += buf_.size() - pos_;
    buf_.clear();
    pos_ = 0;
    return error_.empty();
  }
  const std::string& error() const { return error_; }
  size_t offset() const { return offset_; }
  bool line_too_long() const { return too_long_; }

  static std::string too_large(size_t limit) {
    return "larger than --max-doc-bytes (" + std::to_string(limit) + " bytes), skipped";
  }

 private:
  struct archive* a_;
  size_t limit_;
  bool too_long_ = false;
  std::string buf_;
  size_t pos_ = 0;
  size_t offset_ = 0;
  bool eof_ = false;
  std::string error_;
};

class Ingest {
 public:
  Ingest(const IngestOptions& opt, const std::function<bool(Item)>& sink)
      : opt_(opt), sink_(sink) {}

  void input(const std::string& path) {
    if (stopped()) return;
    if (path == "-") {
      file(path, "-", true);
      return;
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      fail(path, std::strerror(errno));
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      if (!opt_.recursive) {
        fail(path, "is a directory (use -r to read it)");
        return;
      }
      std::set<std::pair<dev_t, ino_t>> seen;
      walk(path, st, &seen);
      return;
    }
    file(path, path, false);
  }

 private:
  const IngestOptions& opt_;
  const std::function<bool(Item)>& sink_;
  bool stopped_ = false;
  std::set<std::pair<dev_t, ino_t>> ancestors_;

  bool stopped() const {
    return stopped_ || (opt_.stop && opt_.stop->load(std::memory_order_relaxed));
  }
  void emit(Item item) {
    if (stopped()) return;
    if (!sink_(std::move(item))) stopped_ = true;
  }
  void fail(const std::string& source, const std::string& why) {
    Item item;
    item.source = source;
    item.error = why;
    emit(std::move(item));
  }
  void document(Document doc, size_t bytes) {
    Item item;
    item.source = doc.source;
    item.bytes = bytes;
    item.doc = std::move(doc);
    emit(std::move(item));
  }

  // Sorted walk; hidden names skipped; a directory seen before (symlink loop) is not re-entered.
  void walk(const std::string& dir, const struct stat& st,
            std::set<std::pair<dev_t, ino_t>>* seen) {
    std::pair<dev_t, ino_t> key{st.st_dev, st.st_ino};
    if (ancestors_.count(key)) {
      fail(dir, "symlink loop (a directory containing it), skipped");
      return;
    }
    if (!seen->insert(key).second) return;  // reached twice through a symlink: read once
    ancestors_.insert(key);
    walk_entries(dir, seen);
    ancestors_.erase(key);
  }

  void walk_entries(const std::string& dir, std::set<std::pair<dev_t, ino_t>>* seen) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      names.push_back(it->path().filename().string());
    if (ec) {
      fail(dir, ec.message());
      return;
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (stopped()) return;
      if (name.empty() || name[0] == '.') continue;
      std::string path = dir;
      if (!ends_with(path, "/")) path += '/';
      path += name;
      struct stat cs;
      if (::stat(path.c_str(), &cs) != 0) {
        fail(path, std::strerror(errno));
        continue;
      }
      if (S_ISDIR(cs.st_mode))
        walk(path, cs, seen);
      else if (S_ISREG(cs.st_mode))
        file(path, path, false);
    }
  }

  // A file (or stdin): decompressed by libarchive; tar and zip give their members.
  // A reader of every compression and of tar and zip archives; without `archives`, for input
  // that opens with a zero-filled block, which tar would read as an empty archive (a truncated
  // download is text after its NUL bytes).
  static struct archive* new_reader(bool archives = true) {
    struct archive* a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_filter_zstd(a);
    if (archives) {
      archive_read_support_format_tar(a);
      archive_read_support_format_zip(a);
    }
    archive_read_support_format_empty(a);
    archive_read_support_format_raw(a);
    return a;
  }

  // A regular file whose first block is zeros (FIFOs and devices are not opened twice).
  static bool file_opens_with_zeros(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;  // libarchive names the error
    bool zeros = zero_block(first_block(fd));
    ::close(fd);
    return zeros;
  }

  // A member that is itself compressed or an archive (gzip, bzip2, xz, zstd, zip, tar magic).
  static bool packed(std::string_view head) {
    auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
    return starts("\x1f\x8b") || starts("BZh") ||
           starts(std::string_view("\xfd"
                                   "7zXZ\0",
                                   6)) ||
           starts("\x28\xb5\x2f\xfd") || starts("PK\x03\x04") ||
           (head.size() > 262 && head.substr(257, 5) == "ustar");
  }

  // Standard input read through libarchive after a look at its first block (kept and served
  // first), so that the reader can be chosen by it.
  struct PeekedFd {
    int fd;
    std::string head;
    bool head_served = false;
    std::vector<char> buffer = std::vector<char>(1 << 16);
  };
  static la_ssize_t read_peeked(struct archive* a, void* data, const void** out) {
    auto* p = static_cast<PeekedFd*>(data);
    if (!p->head_served) {
      p->head_served = true;
      if (!p->head.empty()) {
        *out = p->head.data();
        return static_cast<la_ssize_t>(p->head.size());
      }
    }
    ssize_t n;
    do {
      n = ::read(p->fd, p->buffer.data(), p->buffer.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      archive_set_error(a, errno, "%s", std::strerror(errno));
      return -1;
    }
    *out = p->buffer.data();
    return n;
  }

  // The first block of input: up to 512 bytes.
  static std::string first_block(int fd) {
    std::string head(512, '\0');
    size_t got = 0;
    while (got < head.size()) {
      ssize_t n = ::read(fd, head.data() + got, head.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    head.resize(got);
    return head;
  }

  static bool zero_block(const std::string& head) {
    return head.size() == 512 && head.find_first_not_of('\0') == std::string::npos;
  }

  // A file (or stdin): decompressed by libarchive; tar and zip give their members.
  void file(const std::string& path, const std::string& source, bool is_stdin) {
    PeekedFd in{STDIN_FILENO, is_stdin ? first_block(STDIN_FILENO) : ""};
    bool zeros = is_stdin ? zero_block(in.head) : file_opens_with_zeros(path);
    struct archive* a = new_reader(!zeros);
    int r = is_stdin ? archive_read_open(a, &in, nullptr, read_peeked, nullptr)
                     : archive_read_open_filename(a, path.c_str(), 1 << 16);
    if (r != ARCHIVE_OK) {
      const char* e = archive_error_string(a);
      std::string why = e ? e : "cannot open";
      if (archive_errno(a) == EISDIR) why = "is a directory";
      fail(source, why);
    } else {
      entries(a, is_stdin ? "" : fs::path(path).filename().string(), source, is_stdin, 0);
    }
    archive_read_free(a);
  }

  void entries(struct archive* a, const std::string& name, const std::string& source, bool is_stdin,
               int depth) {
    bool any = false;
    int r = ARCHIVE_OK;
    struct archive_entry* entry;
    for (;;) {
      if (stopped()) break;
      r = archive_read_next_header(a, &entry);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) {
        const char* e = archive_error_string(a);
        fail(source, e ? e : "unreadable archive");
        break;
      }
      int fmt = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
      if (fmt == ARCHIVE_FORMAT_RAW) {
        any = true;
        Stream s(a, opt_.max_doc_bytes);
        content(s, strip_compression(name), source, is_stdin);
        continue;
      }
      if (archive_entry_filetype(entry) != AE_IFREG) continue;
      const char* p = archive_entry_pathname(entry);
      std::string member = p ? p : "";
      std::string base = fs::path(member).filename().string();
      if (base.empty() || base[0] == '.') continue;
      any = true;
      Stream s(a, opt_.max_doc_bytes);
      std::string where = source + "!" + member;
      if (depth < 3 && packed(s.peek(512))) {  // nested: held in memory, then unpacked
        std::string bytes;
        if (!s.read_all(&bytes)) {
          fail(where, s.error());
          continue;
        }
        struct archive* inner = new_reader();
        if (archive_read_open_memory(inner, bytes.data(), bytes.size()) != ARCHIVE_OK) {
          const char* e = archive_error_string(inner);
          fail(where, e ? e : "unreadable archive");
        } else {
          entries(inner, base, where, false, depth + 1);
        }
        archive_read_free(inner);
        continue;
      }
      content(s, strip_compression(member), where, false);
    }
    if (!any && !stopped() && r == ARCHIVE_EOF) {
      if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_EMPTY) {
        // An empty text is one empty document; an empty JSONL or WARC file holds no records.
        std::string format = format_by_name(name);
        if (format != "jsonl" && format != "warc") document(make_document(source, source, ""), 0);
      } else {
        // An archive with no readable member: say so rather than print nothing and succeed.
        fail(source, "no documents (an archive without members)");
      }
    }
  }

  // The format --input-format or the name gives ("" when only the content can tell).
  std::string format_by_name(const std::string& name) const {
    if (opt_.format != "auto") return opt_.format;
    std::string n = lower(name);
    if (ends_with(n, ".jsonl") || ends_with(n, ".ndjson")) return "jsonl";
    if (ends_with(n, ".warc")) return "warc";
    if (ends_with(n, ".html") || ends_with(n, ".htm") || ends_with(n, ".xhtml") ||
        ends_with(n, ".shtml"))
      return "html";
    if (ends_with(n, ".txt") || ends_with(n, ".text")) return "text";
    return "";
  }

  std::string sniff(Stream& s, const std::string& name) {
    if (std::string f = format_by_name(name); !f.empty()) return f;
    std::string head(s.peek(8192));
    if (head.rfind("WARC/1.", 0) == 0) return "warc";
    size_t b = head.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
    b = head.find_first_not_of(" \t\r\n", b);
    if (b == std::string::npos) return "text";
    if (head[b] == '<') {
      std::string l = lower(head);
      if (l.find("<html") != std::string::npos || l.find("<!doctype html") != std::string::npos ||
          l.find("<body") != std::string::npos || l.find("<head") != std::string::npos)
        return "html";
    }
    if (head[b] == '{') {
      size_t nl = head.find('\n', b);
      if (nl != std::string::npos &&
          nlohmann::json::accept(std::string_view(head).substr(b, nl - b)))
        return "jsonl";
    }
    return "text";
  }

  void content(Stream& s, const std::string& name, const std::string& source, bool is_stdin) {
    std::string format = sniff(s, name);
    if (format == "jsonl")
      jsonl(s, is_stdin ? "<stdin>" : source);
    else if (format == "warc")
      warc(s, is_stdin ? "<stdin>" : source);
    else
      whole(s, source, format == "html");
  }

  void whole(Stream& s, const std::string& source, bool html) {
    std::string bytes;
    if (!s.read_all(&bytes)) {
      fail(source, s.error());
      return;
    }
    std::string what;
    if (looks_binary(bytes, &what)) {
      fail(source, "binary file (" + what + "), not processed");
      return;
    }
    size_t size = bytes.size();
    if (!html) {
      document(make_document(source, source, std::move(bytes)), size);
      return;
    }
    document(html_document(std::move(bytes), "", source), size);
  }

  void jsonl(Stream& s, const std::string& name) {
    std::string line;
    size_t number = 0;
    while (!stopped() && s.getline(&line)) {
      ++number;
      std::string source = name + ":" + std::to_string(number);
      if (s.line_too_long()) {
        fail(source, Stream::too_large(opt_.max_doc_bytes));
        continue;
      }
      while (!line.empty() && (line.back() == '\r')) line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      std::string why;
      if (auto doc = jsonl_record(line, source, opt_.fields, &why))
        document(std::move(*doc), line.size() + 1);
      else
        fail(source, why);
    }
    if (!s.error().empty()) fail(name, s.error());
  }

  // Decompresses a gzip body in memory (libarchive's gzip filter over its raw format).
  bool gunzip(std::string* body, std::string* error) const {
    struct archive* a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_raw(a);
    struct archive_entry* entry;
    std::string out;
    bool ok = archive_read_open_memory(a, body->data(), body->size()) == ARCHIVE_OK &&
              archive_read_next_header(a, &entry) == ARCHIVE_OK;
    if (ok) {
      Stream s(a, opt_.max_doc_bytes);
      ok = s.read_all(&out);
      if (!ok) *error = s.error();
    } else {
      const char* e = archive_error_string(a);
      *error = e ? e : "not gzip";
    }
    archive_read_free(a);
    if (ok) *body = std::move(out);
    return ok;
  }

  static std::string dechunk(const std::string& body) {
    std::string out;
    size_t p = 0;
    while (p < body.size()) {
      size_t nl = body.find('\n', p);
      if (nl == std::string::npos) return body;
      std::string hex = trim(body.substr(p, nl - p));
      hex = hex.substr(0, hex.find(';'));
      if (hex.empty() || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        return body;  // not chunked after all
      size_t n = 0;
      if (!parse_size(hex, 16, &n)) return body;
      if (n == 0) return out;
      p = nl + 1;
      if (n > body.size() - p) return body;
      out.append(body, p, n);
      p += n;
      if (body.compare(p, 2, "\r\n") == 0)
        p += 2;
      else if (p < body.size() && body[p] == '\n')
        ++p;
    }
    return out;
  }

  // WARC/1.0 and 1.1: one document per response record holding an HTTP 200 HTML page.
  void warc(Stream& s, const std::string& name) {
    std::string line;
    while (!stopped()) {
      size_t start = s.offset();
      bool got = false;
      while (s.getline(&line)) {
        if (!trim(line).empty()) {
          got = true;
          break;
        }
        start = s.offset();
      }
      if (!got) break;
      std::string source = name + "@" + std::to_string(start);
      if (trim(line).rfind("WARC/", 0) != 0) {
        fail(source, "not a WARC record header");
        return;
      }
      std::map<std::string, std::string> h;
      while (s.getline(&line)) {
        std::string t = trim(line);
        if (t.empty()) break;
        size_t colon = t.find(':');
        if (colon != std::string::npos)
          h[lower(trim(t.substr(0, colon)))] = trim(t.substr(colon + 1));
      }
      auto it = h.find("content-length");
      size_t length = 0;
      if (it == h.end() || !parse_size(it->second, 10, &length)) {
        fail(source, "WARC record without a valid Content-Length");
        return;
      }
      if (length > opt_.max_doc_bytes) {  // skipped, never held in memory
        if (!s.skip(length)) {
          fail(source, s.error().empty() ? "truncated WARC record" : s.error());
          return;
        }
        if (lower(h["warc-type"]) == "response")
          fail(source, Stream::too_large(opt_.max_doc_bytes));
        continue;
      }
      std::string block;
      if (!s.read(length, &block)) {
        fail(source, s.error().empty() ? "truncated WARC record" : s.error());
        return;
      }
      if (lower(h["warc-type"]) != "response") continue;
      response(block, h, source);
    }
    if (!s.error().empty()) fail(name, s.error());
  }

  void response(const std::string& block, std::map<std::string, std::string>& h,
                const std::string& source) {
    if (block.rfind("HTTP/", 0) != 0) return;  // not an HTTP response (dns:, ...)
    size_t end = block.find("\r\n\r\n");
    size_t body_at = end == std::string::npos ? std::string::npos : end + 4;
    if (end == std::string::npos) {
      end = block.find("\n\n");
      body_at = end == std::string::npos ? block.size() : end + 2;
    }
    std::string head = block.substr(0, std::min(end, block.size()));
    size_t sp = head.find(' ');
    if (sp == std::string::npos || head.compare(sp + 1, 3, "200") != 0) return;
    std::string content_type, transfer, encoding;
    size_t p = head.find('\n');
    while (p != std::string::npos && p < head.size()) {
      size_t nl = head.find('\n', p + 1);
      std::string l = head.substr(p + 1, nl == std::string::npos ? std::string::npos : nl - p - 1);
      size_t colon = l.find(':');
      if (colon != std::string::npos) {
        std::string k = lower(trim(l.substr(0, colon))), v = trim(l.substr(colon + 1));
        if (k == "content-type") content_type = v;
        if (k == "transfer-encoding") transfer = lower(v);
        if (k == "content-encoding") encoding = lower(v);
      }
      p = nl;
    }
    std::string ct = lower(content_type);
    if (ct.find("html") == std::string::npos) return;
    std::string body = block.substr(std::min(body_at, block.size()));
    if (transfer.find("chunked") != std::string::npos) body = dechunk(body);
    if (encoding == "gzip" || encoding == "x-gzip") {
      std::string why;
      if (!gunzip(&body, &why)) {
        fail(source, "HTTP Content-Encoding gzip: " + why);
        return;
      }
    } else if (!encoding.empty() && encoding != "identity") {
      fail(source, "HTTP Content-Encoding " + encoding + " not supported");
      return;
    }
    Document doc = html_document(std::move(body), content_type, source);
    std::string uri = h["warc-target-uri"];
    if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>')
      uri = uri.substr(1, uri.size() - 2);
    if (!uri.empty()) doc.url = uri;
    std::string date = h["warc-date"];
    if (date.size() >= 10 && parse_iso_date_public(date.substr(0, 10)))
      doc.date = date.substr(0, 10);
    document(std::move(doc), block.size());
  }
};

}  // namespace

void ingest(const std::vector<std::string>& inputs, const IngestOptions& options,
            const std::function<bool(Item)>& sink) {
  Ingest in(options, sink);
  for (const auto& path : inputs) in.input(path);
}

}  // namespace claimx
