// Replays inputs through the fuzz targets without libFuzzer (any compiler): ctest runs every
// committed crash input (fuzz/regressions/TARGET) and seed (fuzz/corpus/TARGET) this way.
//
//   claimx_fuzz_replay TARGET FILE_OR_DIR...
//
// Each target's LLVMFuzzerTestOneInput is compiled under the name claimx_fuzz_TARGET.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" {
int claimx_fuzz_extract(const uint8_t* data, size_t size);
int claimx_fuzz_numbers(const uint8_t* data, size_t size);
int claimx_fuzz_rulepack(const uint8_t* data, size_t size);
int claimx_fuzz_jsonl(const uint8_t* data, size_t size);
int claimx_fuzz_html(const uint8_t* data, size_t size);
int claimx_fuzz_warc(const uint8_t* data, size_t size);
int claimx_fuzz_prefilter(const uint8_t* data, size_t size);
}

namespace {

using Target = int (*)(const uint8_t*, size_t);

Target target_named(const std::string& name) {
  if (name == "extract") return claimx_fuzz_extract;
  if (name == "numbers") return claimx_fuzz_numbers;
  if (name == "rulepack") return claimx_fuzz_rulepack;
  if (name == "jsonl") return claimx_fuzz_jsonl;
  if (name == "html") return claimx_fuzz_html;
  if (name == "warc") return claimx_fuzz_warc;
  if (name == "prefilter") return claimx_fuzz_prefilter;
  return nullptr;
}

// The files named, a directory standing for its regular files (sorted).
std::vector<std::filesystem::path> inputs(char** begin, char** end) {
  namespace fs = std::filesystem;
  std::vector<fs::path> out;
  for (char** a = begin; a != end; ++a) {
    if (!fs::is_directory(*a)) {
      out.emplace_back(*a);
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(*a))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Target target = argc >= 3 ? target_named(argv[1]) : nullptr;
  if (!target) {
    std::fprintf(stderr,
                 "usage: %s extract|numbers|rulepack|jsonl|html|warc|prefilter FILE_OR_DIR...\n",
                 argv[0]);
    return 2;
  }
  size_t count = 0;
  for (const auto& path : inputs(argv + 2, argv + argc)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      return 1;
    }
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "%s %s (%zu bytes)\n", argv[1], path.c_str(), data.size());
    target(reinterpret_cast<const uint8_t*>(data.data()), data.size());  // aborts on a finding
    ++count;
  }
  std::fprintf(stderr, "%s: %zu inputs replayed\n", argv[1], count);
  return 0;
}
