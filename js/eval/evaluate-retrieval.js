// evaluateRetrieval(): load (or take) a model and a dataset, retrieve with each mode, score the
// runs with trec_eval's measures (and AutoRAG's when the data has retrieval_gt groups).
import { Embedder, InvalidArgumentError } from '../index.js';
import { datasetFromArrays, datasetWarnings, loadRetrievalDataset } from './dataset.js';
import { checkModes, runModes } from './retrieve.js';
import { checkCutoffs, scoreRun } from './score-run.js';
import { resolvePrompt } from './prompts.js';
import { VectorCache, modelIdentity } from './vector-cache.js';

export const DEFAULT_CUTOFFS = [1, 3, 5, 10];
const EXAMPLES = 5;

/** Loads the model unless an Embedder was given; returns { embedder, owned }. */
export async function openModel(model, { dtype, device, cacheDir, localFilesOnly } = {}) {
  if (model instanceof Embedder) return { embedder: model, owned: false, source: null };
  if (typeof model !== 'string' || !model) throw new InvalidArgumentError('model must be a model source (Hub id, URL, folder) or an Embedder');
  const embedder = await Embedder.load(model, { dtype: dtype ?? 'fp32', device: device ?? 'auto', cacheDir, localFilesOnly });
  return { embedder, owned: true, source: model };
}

/**
 * @param {object} options see js/index.d.ts (EvaluateRetrievalOptions)
 */
export async function evaluateRetrieval(options = {}) {
  const {
    model, dataset: given, corpus, queries, qrels, groups, modes: modeList = ['dense'], ks: cutoffs = DEFAULT_CUTOFFS,
    depth: depthOption, queryPrompt, passagePrompt, dtype, device, batchSize, cache = true, cacheDir, modelCacheDir, modelId,
    localFilesOnly, onProgress, onWarning,
  } = options;
  const modes = checkModes(modeList);
  const ks = checkCutoffs(cutoffs);
  const depth = depthOption ?? ks[ks.length - 1];
  if (!Number.isInteger(depth) || depth < ks[ks.length - 1]) throw new InvalidArgumentError(`depth must be an integer >= the largest cutoff (${ks[ks.length - 1]}), got ${depth}`);
  const warn = (message) => { warnings.push(message); onWarning?.(message); };
  const warnings = [];

  let dataset = given;
  if (!dataset) {
    const inMemory = Array.isArray(corpus);
    dataset = inMemory ? datasetFromArrays({ corpus, queries, qrels, groups }) : await loadRetrievalDataset({ corpus, queries, qrels });
  }
  for (const w of datasetWarnings(dataset)) warn(w);
  const judged = dataset.queries.filter((q) => dataset.qrels.get(q.id)?.size);
  const unjudged = dataset.queries.filter((q) => !dataset.qrels.get(q.id)?.size).map((q) => q.id);
  if (unjudged.length) warn(`${unjudged.length} of ${dataset.queries.length} queries have no judgments and are skipped (as trec_eval does), e.g. ${unjudged.slice(0, EXAMPLES).join(', ')}`);
  if (!judged.length) throw new InvalidArgumentError('no query has judgments: nothing to evaluate (do the query ids of the queries and the qrels match?)');

  const { embedder, owned, source } = await openModel(model, { dtype, device, cacheDir: modelCacheDir, localFilesOnly });
  const started = Date.now();
  try {
    const info = embedder.info;
    const prompts = { query: resolvePrompt(info, queryPrompt, 'query'), passage: resolvePrompt(info, passagePrompt, 'passage') };
    // A loaded Embedder does not say where it came from: its vectors are cached only under a
    // caller-given modelId, never under a guess that two different models could share.
    const identitySource = source ?? modelId ?? null;
    const vectorCache = cache && identitySource ? await VectorCache.open(cacheDir) : null;
    const stats = {};
    const ctx = {
      embedder, identity: identitySource ? await modelIdentity(identitySource, info) : null, corpus: dataset.corpus, queries: judged, prompts,
      depth, batchSize: batchSize ?? 32, cache: vectorCache, onProgress, stats,
    };
    const runs = await runModes(modes, ctx);
    const results = {};
    for (const [mode, run] of runs) {
      const scored = scoreRun({ run, qrels: dataset.qrels, groups: dataset.groups, ks });
      if (scored.duplicates) warn(`${mode}: ${scored.duplicates} repeated doc id(s) in the run were dropped (first occurrence kept)`);
      results[mode] = { ...scored, run };
    }
    const noRelevant = results[modes[0]].noRelevant;
    if (noRelevant.length) warn(`${noRelevant.length} judged queries have no relevant document (every grade 0): scored 0, as trec_eval does, e.g. ${noRelevant.slice(0, EXAMPLES).join(', ')}`);
    return {
      model: typeof model === 'string' ? model : (modelId ?? info.modelFile),
      dtype: info.dtype, device: info.device, modelFile: info.modelFile,
      layout: dataset.layout, ks, depth, modes, prompts,
      counts: { documents: dataset.corpus.length, queries: dataset.queries.length, judgedQueries: judged.length },
      problems: { ...dataset.problems, unjudgedQueries: { count: unjudged.length, examples: unjudged.slice(0, EXAMPLES) } },
      warnings,
      cache: { dir: vectorCache?.dir ?? null, ...stats },
      seconds: (Date.now() - started) / 1000,
      results,
    };
  } finally {
    if (owned) await embedder.dispose();
  }
}
