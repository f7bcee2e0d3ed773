#!/usr/bin/env bash
# Every test: the TypeScript declarations and lint, native C++ (ASan/UBSan build + CTest, short fuzz
# runs, two fuzz targets at a time), the .wasm build, then Node and browser tests with node's test
# runner. Exits non-zero on the first failing stage.
#
# The stages run one after another. Running the native build in the background at idle priority
# beside the others was tried (2026-12-05, bench/results/test-time-2026-12-05.md): the Node/browser
# stage is nearly CPU-bound on 2 cores, so it only slowed that stage (554 s against ~460 s) for the
# same total (830 s against 836 s), and put its timeouts under more pressure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stage() { echo "== $1 (at ${SECONDS}s)"; }
stage "types (tsc over js/*.d.ts and a typed usage file) and lint (eslint)"
npx --no-install tsc -p tests/types
npx --no-install eslint js models
stage "native C++ tests"
bash scripts/test-native.sh
stage "wasm build"
bash scripts/build-wasm.sh
stage "Node and browser tests"
node --test --test-concurrency=2 tests/js/ tests/browser/
echo "== all tests passed in ${SECONDS}s"
