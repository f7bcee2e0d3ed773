// Native load time of the C++ tokenizer (no WASM, no JS): loads a tokenizer.json or a
// SentencePiece .model N times and prints ms per load. Used to profile loading with perf
// (`perf record -g tokenizer_load_bench xlmr-250k.tokenizer.json 5`); bench/tokenizer-load.bench.js
// is the one that measures what users get.
// Build (after the native library is built in build/native):
//   g++ -O2 -g -std=c++17 -Iwasm -Ithird_party bench/native/tokenizer_load_bench.cpp \
//     build/native/libwasmbed.a build/native/libwb_onig.a build/native/libwb_utf8proc.a -o build/native/tokenizer_load_bench
// Run: tokenizer_load_bench FILE(.json|.model) [loads]
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s tokenizer.json|file.model [loads]\n", argv[0]);
    return 2;
  }
  std::ifstream f(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  const bool spm = std::string(argv[1]).size() > 6 && std::string(argv[1]).substr(std::string(argv[1]).size() - 6) == ".model";
  const int loads = argc > 2 ? std::atoi(argv[2]) : 3;
  using clock = std::chrono::steady_clock;
  // CPU time too: on a shared machine wall time measures the neighbours.
  const auto cpu_ms = [] {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  };
  double best = 1e30;
  for (int i = 0; i < loads; ++i) {
    const double c0 = cpu_ms();
    const auto t0 = clock::now();
    auto tok = spm ? wasmbed::tok::Tokenizer::from_sentencepiece(bytes, wasmbed::tok::SentencePieceFlavor::kXlmRoberta)
                   : wasmbed::tok::Tokenizer::from_json(bytes);
    const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    const double cpu = cpu_ms() - c0;
    best = cpu < best ? cpu : best;
    std::printf("load %d: %.1f ms wall, %.1f ms cpu (vocab %zu)\n", i, ms, cpu, tok->vocab_size());
  }
  std::printf("best: %.1f ms cpu for %zu bytes\n", best, bytes.size());
  return 0;
}
