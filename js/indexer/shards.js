// Blocks and shards. The documents, in input order, are cut into blocks of `blockDocs` documents;
// block b belongs to shard b mod N. A block is the unit of work (one worker chunks and embeds it),
// of checkpointing (one segment file) and of sharding, so a block's bytes are the same whichever
// worker, process or machine builds it, and N shards' blocks put back in order are exactly the
// blocks of one unsharded run. Round-robin (rather than N contiguous ranges) spreads the long
// and short documents of a sorted corpus over every shard.
import { InvalidArgumentError } from '../errors.js';

/** Parses a shard as 'i/N' (0-based i) or { index, count }; none means { index: 0, count: 1 }. */
export function parseShard(shard) {
  if (shard === undefined || shard === null) return { index: 0, count: 1 };
  let index, count;
  if (typeof shard === 'string') {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(shard);
    if (!m) throw new InvalidArgumentError(`shard must be 'i/N' (0-based i, e.g. 0/3), got ${JSON.stringify(shard)}`);
    index = Number(m[1]);
    count = Number(m[2]);
  } else if (typeof shard === 'object') {
    ({ index, count } = shard);
  }
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new InvalidArgumentError(`shard must have 0 <= index < count, got ${JSON.stringify(shard)}`);
  }
  return { index, count };
}

/** The numbers of the blocks of `shard` among `blockCount` blocks. */
export function shardBlocks(blockCount, { index, count }) {
  const out = [];
  for (let b = index; b < blockCount; b += count) out.push(b);
  return out;
}
