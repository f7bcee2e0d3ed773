#!/usr/bin/env bash
# Installs, idempotently, what a fresh Debian (bookworm) machine lacks to build and test wasmbed,
# then installs the npm dependencies from the lockfile. Runs as root (or with sudo) without a TTY.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Debian packages: compilers and test frameworks for the native build, Emscripten for the .wasm,
# Chromium for browser tests, SentencePiece + clang/libFuzzer for tokenizer oracles and fuzzing,
# PyTorch to write real torch.save checkpoints for the converter tests (scripts/make-torch-checkpoints.py).
packages=(
  cmake g++ make googletest libgtest-dev
  emscripten
  clang libclang-rt-14-dev
  chromium fonts-nanum
  sentencepiece python3-sentencepiece
  python3-torch
  ca-certificates util-linux
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present"
fi

command -v node >/dev/null || { echo "setup: Node.js >= 20 is required" >&2; exit 1; }
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || {
  echo "setup: Node.js >= 20 is required (found $(node --version))" >&2; exit 1; }

# onnxruntime-node's install script downloads from a host this machine cannot reach; its CPU
# binary is inside the npm package, so skip the download.
export ONNXRUNTIME_NODE_INSTALL=skip
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "setup: node_modules up to date"
fi
