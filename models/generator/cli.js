#!/usr/bin/env node
// `wasmbed-make-model OUT_DIR --preset NAME` (or `node models/generator/cli.js ...`): writes a test
// model in the Hub layout (config, tokenizer, sentence-transformers files, onnx/model.onnx with
// seeded random weights). A command of its own rather than a `wasmbed` subcommand: shipped code
// under js/ never imports models/, the generator builds on js/ instead.
import { pathToFileURL } from 'node:url';
import { POOLING_MODES } from '../../js/embedder/config.js';
import { int, oneOf, parseCommandArgs } from '../../js/cli/args.js';
import { makeModel, PRESETS } from './index.js';

const USAGE = `usage: wasmbed-make-model OUT_DIR [options]

Writes a Hugging Face Hub-layout model directory with a generated ONNX encoder (seeded random
weights; no download). Presets: tiny-bert, tiny-roberta, tiny-xlm-roberta (tests, seconds),
all-MiniLM-L6-v2, ko-sroberta-multitask, multilingual-e5-small, bge-m3 (real shapes).

  --preset NAME            model shape (default tiny-bert)
  --tokenizer PATH         tokenizer.json to copy (or its folder); 'synthetic-wordpiece' builds one
  --seed N                 weight seed (default 0)
  --layers N --hidden N --heads N --intermediate N --vocab N --positions N   override the shape
  --pooling mean|cls|max|last   --normalize / --no-normalize   --max-seq-length N
  --prompt NAME=TEXT       add a prompt (repeatable), e.g. --prompt "query=query: "
  --safetensors            also write model.safetensors (Hugging Face parameter names)
  --external-data          store weights in onnx/model.onnx_data (automatic over 2 GB)
  --attention-block N      query rows per attention block (exact, bounded memory); 0: one
                           [B, heads, S, S] score tensor (default: 512 past 1,024 positions)
  --bge-m3-heads           BGE-M3 heads: sparse_linear.safetensors, colbert_linear.safetensors and
                           onnx/model_with_heads.onnx (extra outputs dense_vecs, sparse_vecs, colbert_vecs)
  --force                  replace OUT_DIR even when it is a file or a folder holding other things
                           (without it only an absent, empty or model folder is replaced)

The model is written to a temporary folder next to OUT_DIR and moved into place when complete.
`;

export async function run(argv, { stdout, stderr }) {
  const parsed = parseCommandArgs('make-model', argv, {
    allowPositionals: true,
    usage: USAGE,
    options: {
      preset: { type: 'string' }, tokenizer: { type: 'string' }, seed: int({ min: 0, max: 2 ** 32 - 1 }),
      layers: int({ min: 1 }), hidden: int({ min: 1 }), heads: int({ min: 1 }), intermediate: int({ min: 1 }),
      vocab: int({ min: 1 }), positions: int({ min: 1 }), pooling: oneOf(POOLING_MODES),
      normalize: { type: 'boolean' }, 'no-normalize': { type: 'boolean' }, 'max-seq-length': int({ min: 1 }),
      prompt: { type: 'string', multiple: true }, force: { type: 'boolean' }, safetensors: { type: 'boolean' }, 'external-data': { type: 'boolean' }, 'bge-m3-heads': { type: 'boolean' },
      'attention-block': int({ min: 0 }),
    },
  }, { stdout, stderr });
  if (parsed.exit !== undefined) return parsed.exit;
  const { args } = parsed;
  const v = args.values;
  if (args.positionals.length !== 1) { stderr.write(`make-model: expected one OUT_DIR\n${USAGE}`); return 2; }
  if (v.preset && !PRESETS[v.preset]) { stderr.write(`make-model: unknown preset '${v.preset}' (${Object.keys(PRESETS).join(', ')})\n`); return 2; }
  const config = {};
  const map = { layers: 'num_hidden_layers', hidden: 'hidden_size', heads: 'num_attention_heads', intermediate: 'intermediate_size', vocab: 'vocab_size', positions: 'max_position_embeddings' };
  const st = {};
  try {
    for (const [flag, key] of Object.entries(map)) if (v[flag] !== undefined) config[key] = v[flag];
    if (v.pooling) st.pooling = v.pooling;
    if (v.normalize) st.normalize = true;
    if (v['no-normalize']) st.normalize = false;
    if (v['max-seq-length'] !== undefined) st.maxSeqLength = v['max-seq-length'];
    if (v.prompt) {
      st.prompts = {};
      for (const p of v.prompt) {
        const eq = p.indexOf('=');
        if (eq <= 0) throw new Error(`--prompt must be NAME=TEXT, got ${JSON.stringify(p)}`);
        st.prompts[p.slice(0, eq)] = p.slice(eq + 1);
      }
    }
  } catch (err) {
    stderr.write(`make-model: ${err.message}\n`);
    return 2;
  }
  const started = Date.now();
  const result = await makeModel(args.positionals[0], {
    preset: v.preset, tokenizer: v.tokenizer, seed: v.seed, config, st,
    safetensors: v.safetensors, heads: v['bge-m3-heads'], attentionBlock: v['attention-block'], externalData: v['external-data'] ? true : 'auto', force: v.force,
    onProgress: (p) => { if (p.stage !== 'done') stderr.write(`make-model: writing ${p.stage}${p.parameters ? ` (${(p.parameters / 1e6).toFixed(1)}M parameters)` : ''}\n`); },
  });
  const c = result.config;
  stdout.write(`${result.dir}: ${c.model_type} ${c.num_hidden_layers}x${c.hidden_size}, vocab ${c.vocab_size}, ` +
    `${(result.onnx.bytes / 2 ** 20).toFixed(1)} MiB${result.onnx.external ? ' (external data)' : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

// Run as a program (not when imported, e.g. by a test). As in js/cli.js, a value the library
// refuses (InvalidArgumentError) is a usage error: exit 2.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => { process.exitCode = code ?? 0; },
    (err) => {
      process.stderr.write(`make-model: ${err?.name ?? 'Error'}: ${err?.message ?? err}\n`);
      process.exitCode = err?.name === 'InvalidArgumentError' ? 2 : 1;
    },
  );
}
