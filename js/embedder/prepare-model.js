// Long inputs, at session opening (called once from createSession in backend.js):
//   1. a Hub / Optimum / transformers.js export whose attention is unblocked (one [B, heads, S, S]
//      score tensor: 4 GiB for 16 heads at 8,192 tokens) and whose position table is longer than
//      BLOCKING_THRESHOLD is rewritten to compute attention a block of query rows at a time
//      (js/onnx/blocked-attention.js: exact, plain ONNX ops);
//   2. every run is checked against the activation-memory estimate (activation-memory.js) before
//      ONNX Runtime is called, so a length that still cannot run is a CapacityError that names it.
// The project's own graphs (js/convert/architecture.js) are blocked when they are built; they are
// only described here.
import { BLOCKING_THRESHOLD, ByteSource, DEFAULT_ATTENTION_BLOCK, blockAttentionInModel, describeAttention } from '../onnx/index.js';
import { InvalidArgumentError } from '../errors.js';
import { checkActivationMemory } from './activation-memory.js';

// Head size of every seed model but all-MiniLM (32): the head count's stand-in where the graph
// does not name it (the estimate then errs towards fewer, larger heads: same score bytes).
const TYPICAL_HEAD_SIZE = 64;

async function describeFile(file) {
  const { openFileSource } = await import('../onnx/node.js');
  const source = openFileSource(file);
  try {
    return { info: describeAttention(source), size: source.size };
  } finally {
    source.close();
  }
}

/**
 * model: createSession's { path } or { bytes, externalData }. options: attentionBlock (query rows
 * per block for the rewrite; 0: leave attention as it is), memoryBudget (bytes a run's
 * activations may take; default: no limit but ORT-web's 4 GiB heap).
 * Returns { model (to hand to ONNX Runtime), sessionOptions (extra ORT options), attention
 * (describeAttention's answer plus rewritten: sites rewritten), checkRun(feeds) }.
 */
export async function prepareModel(device, model, { attentionBlock = DEFAULT_ATTENTION_BLOCK, memoryBudget = Infinity } = {}) {
  if (!Number.isInteger(attentionBlock) || attentionBlock < 0) throw new InvalidArgumentError(`attentionBlock must be a non-negative integer, got ${attentionBlock}`);
  if (!(memoryBudget > 0)) throw new InvalidArgumentError(`memoryBudget must be a positive number of bytes, got ${memoryBudget}`);
  let info, weightBytes;
  try {
    if (model.bytes) {
      info = describeAttention(ByteSource.fromBytes(new Uint8Array(model.bytes.buffer ?? model.bytes, model.bytes.byteOffset ?? 0, model.bytes.byteLength)));
      weightBytes = model.bytes.byteLength + (model.externalData ?? []).reduce((a, e) => a + (e.data?.byteLength ?? 0), 0);
    } else {
      const d = await describeFile(model.path);
      info = d.info;
      weightBytes = d.size;
    }
  } catch {
    // Not a model the codec can read (truncated, corrupt, missing): ONNX Runtime's own load
    // error says what is wrong (and the loader's corrupt-cache recovery keys on it).
    return { model, sessionOptions: {}, attention: null, checkRun: () => null };
  }
  let prepared = model;
  const sessionOptions = {};
  let block = info.block;
  let rewritten = 0;
  if (info.sites && attentionBlock && (info.positions ?? 0) > BLOCKING_THRESHOLD) {
    let bytes = model.bytes && new Uint8Array(model.bytes.buffer ?? model.bytes, model.bytes.byteOffset ?? 0, model.bytes.byteLength);
    if (!bytes) {
      // onnxruntime-node reads a file itself; the rewritten graph goes to it as bytes, its
      // external data (if any) still read from the model's folder.
      const { fs, path } = await import('#node-builtins');
      bytes = new Uint8Array(await fs.readFile(model.path));
      sessionOptions.extra = { session: { model_external_initializers_file_folder_path: path.dirname(model.path) } };
    }
    const r = blockAttentionInModel(bytes, { maxLength: info.positions, block: attentionBlock });
    prepared = { ...model, bytes: r.bytes, path: undefined };
    rewritten = r.sites;
    block = attentionBlock;
  }
  const hidden = info.hidden;
  const shape = hidden ? { heads: info.heads ?? Math.max(1, Math.round(hidden / TYPICAL_HEAD_SIZE)), hidden, block: block ?? 0 } : null;
  return {
    model: prepared,
    sessionOptions,
    attention: { ...info, block, rewritten },
    // Graphs without a word embedding table (no hidden size to go by) are not checked.
    checkRun(feeds) {
      const ids = feeds.input_ids;
      if (!shape || !ids?.dims || ids.dims.length !== 2) return null;
      const [count, seqLen] = ids.dims.map(Number);
      if (!count || !seqLen) return null;
      return checkActivationMemory(count, seqLen, shape, { device, weightBytes, budget: memoryBudget });
    },
  };
}
