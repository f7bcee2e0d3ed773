// `wasmbed embed --model SOURCE`: embeds UTF-8 lines from stdin, one output per line, in order.
import { DEVICES, DTYPE_FILES } from '../embedder/backend.js';
import { int, listOf, oneOf, parseCommandArgs } from './args.js';
import { createInterface } from 'node:readline';

const USAGE = `usage: wasmbed embed --model SOURCE [options] < lines.txt

Reads UTF-8 text lines on stdin and writes one embedding per line, in order.
  --model SOURCE     Hub id (org/name), base URL or local folder (required)
  --prompt P         prompt name (query, passage) or literal prefix text
  --dtype D          fp32 (default), fp16, q8, q4, ... (which ONNX file)
  --device D         auto (default), cpu (onnxruntime-node), wasm
  --format F         json (default): {"embedding":[...]} per line; f32: raw little-endian float32 rows
  --dimensions N     Matryoshka truncation (re-normalized when the model normalizes)
  --max-length N     token limit (default: the model's)
  --batch-size N     texts per ONNX run (default 32)
  --outputs LIST     BGE-M3: any of dense,sparse,colbert (json only): one line per text
                     {"dense":[...],"sparse":{"ids":[...],"weights":[...]},"colbert":{"count":N,"dim":D,"vectors":[[...],...]}}
  --cache-dir DIR    download cache folder; --offline: use only cached files
`;

const CHUNK = 256; // lines embedded per call: bounded memory on long inputs, batching still full

export async function run(argv, { stdin, stdout, stderr }) {
  const parsed = parseCommandArgs('embed', argv, {
    usage: USAGE,
    options: {
      model: { type: 'string' }, prompt: { type: 'string' }, dtype: oneOf(Object.keys(DTYPE_FILES)),
      device: oneOf(DEVICES), format: oneOf(['json', 'f32']), dimensions: int({ min: 1 }), 'max-length': int({ min: 2 }),
      'batch-size': int({ min: 1 }), 'cache-dir': { type: 'string' }, offline: { type: 'boolean' }, outputs: listOf(['dense', 'sparse', 'colbert']),
    },
  }, { stdout, stderr });
  if (parsed.exit !== undefined) return parsed.exit;
  const { args } = parsed;
  const v = args.values;
  if (!v.model) { stderr.write(`embed: --model is required\n${USAGE}`); return 2; }
  const format = v.format ?? 'json';
  const outputs = v.outputs;
  if (outputs && format !== 'json') { stderr.write('embed: --outputs needs --format json\n'); return 2; }
  let embedOptions = { prompt: v.prompt, dimensions: v.dimensions, maxLength: v['max-length'], batchSize: v['batch-size'] };
  const { Embedder } = await import('../embedder/embedder.js');
  const model = await Embedder.load(v.model, {
    dtype: v.dtype ?? 'fp32', device: v.device ?? 'auto', cacheDir: v['cache-dir'], localFilesOnly: v.offline,
  });
  // --prompt keeps meaning a prompt name or literal text: the Embedder takes names as `prompt`
  // (an unknown one is an error there) and text as `promptText`.
  if (v.prompt !== undefined && !Object.prototype.hasOwnProperty.call(model.info.prompts, v.prompt)) {
    embedOptions = { ...embedOptions, prompt: undefined, promptText: v.prompt };
  }
  try {
    const write = (text) => new Promise((resolve) => (stdout.write(text) ? resolve() : stdout.once('drain', resolve)));
    const flush = async (lines) => {
      if (outputs) { await write(formatM3(await model.embed(lines, { ...embedOptions, outputs }))); return; }
      const { data, dims, count } = await model.embedFlat(lines, embedOptions);
      if (format === 'f32') {
        await write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      } else {
        let out = '';
        for (let i = 0; i < count; i++) out += `{"embedding":[${Array.from(data.subarray(i * dims, (i + 1) * dims)).join(',')}]}\n`;
        await write(out);
      }
    };
    let pending = [];
    for await (const line of createInterface({ input: stdin, crlfDelay: Infinity })) {
      pending.push(line);
      if (pending.length >= CHUNK) { await flush(pending); pending = []; }
    }
    if (pending.length) await flush(pending);
  } finally {
    await model.dispose();
  }
  return 0;
}

/** JSON lines for embed(..., { outputs }) results (ColBERT vectors as one array per token). */
function formatM3(results) {
  let out = '';
  for (const r of results) {
    const o = {};
    if (r.dense) o.dense = Array.from(r.dense);
    if (r.sparse) o.sparse = { ids: Array.from(r.sparse.ids), weights: Array.from(r.sparse.weights) };
    if (r.colbert) {
      const { vectors, count, dim } = r.colbert;
      o.colbert = { count, dim, vectors: Array.from({ length: count }, (_, i) => Array.from(vectors.subarray(i * dim, (i + 1) * dim))) };
    }
    out += JSON.stringify(o) + '\n';
  }
  return out;
}

export default run;
