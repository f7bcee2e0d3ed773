// One worker of the indexer's pool (pool.js): loads its own Embedder (onnxruntime-node with
// `threads` intra-op threads, or ONNX Runtime WASM where onnxruntime-node is absent), then for each
// block it is handed chunks the block's documents with the model's tokenizer and embeds the
// passages in one embedFlat call. A block's result depends only on the block (its documents, the
// model and the options), never on which worker ran it or what ran before: that is what makes
// resumed and sharded builds equal to one uninterrupted run.
import { parentPort, workerData } from 'node:worker_threads';
import { Embedder } from '../embedder/embedder.js';
import { chunkDocument } from '../search/chunker.js';

const { source, load, prompt, promptText, dimensions, batchSize } = workerData;
let model;
let prefix;

function passagePrefix(info) {
  if (promptText !== undefined) return promptText;
  if (prompt !== undefined && prompt !== null) return prompt === '' ? '' : info.prompts[prompt];
  // Documents get the model's document-side prompt ("passage: " for e5) unless told otherwise.
  for (const name of ['passage', 'document', 'doc']) if (Object.hasOwn(info.prompts, name)) return info.prompts[name];
  return info.defaultPrompt ? info.prompts[info.defaultPrompt] ?? '' : '';
}

async function start() {
  model = await Embedder.load(source, load);
  const info = model.info;
  if (prompt && !Object.hasOwn(info.prompts, prompt)) {
    throw Object.assign(new Error(`prompt ${JSON.stringify(prompt)} is not one of this model's prompts (${Object.keys(info.prompts).join(', ') || 'it has none'}); pass literal text as promptText`), { name: 'InvalidArgumentError' });
  }
  prefix = passagePrefix(info);
  const tokenizer = model.tokenizer;
  const promptTokens = prefix ? tokenizer.encode(prefix, { addSpecialTokens: false }).ids.length : 0;
  // The longest passage that fits the model's window after the special tokens and the prompt.
  const room = info.maxLength - tokenizer.numSpecialTokens(false) - promptTokens;
  const probe = await model.embedFlat(['a'], { promptText: prefix, dimensions });
  return {
    info: {
      device: info.device, backend: info.backend, threads: info.threads, dtype: info.dtype, modelFile: info.modelFile,
      architecture: info.architecture, pooling: info.pooling, normalize: info.normalize, maxLength: info.maxLength, manifest: info.manifest,
    },
    dims: probe.dims, prefix, room,
  };
}

async function embedBlock({ block, docs, chunk }) {
  const records = [];
  for (const doc of docs) {
    for (const p of await chunkDocument({ id: doc.id, text: doc.text }, model.tokenizer, chunk)) {
      records.push({ id: `${doc.id}#${p.index}`, doc: doc.id, chunk: p.index, start: p.start, end: p.end, text: p.text, metadata: doc.metadata });
    }
  }
  const { data } = await model.embedFlat(records.map((r) => r.text), { promptText: prefix, dimensions, batchSize });
  return { block, records, vectors: data };
}

const errorOf = (err) => ({ name: err?.name ?? 'Error', message: err?.message ?? String(err) });

parentPort.on('message', async (msg) => {
  if (msg.type === 'close') {
    await model?.dispose();
    parentPort.close();
    return;
  }
  try {
    const result = await embedBlock(msg);
    parentPort.postMessage({ type: 'done', ...result }, [result.vectors.buffer]);
  } catch (err) {
    parentPort.postMessage({ type: 'error', block: msg.block, error: errorOf(err) });
  }
});

start().then((ready) => parentPort.postMessage({ type: 'ready', ...ready }), (err) => parentPort.postMessage({ type: 'error', block: null, error: errorOf(err) }));
