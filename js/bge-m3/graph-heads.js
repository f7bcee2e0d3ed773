// Post-processing of heads that an ONNX export computes inside the graph (extra outputs): the graph
// gives per-token sparse weights relu(linear(H)) and ColBERT projections linear(H[:, 1:]); the
// per-text rules (max over repeated ids, dropped specials, masking, L2 normalization) run in the
// same C++ code as for separate head files, so both paths agree.
import { UnsupportedError } from '../errors.js';
import { callCore } from '../internal/call-core.js';
import { HeapTemps } from '../internal/heap.js';
import { readColbertBatch } from './heads.js';

/**
 * tokenWeights: Float32Array of an output shaped [n, seq, 1] or [n, seq]; ids / mask Int32Array
 * [n, seq]. Returns n × { ids: Int32Array, weights: Float32Array }.
 */
export function sparseFromGraph(core, { data, dims }, ids, mask, n, seq, droppedIds, name = 'sparse output') {
  const ok = (dims.length === 3 && dims[2] === 1) || dims.length === 2;
  if (!ok || dims[0] !== n || dims[1] !== seq) {
    throw new UnsupportedError(`${name} is ${JSON.stringify(dims)}; expected [${n}, ${seq}, 1] (per-token lexical weights)`);
  }
  const temps = new HeapTemps(core);
  try {
    const w = temps.copy(data, name), i = temps.copy(ids, 'token ids'), m = temps.copy(mask, 'attention mask');
    return callCore(() => core.bgeM3SparseFromWeightsBatch(w, i, m, n, seq, droppedIds));
  } finally {
    temps.freeAll();
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
  const temps = new HeapTemps(core);
  try {
    const p = temps.copy(rows, name), m = temps.copy(mask, 'attention mask');
    const out = temps.alloc(n * seq * dim * 4, 'ColBERT vectors'), counts = temps.alloc(n * 4, 'ColBERT counts');
    callCore(() => core.bgeM3ColbertFromProjectedBatch(p, m, n, seq, dim, out, counts));
    return readColbertBatch(core, out, counts, n, dim);
  } finally {
    temps.freeAll();
  }
}
