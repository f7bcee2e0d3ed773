// exportIndex: a finished build's vectors and records for other tools: `<prefix>.npy` (float32,
// shape (count, dims), rows in index order: np.load reads it) and `<prefix>.jsonl` (one
// {"id", "text", "metadata"} per row, same order), each written atomically.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { writeFileAtomic } from '../internal/atomic-write.js';
import { BuildState } from './build-state.js';
import { npyBytes } from './npy.js';

/** The canonical content of a finished build in `dir`: { ids, texts, metadata, records, vectors, dims, count, plan }. */
export async function readBuild(dir) {
  const state = await BuildState.read(dir);
  return { ...(await state.content()), plan: state.plan };
}

/** Writes `<out>.npy` and `<out>.jsonl` from the build in `dir`. Returns { count, dims, files }. */
export async function exportIndex({ dir, out } = {}) {
  if (typeof dir !== 'string' || !dir) throw new InvalidArgumentError('exportIndex: dir must be an index folder');
  if (typeof out !== 'string' || !out) throw new InvalidArgumentError('exportIndex: out must be a file prefix (writes <out>.npy and <out>.jsonl)');
  const c = await readBuild(dir);
  const prefix = out.replace(/\.(npy|jsonl)$/, '');
  await mkdir(path.dirname(path.resolve(prefix)), { recursive: true });
  const files = [`${prefix}.npy`, `${prefix}.jsonl`];
  await writeFileAtomic(files[0], npyBytes(c.vectors, c.count, c.dims));
  const lines = c.records.map((r) => JSON.stringify({ id: r.id, text: r.text, metadata: r.metadata }) + '\n').join('');
  await writeFileAtomic(files[1], new TextEncoder().encode(lines));
  return { count: c.count, dims: c.dims, files };
}
