// claimx serve (include/claimx/server.h) on cpp-httplib: routing, limits and the JSON errors.
// Extraction itself is the Extractor's and the Runner's, as in the CLI, so answers are the CLI's
// bytes. cpp-httplib gives each connection a pool thread; a slot semaphore lets `jobs` of them
// extract at once and `queue` more wait, and answers the rest 503 at once.
#include "claimx/server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "claimx/reader.h"
#include "claimx/runner.h"
#include "claimx/text.h"

namespace claimx {

extern const char* const kOpenApiText;  // serve_docs.cc, generated from src/serve/openapi.json
extern const char* const kSchemaText;   // ... and from schema/claimx.schema.json

namespace {

using nlohmann::json;

// A request the client got wrong: answered with its status and {"error", "detail"}.
struct HttpError {
  int status;
  std::string error, detail;
};

void send_error(httplib::Response& res, int status, const std::string& error,
                const std::string& detail) {
  res.status = status;
  res.set_content(json({{"error", error}, {"detail", detail}}).dump() + "\n", "application/json");
}

std::string error_name(int status) {
  switch (status) {
    case 400:
      return "bad-request";
    case 404:
      return "not-found";
    case 405:
      return "method-not-allowed";
    case 408:
      return "request-timeout";
    case 413:
      return "payload-too-large";
    case 415:
      return "unsupported-media-type";
    case 503:
      return "busy";
    default:
      return status >= 500 ? "internal" : "error";
  }
}

// "text/plain; charset=utf-8" -> "text/plain"
std::string media_type(const httplib::Request& req) {
  std::string t = req.get_header_value("Content-Type");
  t = t.substr(0, t.find(';'));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }),
          t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  return t;
}

bool truthy(const std::string& name, const std::string& v) {
  if (v == "true" || v == "1" || v.empty()) return true;
  if (v == "false" || v == "0") return false;
  throw HttpError{400, "bad-request", name + ": expected true or false, got '" + v + "'"};
}

// The per-request options (query parameters, or a JSON body's "options"), over the service's.
struct RequestOptions {
  ExtractOptions extract;
  WriteOptions write;
};

void set_option(RequestOptions* o, const std::string& name, const json& v) {
  auto text = [&]() -> std::string {
    if (v.is_string()) return v.get<std::string>();
    throw HttpError{400, "bad-request", "options." + name + ": expected a string"};
  };
  auto flag = [&]() -> bool {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string()) return truthy(name, v.get<std::string>());
    throw HttpError{400, "bad-request", "options." + name + ": expected true or false"};
  };
  auto number = [&]() -> double {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      size_t used = 0;
      std::string s = v.get<std::string>();
      double d = 0;
      try {
        d = std::stod(s, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == s.size() && used > 0) return d;
    }
    throw HttpError{400, "bad-request", name + ": expected a number"};
  };
  try {
    if (name == "date") {
      o->extract.anchor_date = text();
    } else if (name == "only") {
      std::string kinds;
      if (v.is_array()) {
        for (const auto& k : v) {
          if (!k.is_string()) throw HttpError{400, "bad-request", "options.only: expected names"};
          kinds += (kinds.empty() ? "" : ",") + k.get<std::string>();
        }
      } else {
        kinds = text();
      }
      set_only(kinds, &o->write);
    } else if (name == "offsets") {
      o->write.offsets = parse_offsets(text());
    } else if (name == "min_score") {
      o->extract.min_score = number();
    } else if (name == "top") {
      double n = number();
      if (n < 1 || n != static_cast<double>(static_cast<size_t>(n)))
        throw HttpError{400, "bad-request", "top: expected a whole number from 1"};
      o->extract.top = static_cast<size_t>(n);
    } else if (name == "sentences") {
      o->write.sentences = flag();
    } else if (name == "include_text") {
      o->write.include_text = flag();
    } else if (name == "all_sentences") {
      o->write.all_sentences = o->extract.keep_all_scored = flag();
    } else if (name == "explain") {
      o->write.explain = flag();
    } else {
      throw HttpError{400, "bad-request", "unknown option '" + name + "'"};
    }
    check_options(o->extract);
  } catch (const Error& e) {
    throw HttpError{400, "bad-request", name + ": " + e.what()};
  }
}

}  // namespace

struct Server::Impl {
  Impl(const Extractor& e, ServeOptions o) : ex(e), opt(std::move(o)) {}

  const Extractor& ex;
  ServeOptions opt;
  httplib::Server http;
  // cpp-httplib's stop() does nothing until listen_after_bind() runs: a stop that comes before
  // (SIGTERM right after bind) is remembered here (see Server::stop).
  std::atomic<bool> stop_requested{false}, run_started{false}, run_done{false};
  std::mutex mu;
  std::condition_variable freed;
  unsigned busy = 0;
  size_t waiting = 0;

  // A slot to extract in, for as long as it lives; none (503) when the queue is full.
  class Slot {
   public:
    explicit Slot(Impl& s) : s_(s) {
      std::unique_lock<std::mutex> lock(s_.mu);
      if (s_.busy >= s_.opt.jobs) {
        if (s_.waiting >= s_.opt.queue)
          throw HttpError{503, "busy", "every slot is taken and the queue is full; retry"};
        ++s_.waiting;
        s_.freed.wait(lock, [&] { return s_.busy < s_.opt.jobs; });
        --s_.waiting;
      }
      ++s_.busy;
    }
    ~Slot() {
      std::lock_guard<std::mutex> lock(s_.mu);
      --s_.busy;
      s_.freed.notify_one();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    Impl& s_;
  };

  RequestOptions query_options(const httplib::Request& req, std::string* id,
                               std::optional<std::string>* title) const {
    RequestOptions o{ex.options().extract, ex.options().write};
    for (const auto& [name, value] : req.params) {
      if (name == "id")
        *id = value;
      else if (name == "title")
        *title = value;
      else
        set_option(&o, name, json(value));
    }
    return o;
  }

  std::string one(const Document& doc, const RequestOptions& o) {
    Slot slot(*this);
    return ex.to_json(doc, o.write, o.extract) + "\n";
  }

  void extract(const httplib::Request& req, httplib::Response& res) {
    std::string type = media_type(req);
    std::string id = "-";
    std::optional<std::string> title;
    RequestOptions o = query_options(req, &id, &title);
    if (type == "text/plain" || type == "text/html") {
      std::string what;  // the CLI's rule: stray bytes are text, a binary file is refused
      if (looks_binary(req.body, &what))
        throw HttpError{415, "unsupported-media-type", "the body is a binary file (" + what + ")"};
      Document doc = type == "text/html"
                         ? html_document(req.body, req.get_header_value("Content-Type"), id)
                         : make_document(id, "-", req.body);
      doc.source = "-";
      if (title) doc.title = title;
      res.set_content(one(doc, o), "application/json");
    } else if (type == "application/json") {
      res.set_content(one(json_document(req.body, &o), o), "application/json");
    } else if (type == "application/x-ndjson" || type == "application/jsonl") {
      res.set_content(batch(req.body, o), "application/x-ndjson");
    } else {
      throw HttpError{415, "unsupported-media-type",
                      "Content-Type '" + type +
                          "': send text/plain, text/html, application/json or "
                          "application/x-ndjson"};
    }
  }

  // {"text", "id", "title", "date", "options": {...}}: a JSONL record plus options.
  static Document json_document(const std::string& body, RequestOptions* o) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) throw HttpError{400, "bad-request", "the body is not valid JSON"};
    if (!j.is_object()) throw HttpError{400, "bad-request", "the body is not a JSON object"};
    auto field = [&](const char* name) -> std::optional<std::string> {
      auto it = j.find(name);
      if (it == j.end() || it->is_null()) return std::nullopt;
      if (it->is_string()) return it->get<std::string>();
      if (std::string(name) == "id" && it->is_number_integer())
        return std::to_string(it->get<long long>());
      throw HttpError{400, "bad-request", std::string(name) + ": expected a string"};
    };
    std::optional<std::string> text = field("text");
    if (!text) throw HttpError{400, "bad-request", "text: a string is required"};
    Document doc = make_document(field("id").value_or("-"), "-", std::move(*text));
    doc.title = field("title");
    if (auto d = field("date")) {
      if (!parse_iso_date_public(d->substr(0, 10)))
        throw HttpError{400, "bad-request", "date: expected YYYY-MM-DD, got '" + *d + "'"};
      doc.date = d->substr(0, 10);
    }
    for (const auto& [k, v] : j.items())
      if (k != "text" && k != "id" && k != "title" && k != "date" && k != "options" && k != "url")
        throw HttpError{400, "bad-request", "unknown field '" + k + "'"};
    if (auto it = j.find("url"); it != j.end() && it->is_string()) doc.url = it->get<std::string>();
    if (auto it = j.find("options"); it != j.end()) {
      if (!it->is_object()) throw HttpError{400, "bad-request", "options: expected an object"};
      for (const auto& [k, v] : it->items()) set_option(o, k, v);
    }
    return doc;
  }

  // JSON Lines in, JSON Lines out, in order; a bad record is {"source", "error"} in its place.
  std::string batch(const std::string& body, const RequestOptions& o) {
    Slot slot(*this);
    std::string out;
    const WriteOptions& write = o.write;
    Runner runner(
        ex.book(), o.extract, {1},
        [&](const Document& doc, Result& r) { return to_json(doc, r, write); },
        [&](Outcome& r) {
          out += r.error.empty() ? r.rendered
                                 : json({{"source", r.source}, {"error", r.error}}).dump();
          out += '\n';
          return true;
        });
    std::istringstream lines(body);
    size_t number = 0;
    JsonlFields fields;
    for (std::string line; std::getline(lines, line);) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      Item item;
      item.source = "<body>:" + std::to_string(number);
      item.bytes = line.size();
      std::string why;
      if (auto doc = jsonl_record(line, item.source, fields, &why))
        item.doc = std::move(*doc);
      else
        item.error = why;
      runner.add(std::move(item));
    }
    runner.finish();
    return out;
  }

  void routes() {
    auto guarded = [this](auto handler) {
      return [this, handler](const httplib::Request& req, httplib::Response& res) {
        try {
          (this->*handler)(req, res);
        } catch (const HttpError& e) {
          send_error(res, e.status, e.error, e.detail);
          if (e.status == 503) res.set_header("Retry-After", "1");
        } catch (const std::exception& e) {
          send_error(res, 500, "internal", e.what());
        }
      };
    };
    http.Post("/v1/extract", guarded(&Impl::extract));
    http.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"status\":\"ok\"}\n", "application/json");
    });
    http.Get("/v1/version", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          json({{"name", "claimx"}, {"version", CLAIMX_VERSION}, {"schema", "claimx/1"}}).dump() +
              "\n",
          "application/json");
    });
    http.Get("/v1/rules", [this](const httplib::Request&, httplib::Response& res) {
      json rules = json::array();
      for (const auto& r : ex.book().rules())
        rules.push_back({{"id", r.id},
                         {"kind", r.kind},
                         {"pack", r.pack},
                         {"file", r.loc.file},
                         {"line", r.loc.line}});
      res.set_content(rules.dump() + "\n", "application/json");
    });
    http.Get("/v1/openapi.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kOpenApiText, "application/json");
    });
    http.Get("/v1/schema.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kSchemaText, "application/json");
    });
    // Statuses cpp-httplib sets itself (404, 413, 400 for a malformed request ...) get the same
    // JSON body as ours; ours are left as they are.
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (res.body.empty() || res.get_header_value("Content-Type") != "application/json") {
        std::string detail = res.status == 413   ? "the body is larger than --max-doc-bytes"
                             : res.status == 404 ? "no such endpoint: " + req.path
                                                 : "the request was refused (HTTP " +
                                                       std::to_string(res.status) + ")";
        send_error(res, res.status, error_name(res.status), detail);
      }
    });
  }
};

Server::Server(const Extractor& extractor, ServeOptions options)
    : impl_(std::make_unique<Impl>(extractor, std::move(options))) {
  auto& s = *impl_;
  if (s.opt.jobs == 0) s.opt.jobs = 1;
  size_t threads = s.opt.jobs + s.opt.queue + 8;  // waiting requests hold a pool thread
  s.http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.http.set_tcp_nodelay(true);  // no 40 ms delayed-ACK stalls between header and body writes
  s.http.set_payload_max_length(s.opt.max_doc_bytes);
  s.http.set_read_timeout(s.opt.read_timeout_s, 0);
  s.http.set_write_timeout(s.opt.write_timeout_s, 0);
  s.http.set_keep_alive_timeout(s.opt.read_timeout_s);  // also before a connection's first request
  s.routes();
}

Server::~Server() = default;

int Server::bind() {
  auto& s = *impl_;
  int port = s.opt.port == 0 ? s.http.bind_to_any_port(s.opt.host)
                             : (s.http.bind_to_port(s.opt.host, s.opt.port) ? s.opt.port : -1);
  if (port < 0)
    throw Error("cannot listen on " + s.opt.host + ":" + std::to_string(s.opt.port) +
                " (in use, or not an address of this host)");
  return port;
}

void Server::run() {
  auto& s = *impl_;
  s.run_started = true;
  if (!s.stop_requested) s.http.listen_after_bind();
  s.run_done = true;
}

// Each side writes its flag before it reads the other's (sequentially consistent atomics), so
// either run() sees the request and does not listen, or stop() waits until the server runs and
// stops it.
void Server::stop() {
  auto& s = *impl_;
  s.stop_requested = true;
  while (!s.run_done) {
    if (s.http.is_running()) {
      s.http.stop();
      return;
    }
    if (!s.run_started) return;  // run() will see the request
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace claimx
