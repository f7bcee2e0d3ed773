// `wasmbed eval retrieval|sts|compare`: retrieval and STS evaluation of a model on the user's own
// data (BEIR or AutoRAG layout; KorSTS / STS-B pair files), in the form it ships (dtype, device).
import { parseCommandArgs } from './args.js';

const USAGE = `usage: wasmbed eval retrieval --model M --corpus FILE --queries FILE [--qrels FILE] [options]
       wasmbed eval sts --model M --pairs FILE [options]
       wasmbed eval compare --models A,B [--dtypes fp32,q8,q4] (retrieval data options | --pairs FILE)

Data
  --corpus FILE        BEIR corpus.jsonl ({"_id","title","text"}) or AutoRAG corpus.parquet (doc_id, contents)
  --queries FILE       BEIR queries.jsonl ({"_id","text"}) or AutoRAG qa.parquet (qid, query, retrieval_gt)
  --qrels FILE         BEIR qrels TSV (query-id, corpus-id, score) or TREC qrels; not with the AutoRAG layout
  --pairs FILE         STS pairs: .tsv/.csv with sentence1, sentence2, score columns (headerless csv:
                       s1,s2,score), .jsonl or .json (score, label or labels.label)
Retrieval
  --modes LIST         dense,lexical,hybrid,bge-m3 (default dense); lexical = BM25 over the model's token ids,
                       hybrid = rrf(dense, lexical), bge-m3 = M3Index dense+sparse+ColBERT (needs the heads)
  --k LIST             cutoffs (default 1,3,5,10)
  --depth N            results kept per query (default: the largest k; raise it for --run-out)
  --query-prompt P     prompt name or literal text before queries (default: the model's 'query' prompt)
  --passage-prompt P   before documents (default: the model's 'passage' prompt); '' for none
  --cache-dir DIR      corpus embedding cache (default <wasmbed cache>/eval); --no-cache to disable
Model
  --model SOURCE       Hub id, URL or local folder; compare: --models A,B and --dtypes D1,D2
  --dtype D            fp32 (default), fp16, q8, q4, ...   --device D   auto (default), cpu, wasm
  --batch-size N       texts per ONNX run (default 32)
  --prompt P           STS: prompt before both sentences (default: the model's 'query' prompt)
  --model-cache-dir DIR   download cache for models; --offline: cached files only
Output
  --json FILE          aggregate and per-query values (and warnings, problems, cache use)
  --run-out FILE       TREC run file(s) "qid Q0 docid rank score tag" (several modes: FILE.<mode>.trec)
  --at K               compare: the cutoff its table shows (default: the largest k)
  --quiet              no progress on stderr
`;

const OPTIONS = {
  model: { type: 'string' }, models: { type: 'string' }, dtype: { type: 'string' }, dtypes: { type: 'string' }, device: { type: 'string' },
  corpus: { type: 'string' }, queries: { type: 'string' }, qrels: { type: 'string' }, pairs: { type: 'string' },
  modes: { type: 'string' }, k: { type: 'string' }, depth: { type: 'string' }, at: { type: 'string' },
  'query-prompt': { type: 'string' }, 'passage-prompt': { type: 'string' }, prompt: { type: 'string' },
  'cache-dir': { type: 'string' }, 'no-cache': { type: 'boolean' }, 'model-cache-dir': { type: 'string' }, offline: { type: 'boolean' },
  'batch-size': { type: 'string' }, json: { type: 'string' }, 'run-out': { type: 'string' }, quiet: { type: 'boolean' },
};

class UsageError extends Error {}

const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

function positiveInt(v, flag) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

function cutoffs(v) {
  if (v === undefined) return undefined;
  const ks = list(v).map((x) => positiveInt(x, '--k'));
  if (!ks.length) throw new UsageError('--k needs at least one cutoff');
  return ks;
}

function retrievalOptions(v, eval_) {
  if (!v.corpus || !v.queries) throw new UsageError('retrieval needs --corpus and --queries (and --qrels for the BEIR layout)');
  const modes = v.modes ? list(v.modes) : ['dense'];
  for (const m of modes) if (!eval_.RETRIEVAL_MODES.includes(m)) throw new UsageError(`unknown mode '${m}' in --modes (${eval_.RETRIEVAL_MODES.join(', ')})`);
  return {
    corpus: v.corpus, queries: v.queries, qrels: v.qrels, modes, ks: cutoffs(v.k), depth: positiveInt(v.depth, '--depth'),
    queryPrompt: v['query-prompt'], passagePrompt: v['passage-prompt'], cache: !v['no-cache'], cacheDir: v['cache-dir'],
  };
}

function common(v, stderr, eval_) {
  return {
    device: v.device, batchSize: positiveInt(v['batch-size'], '--batch-size'), modelCacheDir: v['model-cache-dir'], localFilesOnly: v.offline,
    onProgress: v.quiet ? undefined : eval_.progressPrinter(stderr),
    onWarning: (m) => stderr.write(`eval: warning: ${m}\n`),
  };
}

async function writeFileAtomic(file, text) {
  const { writeFile, rename } = await import('node:fs/promises');
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

async function writeRuns(result, file, stderr, eval_) {
  const { modes } = result;
  for (const mode of modes) {
    const target = modes.length === 1 ? file : file.replace(/(\.[^./]*)?$/, (ext) => `.${mode}${ext || '.trec'}`);
    await writeFileAtomic(target, eval_.trecRunText(result.results[mode].run, `wasmbed-${mode}`));
    stderr.write(`eval: wrote ${target}\n`);
  }
}

async function retrieval(v, io, eval_) {
  if (!v.model) throw new UsageError('--model is required');
  const result = await eval_.evaluateRetrieval({ model: v.model, dtype: v.dtype, ...retrievalOptions(v, eval_), ...common(v, io.stderr, eval_) });
  io.stdout.write(`${result.model} (${result.dtype}, ${result.device}), ${result.layout} layout, ${result.seconds.toFixed(1)} s` +
    `${result.cache.corpus?.source === 'cache' || result.cache.m3Corpus?.source === 'cache' ? ', corpus embeddings from cache' : ''}\n\n`);
  io.stdout.write(eval_.retrievalTables(result));
  if (v.json) await writeFileAtomic(v.json, JSON.stringify(eval_.retrievalJson(result), null, 1) + '\n');
  if (v['run-out']) await writeRuns(result, v['run-out'], io.stderr, eval_);
  return 0;
}

async function sts(v, io, eval_) {
  if (!v.model) throw new UsageError('--model is required');
  if (!v.pairs) throw new UsageError('sts needs --pairs FILE');
  const result = await eval_.evaluateSts({ model: v.model, dtype: v.dtype, pairs: v.pairs, prompt: v.prompt, ...common(v, io.stderr, eval_) });
  io.stdout.write(eval_.stsTable([result]));
  if (v.json) await writeFileAtomic(v.json, JSON.stringify(result, null, 1) + '\n');
  return 0;
}

async function compare(v, io, eval_) {
  const models = v.models ? list(v.models) : v.model ? [v.model] : [];
  if (!models.length) throw new UsageError('compare needs --models A,B (or --model)');
  const dtypes = v.dtypes ? list(v.dtypes) : [v.dtype ?? 'fp32'];
  const isSts = Boolean(v.pairs);
  const retrievalOpts = isSts ? null : retrievalOptions(v, eval_);
  const at = positiveInt(v.at, '--at');
  const results = [];
  for (const model of models) {
    for (const dtype of dtypes) {
      io.stderr.write(`eval: ${model} ${dtype}\n`);
      const base = { model, dtype, ...common(v, io.stderr, eval_) };
      results.push(isSts ? await eval_.evaluateSts({ ...base, pairs: v.pairs, prompt: v.prompt }) : await eval_.evaluateRetrieval({ ...base, ...retrievalOpts }));
    }
  }
  if (isSts) io.stdout.write(eval_.stsTable(results));
  else {
    const k = at ?? results[0].ks[results[0].ks.length - 1];
    if (!results[0].ks.includes(k)) throw new UsageError(`--at ${k} is not among the cutoffs --k`);
    io.stdout.write(eval_.compareRetrievalTable(results, k));
  }
  if (v.json) await writeFileAtomic(v.json, JSON.stringify(results.map((r) => (isSts ? r : eval_.retrievalJson(r))), null, 1) + '\n');
  return 0;
}

const COMMANDS = { retrieval, sts, compare };

export async function run(argv, { stdout, stderr }) {
  const parsed = parseCommandArgs('eval', argv, { usage: USAGE, allowPositionals: true, options: OPTIONS }, { stdout, stderr });
  if (parsed.exit !== undefined) return parsed.exit;
  const { values: v, positionals } = parsed.args;
  const command = COMMANDS[positionals[0]];
  if (!command || positionals.length !== 1) {
    stderr.write(`eval: expected one of ${Object.keys(COMMANDS).join(', ')}${positionals.length ? `, got '${positionals.join(' ')}'` : ''}\n${USAGE}`);
    return 2;
  }
  const eval_ = await import('../eval/index.js');
  try {
    return await command(v, { stdout, stderr }, eval_);
  } catch (err) {
    if (err instanceof UsageError) { stderr.write(`eval: ${err.message}\n`); return 2; }
    throw err;
  }
}

export default run;
