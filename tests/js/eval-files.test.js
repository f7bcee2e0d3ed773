// Reading evaluation data: BEIR jsonl / qrels, AutoRAG parquet, STS pair files; malformed input is
// a ParseError naming the file, line (or row) and field. Also the STS correlations.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ParseError } from '../../js/index.js';
import {
  averageRanks, castRetrievalGt, loadRetrievalDataset, pearson, readAutoragCorpus, readAutoragQa, readBeirCorpus, readBeirQueries,
  readQrels, readStsPairs, spearman,
} from '../../js/eval/index.js';
import { REPO_ROOT, skipUnlessShared, SHARED_DIR } from '../helpers/paths.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-eval-files-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const file = (name, text) => { const p = path.join(dir, name); writeFileSync(p, text); return p; };
const AUTORAG = path.join(REPO_ROOT, 'tests', 'fixtures', 'eval', 'autorag');

async function rejectsParse(promise, { file: f, line, field, message }) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ParseError, `${err.name}: ${err.message}`);
    assert.equal(err.file, f);
    if (line !== undefined) assert.equal(err.line, line);
    if (field !== undefined) assert.equal(err.field, field);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('BEIR corpus, queries and qrels; ids as strings, title optional', async () => {
  const corpus = await readBeirCorpus(file('c.jsonl', '{"_id":"d1","title":"T","text":"one"}\n\n{"_id":2,"text":"two"}\n'));
  assert.deepEqual(corpus, [{ id: 'd1', title: 'T', text: 'one' }, { id: '2', title: '', text: 'two' }]);
  const queries = await readBeirQueries({ name: 'q.jsonl', data: '\uFEFF{"_id":"q1","text":"hi"}\r\n' });
  assert.deepEqual(queries, [{ id: 'q1', text: 'hi' }]);
  const qrels = await readQrels(file('t.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t2\t0\nq2\td1\t1\n'));
  assert.deepEqual([...qrels.get('q1')], [['d1', 2], ['2', 0]]);
  const trec = await readQrels(file('t.qrels', 'q1 0 d1 1\nq1 0 d2 0\n'));
  assert.deepEqual([...trec.get('q1')], [['d1', 1], ['d2', 0]]);
});

test('malformed BEIR files name file, line and field', async () => {
  const c = file('bad.jsonl', '{"_id":"d1","text":"ok"}\n{"_id":"d2","txt":"typo"}\n');
  await rejectsParse(readBeirCorpus(c), { file: c, line: 2, field: 'text', message: /bad\.jsonl:2: field 'text': missing/ });
  const j = file('bad2.jsonl', '{"_id":"d1","text":"ok"}\n{"_id": "d2", \n');
  await rejectsParse(readBeirCorpus(j), { file: j, line: 2, field: null, message: /not valid JSON/ });
  const dup = file('dup.jsonl', '{"_id":"d1","text":"a"}\n{"_id":"d1","text":"b"}\n');
  await rejectsParse(readBeirCorpus(dup), { file: dup, line: 2, field: '_id', message: /repeats the document of line 1/ });
  const q = file('q.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0.5\n');
  await rejectsParse(readQrels(q), { file: q, line: 3, field: 'score', message: /integer grade/ });
  const h = file('h.tsv', 'qid\tdocid\trel\nq1\td1\t1\n');
  await rejectsParse(readQrels(h), { file: h, line: 1, message: /header/ });
  const twice = file('twice.tsv', 'q1\td1\t1\nq1\td1\t2\n');
  await rejectsParse(readQrels(twice), { file: twice, line: 2, field: 'corpus-id', message: /judged twice.*line 1/ });
  await assert.rejects(readBeirCorpus(path.join(dir, 'absent.jsonl')), { name: 'InvalidArgumentError', message: /cannot read .*ENOENT/ });
});

test('a BEIR dataset reports judged ids missing from the corpus and the queries', async () => {
  const ds = await loadRetrievalDataset({
    corpus: file('c2.jsonl', '{"_id":"d1","text":"a"}\n'),
    queries: file('q2.jsonl', '{"_id":"q1","text":"a"}\n'),
    qrels: file('r2.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\tgone\t1\nq9\td1\t1\n'),
  });
  assert.deepEqual(ds.problems.missingDocs, { count: 1, examples: [{ query: 'q1', doc: 'gone' }] });
  assert.deepEqual(ds.problems.missingQueries, { count: 1, examples: ['q9'] });
});

test('AutoRAG parquet fixture: corpus, queries and retrieval_gt groups', async () => {
  const corpus = await readAutoragCorpus(path.join(AUTORAG, 'corpus.parquet'));
  assert.equal(corpus.length, 6);
  assert.deepEqual(corpus[0], { id: 'd1', title: '', text: '서울의 날씨는 오늘 맑고 기온은 영상 십 도입니다.' });
  const { queries, groups } = await readAutoragQa(path.join(AUTORAG, 'qa.parquet'));
  assert.deepEqual(queries.map((q) => q.id), ['q1', 'q2', 'q3', 'q4']);
  assert.deepEqual(groups.get('q2'), [['d4'], ['d5']]);
  assert.deepEqual(groups.get('q4'), [[]]);
  const ds = await loadRetrievalDataset({ corpus: path.join(AUTORAG, 'corpus.parquet'), queries: path.join(AUTORAG, 'qa.parquet') });
  assert.equal(ds.layout, 'autorag');
  assert.deepEqual(ds.problems.missingDocs, { count: 1, examples: [{ query: 'q3', doc: 'd-missing' }] });
  // the qa file as corpus: the missing column is named
  const qa = path.join(AUTORAG, 'qa.parquet');
  await rejectsParse(readAutoragCorpus(qa), { file: qa, field: 'doc_id', message: /column is missing/ });
  const notParquet = file('x.parquet', 'hello');
  await rejectsParse(readAutoragCorpus(notParquet), { file: notParquet, message: /not a readable parquet file/ });
  assert.deepEqual(castRetrievalGt('d1', 'f', 1), [['d1']]);
  assert.deepEqual(castRetrievalGt(['d1', 'd2'], 'f', 1), [['d1', 'd2']]);
  assert.throws(() => castRetrievalGt([['d1', 3]], 'qa.parquet', 7), (err) => err instanceof ParseError && /qa\.parquet:row 7: field 'retrieval_gt'/.test(err.message));
});

test('STS pair files: tsv with header, headerless csv with quotes, jsonl, KLUE json', async () => {
  const tsv = await readStsPairs(file('p.tsv', 'genre\tscore\tsentence1\tsentence2\nx\t4.5\tA "b"\tC\nx\t1\tD\tE\n'));
  assert.deepEqual(tsv, [{ sentence1: 'A "b"', sentence2: 'C', score: 4.5 }, { sentence1: 'D', sentence2: 'E', score: 1 }]);
  const csv = await readStsPairs(file('p.csv', '"A, a","B ""b""",5.0\r\nC,D,0\n'));
  assert.deepEqual(csv, [{ sentence1: 'A, a', sentence2: 'B "b"', score: 5 }, { sentence1: 'C', sentence2: 'D', score: 0 }]);
  const jsonl = await readStsPairs(file('p.jsonl', '{"sentence1":"a","sentence2":"b","label":3}\n{"sentence1":"c","sentence2":"d","score":"2.5"}\n'));
  assert.deepEqual(jsonl.map((p) => p.score), [3, 2.5]);
  const klue = await readStsPairs(file('p.json', JSON.stringify([{ sentence1: 'a', sentence2: 'b', labels: { label: 4.9 } }, { sentence1: 'c', sentence2: 'd', labels: { label: 0 } }])));
  assert.deepEqual(klue.map((p) => p.score), [4.9, 0]);
  const bad = file('bad.tsv', 'sentence1\tsentence2\tscore\na\tb\t1\nc\td\tn/a\n');
  await rejectsParse(readStsPairs(bad), { file: bad, line: 3, field: 'score', message: /must be a number/ });
  const open = file('open.csv', 'a,b,1\n"c,d,2\n');
  await rejectsParse(readStsPairs(open), { file: open, line: 2, message: /not closed/ });
  await assert.rejects(readStsPairs(file('p.txt', 'a')), { name: 'InvalidArgumentError', message: /unknown pair file type/ });
});

test('the ../shared STS files read as they are', { skip: skipUnlessShared('texts', 'korsts') }, async () => {
  assert.equal((await readStsPairs(path.join(SHARED_DIR, 'texts/korsts/sts-dev.tsv'))).length, 1500);
  assert.equal((await readStsPairs(path.join(SHARED_DIR, 'texts/stsb-en/stsb-en-dev.csv'))).length, 1500);
  assert.equal((await readStsPairs(path.join(SHARED_DIR, 'texts/klue-sts/klue-sts-v1.1_dev.json'))).length, 519);
});

test('Spearman with average ranks for ties, Pearson; against the no-ties formula on random data', () => {
  assert.deepEqual([...averageRanks([10, 20, 20, 30, 20])], [1, 3, 3, 5, 3]);
  // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 3, 2, 4]) - 0.9486832980505138) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 7]) - 0.9933992677987828) < 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  let seed = 5;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let trial = 0; trial < 50; trial++) {
    const n = 5 + (trial % 40);
    const x = Array.from({ length: n }, rand);
    const y = x.map((v) => v + rand() - 0.5);
    const rank = (a) => { const s = [...a].sort((p, q) => p - q); return a.map((v) => s.indexOf(v) + 1); };
    const rx = rank(x);
    const ry = rank(y);
    const d2 = rx.reduce((s, r, i) => s + (r - ry[i]) ** 2, 0);
    const want = 1 - (6 * d2) / (n * (n * n - 1));
    assert.ok(Math.abs(spearman(x, y) - want) < 1e-9, `trial ${trial}`);
  }
});
