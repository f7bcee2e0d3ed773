// The last step of a build: the static index (js/search/static/write.js) written from the
// canonical build state into `<dir>/index`. The writer publishes its folder whole (temporary
// sibling, then rename); a kill -9 during it leaves the old folder or none plus a temporary, which
// the next run removes before writing again. The checkpoint records the writer options it was
// written with, so a rerun with the same options skips it and one with other options (storage,
// partitions ...) rewrites it from the same vectors, without embedding again.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeStaticIndex } from '../search/static/write.js';
import { crashPoint } from './crash-points.js';

export const indexDir = (dir) => path.join(dir, 'index');

/** Index writer options as recorded (defaults filled in, so equal settings compare equal). */
export function writerOptions({ metric = 'cosine', storage = 'int8', keepFloat = false, partitions = null, seed = 1 } = {}) {
  return { metric, storage, keepFloat: Boolean(keepFloat), partitions: partitions ?? null, seed };
}

/** The model record of the index manifest, from the build plan. */
function modelRecord(plan) {
  const m = plan.model;
  const record = { id: m.id ?? 'unknown', dims: plan.dims };
  for (const key of ['revision', 'dtype', 'pooling', 'prompt']) if (typeof m[key] === 'string') record[key] = m[key];
  if (typeof m.normalize === 'boolean') record.normalize = m.normalize;
  return record;
}

async function exists(p) {
  return stat(p).then(() => true, () => false);
}

/** Writes (or keeps) `<dir>/index` for the finished build `state`; returns its path. */
export async function writeFinalIndex(state, options, { onProgress } = {}) {
  const out = indexDir(state.dir);
  const wanted = writerOptions(options);
  const done = state.checkpoint.index;
  if (done && JSON.stringify(done.options) === JSON.stringify(wanted) && await exists(path.join(out, 'manifest.json'))) return out;
  // Temporaries of a writer killed earlier (index.<stamp>.tmp / .old siblings).
  for (const name of await readdir(state.dir)) {
    if (/^index\..+\.(tmp|old)$/.test(name)) await rm(path.join(state.dir, name), { recursive: true, force: true });
  }
  await state.update({ index: null });
  const content = await state.content();
  crashPoint('final-start');
  await writeStaticIndex(out, {
    dims: content.dims, vectors: content.vectors, ids: content.ids, texts: content.texts, metadata: content.metadata,
    model: modelRecord(state.plan), metric: wanted.metric, storage: wanted.storage, keepFloat: wanted.keepFloat,
    partitions: wanted.partitions ?? undefined, seed: wanted.seed,
    onProgress: ({ phase, done: d, total }) => {
      crashPoint('index-progress'); // the kill -9 test's way into the middle of the writer
      onProgress?.({ stage: `index ${phase}`, done: d, total });
    },
  });
  crashPoint('final-written');
  await state.update({ index: { options: wanted } });
  return out;
}
