#!/usr/bin/env bash
# Native C++ tests: a Release build and an ASan+UBSan build, both under CTest; then a short
# libFuzzer run of every fuzz target when clang is available.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}
build build/native
(cd build/native && ctest --output-on-failure -j"$jobs")
build build/asan -DWASMBED_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j"$jobs")
if command -v clang++ >/dev/null && ls wasm/fuzz/*_fuzz.cpp >/dev/null 2>&1; then
  CC=clang CXX=clang++ build build/fuzz -DWASMBED_FUZZ=ON -DWASMBED_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
  for src in wasm/fuzz/*_fuzz.cpp; do
    name=$(basename "$src" .cpp)
    corpus=tests/fuzz-corpus/$name
    work=build/fuzz/corpus-$name
    mkdir -p "$work"
    echo "fuzz: $name for ${WASMBED_FUZZ_SECONDS:-30}s"
    build/fuzz/$name -max_total_time="${WASMBED_FUZZ_SECONDS:-30}" -rss_limit_mb=4096 -max_len=65536 \
      "$work" $( [[ -d $corpus ]] && echo "$corpus" ) 2>&1 | tail -n 3
  done
fi
