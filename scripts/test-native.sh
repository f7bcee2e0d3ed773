#!/usr/bin/env bash
# Native C++ tests: one ASan+UBSan build (clang with libFuzzer coverage when available, else g++)
# that runs every unit test and a bounded run of every fuzz target. WASMBED_NATIVE_RELEASE=1 also
# builds and runs the unit tests in Release first: `npm test` leaves it out because the second full
# C++ build costs about 3 minutes of the CI budget on 2 cores and runs the very same test cases
# (the shipped code is the .wasm build, whose tests are the Node/browser suites).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}
if [[ ${WASMBED_NATIVE_RELEASE:-0} == 1 ]]; then
  build build/native -DCMAKE_BUILD_TYPE=Release
  (cd build/native && ctest --output-on-failure -j"$jobs")
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fuzz=OFF
if command -v clang++ >/dev/null && ls wasm/fuzz/*_fuzz.cpp >/dev/null 2>&1; then fuzz=ON; fi
if [[ $fuzz == ON ]]; then
  CC=clang CXX=clang++ build build/sanitize -DWASMBED_FUZZ=ON
else
  build build/sanitize -DWASMBED_SANITIZE=ON
fi
(cd build/sanitize && ctest --output-on-failure -j"$jobs")
if [[ $fuzz == ON ]]; then
  seconds=${WASMBED_FUZZ_SECONDS:-10}
  for src in wasm/fuzz/*_fuzz.cpp; do
    name=$(basename "$src" .cpp)
    seeds=tests/fuzz-corpus/$name
    work=build/sanitize/corpus-$name
    mkdir -p "$work"
    echo "fuzz: $name for ${seconds}s"
    log=build/sanitize/fuzz-$name.log
    rc=0
    build/sanitize/$name -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
      "$work" $( [[ -d $seeds ]] && echo "$seeds" ) >"$log" 2>&1 || rc=$?
    grep -E "^(stat::number_of_executed_units|Done [0-9]+ runs)" "$log" || true
    if ((rc != 0)); then tail -n 40 "$log" >&2; echo "fuzz: $name FAILED (exit $rc)" >&2; exit 1; fi
  done
fi
