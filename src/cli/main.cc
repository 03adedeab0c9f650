// claimx: the command line over the library. Options, inputs, exit codes; nothing more.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "claimx/check.h"
#include "claimx/extract.h"
#include "claimx/json_writer.h"
#include "claimx/reader.h"
#include "claimx/rules.h"

namespace {

constexpr int kOk = 0, kInputFailed = 1, kUsage = 2;

const char* kExamples = R"(Examples:
  claimx article.txt                          one JSON document per input
  curl -s https://example.org/a.txt | claimx  read stdin
  claimx --date 2026-11-25 a.txt b.txt        anchor "last year", "next Tuesday"
  claimx --only figures,claims --pretty a.txt
  claimx a.txt | jq '.claims[] | select(.checkworthiness > 0.7) | .text'
  claimx --text-field body dump.jsonl > out.jsonl   one output line per JSONL record
  claimx rules list                           every rule: id, kind, pack, file:line
  claimx rules check [DIR]                    compile packs and run their examples

Exit codes: 0 ok; 1 some input failed (the rest was processed); 2 usage or rule-pack error.
Offsets are Unicode code points into the (UTF-8 repaired) text, half-open.)";

void print_errors(const std::vector<claimx::RuleError>& errors) {
  for (const auto& e : errors) std::cerr << e.format() << "\n";
}

// Embedded packs plus the --patterns directories, compiled; nullptr (after printing) on error.
std::unique_ptr<claimx::RuleBook> load_book(const std::vector<std::string>& dirs) {
  auto book = std::make_unique<claimx::RuleBook>();
  std::vector<claimx::RuleError> errors;
  book->add_sources(claimx::embedded_pack_sources(), &errors);
  for (const auto& d : dirs) book->add_directory(d, &errors);
  if (errors.empty()) book->compile(&errors);
  if (!errors.empty()) {
    print_errors(errors);
    return nullptr;
  }
  return book;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool jsonl_input(const std::string& format, const std::string& path) {
  if (format != "auto") return format == "jsonl";
  return ends_with(path, ".jsonl") || ends_with(path, ".ndjson");
}

int rules_command(int argc, char** argv) {
  CLI::App app{"claimx rules: list or check the rule packs", "claimx rules"};
  std::vector<std::string> dirs;
  app.add_option("--patterns", dirs, "Add the packs of DIR (repeatable)")->type_name("DIR");
  app.require_subcommand(1);
  auto* list = app.add_subcommand("list", "Print every rule: id, kind, pack, file:line");
  auto* check = app.add_subcommand("check", "Compile the packs and run every example");
  std::string check_dir;
  check->add_option("DIR", check_dir, "A directory of packs to check on top of the embedded ones")
      ->type_name("DIR");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }
  if (!check_dir.empty()) dirs.push_back(check_dir);
  auto book = load_book(dirs);
  if (!book) return kUsage;
  if (list->parsed()) {
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
  (void)check;
  return errors.empty() ? kOk : kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "rules") return rules_command(argc - 1, argv + 1);

  CLI::App app{
      "claimx: structured, checkable facts from news text (figures, entities, agreements, claims)\n"
      "  e.g. claimx article.txt | jq '.figures[] | {text, value}'",
      "claimx"};
  app.set_version_flag("--version", std::string("claimx ") + CLAIMX_VERSION);
  app.footer(kExamples);
  std::vector<std::string> files;
  std::string date, only, offsets = "codepoints";
  std::vector<std::string> pattern_dirs;
  bool sentences = false, include_text = false, pretty = false, compact = false,
       all_sentences = false, explain = false;
  std::string input_format = "auto";
  claimx::JsonlFields fields;
  double min_score = -1;
  app.add_option("FILE", files, "Input files; none or - reads stdin")->type_name("FILE");
  app.add_option("--date", date, "Anchor date for relative dates (default: none)")
      ->type_name("YYYY-MM-DD");
  app.add_option("--only", only, "Comma-separated subset of figures,entities,agreements,claims")
      ->type_name("KINDS");
  app.add_flag("--sentences", sentences, "Add sentences[] with offsets and zones");
  app.add_flag("--include-text", include_text,
               "Add document.text (the repaired text offsets refer to)");
  app.add_option("--offsets", offsets, "Offset unit: codepoints (default), bytes or utf16")
      ->check(CLI::IsMember({"codepoints", "bytes", "utf16"}));
  app.add_option("--patterns", pattern_dirs, "Add or override rule packs from DIR (repeatable)")
      ->type_name("DIR");
  app.add_option("--min-score", min_score,
                 "Check-worthiness threshold for claims[] (default: the model's)")
      ->type_name("X")
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--all-sentences", all_sentences,
               "claims[] lists every body sentence with its score");
  app.add_flag("--explain", explain,
               "claims[] items carry score_terms (feature, value, weight); with --all-sentences, "
               "those below the threshold carry not_claim_reason");
  app.add_option("--input-format", input_format,
                 "text, jsonl (one JSON object per line), or auto: jsonl for .jsonl/.ndjson files")
      ->check(CLI::IsMember({"auto", "text", "jsonl"}));
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
  app.add_flag("--pretty", pretty, "Indented JSON (default when stdout is a terminal)");
  app.add_flag("--compact", compact, "One line per document even on a terminal");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
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
  claimx::WriteOptions wopt;
  wopt.offsets = offsets == "bytes"   ? claimx::OffsetUnit::kBytes
                 : offsets == "utf16" ? claimx::OffsetUnit::kUtf16
                                      : claimx::OffsetUnit::kCodepoints;
  wopt.sentences = sentences;
  wopt.include_text = include_text;
  wopt.all_sentences = all_sentences;
  wopt.explain = explain;
  wopt.pretty = compact ? false : (pretty || isatty(STDOUT_FILENO));
  if (!only.empty()) {
    wopt.figures = wopt.entities = wopt.agreements = wopt.claims = false;
    std::stringstream ss(only);
    for (std::string k; std::getline(ss, k, ',');) {
      if (k == "figures")
        wopt.figures = true;
      else if (k == "entities")
        wopt.entities = true;
      else if (k == "agreements")
        wopt.agreements = true;
      else if (k == "claims")
        wopt.claims = true;
      else {
        std::cerr << "claimx: --only: unknown kind '" << k
                  << "' (figures, entities, agreements, claims)\n";
        return kUsage;
      }
    }
  }

  std::unique_ptr<claimx::RuleBook> custom;
  if (!pattern_dirs.empty() && !(custom = load_book(pattern_dirs))) return kUsage;
  const claimx::RuleBook& book = custom ? *custom : claimx::default_rulebook();

  if (files.empty()) files.push_back("-");
  int status = kOk;
  bool write_failed = false;
  auto emit = [&](const claimx::Document& doc) {
    if (write_failed) return;
    claimx::Result result = claimx::extract(doc, book, xopt);
    if (!claimx::write_json(doc, result, wopt, stdout)) write_failed = true;
  };
  auto fail = [&](const std::string& source, const std::string& why) {
    std::cerr << "claimx: " << source << ": " << why << "\n";
    status = kInputFailed;
  };
  for (const auto& path : files) {
    std::string name = path == "-" ? "<stdin>" : path;
    std::string error;
    if (jsonl_input(input_format, path)) {
      if (!claimx::read_jsonl(path, fields, emit, fail, &error)) fail(name, error);
      continue;
    }
    auto doc = claimx::read_document(path, &error);
    if (doc)
      emit(*doc);
    else
      fail(name, error);
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::cerr << "claimx: error writing output: " << std::strerror(errno) << "\n";
    return kInputFailed;
  }
  return status;
}
