#!/usr/bin/env bash
# The main job: build the wasm core if needed, make sure the default demo model exists, serve the demo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/build-wasm.sh
if [[ ! -f models/generated/demo-model/onnx/model.onnx ]]; then
  node models/generator/cli.js models/generated/demo-model --preset tiny-bert --seed 1
fi
exec node demo/serve.js "$@"
