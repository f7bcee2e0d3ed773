#!/usr/bin/env bash
# Native C++ tests: one ASan+UBSan build (clang with libFuzzer coverage when available, else g++)
# that runs every unit test and a bounded run of every fuzz target. WASMBED_NATIVE_RELEASE=1 also
# builds and runs the unit tests in Release first: `npm test` leaves it out because the second full
# C++ build costs about 3 minutes of the CI budget on 2 cores and runs the very same test cases
# (the shipped code is the .wasm build, whose tests are the Node/browser suites).
#   bash scripts/test-native.sh [all|unit|fuzz]
# `unit` builds and runs the unit tests, `fuzz` builds (a no-op when `unit` ran) and fuzzes, `all`
# (the default, what scripts/test.sh runs) does both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
phase=${1:-all}
case $phase in all|unit|fuzz) ;; *) echo "usage: $0 [all|unit|fuzz]" >&2; exit 2 ;; esac
jobs=$(nproc)
build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}
if [[ $phase != fuzz && ${WASMBED_NATIVE_RELEASE:-0} == 1 ]]; then
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
if [[ $phase != fuzz ]]; then (cd build/sanitize && ctest --output-on-failure -j"$jobs"); fi
if [[ $fuzz == ON && $phase != unit ]]; then
  # Each target fuzzes for `seconds` of wall time on one core (libFuzzer is single-threaded), so
  # the targets run `jobs` at a time: on 2 cores 5 targets take 3 rounds instead of 5 (about 33 s
  # instead of 55 s) while every target still gets its full seconds on a core of its own.
  seconds=${WASMBED_FUZZ_SECONDS:-10}
  # Crash and slow-unit files go to build/sanitize/NAME-* (libFuzzer writes them to the cwd otherwise).
  fuzz_one() {  # name: runs one target; its output goes to its log, its exit status to log.rc
    local name=$1 seeds=tests/fuzz-corpus/$1 work=build/sanitize/corpus-$1 log=build/sanitize/fuzz-$1.log rc=0
    rm -f "$log.rc"; mkdir -p "$work"
    build/sanitize/$name -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="build/sanitize/$name-" \
      "$work" $( [[ -d $seeds ]] && echo "$seeds" ) >"$log" 2>&1 || rc=$?
    echo "$rc" >"$log.rc"
  }
  names=()
  for src in wasm/fuzz/*_fuzz.cpp; do
    name=$(basename "$src" .cpp)
    names+=("$name")
    echo "fuzz: $name for ${seconds}s"
    fuzz_one "$name" &
    if (( $(jobs -rp | wc -l) >= jobs )); then wait -n; fi
  done
  wait
  failed=0
  for name in "${names[@]}"; do
    log=build/sanitize/fuzz-$name.log
    rc=$(cat "$log.rc")
    echo "fuzz: $name"
    grep -E "^(stat::number_of_executed_units|Done [0-9]+ runs)" "$log" || true
    if ((rc != 0)); then tail -n 40 "$log" >&2; echo "fuzz: $name FAILED (exit $rc)" >&2; failed=1; fi
  done
  ((failed == 0)) || exit 1
fi
