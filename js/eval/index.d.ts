// ---- Evaluation (js/eval/index.js; CLI: wasmbed eval) -------------------------------------------
// Retrieval evaluation (BEIR and AutoRAG layouts) with trec_eval's and AutoRAG's measures, and STS
// correlation: the 'wasmbed/eval' subpath (js/eval/index.js).
import type { Embedder } from '../index.js';

/** One retrieved document. */
export interface EvalHit { id: string | number; score: number }
/** Query id -> hits (any order: ranked by score, ties by doc id descending, as trec_eval). */
export type EvalRun = Map<string, EvalHit[]>;
/** Query id -> doc id -> integer grade (>= 1 relevant). */
export type Qrels = Map<string, Map<string, number>>;
/** AutoRAG retrieval_gt: query id -> groups of doc ids (a group is found when any of its ids is). */
export type RetrievalGroups = Map<string, string[][]>;
/** A file path (Node) or an in-memory file (a browser File works: it has name and can be read). */
export type EvalInput = string | { name: string; data: string | Uint8Array | ArrayBuffer | Blob };
export type RetrievalMode = 'dense' | 'lexical' | 'hybrid' | 'bge-m3';

export interface RetrievalDataset {
  layout: 'beir' | 'autorag';
  corpus: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  qrels: Qrels;
  groups: RetrievalGroups | null;
  /** What does not line up: judged doc ids missing from the corpus, judged query ids missing from the queries (counts + first few). */
  problems: { missingDocs: { count: number; examples: { query: string; doc: string }[] }; missingQueries: { count: number; examples: string[] } };
}

export interface EvalProgress { stage: string; done: number; total: number }

export interface EvaluateRetrievalOptions {
  /** Model source (Hub id, URL, folder) loaded with dtype / device, or a loaded Embedder (not disposed). */
  model: string | Embedder;
  /** With a loaded Embedder: a name for it; its corpus vectors are cached only when one is given. */
  modelId?: string;
  /** Paths / files: BEIR corpus.jsonl + queries.jsonl + qrels TSV, or AutoRAG corpus.parquet + qa.parquet. Or arrays (then qrels or groups). */
  corpus?: EvalInput | { id: string | number; title?: string; text: string }[];
  queries?: EvalInput | { id: string | number; text: string }[];
  qrels?: EvalInput | Qrels | { queryId: string | number; docId: string | number; score: number }[];
  groups?: RetrievalGroups | Record<string, string[][]>;
  /** A dataset from loadRetrievalDataset / datasetFromArrays (instead of the four above). */
  dataset?: RetrievalDataset;
  /** Default ['dense']. */
  modes?: RetrievalMode[];
  /** Cutoffs, default [1, 3, 5, 10]. */
  ks?: number[];
  /** Results kept per query (default: the largest k). */
  depth?: number;
  /** Prompt name or literal text; default the model's 'query' / 'passage' prompt, '' for none. */
  queryPrompt?: string;
  passagePrompt?: string;
  dtype?: string;
  device?: 'auto' | 'wasm' | 'webgpu' | 'cpu';
  batchSize?: number;
  /** Corpus embedding cache on disk (Node; default on, in <wasmbed cache dir>/eval). */
  cache?: boolean;
  cacheDir?: string;
  /** Model download cache / offline, as Embedder.load's cacheDir / localFilesOnly. */
  modelCacheDir?: string;
  localFilesOnly?: boolean;
  onProgress?: (p: EvalProgress) => void;
  onWarning?: (message: string) => void;
}

/** Measures of one mode. Keys like 'ndcg@10', 'map@10', 'recall@10', 'precision@10', 'mrr@10', 'hit@10', and 'autorag_f1@10' ... with AutoRAG groups. */
export interface ScoredRun {
  aggregate: Record<string, number>;
  perQuery: Record<string, Record<string, number>>;
  evaluated: number;
  autoragEvaluated: number;
  /** Run queries without judgments (skipped), judged queries without results in the run (skipped), judged queries with no relevant doc (scored 0). */
  unjudged: string[];
  notRetrieved: string[];
  noRelevant: string[];
  /** Repeated doc ids dropped from the run (first occurrence kept). */
  duplicates: number;
}

export interface RetrievalEvaluation {
  model: string; dtype: string; device: string; modelFile: string;
  layout: 'beir' | 'autorag'; ks: number[]; depth: number; modes: RetrievalMode[];
  prompts: { query: string; passage: string };
  counts: { documents: number; queries: number; judgedQueries: number };
  problems: RetrievalDataset['problems'] & { unjudgedQueries: { count: number; examples: string[] } };
  warnings: string[];
  /** Where the corpus embeddings came from ('model' or 'cache') and the cache entry. */
  cache: { dir: string | null; corpus?: { source: 'model' | 'cache'; embedded: number; file: string | null }; m3Corpus?: { source: 'model' | 'cache'; embedded: number; file: string | null }; queriesEmbedded?: number };
  seconds: number;
  results: Record<string, ScoredRun & { run: Map<string, { id: string; score: number }[]> }>;
}

export function evaluateRetrieval(options: EvaluateRetrievalOptions): Promise<RetrievalEvaluation>;
export const DEFAULT_CUTOFFS: number[];
export const RETRIEVAL_MODES: RetrievalMode[];

export interface StsPair { sentence1: string; sentence2: string; score: number }
export interface StsEvaluation {
  model: string; dtype: string; device: string; modelFile: string; prompt: string;
  pairs: number; sentences: number;
  /** Of cosine vs gold; Spearman with average ranks for ties (scipy's spearmanr). */
  spearman: number; pearson: number; seconds: number;
  perPair: (StsPair & { cosine: number })[];
}
export function evaluateSts(options: { model: string | Embedder; pairs: EvalInput | StsPair[]; prompt?: string; dtype?: string; device?: 'auto' | 'wasm' | 'webgpu' | 'cpu'; batchSize?: number; modelCacheDir?: string; localFilesOnly?: boolean; onProgress?: (p: EvalProgress) => void }): Promise<StsEvaluation>;

export function loadRetrievalDataset(files: { corpus: EvalInput; queries: EvalInput; qrels?: EvalInput }): Promise<RetrievalDataset>;
export function datasetFromArrays(data: Pick<EvaluateRetrievalOptions, 'corpus' | 'queries' | 'qrels' | 'groups'>): RetrievalDataset;
export function datasetWarnings(dataset: RetrievalDataset): string[];
/** BEIR / MTEB document text: title + ' ' + text, trimmed. */
export function documentText(doc: { title?: string; text: string }): string;
export function readBeirCorpus(input: EvalInput): Promise<{ id: string; title: string; text: string }[]>;
export function readBeirQueries(input: EvalInput): Promise<{ id: string; text: string }[]>;
/** BEIR qrels TSV (header query-id corpus-id score) or TREC qrels. ParseError names file, line and field. */
export function readQrels(input: EvalInput): Promise<Qrels>;
export function readAutoragCorpus(input: EvalInput): Promise<{ id: string; title: string; text: string }[]>;
export function readAutoragQa(input: EvalInput): Promise<{ queries: { id: string; text: string }[]; groups: RetrievalGroups }>;
export function castRetrievalGt(value: unknown, file: string, row: number): string[][];
export function qrelsFromGroups(groups: RetrievalGroups): Qrels;
export function readStsPairs(input: EvalInput): Promise<StsPair[]>;

/** Scores a run against qrels (and AutoRAG groups): per-query measures and their means, trec_eval's query rules. */
export function scoreRun(input: { run: EvalRun; qrels: Qrels; groups?: RetrievalGroups | null; ks: number[] }): ScoredRun;
export function measureNames(ks: number[], options?: { autorag?: boolean }): string[];
/** trec_eval 9 ndcg_cut, map_cut (AP over R, the query's relevant count), recall, P, success, and MRR@k for one query. */
export function trecMeasures(rankedIds: string[], judgments: Map<string, number>, ks: number[]): Record<string, number>;
export const TREC_MEASURES: string[];
/** AutoRAG's retrieval_f1 / recall / precision / mrr / map / ndcg for one query; null where AutoRAG gives None. */
export function autoragMeasures(groups: string[][], rankedIds: string[], ks: number[]): Record<string, number> | null;
export function autoragScores(groups: string[][], pred: string[]): { f1: number; recall: number; precision: number; mrr: number; map: number; ndcg: number };
export function autoragScorable(groups: string[][]): boolean;
export const AUTORAG_MEASURES: string[];
/** Hits in trec_eval order (score desc, doc id desc in code point order); ids as strings. */
export function rankHits(hits: EvalHit[], what?: string): { id: string; score: number }[];
export function dedupeRanked(ranked: { id: string }[]): { ids: string[]; duplicates: number };
export function compareIds(a: string, b: string): number;
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number;
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number;
export function averageRanks(values: ArrayLike<number>): Float64Array;

/** On-disk cache of corpus embeddings (Node): atomic writes, invalid entries are misses. */
export class VectorCache {
  static open(dir?: string): Promise<VectorCache | null>;
  readonly dir: string;
  key(description: unknown, texts: string[]): Promise<string>;
  get(key: string): Promise<{ meta: Record<string, unknown>; payload: Uint8Array } | null>;
  put(key: string, meta: Record<string, unknown>, payload: Uint8Array): Promise<void>;
}

export function retrievalTables(result: RetrievalEvaluation): string;
export function compareRetrievalTable(results: RetrievalEvaluation[], k: number): string;
export function stsTable(results: StsEvaluation[]): string;
/** TREC run file text: "qid Q0 docid rank score tag" lines. */
export function trecRunText(run: EvalRun, tag: string): string;
export function retrievalJson(result: RetrievalEvaluation): object;
/** onProgress for a stream: a bar with rate and ETA on a TTY, plain lines otherwise. */
export function progressPrinter(stream: { write(s: string): unknown; isTTY?: boolean }, options?: { tty?: boolean; width?: number; now?: () => number }): (p: EvalProgress) => void;
