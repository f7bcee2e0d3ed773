// The encoder pass of the embedding pipeline: per planned batch, ONE call into the core packs the
// batch's inputs (token-batches.js), the session runs it (session-runner.js), and the batch is
// handed to the stages that follow (pooling, BGE-M3 heads) as { hidden, batch, indices }.
import { AbortError } from '../errors.js';

/**
 * tokens: a TokenBatches; plan: [{ indices, seqLen }] from the batch planner. Yields, per batch,
 * { hidden: { data, dims, pooled, extra }, batch, indices } where batch describes the packed
 * inputs: { n, seqLen, mask32Addr, ids32Addr } (heap addresses, valid until the next batch is
 * packed, i.e. while the consumer handles this one).
 */
export async function* forward({ runner, tokens, plan, padId, keep = [], signal }) {
  tokens.setPlan(plan);
  for (let b = 0; b < plan.length; b++) {
    if (signal?.aborted) throw new AbortError('the operation was aborted', { cause: signal.reason });
    const { indices, seqLen } = plan[b];
    const n = indices.length;
    const inputs = tokens.pack(b, n, seqLen, padId);
    const hidden = await runner.run(inputs, n, seqLen, keep);
    yield { hidden, batch: { n, seqLen, mask32Addr: inputs.mask32Addr, ids32Addr: inputs.ids32Addr }, indices };
  }
}
