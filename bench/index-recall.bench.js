#!/usr/bin/env node
// Recall of the quantized vector index storages against exact float32 search, on anisotropic
// embedding-like vectors (tests/helpers/embedding-like-vectors.js: a shared mean direction, a
// low-rank topic component, noise, per-dimension scale spread and outlier dimensions), with
// queries that paraphrase stored rows. Cosine metric, k = 10, 100 queries per configuration.
//
//   node bench/index-recall.bench.js [--sizes 10000,100000] [--dims 384,1024] [--queries 100] [--json path]
//
// Reports recall@10 of the default int8 search (rescored shortlist), raw int8 scores, and the
// default binary search (float32 rows kept), plus the largest score any int8 search returned
// (a cosine index must stay within [-1, 1]). Writes bench/results/index-recall-node.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VectorIndex } from '../js/search/vector-index.js';
import { embeddingLikeVectors } from '../tests/helpers/embedding-like-vectors.js';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const sizes = arg('sizes', '10000,100000').split(',').map(Number);
const dimsList = arg('dims', '384,1024').split(',').map(Number);
const nq = Number(arg('queries', '100'));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const jsonOut = arg('json', path.join(root, 'bench', 'results', 'index-recall-node.json'));

function recall(want, got) {
  const set = new Set(want.map((h) => h.id));
  return got.filter((h) => set.has(h.id)).length / want.length;
}

const results = [];
for (const dims of dimsList) {
  for (const n of sizes) {
    const gen = embeddingLikeVectors(dims, n + dims);
    const rows = gen.rows(n);
    const queries = gen.queries(nq);
    const ids = Uint32Array.from({ length: n }, (_, i) => i);
    const exact = await VectorIndex.create({ dims, storage: 'float32' });
    exact.addBatch(ids, rows);
    const want = [];
    for (let q = 0; q < nq; q++) want.push(exact.search(queries.subarray(q * dims, (q + 1) * dims), { k: 10 }));
    exact.dispose();
    const row = { n, dims };
    for (const [name, storage, rescore] of [['int8', 'int8', true], ['int8Raw', 'int8', false], ['binary', 'binary', true]]) {
      const index = await VectorIndex.create({ dims, storage });
      index.addBatch(ids, rows);
      let sum = 0;
      let maxScore = -Infinity;
      for (let q = 0; q < nq; q++) {
        const hits = index.search(queries.subarray(q * dims, (q + 1) * dims), { k: 10, rescore });
        sum += recall(want[q], hits);
        maxScore = Math.max(maxScore, hits[0].score);
      }
      row[name] = sum / nq;
      if (storage === 'int8') row[`${name}MaxScore`] = maxScore;
      row[`${name}MiB`] = index.memoryBytes / 1024 ** 2;
      index.dispose();
    }
    results.push(row);
    console.log(`${String(n).padStart(6)} x ${String(dims).padStart(4)}: int8 ${row.int8.toFixed(3)} (raw ${row.int8Raw.toFixed(3)}, ` +
      `max score ${row.int8MaxScore.toFixed(4)}), binary+float ${row.binary.toFixed(3)}`);
  }
}
const environment = `node ${process.version}, ${process.arch}, ${os.cpus().length} CPUs`;
mkdirSync(path.dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), environment, queries: nq, k: 10, results }, null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), jsonOut)}`);
