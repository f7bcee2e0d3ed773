// Runs the encoder session on one packed batch and checks what comes back before anything reads
// it: an output whose shape does not match the batch would otherwise be pooled as if it did
// (reading past its end, or uninitialised heap), and an int64 output would fail deep inside a
// Float32Array conversion with "Cannot convert a BigInt".
import { DisposedError, UnsupportedError } from '../errors.js';
import { halfArrayToFloat32 } from '../internal/float16.js';

const FLOAT_TYPES = ['float32', 'float16', 'float64'];

/** The output as Float32Array data, after checking its element type. */
function floatData(name, t) {
  if (t.type !== undefined && !FLOAT_TYPES.includes(t.type)) {
    throw new UnsupportedError(`model output '${name}' has element type ${t.type}; wasmbed reads float32 or float16 outputs`);
  }
  const d = t.data;
  if (d instanceof Float32Array) return d;
  if (d instanceof Uint16Array) return halfArrayToFloat32(d);
  if (typeof d?.[0] === 'bigint') throw new UnsupportedError(`model output '${name}' holds 64-bit integers; wasmbed reads float32 or float16 outputs`);
  return Float32Array.from(d);
}

/**
 * The hidden state must be [n, seqLen, hidden], or [n, hidden] for exports that already pool
 * (BGE-M3's dense_vecs). Anything else names both shapes.
 */
function checkHidden(name, dims, n, seqLen, pooledOutput) {
  const want = pooledOutput ? `[${n}, hidden]` : `[${n}, ${seqLen}, hidden]`;
  const ok = pooledOutput
    ? dims.length === 2 && dims[0] === n && dims[1] > 0
    : dims.length === 3 && dims[0] === n && dims[1] === seqLen && dims[2] > 0;
  if (!ok) throw new UnsupportedError(`model output '${name}' is [${dims.join(', ')}] for a batch of ${n} x ${seqLen} tokens; expected ${want}`);
}

export class SessionRunner {
  #session; #output; #queue = Promise.resolve(); #disposed = false;

  /** session: backend.js createSession's object; output: the hidden-state output's name. */
  constructor(session, output) {
    this.#session = session;
    this.#output = output;
  }

  get disposed() { return this.#disposed; }

  /**
   * Runs one batch: inputs { ids, mask, types } BigInt64Array [n, seqLen]. keep: further outputs
   * to return (BGE-M3 heads). Returns { data: Float32Array, dims, pooled, extra: { name: { data, dims } } }.
   * Runs are serialized per model: ONNX Runtime Web rejects overlapping run() calls on one
   * session, and onnxruntime-node already spreads one run over its threads.
   */
  run(inputs, n, seqLen, keep = []) {
    const s = this.#session;
    const task = this.#queue.then(async () => {
      if (this.#disposed) throw new DisposedError('Embedder.embed: this Embedder has been disposed');
      const { Tensor } = s.ort;
      const feeds = {
        input_ids: new Tensor('int64', inputs.ids, [n, seqLen]),
        attention_mask: new Tensor('int64', inputs.mask, [n, seqLen]),
      };
      if (s.inputNames.includes('token_type_ids')) feeds.token_type_ids = new Tensor('int64', inputs.types, [n, seqLen]);
      const outputs = await s.run(feeds);
      try {
        const name = this.#output;
        const t = outputs[name];
        if (!t) throw new UnsupportedError(`model has no output '${name}'`);
        // BGE-M3 exports without last_hidden_state give one pooled vector per text.
        const pooled = t.dims.length === 2 && name === 'dense_vecs';
        if (t.dims.length !== 3 && !pooled) throw new UnsupportedError(`model output '${name}' is not [batch, sequence, hidden] (it is [${t.dims.join(', ')}])`);
        checkHidden(name, t.dims, n, seqLen, pooled);
        const extra = {};
        for (const k of keep) {
          const o = outputs[k];
          if (!o) throw new UnsupportedError(`model has no output '${k}'`);
          if (o.dims[0] !== n) throw new UnsupportedError(`model output '${k}' is [${o.dims.join(', ')}] for a batch of ${n} x ${seqLen} tokens; expected ${n} rows`);
          extra[k] = { data: floatData(k, o), dims: o.dims };
        }
        return { data: floatData(name, t), dims: t.dims, pooled, extra };
      } finally {
        for (const [k, o] of Object.entries(outputs)) if (k !== this.#output && !keep.includes(k)) o.dispose?.();
      }
    });
    this.#queue = task.catch(() => {});
    return task;
  }

  /** Waits for the runs in flight, then releases the session (idempotent). */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue;
    await this.#session.release?.();
  }
}
