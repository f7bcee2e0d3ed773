#!/usr/bin/env bash
# Every test: the TypeScript declarations and lint, native C++ (ASan/UBSan build + CTest, short fuzz
# runs), the .wasm build, then Node and browser tests with node's test runner. Exits non-zero when
# any stage fails.
#
# Scheduling (2-core CI, 900 s budget): the native build and its unit tests do not feed any other
# stage, so they start first, in the background at idle priority (nice 19): they take only the CPU
# time the lint, the .wasm build and the Node/browser tests leave idle (single-threaded steps,
# links, test files waiting on Chromium, child processes or servers), and give it back at once
# when those want it. Their output goes to build/test-native.log and is printed when they end. The
# fuzz runs come last, on their own, so that each target gets whole cores for its time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stage() { echo "== $1 (at ${SECONDS}s)"; }
mkdir -p build
native_log=build/test-native.log

stage "native C++ build and unit tests: started in the background at idle priority (log: $native_log)"
# setsid: its own process group, so that an early exit can stop the whole build (make, clang, ctest).
setsid -w nice -n 19 bash scripts/test-native.sh unit >"$native_log" 2>&1 &
native_pid=$!
native_done=0
trap '((native_done)) || kill -TERM -- "-$native_pid" 2>/dev/null || true' EXIT
# Waits for the background native stage (if `1`, only when it has already ended); prints its log.
native_finish() {
  local only_if_ended=${1:-0} rc=0
  ((native_done)) && return 0
  if ((only_if_ended)) && kill -0 "$native_pid" 2>/dev/null; then return 0; fi
  wait "$native_pid" || rc=$?
  native_done=1
  echo "== native C++ build and unit tests: ended (exit $rc, at ${SECONDS}s); their output:"
  cat "$native_log"
  if ((rc != 0)); then echo "native C++ build or unit tests FAILED (exit $rc)" >&2; exit 1; fi
}

stage "types (tsc over js/*.d.ts and a typed usage file) and lint (eslint)"
npx --no-install tsc -p tests/types
npx --no-install eslint js models
native_finish 1
stage "wasm build"
bash scripts/build-wasm.sh
native_finish 1
stage "Node and browser tests"
node --test --test-concurrency=2 tests/js/ tests/browser/
stage "native C++ build and unit tests (waiting for the background stage)"
native_finish
stage "native fuzz runs"
bash scripts/test-native.sh fuzz
echo "== all tests passed in ${SECONDS}s"
