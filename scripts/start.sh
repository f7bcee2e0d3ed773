#!/usr/bin/env bash
# The main job: build the wasm core if needed, make sure the default demo model and the demo's
# prebuilt static index exist, serve the demo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/build-wasm.sh
if [[ ! -f models/generated/demo-model/onnx/model.onnx ]]; then
  node models/generator/cli.js models/generated/demo-model --preset tiny-bert --seed 1
fi
# The static index the page opens by URL (/demo-index/): built once with the indexer CLI from the
# ../shared sample texts (demo/sample-docs.jsonl without them). A failed build is reported, not
# fatal: the in-tab search works without it.
if [[ ! -f models/generated/demo-index/index/manifest.json ]]; then
  node scripts/build-demo-index.js --quiet || echo "npm start: the demo's static index could not be built (see above); serving the demo without it" >&2
fi
exec node demo/serve.js "$@"
