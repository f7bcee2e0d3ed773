// `wasmbed eval` end to end on generated models (random weights: dense numbers mean nothing,
// lexical ones are real): a BEIR-layout dataset built from ../shared sentences, the AutoRAG
// parquet fixture, the corpus embedding cache, the CLI (table, --json, --run-out, errors), STS and
// compare.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Embedder, UnsupportedError } from '../../js/index.js';
import { evaluateRetrieval, evaluateSts, readQrels, scoreRun } from '../../js/eval/index.js';
import { makeTinyModels, tempDir } from '../helpers/embedder-models.js';
import { paragraphDataset, writeBeir } from '../helpers/eval-dataset.js';
import { REPO_ROOT, SHARED_DIR, skipUnlessShared } from '../helpers/paths.js';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'js', 'cli.js');
const AUTORAG = path.join(REPO_ROOT, 'tests', 'fixtures', 'eval', 'autorag');
const dir = tempDir('wasmbed-eval-');
const PROMPTS = { query: 'query: ', passage: 'passage: ' };
const models = makeTinyModels(dir, ['xlmr', 'bert'], { st: { prompts: PROMPTS } });
mkdirSync(path.join(dir, 'm3'));
const m3Model = makeTinyModels(path.join(dir, 'm3'), ['xlmr'], { heads: true });
const noShared = skipUnlessShared('texts', 'korsts');
const dataset = noShared ? null : paragraphDataset();

async function cli(args) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'eval', ...args], { cwd: REPO_ROOT, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('BEIR layout from ../shared paragraphs: lexical finds the paragraph of each sentence; the cache skips the corpus the second time', { skip: noShared }, async () => {
  const { xlmr } = await models;
  const files = writeBeir(path.join(dir, 'beir'), dataset);
  const cacheDir = path.join(dir, 'cache');
  const stages = new Set();
  const first = await evaluateRetrieval({ model: xlmr, ...files, modes: ['dense', 'lexical', 'hybrid'], cacheDir, onProgress: (p) => stages.add(p.stage) });
  assert.equal(first.counts.documents, 60);
  assert.equal(first.counts.judgedQueries, 30);
  assert.deepEqual(first.prompts, { query: 'query: ', passage: 'passage: ' });
  const lexical = first.results.lexical.aggregate;
  // chance: recall@10 = 10 / 60
  assert.ok(lexical['recall@10'] >= 0.9, `lexical recall@10 ${lexical['recall@10']}`);
  assert.ok(lexical['mrr@10'] >= 0.8, `lexical mrr@10 ${lexical['mrr@10']}`);
  assert.ok(first.results.hybrid.aggregate['recall@10'] >= 0.5);
  assert.equal(first.results.dense.evaluated, 30);
  assert.deepEqual(first.cache.corpus, { source: 'model', embedded: 60, file: first.cache.corpus.file });
  assert.ok(stages.has('embed corpus') && stages.has('search lexical'));
  assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')).length, 0);

  stages.clear();
  const second = await evaluateRetrieval({ model: xlmr, ...files, modes: ['dense'], ks: [3, 10], cacheDir, onProgress: (p) => stages.add(p.stage) });
  assert.deepEqual(second.cache.corpus, { source: 'cache', embedded: 0, file: first.cache.corpus.file });
  assert.ok(!stages.has('embed corpus'), 'the corpus was embedded again');
  for (const k of [3, 10]) assert.equal(second.results.dense.aggregate[`ndcg@${k}`], first.results.dense.aggregate[`ndcg@${k}`]);

  const otherPrompt = await evaluateRetrieval({ model: xlmr, ...files, modes: ['dense'], ks: [10], cacheDir, passagePrompt: '' });
  assert.equal(otherPrompt.cache.corpus.source, 'model', 'another passage prompt must not reuse the cached vectors');
});

test('CLI retrieval: table, --json, --run-out that re-scores to the same numbers, missing judged docs reported', { skip: noShared }, async () => {
  const { xlmr } = await models;
  const files = writeBeir(path.join(dir, 'beir-cli'), dataset);
  appendFileSync(files.qrels, 'q-0000\tdoc-gone\t1\n');
  const json = path.join(dir, 'out.json');
  const runFile = path.join(dir, 'lexical.trec');
  const r = await cli(['retrieval', '--model', xlmr, '--corpus', files.corpus, '--queries', files.queries, '--qrels', files.qrels,
    '--modes', 'lexical', '--k', '1,10', '--depth', '20', '--json', json, '--run-out', runFile, '--no-cache']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| lexical \| 10 \| \d\.\d{4} \|/);
  assert.match(r.stderr, /warning: 1 judged doc id\(s\) are not in the corpus .*doc-gone \(query q-0000\)/);
  assert.match(r.stderr, /search lexical: 30\/30/); // plain progress lines when stderr is not a TTY
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.deepEqual(report.problems.missingDocs, { count: 1, examples: [{ query: 'q-0000', doc: 'doc-gone' }] });
  assert.equal(Object.keys(report.results.lexical.perQuery).length, 30);
  assert.equal(report.results.lexical.perQuery['q-0000']['recall@10'], 0.5); // the missing doc still counts as relevant
  // the TREC run file, read back as trec_eval would, gives the same measures
  const lines = readFileSync(runFile, 'utf8').trim().split('\n');
  const back = new Map();
  for (const line of lines) {
    const [qid, q0, doc, rank, score, tag] = line.split(' ');
    assert.equal(q0, 'Q0');
    assert.equal(tag, 'wasmbed-lexical');
    assert.ok(Number(rank) >= 1 && Number(rank) <= 20);
    if (!back.has(qid)) back.set(qid, []);
    back.get(qid).push({ id: doc, score: Number(score) });
  }
  const rescored = scoreRun({ run: back, qrels: await readQrels(files.qrels), ks: [1, 10] });
  for (const [name, v] of Object.entries(report.results.lexical.aggregate)) assert.ok(Math.abs(rescored.aggregate[name] - v) < 1e-12, name);
});

test('CLI errors: usage errors exit 2, a malformed corpus names file, line and field', async () => {
  const { xlmr } = await models;
  assert.equal((await cli(['retrieval', '--corpus', 'x', '--queries', 'y'])).code, 2);
  const badMode = await cli(['retrieval', '--model', xlmr, '--corpus', 'x', '--queries', 'y', '--modes', 'dense,splade']);
  assert.equal(badMode.code, 2);
  assert.match(badMode.stderr, /unknown mode 'splade'/);
  assert.equal((await cli(['retrieval', '--model', xlmr, '--corpus', 'x', '--queries', 'y', '--k', '0'])).code, 2);
  assert.equal((await cli(['sts', '--model', xlmr])).code, 2);
  const corpus = path.join(dir, 'broken.jsonl');
  writeFileSync(corpus, '{"_id":"d1","text":"fine"}\n{"_id":"d2","text":7}\n');
  const queries = path.join(dir, 'broken-q.jsonl');
  writeFileSync(queries, '{"_id":"q1","text":"fine"}\n');
  const qrels = path.join(dir, 'broken.tsv');
  writeFileSync(qrels, 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');
  const r = await cli(['retrieval', '--model', xlmr, '--corpus', corpus, '--queries', queries, '--qrels', qrels, '--quiet']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ParseError: .*broken\.jsonl:2: field 'text': must be a string, got 7/);
});

test('AutoRAG layout (parquet): group measures, [[]] left out, missing doc reported', async () => {
  const { xlmr } = await models;
  const r = await evaluateRetrieval({
    model: xlmr, corpus: path.join(AUTORAG, 'corpus.parquet'), queries: path.join(AUTORAG, 'qa.parquet'), modes: ['lexical'], ks: [1, 5], cache: false,
  });
  assert.equal(r.layout, 'autorag');
  const lexical = r.results.lexical;
  assert.equal(lexical.evaluated, 3);
  assert.equal(lexical.autoragEvaluated, 3);
  assert.deepEqual(r.problems.unjudgedQueries, { count: 1, examples: ['q4'] });
  assert.equal(r.problems.missingDocs.count, 1);
  // q1's text is d1's text: BM25 puts d1 first, which finds q1's only group
  assert.equal(lexical.perQuery.q1['autorag_recall@1'], 1);
  assert.equal(lexical.perQuery.q1['recall@1'], 0.5); // trec view: d1 and d3 are both relevant
  assert.ok('autorag_f1@5' in lexical.aggregate && 'ndcg@5' in lexical.aggregate);
});

test('bge-m3 mode: M3Index on a model with heads, cached as a whole index; refused without heads', async () => {
  const { xlmr } = await m3Model;
  const opts = { corpus: path.join(AUTORAG, 'corpus.parquet'), queries: path.join(AUTORAG, 'qa.parquet'), modes: ['bge-m3'], cacheDir: path.join(dir, 'm3-cache') };
  const first = await evaluateRetrieval({ model: xlmr, ...opts });
  assert.equal(first.cache.m3Corpus.source, 'model');
  const second = await evaluateRetrieval({ model: xlmr, ...opts });
  assert.equal(second.cache.m3Corpus.source, 'cache');
  assert.deepEqual(second.results['bge-m3'].aggregate, first.results['bge-m3'].aggregate);
  const { bert } = await models;
  await assert.rejects(evaluateRetrieval({ model: bert, ...opts, cache: false }), (err) => err instanceof UnsupportedError && /needs a model with BGE-M3/.test(err.message));
});

test('STS: Spearman and Pearson of cosine vs gold on KorSTS pairs, via the API and the CLI', { skip: noShared }, async () => {
  const { xlmr } = await models;
  const pairs = path.join(dir, 'korsts-200.tsv');
  const source = readFileSync(path.join(SHARED_DIR, 'texts', 'korsts', 'sts-dev.tsv'), 'utf8').split('\n');
  writeFileSync(pairs, source.slice(0, 201).join('\n') + '\n');
  const r = await evaluateSts({ model: xlmr, pairs });
  assert.equal(r.pairs, 200);
  assert.equal(r.prompt, 'query: ');
  assert.ok(Math.abs(r.spearman) <= 1 && Math.abs(r.pearson) <= 1);
  const same = r.perPair.find((p) => p.sentence1 === p.sentence2);
  if (same) assert.ok(Math.abs(same.cosine - 1) < 1e-5);
  const out = await cli(['sts', '--model', xlmr, '--pairs', pairs, '--quiet']);
  assert.equal(out.code, 0, out.stderr);
  assert.ok(out.stdout.includes(`| 200 | ${(r.spearman * 100).toFixed(2)} | ${(r.pearson * 100).toFixed(2)} |`), out.stdout);
});

test('CLI compare: two models in one table', async () => {
  const { xlmr, bert } = await models;
  const r = await cli(['compare', '--models', `${xlmr},${bert}`, '--corpus', path.join(AUTORAG, 'corpus.parquet'), '--queries', path.join(AUTORAG, 'qa.parquet'),
    '--modes', 'dense,lexical', '--k', '1,5', '--no-cache', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith(`| ${xlmr}`) || l.startsWith(`| ${bert}`));
  assert.equal(rows.length, 4);
  assert.match(r.stdout, /^at k = 5/);
  assert.match(r.stdout, /AutoRAG F1/);
});

test('a loaded Embedder: evaluated as is, its corpus vectors cached only under a given modelId', async () => {
  const { xlmr } = await models;
  const embedder = await Embedder.load(xlmr);
  try {
    const opts = { model: embedder, corpus: path.join(AUTORAG, 'corpus.parquet'), queries: path.join(AUTORAG, 'qa.parquet'), cacheDir: path.join(dir, 'emb-cache') };
    const anonymous = await evaluateRetrieval(opts);
    assert.equal(anonymous.cache.dir, null);
    assert.equal(anonymous.cache.corpus.source, 'model');
    await evaluateRetrieval({ ...opts, modelId: 'my-xlmr' });
    const named = await evaluateRetrieval({ ...opts, modelId: 'my-xlmr' });
    assert.equal(named.cache.corpus.source, 'cache');
    assert.equal(named.model, 'my-xlmr');
    assert.deepEqual(named.results.dense.aggregate, anonymous.results.dense.aggregate);
    assert.equal((await embedder.embed(['still usable'])).length, 1); // not disposed by the evaluation
  } finally {
    await embedder.dispose();
  }
});
