#!/usr/bin/env bash
# Every test: the TypeScript declarations and lint, native C++ (ASan/UBSan build + CTest, short fuzz
# runs), the .wasm build, then Node and browser tests with node's test runner. Exits non-zero when
# any stage fails.
#
# Scheduling (2-core CI, 900 s budget): the native build and its unit tests feed no other stage,
# so they start first, in the background at idle priority (nice 19): they take only the CPU time
# that the lint, the .wasm build and the Node/browser tests leave idle (single-threaded steps,
# links, test files waiting on Chromium, child processes or servers) and yield it at once when
# those want it. Their output goes to build/test-native.log. If they are still running when the
# Node/browser tests end (a machine busy with other work leaves an idle-priority job almost no
# CPU), they get normal priority (as root), or else are stopped and run again at normal priority
# (make resumes where it stopped). The fuzz runs come last, on their own, so that each target gets
# whole cores for its time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stage() { echo "== $1 (at ${SECONDS}s)"; }
mkdir -p build
native_log=build/test-native.log

stage "native C++ build and unit tests: started in the background at idle priority (log: $native_log)"
# set -m: its own process group, so that it can be stopped whole (make, clang, ctest). Not setsid:
# with the kernel's autogroup scheduling (sched_autogroup_enabled=1) a new session is a new
# scheduling group that gets an equal share of the CPU whatever its nice value.
set -m
nice -n 19 bash scripts/test-native.sh unit >"$native_log" 2>&1 &
native_pid=$!
set +m
native_done=0
stop_native() { kill -TERM -- "-$native_pid" 2>/dev/null || true; wait "$native_pid" 2>/dev/null || true; native_done=1; }
trap '((native_done)) || stop_native' EXIT
# If the background native stage has ended: prints its log, and fails when it failed.
native_check() {
  local rc=0
  ((native_done)) && return 0
  kill -0 "$native_pid" 2>/dev/null && return 0
  wait "$native_pid" || rc=$?
  native_done=1
  echo "== native C++ build and unit tests ended in the background (exit $rc, by ${SECONDS}s); their output:"
  cat "$native_log"
  if ((rc != 0)); then echo "native C++ build or unit tests FAILED (exit $rc)" >&2; exit 1; fi
}

stage "types (tsc over js/*.d.ts and a typed usage file) and lint (eslint)"
npx --no-install tsc -p tests/types
npx --no-install eslint js models
native_check
stage "wasm build"
bash scripts/build-wasm.sh
native_check
stage "Node and browser tests"
node --test --test-concurrency=2 tests/js/ tests/browser/
native_check
if ((native_done == 0)); then
  # Raising a priority needs root (CI runs as root); elsewhere stop it and run it here instead.
  if renice -n "$(nice)" -g "$native_pid" >/dev/null 2>&1; then
    stage "native C++ build and unit tests: still running in the background, now at normal priority; waiting"
    while ((native_done == 0)); do native_check; sleep 1; done
  else
    stage "native C++ build and unit tests: still running in the background; stopped and run here at normal priority"
    stop_native
    bash scripts/test-native.sh unit
  fi
fi
stage "native fuzz runs"
bash scripts/test-native.sh fuzz
echo "== all tests passed in ${SECONDS}s"
