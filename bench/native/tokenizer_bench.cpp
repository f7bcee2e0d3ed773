// Native throughput of the C++ tokenizer (no WASM, no JS): encodes every line of a corpus file,
// repeatedly, and prints tokens/s. Used to profile the pipeline with perf; the JS bench
// (bench/tokenizer.bench.js) is the one that measures what users get.
// Build (after the native library is built in build/native-X):
//   g++ -O2 -g -std=c++17 -Iwasm -Ithird_party bench/native/tokenizer_bench.cpp \
//     build/native-X/libwasmbed.a build/native-X/libwb_onig.a build/native-X/libwb_utf8proc.a -o build/native-X/tokenizer_bench
// Run: tokenizer_bench TOKENIZER.json CORPUS.txt [seconds | pN]   (pN: exactly N passes, for
// load-independent comparisons with `perf stat -e instructions`)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s tokenizer.json corpus.txt [seconds]\n", argv[0]);
    return 2;
  }
  std::ifstream jf(argv[1]);
  std::stringstream js;
  js << jf.rdbuf();
  auto tok = wasmbed::tok::Tokenizer::from_json(js.str());
  std::ifstream cf(argv[2]);
  std::vector<std::string> lines;
  for (std::string l; std::getline(cf, l);) lines.push_back(l);
  const bool fixed = argc > 3 && argv[3][0] == 'p';
  const double seconds = argc > 3 && !fixed ? std::atof(argv[3]) : 2.0;
  const size_t max_passes = fixed ? static_cast<size_t>(std::atol(argv[3] + 1)) : SIZE_MAX;
  using clock = std::chrono::steady_clock;
  size_t tokens = 0, passes = 0;
  const auto t0 = clock::now();
  double elapsed = 0;
  do {
    for (const auto& l : lines) tokens += tok->encode(l).size();
    ++passes;
    elapsed = std::chrono::duration<double>(clock::now() - t0).count();
  } while (fixed ? passes < max_passes : elapsed < seconds);
  std::printf("%zu lines x %zu passes: %.0f tokens/s (%.2f us/line)\n", lines.size(), passes, tokens / elapsed,
              elapsed * 1e6 / (lines.size() * passes));
  return 0;
}
