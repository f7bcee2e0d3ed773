// The encoder pass of the embedding pipeline: per planned batch, ONE call into the core packs the
// batch's inputs (token-batches.js), the session runs it (session-runner.js), and the batch is
// handed to the stages that follow (pooling, BGE-M3 heads) as { hidden, batch, indices }.
import { AbortError, UnsupportedError } from '../errors.js';

// Only for a tokenizer larger than the model's embedding table (see load.js idLimit).
function checkIds(core, address, count, limit) {
  const ids = new Int32Array(core.HEAPU8.buffer, address >>> 0, count);
  for (let i = 0; i < count; i++) {
    if (ids[i] >= limit) throw new UnsupportedError(`the tokenizer produced token id ${ids[i]}, but the model's embedding table has ${limit} rows (vocab_size in config.json): the tokenizer does not belong to this model`);
  }
}

/**
 * tokens: a TokenBatches; plan: [{ indices, seqLen }] from the batch planner. Yields, per batch,
 * { hidden: { data, dims, pooled, extra }, batch, indices } where batch describes the packed
 * inputs: { n, seqLen, mask32Addr, ids32Addr } (heap addresses, valid until the next batch is
 * packed, i.e. while the consumer handles this one).
 */
export async function* forward({ runner, tokens, plan, padId, idLimit = null, keep = [], signal }) {
  tokens.setPlan(plan);
  for (let b = 0; b < plan.length; b++) {
    if (signal?.aborted) throw new AbortError('the operation was aborted', { cause: signal.reason });
    const { indices, seqLen } = plan[b];
    const n = indices.length;
    const inputs = tokens.pack(b, n, seqLen, padId);
    if (idLimit != null) checkIds(tokens.core, inputs.ids32Addr, n * seqLen, idLimit);
    const hidden = await runner.run(inputs, n, seqLen, keep);
    yield { hidden, batch: { n, seqLen, mask32Addr: inputs.mask32Addr, ids32Addr: inputs.ids32Addr }, indices };
  }
}
