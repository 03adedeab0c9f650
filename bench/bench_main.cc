// Micro-benchmarks per stage of claimx (issue #8): segmentation, rule matching, extract()
// (interpret + link) and the JSON writer, on real news text read at run time.
//
//   build/claimx_bench [--benchmark_filter=...]      # corpus:
//   ../shared/eval/corpus/bbc/articles.jsonl CLAIMX_BENCH_CORPUS=FILE.jsonl CLAIMX_BENCH_ARTICLES=N
//   build/claimx_bench
//   CLAIMX_BENCH_RULES=1 build/claimx_bench --benchmark_filter=BM_MatchRule   # per rule
//
// Every benchmark reports the bytes of document text it went through (MB/s in the output).
#include <benchmark/benchmark.h>
#include <re2/re2.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "claimx/extract.h"
#include "claimx/json_writer.h"
#include "claimx/reader.h"
#include "claimx/rules.h"
#include "claimx/segment.h"

namespace {

struct Corpus {
  std::vector<claimx::Document> docs;
  int64_t bytes = 0;
  std::string error;  // non-empty: skip every benchmark with this message
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out;
    const char* env_path = std::getenv("CLAIMX_BENCH_CORPUS");
    std::string path = env_path ? env_path : CLAIMX_BENCH_DEFAULT_CORPUS;
    const char* env_n = std::getenv("CLAIMX_BENCH_ARTICLES");
    size_t limit = env_n ? std::strtoul(env_n, nullptr, 10) : 200;
    std::string error;
    std::string line_error;
    bool ok = claimx::read_jsonl(
        path, claimx::JsonlFields{},
        [&](claimx::Document d) {
          if (out.docs.size() >= limit) return;
          out.bytes += static_cast<int64_t>(d.text.size());
          out.docs.push_back(std::move(d));
        },
        [&](const std::string&, const std::string& msg) { line_error = msg; }, &error);
    if (!ok || out.docs.empty())
      out.error = "corpus " + path + " not readable or empty (" + error + line_error +
                  "); set CLAIMX_BENCH_CORPUS to a JSONL file with a \"text\" field";
    return out;
  }();
  return c;
}

bool skip_without_corpus(benchmark::State& state) {
  if (corpus().error.empty()) return false;
  state.SkipWithError(corpus().error.c_str());
  for (auto _ : state) {
  }
  return true;
}

// Sentence ranges of every document, as extract() makes them (paragraphs, then sentences).
std::vector<std::vector<claimx::TextRange>> all_sentences(const claimx::RuleBook& book) {
  std::vector<std::vector<claimx::TextRange>> out;
  for (const auto& d : corpus().docs) {
    auto& v = out.emplace_back();
    for (const auto& p : claimx::split_paragraphs(d.text))
      for (const auto& s : claimx::split_sentences(d.text, p.start, p.end, book.segment_rules()))
        v.push_back(s);
  }
  return out;
}

void BM_RulebookCompile(benchmark::State& state) {
  auto sources = claimx::embedded_pack_sources();
  for (auto _ : state) {
    claimx::RuleBook book;
    std::vector<claimx::RuleError> errors;
    book.add_sources(sources, &errors);
    bool ok = book.compile(&errors);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_RulebookCompile)->Unit(benchmark::kMillisecond);

void BM_Segment(benchmark::State& state) {
  if (skip_without_corpus(state)) return;
  const auto& book = claimx::default_rulebook();
  for (auto _ : state) {
    size_t n = 0;
    for (const auto& d : corpus().docs)
      for (const auto& p : claimx::split_paragraphs(d.text))
        n += claimx::split_sentences(d.text, p.start, p.end, book.segment_rules()).size();
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * corpus().bytes);
}
BENCHMARK(BM_Segment)->Unit(benchmark::kMillisecond);

// RuleBook::for_each_match over every sentence, for every pack (or one pack, by index).
void BM_MatchAllPacks(benchmark::State& state) {
  if (skip_without_corpus(state)) return;
  const auto& book = claimx::default_rulebook();
  auto sentences = all_sentences(book);
  auto packs = book.pack_names();
  for (auto _ : state) {
    size_t n = 0;
    for (size_t i = 0; i < corpus().docs.size(); ++i)
      for (const auto& pack : packs)
        for (const auto& s : sentences[i])
          book.for_each_match(pack, corpus().docs[i].text, s.start, s.end,
                              [&](const claimx::Match&) { ++n; });
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * corpus().bytes);
  state.SetLabel(std::to_string(packs.size()) + " packs");
}
BENCHMARK(BM_MatchAllPacks)->Unit(benchmark::kMillisecond);

// One pack over every sentence; registered in main() for each pack of the default RuleBook.
void BM_MatchPack(benchmark::State& state, const std::string& pack) {
  if (skip_without_corpus(state)) return;
  const auto& book = claimx::default_rulebook();
  auto sentences = all_sentences(book);
  for (auto _ : state) {
    size_t n = 0;
    for (size_t i = 0; i < corpus().docs.size(); ++i)
      for (const auto& s : sentences[i])
        book.for_each_match(pack, corpus().docs[i].text, s.start, s.end,
                            [&](const claimx::Match&) { ++n; });
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * corpus().bytes);
}

// One rule's pattern alone (as its pack's Set sees it: no submatches) over every sentence, in
// a fresh RE2 so the first iteration pays the cold DFA. Registered in main() for every rule
// when CLAIMX_BENCH_RULES=1 (173 benchmarks): which rules cost most.
void BM_MatchRule(benchmark::State& state, const claimx::Rule* rule) {
  if (skip_without_corpus(state)) return;
  auto sentences = all_sentences(claimx::default_rulebook());
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);
  options.set_longest_match(rule->attrs.value("longest", false));
  re2::RE2 re(rule->expanded, options);
  size_t fired = 0;
  for (auto _ : state) {
    fired = 0;
    for (size_t i = 0; i < corpus().docs.size(); ++i)
      for (const auto& s : sentences[i]) {
        re2::StringPiece text(corpus().docs[i].text.data() + s.start, s.end - s.start);
        fired += re.Match(text, 0, text.size(), re2::RE2::UNANCHORED, nullptr, 0);
      }
    benchmark::DoNotOptimize(fired);
  }
  state.SetBytesProcessed(state.iterations() * corpus().bytes);
  state.SetLabel(std::to_string(fired) + " sentences fire");
}

void BM_Extract(benchmark::State& state) {
  if (skip_without_corpus(state)) return;
  const auto& book = claimx::default_rulebook();
  claimx::ExtractOptions options;
  for (auto _ : state) {
    size_t n = 0;
    for (const auto& d : corpus().docs) n += claimx::extract(d, book, options).claims.size();
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * corpus().bytes);
}
BENCHMARK(BM_Extract)->Unit(benchmark::kMillisecond);

void BM_ToJson(benchmark::State& state) {
  if (skip_without_corpus(state)) return;
  const auto& book = claimx::default_rulebook();
  std::vector<claimx::Result> results;
  for (const auto& d : corpus().docs) results.push_back(claimx::extract(d, book, {}));
  claimx::WriteOptions options;
  for (auto _ : state) {
    size_t n = 0;
    for (size_t i = 0; i < results.size(); ++i)
      n += claimx::to_json(corpus().docs[i], results[i], options).size();
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * corpus().bytes);
}
BENCHMARK(BM_ToJson)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!corpus().error.empty())
    std::fprintf(stderr, "claimx_bench: skipping the corpus benchmarks: %s\n",
                 corpus().error.c_str());
  else
    std::fprintf(stderr, "claimx_bench: %zu articles, %lld bytes of text\n", corpus().docs.size(),
                 static_cast<long long>(corpus().bytes));
  const auto& book = claimx::default_rulebook();
  for (const auto& pack : book.pack_names()) {
    bool has_rules = false;  // lexicon-only packs have nothing to match
    for (const auto& rule : book.rules()) has_rules = has_rules || rule.pack == pack;
    if (!has_rules) continue;
    benchmark::RegisterBenchmark(("BM_MatchPack/" + pack).c_str(), BM_MatchPack, pack)
        ->Unit(benchmark::kMillisecond);
  }
  const char* per_rule = std::getenv("CLAIMX_BENCH_RULES");
  if (per_rule && std::string(per_rule) == "1")
    for (const auto& rule : book.rules())
      benchmark::RegisterBenchmark(("BM_MatchRule/" + rule.id).c_str(), BM_MatchRule, &rule)
          ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
