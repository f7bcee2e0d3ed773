#!/usr/bin/env bash
# Builds dist/wasmbed_core.{js,wasm} with Emscripten (Debian's emcc 3.1.6 or newer).
# Skips the build when dist/ is newer than every source (use --force to rebuild).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}   # emcc's JS optimizer needs acorn etc. from here
mkdir -p build dist
exec 9>build/.wasm.lock   # parallel callers (tests, helpers) wait rather than clobber one build dir
flock 9
if [[ "${1:-}" != "--force" && -f dist/wasmbed_core.wasm ]]; then
  newer=$(find wasm third_party CMakeLists.txt package.json -newer dist/wasmbed_core.wasm -type f -print -quit)
  [[ -z "$newer" ]] && { echo "wasm: up to date"; exit 0; }
fi
command -v emcmake >/dev/null || { echo "emcmake not found: run scripts/setup.sh (apt-get install emscripten)" >&2; exit 1; }
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j"$(nproc)"
# Copy then rename so a reader never sees a half-written module.
for f in wasmbed_core.js wasmbed_core.wasm; do
  cp build/wasm/$f dist/.$f.tmp && mv dist/.$f.tmp dist/$f
done
echo "wasm: built dist/wasmbed_core.{js,wasm} ($(stat -c %s dist/wasmbed_core.wasm) bytes)"
