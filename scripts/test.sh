#!/usr/bin/env bash
# Every test: the TypeScript declarations and lint, native C++ (Release + ASan/UBSan under CTest, short fuzz runs), then the .wasm build,
# then Node and browser tests with node's test runner. Exits non-zero on the first failing stage.
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
