// claimx: the command line over the library. Options, inputs, exit codes; nothing more.
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <utility>

#include "claimx/check.h"
#include "claimx/extract.h"
#include "claimx/extractor.h"
#include "claimx/formats.h"
#include "claimx/ingest.h"
#include "claimx/json_writer.h"
#include "claimx/reader.h"
#include "claimx/rules.h"
#include "claimx/runner.h"
#include "claimx/server.h"
#include "claimx/stats.h"

namespace {

constexpr int kOk = 0, kInputFailed = 1, kUsage = 2, kInterrupted = 130;

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) {
  g_interrupted.store(true);
}

const char* kExamples = R"(Examples:
  claimx article.txt                          one JSON document per input
  curl -s https://example.org/a.txt | claimx  read stdin
  claimx --date 2026-11-25 a.txt b.txt        anchor "last year", "next Tuesday"
  claimx --only figures,claims --pretty a.txt
  claimx a.txt | jq '.claims[] | select(.checkworthiness > 0.7) | .text'
  claimx --text-field body dump.jsonl > out.jsonl   one output line per JSONL record
  claimx -r news/ -o out.jsonl                directories, .gz/.zst/.bz2/.xz, tar and zip members
  claimx page.html crawl.warc.gz              HTML main text; one record per WARC HTML response
  claimx rules list                           every rule: id, kind, pack, file:line
  claimx rules check [DIR]                    compile packs and run their examples
  claimx serve --port 8080 -j 2               HTTP service: POST /v1/extract (see README)

Exit codes: 0 ok; 1 some input failed (the rest was processed); 2 usage or rule-pack error;
130 interrupted (Ctrl-C; every record written is complete).
Offsets are Unicode code points into the (UTF-8 repaired) text, half-open.)";

void print_errors(const std::vector<claimx::RuleError>& errors) {
  for (const auto& e : errors) std::cerr << e.format() << "\n";
}

// Embedded packs plus the --patterns directories, compiled; nullptr (after printing) on error.
std::unique_ptr<claimx::RuleBook> load_book(const std::vector<std::string>& dirs,
                                            bool with_examples) {
  try {
    return claimx::compile_rulebook(dirs, with_examples);
  } catch (const claimx::RulePackError& e) {
    print_errors(e.errors);
    return nullptr;
  }
}

// `claimx rules list|check [DIR]`. Its own --patterns and those given before `rules` add up.
struct RulesArgs {
  CLI::App* app = nullptr;
  CLI::App* list = nullptr;
  std::vector<std::string> dirs;
  std::string check_dir;
};

void add_rules_command(CLI::App& parent, RulesArgs* a) {
  a->app =
      parent.add_subcommand("rules", "List the rules, or compile the packs and run their examples");
  a->app->require_subcommand(1);
  a->app->add_option("--patterns", a->dirs, "Add the packs of DIR (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  a->app->footer(
      "Examples:\n  claimx rules list | grep money\n  claimx rules check my-packs/\n\n"
      "Exit codes: 0 ok; 2 a pack does not compile, an example fails, or a usage error.");
  a->list = a->app->add_subcommand("list", "Print every rule: id, kind, pack, file:line");
  a->list->footer("");
  auto* check = a->app->add_subcommand("check", "Compile the packs and run every example");
  check->footer("");
  check
      ->add_option("DIR", a->check_dir, "A directory of packs to check on top of the embedded ones")
      ->type_name("DIR");
}

int run_rules(const RulesArgs& a, std::vector<std::string> dirs) {
  dirs.insert(dirs.end(), a.dirs.begin(), a.dirs.end());
  if (!a.check_dir.empty()) dirs.push_back(a.check_dir);
  auto book = load_book(dirs, !a.list->parsed());
  if (!book) return kUsage;
  if (a.list->parsed()) {
    for (const auto& r : book->rules())
      std::cout << r.id << "\t" << r.kind << "\t" << r.pack << "\t" << r.loc.file << ":"
                << r.loc.line << "\n";
    return kOk;
  }
  print_errors(claimx::pattern_warnings(*book));
  auto errors = claimx::check_examples(*book);
  print_errors(errors);
  size_t examples = 0;
  for (const auto& r : book->rules()) examples += r.examples.size() + r.counterexamples.size();
  std::cerr << "rules check: " << book->rules().size() << " rules, " << examples << " examples, "
            << errors.size() << " failed\n";
  return errors.empty() ? kOk : kUsage;
}

// `claimx serve`. -j, --patterns and --max-doc-bytes are its own and claimx's: given before
// `serve` they count too (its own win).
struct ServeArgs {
  CLI::App* app = nullptr;
  claimx::ServeOptions sopt;
  std::vector<std::string> dirs;
  std::uint64_t max_doc_bytes = claimx::ServeOptions().max_doc_bytes;
  CLI::Option *jobs = nullptr, *max_doc = nullptr;
};

void add_serve_command(CLI::App& parent, ServeArgs* a) {
  a->app = parent.add_subcommand("serve", "An HTTP JSON service: POST /v1/extract (see README)");
  auto& app = *a->app;
  app.footer(
      "Examples:\n  claimx serve --port 8080 -j 2\n"
      "  curl -s --data-binary @a.txt 'http://127.0.0.1:8080/v1/extract?only=figures'\n\n"
      "Exit codes: 0 stopped by SIGTERM or SIGINT; 2 usage or rule-pack error, or the address "
      "cannot be bound.");
  auto& sopt = a->sopt;
  sopt.jobs = std::max(1u, std::thread::hardware_concurrency());
  app.add_option("--host", sopt.host, "Address to listen on (default 127.0.0.1: this host only)")
      ->type_name("ADDR");
  app.add_option("--port", sopt.port, "Port (default 8080; 0: any free port, printed)")
      ->type_name("N")
      ->check(CLI::Range(0, 65535));
  a->jobs = app.add_option("-j,--jobs", sopt.jobs, "Requests extracting at once (default: cores)")
                ->type_name("N")
                ->check(CLI::Range(1u, 1024u));
  app.add_option("--queue", sopt.queue,
                 "Requests that may wait for a slot (default 64); more are answered 503")
      ->type_name("N");
  app.add_option("--patterns", a->dirs, "Add or override rule packs from DIR (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  a->max_doc =
      app.add_option("--max-doc-bytes", a->max_doc_bytes,
                     "A larger request body is answered 413 (default 64M; k, M, G suffixes)")
          ->type_name("N")
          ->transform(CLI::AsSizeValue(false))
          ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  app.add_option("--timeout", sopt.read_timeout_s,
                 "Seconds a client may stay silent while sending or reading (default 5)")
      ->type_name("S")
      ->check(CLI::Range(1, 3600));
}

#ifndef CLAIMX_WITH_SERVE
// The service lives in claimx-serve, the same command line with claimx::Server linked in:
// cpp-httplib brings OpenSSL, whose loading and start-up cost every other run of claimx about
// 10 ms. `claimx serve ...` runs claimx-serve from the directory of this executable.
int run_serve(ServeArgs&, std::vector<std::string>, char** argv) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string path = n > 0 ? std::string(self, n) : std::string(argv[0]);
  path = path.substr(0, path.find_last_of('/') + 1) + "claimx-serve";
  execv(path.c_str(), argv);
  std::cerr << "claimx serve: cannot run " << path << ": " << std::strerror(errno)
            << " (the HTTP service is the program claimx-serve, built and installed beside "
               "claimx)\n";
  return kUsage;
}
#else
// The HTTP service (claimx::Server) until SIGTERM or SIGINT, which stop accepting; the requests
// in flight are answered, then exit 0. The signals are blocked in every thread and taken by one
// that waits for them, so stopping runs outside a signal handler.
int run_serve(ServeArgs& a, std::vector<std::string> dirs, char**) {
  claimx::ServeOptions& sopt = a.sopt;
  sopt.max_doc_bytes = a.max_doc_bytes;
  sopt.write_timeout_s = sopt.read_timeout_s;
  claimx::ExtractorOptions xo;
  dirs.insert(dirs.end(), a.dirs.begin(), a.dirs.end());
  xo.patterns = dirs;
  std::unique_ptr<claimx::Extractor> ex;
  try {
    ex = std::make_unique<claimx::Extractor>(xo);
  } catch (const claimx::RulePackError& e) {
    print_errors(e.errors);
    return kUsage;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before any thread starts
  claimx::Server server(*ex, sopt);
  int port = 0;
  try {
    port = server.bind();
  } catch (const claimx::Error& e) {
    std::cerr << "claimx serve: " << e.what() << "\n";
    return kUsage;
  }
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (!done.load()) std::cerr << "claimx serve: stopping (finishing the requests in flight)\n";
    server.stop();
  });
  std::cerr << "claimx serve: listening on http://" << sopt.host << ":" << port << " (" << sopt.jobs
            << " jobs)" << std::endl;
  server.run();
  done.store(true);
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if no signal came
  waiter.join();
  return kOk;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "claimx: structured, checkable facts from news text (figures, entities, agreements, claims)\n"
      "  e.g. claimx article.txt | jq '.figures[] | {text, value}'",
      "claimx"};
  app.set_version_flag("--version", std::string("claimx ") + CLAIMX_VERSION);
  app.footer(kExamples);
  // Options may stand after a subcommand too ("claimx rules list -q"): they fall through to
  // the command they belong to.
  app.fallthrough();
  std::vector<std::string> files;
  std::string date, only, offsets = "codepoints";
  std::vector<std::string> pattern_dirs;
  bool sentences = false, include_text = false, pretty = false, compact = false,
       all_sentences = false, explain = false;
  std::string input_format = "auto";
  claimx::JsonlFields fields;
  double min_score = -1;
  size_t top = 0;
  app.add_option("FILE", files,
                 "Input files, archives or (with -r) directories; none or - reads stdin")
      ->type_name("FILE");
  app.add_option("--date", date, "Anchor date for relative dates (default: none)")
      ->type_name("YYYY-MM-DD");
  app.add_option("--only", only, "Comma-separated subset of figures,entities,agreements,claims")
      ->type_name("KINDS");
  app.add_flag("--sentences", sentences, "Add sentences[] with offsets and zones");
  app.add_flag("--include-text", include_text,
               "Add document.text (the repaired text offsets refer to)");
  app.add_option("--offsets", offsets, "Offset unit: codepoints (default), bytes or utf16")
      ->check(CLI::IsMember({"codepoints", "bytes", "utf16"}));
  // One DIR per --patterns: a vector option would take every name after it, inputs included.
  app.add_option("--patterns", pattern_dirs, "Add or override rule packs from DIR (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  app.add_option("--min-score", min_score,
                 "Check-worthiness threshold for claims[] (default: the model's)")
      ->type_name("X")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--top", top, "Keep each document's N highest-scoring claims (after --min-score)")
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{1000000}));
  app.add_flag("--all-sentences", all_sentences,
               "claims[] lists every body sentence with its score");
  app.add_flag("--explain", explain,
               "claims[] items carry score_terms (feature, value, weight); with --all-sentences, "
               "those below the threshold carry not_claim_reason");
  bool recursive = false, quiet = false;
  std::uint64_t max_doc_bytes = claimx::IngestOptions().max_doc_bytes;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string output, errors_path;
  app.add_flag("-r,--recursive", recursive,
               "Read directories: sorted walk, hidden names skipped, symlink loops cut");
  app.add_option("--input-format", input_format,
                 "auto (by extension, then content), text, html, jsonl (one JSON object per "
                 "line) or warc")
      ->check(CLI::IsMember({"auto", "text", "html", "jsonl", "warc"}));
  auto* max_doc_option =
      app.add_option("--max-doc-bytes", max_doc_bytes,
                     "A document (file, member, JSONL line, WARC record) past N bytes is a named "
                     "failure (default 64M; suffixes k, M, G are powers of 1024)")
          ->type_name("N")
          ->transform(CLI::AsSizeValue(false))
          ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  auto* jobs_option =
      app.add_option("-j,--jobs", jobs, "Documents processed in parallel (default: cores)")
          ->type_name("N")
          ->check(CLI::Range(1u, 1024u));
  app.add_option("-o,--output", output, "Write to FILE atomically (temp file + rename)")
      ->type_name("FILE");
  app.add_option("--errors", errors_path, "Also write failures as JSONL {source, error}")
      ->type_name("FILE");
  app.add_flag("-q,--quiet", quiet, "No progress line on stderr");
  app.add_option("--text-field", fields.text,
                 "JSONL field holding the article text (default: text)")
      ->type_name("NAME");
  app.add_option("--id-field", fields.id, "JSONL field holding the document id (default: id)")
      ->type_name("NAME");
  app.add_option("--date-field", fields.date,
                 "JSONL field holding the document date (default: date)")
      ->type_name("NAME");
  app.add_option("--title-field", fields.title, "JSONL field holding the title (default: title)")
      ->type_name("NAME");
  std::string format_name = "json", stats_mode;
  app.add_option("--format", format_name,
                 "json (default; JSON Lines for many documents), tsv (a row per item), jsonld "
                 "(schema.org NewsArticle, Claim, ClaimReview) or html (one report page)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"json", "tsv", "jsonld", "html"}));
  // A flag, so that it never takes the input after it as its value ("--stats a.txt").
  app.add_flag("--stats", stats_mode,
               "Print documents, items per kind, the rules that fired most and MB/s to stderr "
               "(--stats=json: as JSON)")
      ->type_name("[=json]");
  app.add_flag("--pretty", pretty, "Indented JSON (default when stdout is a terminal)");
  app.add_flag("--compact", compact, "One line per document even on a terminal");
  RulesArgs rules;
  add_rules_command(app, &rules);
  ServeArgs serve;
  add_serve_command(app, &serve);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }
  if (rules.app->parsed() || serve.app->parsed()) {
    const char* name = rules.app->parsed() ? "rules" : "serve";
    if (!files.empty()) {
      std::cerr << "claimx " << name << ": takes no input files (a file named " << name
                << ": claimx ./" << name << ")\n";
      return kUsage;
    }
    if (rules.app->parsed()) return run_rules(rules, pattern_dirs);
    if (serve.jobs->count() == 0 && jobs_option->count() > 0) serve.sopt.jobs = jobs;
    if (serve.max_doc->count() == 0 && max_doc_option->count() > 0)
      serve.max_doc_bytes = max_doc_bytes;
    return run_serve(serve, pattern_dirs, argv);
  }

  const claimx::OutputFormat format = *claimx::parse_format(format_name);  // CLI11 checked it
  if (stats_mode == "true") stats_mode = "table";                          // --stats alone
  if (!stats_mode.empty() && stats_mode != "table" && stats_mode != "json") {
    std::cerr << "claimx: --stats: expected --stats or --stats=json, got '" << stats_mode << "'\n";
    return kUsage;
  }
  claimx::ExtractOptions xopt;
  if (!date.empty()) {
    if (!claimx::parse_iso_date_public(date)) {
      std::cerr << "claimx: --date: expected a date as YYYY-MM-DD, got '" << date << "'\n";
      return kUsage;
    }
    xopt.anchor_date = date;
  }
  if (min_score >= 0) xopt.min_score = min_score;
  if (top > 0) xopt.top = top;
  xopt.keep_all_scored = all_sentences;
  claimx::WriteOptions wopt;
  wopt.offsets = claimx::parse_offsets(offsets);  // CLI11 checked the name
  wopt.sentences = sentences;
  wopt.include_text = include_text;
  wopt.all_sentences = all_sentences;
  wopt.explain = explain;
  wopt.pretty = compact ? false : (pretty || isatty(STDOUT_FILENO));
  if (!only.empty()) {
    try {
      claimx::set_only(only, &wopt);
    } catch (const claimx::Error& e) {
      std::cerr << "claimx: --only: " << e.what() << "\n";
      return kUsage;
    }
  }

  std::unique_ptr<claimx::RuleBook> custom;
  if (!pattern_dirs.empty() && !(custom = load_book(pattern_dirs, false))) return kUsage;
  const claimx::RuleBook& book = custom ? *custom : claimx::default_rulebook();

  if (files.empty()) files.push_back("-");
  FILE* out = stdout;
  std::string temp;
  struct stat output_stat;
  if (!output.empty() && ::stat(output.c_str(), &output_stat) == 0 &&
      !S_ISREG(output_stat.st_mode)) {
    // A device or a pipe (-o /dev/null, a FIFO) is written as it is: a temp file renamed over
    // it would replace the device with a file.
    if (!(out = std::fopen(output.c_str(), "wb"))) {
      std::cerr << "claimx: " << output << ": " << std::strerror(errno) << "\n";
      return kUsage;
    }
  } else if (!output.empty()) {
    temp = output + ".tmp.XXXXXX";
    int fd = mkstemp(temp.data());
    mode_t mask = umask(0);
    umask(mask);
    if (fd >= 0) fchmod(fd, 0666 & ~mask);
    if (fd < 0 || !(out = fdopen(fd, "wb"))) {
      std::cerr << "claimx: " << output << ": " << std::strerror(errno) << "\n";
      return kUsage;
    }
  }
  if (!output.empty()) wopt.pretty = pretty && !compact;  // a file is no terminal
  // TSV is read by tools, never indented; only JSON and JSON-LD take --pretty.
  if (format == claimx::OutputFormat::kTsv) wopt.pretty = false;
  FILE* errors_file = nullptr;
  if (!errors_path.empty() && !(errors_file = std::fopen(errors_path.c_str(), "wb"))) {
    std::cerr << "claimx: " << errors_path << ": " << std::strerror(errno) << "\n";
    return kUsage;
  }
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);

  int status = kOk;
  bool write_failed = false;
  int write_errno = 0;
  const bool progress = !quiet && isatty(STDERR_FILENO);
  const auto started = std::chrono::steady_clock::now();
  auto last_progress = started;
  size_t done_docs = 0, done_bytes = 0;
  // The total for an ETA is known when every input is a plain (uncompressed, unarchived) file.
  size_t total_bytes = 0;
  for (const auto& f : files) {
    struct stat st;
    bool plain = f != "-" && ::stat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    for (const char* ext : {".gz", ".bz2", ".xz", ".zst", ".zstd", ".lzma", ".tgz", ".tar", ".zip"})
      if (plain && f.size() > std::strlen(ext) &&
          f.compare(f.size() - std::strlen(ext), std::string::npos, ext) == 0)
        plain = false;
    if (!plain) {
      total_bytes = 0;
      break;
    }
    total_bytes += static_cast<size_t>(st.st_size);
  }
  auto show_progress = [&](bool final) {
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_progress < std::chrono::milliseconds(200)) return;
    last_progress = now;
    double secs = std::chrono::duration<double>(now - started).count();
    double mb = static_cast<double>(done_bytes) / 1e6;
    double rate = secs > 0 ? mb / secs : 0.0;
    std::string eta;
    if (total_bytes > done_bytes && rate > 0 && !final)
      eta = ", ETA " +
            std::to_string(static_cast<long>(
                static_cast<double>(total_bytes - done_bytes) / 1e6 / rate + 0.5)) +
            " s";
    std::fprintf(stderr, "\r\033[Kclaimx: %zu documents, %.1f MB, %.1f MB/s%s%s", done_docs, mb,
                 rate, eta.c_str(), final ? "\n" : "");
  };
  // --stats counts in render(), on the worker threads: sums, so the order does not matter.
  claimx::Stats stats;
  std::mutex stats_mu;
  auto count = [&](const claimx::Result& result) {
    if (stats_mode.empty()) return;
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.add(result);
  };
  auto render_document = [&](const claimx::Document& doc, claimx::Result& result) {
    std::string rendered = claimx::format_document(format, doc, result, wopt);
    count(result);  // once rendered: a document whose rendering failed is counted failed only
    return rendered;
  };
  auto write = [&](const std::string& s) {
    return std::fwrite(s.data(), 1, s.size(), out) == s.size();
  };
  // Each outcome, in input order: a failure is named on stderr (and in --errors); a document's
  // JSON goes to the output. With -j N the workers render it; with -j 1 JSON is written as it
  // is rendered (flushed every MiB) instead of held whole: on floods the JSON is 20x the text.
  auto sink = [&](claimx::Outcome& o) {
    if (!o.error.empty()) {
      if (progress) std::fputs("\r\033[K", stderr);
      std::cerr << "claimx: " << o.source << ": " << o.error << "\n";
      if (errors_file) {
        std::string line = nlohmann::json({{"source", o.source}, {"error", o.error}})
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::fprintf(errors_file, "%s\n", line.c_str());
      }
      status = kInputFailed;
      if (!stats_mode.empty()) stats.add_failure();
    } else {
      bool ok = true;
      if (!o.result) {
        ok = write(o.rendered);
      } else if (format == claimx::OutputFormat::kJson) {
        count(*o.result);
        ok = claimx::write_json(*o.doc, *o.result, wopt, out);
      } else {
        ok = write(render_document(*o.doc, *o.result));
      }
      if (!ok) {
        write_failed = true;
        write_errno = errno;  // errno is per thread: keep the writer's
      }
      ++done_docs;
    }
    done_bytes += o.bytes;
    if (progress) show_progress(false);
    return !write_failed;
  };
  claimx::Runner::Render render;
  if (jobs > 1) render = render_document;
  if (!write(claimx::format_prologue(format))) write_failed = true, write_errno = errno;

  claimx::IngestOptions iopt;
  iopt.format = input_format;
  iopt.recursive = recursive;
  iopt.max_doc_bytes = max_doc_bytes;
  iopt.fields = fields;
  iopt.stop = &g_interrupted;
  claimx::RunnerOptions ropt;
  ropt.jobs = jobs;
  claimx::Runner runner(book, xopt, ropt, render, sink);
  claimx::ingest(files, iopt, [&](claimx::Item item) { return runner.add(std::move(item)); });
  runner.finish();
  if (!g_interrupted.load() && !write(claimx::format_epilogue(format)))
    write_failed = true, write_errno = errno;
  if (progress) show_progress(true);
  if (!stats_mode.empty()) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << (stats_mode == "json" ? stats.json(secs, done_bytes).dump() + "\n"
                                       : stats.table(secs, done_bytes));
  }
  if (errors_file) std::fclose(errors_file);
  errno = 0;
  bool flush_failed = std::fflush(out) != 0 || std::ferror(out) || write_failed;
  int err = write_errno ? write_errno : errno;
  if (!output.empty()) {
    bool close_failed = std::fclose(out) != 0;
    if (flush_failed || close_failed || g_interrupted.load()) {
      if (!temp.empty()) std::remove(temp.c_str());
      if (!g_interrupted.load()) {
        std::cerr << "claimx: " << output << ": " << std::strerror(err) << "\n";
        return kInputFailed;
      }
    } else if (!temp.empty() && std::rename(temp.c_str(), output.c_str()) != 0) {
      std::cerr << "claimx: " << output << ": " << std::strerror(errno) << "\n";
      std::remove(temp.c_str());
      return kInputFailed;
    }
  } else if (flush_failed) {
    if (err == EPIPE) return kOk;  // a closed pipe (claimx -r dir | head) ends quietly
    std::cerr << "claimx: error writing output: " << std::strerror(err) << "\n";
    return kInputFailed;
  }
  if (g_interrupted.load()) return kInterrupted;
  return status;
}
