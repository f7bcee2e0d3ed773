// mergeIndexes: N finished shard builds (`--shard i/N`, same inputs and settings) into the build
// one unsharded run makes. Each block's segment is copied as is (its bytes do not depend on the
// shard that built it), in block order, under the plan of the unsharded run; then the static
// index is written from it. The merge is itself resumable: it commits block by block like a build.
import { mkdir } from 'node:fs/promises';
import { InvalidArgumentError } from '../errors.js';
import { BuildState, planDifferences } from './build-state.js';
import { writeFinalIndex } from './final-index.js';

const withoutShard = ({ shard, ...rest }) => rest;

/**
 * Merges shard builds. options: { out, shards (folders), metric, storage, keepFloat, partitions,
 * seed, writeIndex, onProgress }. Returns { out, count, dims, blocks, index }.
 */
export async function mergeIndexes({ out, shards, onProgress, ...writer } = {}) {
  if (typeof out !== 'string' || !out) throw new InvalidArgumentError('mergeIndexes: out must be a folder path');
  if (!Array.isArray(shards) || !shards.length) throw new InvalidArgumentError('mergeIndexes: shards must list the shard build folders');
  const states = await Promise.all(shards.map((dir) => BuildState.read(dir)));
  const first = states[0];
  const count = first.plan.shard.count;
  const byIndex = new Map();
  states.forEach((s, i) => {
    const differences = planDifferences(withoutShard(first.plan), withoutShard(s.plan));
    if (differences.length) {
      const err = new InvalidArgumentError(`${shards[i]} is a shard of another build than ${shards[0]}:\n  ${differences.join('\n  ')}`);
      err.differences = differences;
      throw err;
    }
    if (s.plan.shard.count !== count) throw new InvalidArgumentError(`${shards[i]} is shard ${s.plan.shard.index}/${s.plan.shard.count}, ${shards[0]} one of ${count}`);
    if (byIndex.has(s.plan.shard.index)) throw new InvalidArgumentError(`${shards[i]} and ${byIndex.get(s.plan.shard.index).dir} are both shard ${s.plan.shard.index}/${count}`);
    byIndex.set(s.plan.shard.index, s);
  });
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) throw new InvalidArgumentError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing (${count} shards make this build)`);
  const plan = { ...first.plan, shard: { index: 0, count: 1 } };
  await mkdir(out, { recursive: true });
  const state = await BuildState.open(out, plan);
  const { blockCount } = plan;
  for (let b = 0; b < blockCount; b++) {
    if (state.has(b)) continue;
    const from = byIndex.get(b % count);
    const entry = from.checkpoint.blocks.find((e) => e.block === b);
    await state.commitSegment(b, await from.segmentBytes(b), entry.count);
    onProgress?.({ stage: 'merge', done: b + 1, total: blockCount });
  }
  if (!state.checkpoint.complete) await state.update({ complete: true });
  const index = writer.writeIndex === false ? null : await writeFinalIndex(state, writer, { onProgress });
  return { out, count: state.checkpoint.blocks.reduce((s, e) => s + e.count, 0), dims: plan.dims, blocks: blockCount, index };
}
