// Post-processing of heads that an ONNX export computes inside the graph (extra outputs): the graph
// gives per-token sparse weights relu(linear(H)) and ColBERT projections linear(H[:, 1:]); the
// per-text rules (max over repeated ids, dropped specials, masking, L2 normalization) run in the
// same C++ code as for separate head files, so both paths agree.
import { UnsupportedError, WasmbedError, callCore } from '../errors.js';

function copyIn(core, typed) {
  const address = core._malloc(Math.max(typed.byteLength, 4));
  if (!address) throw new WasmbedError('out of WebAssembly memory');
  core.HEAPU8.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), address);
  return address;
}

/**
 * tokenWeights: Float32Array of an output shaped [n, seq, 1] or [n, seq]; ids / mask Int32Array
 * [n, seq]. Returns n × { ids: Int32Array, weights: Float32Array }.
 */
export function sparseFromGraph(core, { data, dims }, ids, mask, n, seq, droppedIds, name = 'sparse output') {
  const ok = (dims.length === 3 && dims[2] === 1) || dims.length === 2;
  if (!ok || dims[0] !== n || dims[1] !== seq) {
    throw new UnsupportedError(`${name} is ${JSON.stringify(dims)}; expected [${n}, ${seq}, 1] (per-token lexical weights)`);
  }
  const temp = [];
  try {
    const w = copyIn(core, data); temp.push(w);
    const i = copyIn(core, ids); temp.push(i);
    const m = copyIn(core, mask); temp.push(m);
    return callCore(() => core.bgeM3SparseFromWeightsBatch(w, i, m, n, seq, droppedIds));
  } finally {
    temp.forEach((a) => core._free(a));
  }
}

/**
 * projected: output shaped [n, seq - 1, dim] (linear(H[:, 1:])), or [n, seq, dim] (linear(H); the
 * CLS row is dropped here). Returns n × { vectors, count, dim }.
 */
export function colbertFromGraph(core, { data, dims }, mask, n, seq, name = 'colbert output') {
  if (dims.length !== 3 || dims[0] !== n || (dims[1] !== seq - 1 && dims[1] !== seq)) {
    throw new UnsupportedError(`${name} is ${JSON.stringify(dims)}; expected [${n}, ${seq - 1}, dim] (ColBERT projections of positions 1..)`);
  }
  const dim = dims[2];
  let rows = data;
  if (dims[1] === seq) {
    // An export that projected every position: drop each text's CLS row.
    rows = new Float32Array(n * (seq - 1) * dim);
    for (let b = 0; b < n; b++) rows.set(data.subarray((b * seq + 1) * dim, (b + 1) * seq * dim), b * (seq - 1) * dim);
  }
  const temp = [];
  try {
    const p = copyIn(core, rows); temp.push(p);
    const m = copyIn(core, mask); temp.push(m);
    const out = core._malloc(Math.max(n * seq * dim * 4, 4)); temp.push(out);
    const counts = core._malloc(Math.max(n * 4, 4)); temp.push(counts);
    callCore(() => core.bgeM3ColbertFromProjectedBatch(p, m, n, seq, dim, out, counts));
    const countView = new Int32Array(core.HEAPU8.buffer, counts, n).slice();
    const results = [];
    let offset = 0;
    for (let b = 0; b < n; b++) {
      const len = countView[b] * dim;
      results.push({ vectors: new Float32Array(core.HEAPU8.buffer, out + offset * 4, len).slice(), count: countView[b], dim });
      offset += len;
    }
    return results;
  } finally {
    temp.forEach((a) => core._free(a));
  }
}
