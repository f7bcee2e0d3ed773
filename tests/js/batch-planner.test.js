// The cost-based batch planner (issue #14.1) on the length distributions embedding jobs see:
// every text planned exactly once, each run within the memory budget and the padding bound
// (padded / real tokens <= MAX_PADDING, so the whole plan's too), and a modelled cost never above
// one text per run; planned by cost alone (no padding bound), never above the previous
// token-budget planner either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PADDING, planBatches, planByTokenBudget, planCost } from '../../js/embedder/batching.js';
import { costModel, runBytes, runCost } from '../../js/embedder/cost-model.js';

// Deterministic pseudo-random numbers (mulberry32), so a failure names a reproducible case.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));

const DISTRIBUTIONS = {
  'uniform short': (r, n) => Array.from({ length: n }, () => int(r, 5, 40)),
  'uniform long': (r, n) => Array.from({ length: n }, () => int(r, 400, 512)),
  bimodal: (r, n) => Array.from({ length: n }, () => (r() < 0.5 ? int(r, 8, 40) : int(r, 300, 512))),
  'heavy-tailed': (r, n) => Array.from({ length: n }, () => Math.min(8192, Math.max(3, Math.round(8 / (r() ** 1.5 + 0.01))))),
  'one long among short': (r, n) => Array.from({ length: n }, (_, i) => (i === Math.floor(n / 2) ? 512 : int(r, 6, 30))),
  'pages and sentences (RAG)': (r, n) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? int(r, 64, 512) : int(r, 10, 40))),
};

// Shapes: e5-small (12 x 384, 12 heads), bge-m3 (24 x 1024, 16 heads), MiniLM (6 x 384).
const CONFIGS = {
  'e5-small': { num_hidden_layers: 12, hidden_size: 384, num_attention_heads: 12, intermediate_size: 1536 },
  'bge-m3': { num_hidden_layers: 24, hidden_size: 1024, num_attention_heads: 16, intermediate_size: 4096 },
  minilm: { num_hidden_layers: 6, hidden_size: 384, num_attention_heads: 12, intermediate_size: 1536 },
};
const singles = (lengths) => Array.from(lengths.keys(), (i) => ({ indices: [i], seqLen: Math.max(1, lengths[i]) }));

const real = (lengths, indices) => indices.reduce((a, i) => a + Math.max(1, lengths[i]), 0);

function checkCovers(plan, lengths) {
  const seen = new Uint8Array(lengths.length);
  for (const b of plan) {
    assert.ok(b.indices.length >= 1);
    for (const i of b.indices) {
      assert.equal(seen[i], 0, `index ${i} planned twice`);
      seen[i] = 1;
      assert.ok(lengths[i] <= b.seqLen, `text ${i} (${lengths[i]} tokens) in a run padded to ${b.seqLen}`);
    }
    assert.equal(b.seqLen, Math.max(1, ...b.indices.map((i) => lengths[i])), 'each run is padded to its own longest text');
  }
  assert.ok(seen.every((x) => x === 1), 'every index planned');
}

for (const [dist, make] of Object.entries(DISTRIBUTIONS)) {
  test(`${dist}: every text once, padding within the bound, never costlier than one per run or (by cost alone) the token-budget plan`, () => {
    for (const [shape, config] of Object.entries(CONFIGS)) {
      for (const device of ['cpu', 'wasm', 'webgpu']) {
        const model = costModel(config, device);
        for (const seed of [1, 2, 3]) {
          for (const n of [1, 7, 64, 300]) {
            const lengths = make(rng(seed * 1000 + n), n);
            const where = `${shape} ${device} seed ${seed} n ${n}`;
            for (const batchSize of [1, 8, 32]) {
              const plan = planBatches(lengths, { batchSize, model });
              checkCovers(plan, lengths);
              assert.ok(plan.every((b) => b.indices.length <= batchSize), `${where}: batchSize ${batchSize}`);
              for (const b of plan) {
                assert.ok(b.indices.length * b.seqLen <= MAX_PADDING * real(lengths, b.indices), `${where}: run ${b.indices.length} x ${b.seqLen} pads over ${MAX_PADDING}x`);
              }
              const padded = plan.reduce((a, b) => a + b.indices.length * b.seqLen, 0);
              assert.ok(padded <= MAX_PADDING * real(lengths, [...lengths.keys()]), `${where}: plan pads over ${MAX_PADDING}x`);
              const singlesCost = planCost(model, singles(lengths));
              assert.ok(planCost(model, plan) <= singlesCost * (1 + 1e-12), `${where}: above one text per run`);
              const byCost = planBatches(lengths, { batchSize, model, maxPadding: Infinity });
              checkCovers(byCost, lengths);
              const costAlone = planCost(model, byCost);
              assert.ok(costAlone <= planCost(model, plan) * (1 + 1e-12), `${where}: the bound lowered the cost`);
              assert.ok(costAlone <= singlesCost * (1 + 1e-12), `${where}: by cost alone, above one text per run`);
              assert.ok(costAlone <= planCost(model, planByTokenBudget(lengths, { batchSize })) * (1 + 1e-12), `${where}: by cost alone, above the token-budget plan`);
            }
          }
        }
      }
    }
  });
}

test('each run stays within the memory budget (a single text always runs)', () => {
  const model = costModel(CONFIGS['bge-m3'], 'cpu');
  for (const [dist, make] of Object.entries(DISTRIBUTIONS)) {
    const lengths = make(rng(7), 200);
    for (const memoryBudget of [16 << 20, 256 << 20, 1 << 30]) {
      const plan = planBatches(lengths, { batchSize: 32, model, memoryBudget });
      checkCovers(plan, lengths);
      for (const b of plan) {
        if (b.indices.length > 1) assert.ok(runBytes(model, b.indices.length, b.seqLen) <= memoryBudget, `${dist} ${memoryBudget}: ${b.indices.length} x ${b.seqLen}`);
      }
    }
  }
  // A budget below one text's needs still plans one text per run rather than failing.
  const plan = planBatches([512, 512, 512], { batchSize: 32, model, memoryBudget: 1 });
  assert.deepEqual(plan.map((b) => b.indices.length), [1, 1, 1]);
});

test('tokenBudget, when given, caps count x seqLen as before', () => {
  const lengths = DISTRIBUTIONS.bimodal(rng(5), 120);
  const plan = planBatches(lengths, { batchSize: 32, model: costModel(CONFIGS['e5-small']), tokenBudget: 1000 });
  checkCovers(plan, lengths);
  for (const b of plan) if (b.indices.length > 1) assert.ok(b.indices.length * b.seqLen <= 1000);
});

test('the cost model: short runs share overhead, a long text does not pad short ones', () => {
  const model = costModel(CONFIGS['e5-small'], 'cpu');
  // 32 sentences of 20 tokens: one run beats 32.
  assert.ok(runCost(model, 32, 20) < 32 * runCost(model, 1, 20));
  // A 512-token page with 31 sentences of 34 tokens: splitting beats padding them all to 512.
  const lengths = [512, ...Array(31).fill(34)];
  const plan = planBatches(lengths, { batchSize: 32, model });
  assert.deepEqual(plan.map((b) => [b.indices.length, b.seqLen]), [[1, 512], [31, 34]]);
  assert.ok(planCost(model, plan) < planCost(model, planByTokenBudget(lengths, { batchSize: 32 })) / 5);
});

test('plans are deterministic and keep input order among equal lengths', () => {
  const lengths = [5, 9, 5, 9, 5];
  const model = costModel(CONFIGS.minilm, 'wasm');
  const a = planBatches(lengths, { batchSize: 2, model });
  assert.deepEqual(a, planBatches(lengths, { batchSize: 2, model }));
  assert.deepEqual(a.flatMap((b) => b.indices), [1, 3, 0, 2, 4]);
});
