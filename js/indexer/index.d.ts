// wasmbed/indexer (Node only): build a static search index from a corpus on every core,
// resumable after any interruption and sharded across processes or machines; merge shard builds;
// export vectors and records as .npy + JSONL. Hand-written declarations, checked by tsc
// (tests/types) and tests/js/public-surface.test.js.

/** Progress of a build, merge or index write: `stage` is 'embed', 'import', 'merge' or 'index <phase>'. */
export interface IndexProgress { stage: string; done: number; total: number }

/** Options of the static index written at the end (js/search/static). */
export interface IndexWriterOptions {
  /** 'cosine' (default) or 'dot'. */
  metric?: 'cosine' | 'dot';
  /** 'int8' (default) or 'binary' codes. */
  storage?: 'int8' | 'binary';
  /** Keep float32 vectors for rescoring. */
  keepFloat?: boolean;
  /** IVF partitions (default: about sqrt(count)). */
  partitions?: number;
  /** k-means seed (default 1). */
  seed?: number;
  /** false: stop at the build state (`<out>/build`), for export or a later merge. Default true. */
  writeIndex?: boolean;
}

/** Which fields of JSONL / CSV records (and of an imported ids .jsonl) hold what. */
export interface IndexFieldOptions {
  /** Id field (default 'id'). */
  idField?: string;
  /** Text field(s), joined by a blank line (default 'text'); a list or a comma-separated string. */
  textField?: string | string[];
  /** Fields copied into each record's metadata. */
  metadataFields?: string | string[];
  /** Field of tags (JSONL: an array of strings; CSV: 'a|b|c'), kept as metadata.tags. */
  tagsField?: string;
}

export interface BuildIndexOptions extends IndexWriterOptions, IndexFieldOptions {
  /** Output folder: the build state goes to `<out>/build`, the static index to `<out>/index`. */
  out: string;
  /** Files and folders to index (.txt, .md, .html files; folders of them; .jsonl and .csv files). */
  inputs?: string[];
  /** Model to embed with (Hub id, URL or folder); with `vectors`, the model id recorded in the index. */
  model?: string;
  /** The model id recorded in the index (default: the Hub id or the folder's name). */
  modelId?: string;
  /** Precomputed vectors instead of inputs: .npy (float32 / float16, shape (count, dims)) or raw little-endian float32. */
  vectors?: string;
  /** Ids of the imported vectors: .txt (one per line) or .jsonl (an id, or an object with id / text / metadata fields). */
  ids?: string;
  /** Shape of raw float32 vectors (one of them is enough). */
  count?: number;
  dims?: number;
  /** A prompt name of the model (default: its 'passage' / 'document' prompt). */
  prompt?: string;
  /** A literal prefix instead of a prompt name. */
  promptText?: string;
  dtype?: string;
  device?: 'auto' | 'cpu' | 'wasm';
  /** Matryoshka truncation. */
  dimensions?: number;
  cacheDir?: string;
  offline?: boolean;
  /** Passage length in tokens (default: min(256, what fits the model with its prompt)). */
  maxTokens?: number;
  /** Tokens shared by consecutive passages (default: min(32, maxTokens / 8)). */
  overlapTokens?: number;
  /** Texts per ONNX run (default 32). */
  batchSize?: number;
  /** Documents (or imported rows) per block, the unit of work, checkpoint and shard (default 64 documents, 16384 imported rows). */
  blockDocs?: number;
  /** Embedding worker threads (default: one per core). */
  workers?: number;
  /** Intra-op threads per worker (default: cores / workers). */
  threads?: number;
  /** Build only this shard: 'i/N' (0-based) or { index, count }. */
  shard?: string | { index: number; count: number };
  /** Discard a build of other inputs or settings found in `out` instead of refusing to resume it. */
  restart?: boolean;
  onProgress?: (p: IndexProgress) => void;
  signal?: AbortSignal;
}

export interface BuildIndexResult {
  out: string;
  /** Records (passages or imported rows) in the build (of this shard). */
  count: number;
  dims: number;
  /** Blocks of this shard, and how many of them an earlier run had already committed. */
  blocks: number;
  resumedBlocks: number;
  shard: { index: number; count: number };
  /** The static index folder, or null (a shard of several, or writeIndex: false). */
  index: string | null;
}

/**
 * Builds (or resumes) an index. A rerun after an interruption (even kill -9) finishes with exactly
 * the index an uninterrupted run makes; a build of other inputs or settings in `out` is refused
 * with an InvalidArgumentError whose `differences` lists what differs. Bad input is a ParseError
 * naming the file, line and field.
 */
export function buildIndex(options: BuildIndexOptions): Promise<BuildIndexResult>;

export interface MergeIndexesOptions extends IndexWriterOptions {
  out: string;
  /** The shard build folders (every shard of one build, once each). */
  shards: string[];
  onProgress?: (p: IndexProgress) => void;
}

/** Joins shard builds into exactly the build (and index) one unsharded run makes. */
export function mergeIndexes(options: MergeIndexesOptions): Promise<{ out: string; count: number; dims: number; blocks: number; index: string | null }>;

/** Writes `<out>.npy` (float32, (count, dims)) and `<out>.jsonl` ({ id, text, metadata } per row) from the build in `dir`. */
export function exportIndex(options: { dir: string; out: string }): Promise<{ count: number; dims: number; files: string[] }>;

export interface IndexRecord {
  id: string;
  text: string;
  metadata: Record<string, unknown>;
  /** Text builds: the document id, passage number and UTF-16 range in the document. */
  doc?: string;
  chunk?: number;
  start?: number;
  end?: number;
}

/** The canonical content of a finished build, in index order. */
export function readBuild(dir: string): Promise<{
  records: IndexRecord[]; ids: string[]; texts: string[]; metadata: Record<string, unknown>[];
  vectors: Float32Array; dims: number; count: number; plan: Record<string, unknown>;
}>;

/** Reads a 2-D float32 / float16 .npy file's bytes (ParseError for other dtypes, ranks or sizes). */
export function readNpy(bytes: Uint8Array, file?: string): { data: Float32Array; count: number; dims: number; dtype: 'float32' | 'float16' };

/** A float32 .npy (format 1.0) of `count` x `dims` rows. */
export function npyBytes(data: Float32Array, count: number, dims: number): Uint8Array;
