// Type declarations for wasmbed's public API, written by hand beside the code they describe.

export class WasmbedError extends Error {}
/** The caller passed something unusable: wrong type, empty where not allowed, out of range. */
export class InvalidArgumentError extends WasmbedError {}
/** An object was used after dispose(). */
export class DisposedError extends InvalidArgumentError {}
/** A file or byte string (tokenizer.json, .model, ONNX, saved index) is malformed. */
export class ParseError extends WasmbedError {}
/** Well-formed input that uses a feature wasmbed does not implement. */
export class UnsupportedError extends WasmbedError {}
/** Saved data failed its checksum or size check. */
export class CorruptDataError extends WasmbedError {}
/** A memory or size limit would be exceeded. */
export class CapacityError extends WasmbedError {}
/** The WebAssembly module could not be fetched, compiled or instantiated. */
export class WasmLoadError extends WasmbedError {
  constructor(message: string, options?: { url?: string; cause?: unknown });
  /** The URL (or file) of the runtime file that was tried, where one is known. */
  readonly url?: string;
}
/** A bug in wasmbed. */
export class InternalError extends WasmbedError {}
/** A model file could not be loaded. */
export class ModelLoadError extends WasmbedError {
  constructor(message: string, details?: { file?: string; url?: string; status?: number; cause?: unknown });
  readonly file?: string;
  readonly url?: string;
  readonly status?: number;
}
/** The operation was cancelled through an AbortSignal. */
export class AbortError extends WasmbedError {}
/** Saving, loading or deleting stored data failed (permission, read-only, disk full ...). */
export class StorageError extends WasmbedError {
  constructor(message: string, details?: { path?: string; code?: string; cause?: unknown });
  /** The target: a file path in Node, a key in browsers. */
  readonly path?: string;
  /** The system's code: EACCES, EROFS, ENOSPC, QuotaExceededError ... */
  readonly code?: string;
}
/** A query model differs from the model an index was built with (StaticIndex.checkModel). */
export class ModelMismatchError extends InvalidArgumentError {
  constructor(message: string, details?: { expected?: object; actual?: object });
  /** The index's model record. */
  readonly expected?: object;
  /** What the query side has. */
  readonly actual?: object;
}

export interface CoreOptions {
  /** The .wasm bytes, when you load them yourself. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where wasmbed_core.wasm is (e.g. a CDN URL); default: the file next to the module, as the bundler emitted it. */
  wasmUrl?: string | URL;
  /** Maps 'wasmbed_core.wasm' to a URL (e.g. a CDN path) for browsers. */
  locateFile?: (file: string, prefix: string) => string;
}
/** Overrides where the .wasm comes from; call before anything loads the core. */
export function configureCore(options: CoreOptions): void;

/** Version of the loaded wasm core (equals the npm package version). */
export function version(): Promise<string>;
/** Copy of `vectors` (rows of `dim` floats) with each row scaled to unit L2 norm. */
export function l2Normalize(vectors: Float32Array, dim?: number): Promise<Float32Array>;

// ---- Chunker (js/search/chunker.js) ---------------------------------------------------------------------
/** A passage of a document: `text === documentText.slice(start, end)` (UTF-16 indices). */
export interface Passage {
  docId: string | number;
  /** 0-based passage number within the document. */
  index: number;
  start: number;
  end: number;
  text: string;
  /** Token range in the document's encoding without special tokens. */
  tokenStart: number;
  tokenEnd: number;
}
export interface ChunkOptions {
  /** Passage length limit in tokens, special tokens excluded (default 256). */
  maxTokens?: number;
  /** Tokens a passage repeats from the previous one (default 32, must be < maxTokens). */
  overlapTokens?: number;
  /** A sentence-end cut is only taken once a passage has this fraction of maxTokens (default 0.5). */
  minFill?: number;
}
/** Anything with a Tokenizer-like encode() that reports offsets (a wasmbed Tokenizer). */
export interface OffsetTokenizer {
  encode(text: string, options?: { addSpecialTokens?: boolean }): unknown;
}
/**
 * Splits a document into passages of at most `maxTokens` tokens with overlap, cutting preferably
 * at paragraph and sentence ends (., !, ?, …, 。, newlines), then between words.
 */
export function chunkDocument(doc: { id: string | number; text: string }, tokenizer: OffsetTokenizer, options?: ChunkOptions): Promise<Passage[]>;
/** chunkDocument over many documents; passages in document order. */
export function chunkDocuments(docs: Iterable<{ id: string | number; text: string }>, tokenizer: OffsetTokenizer, options?: ChunkOptions): Promise<Passage[]>;

// ---- Web Worker (js/worker/) ---------------------------------------------
export interface WorkerEmbedderOptions extends Omit<EmbedderOptions, 'fetch' | 'cache' | 'onRetry'> {
  /**
   * true (default): start wasmbed's worker entry; or a Worker you created with
   * `new Worker(new URL('wasmbed/worker', import.meta.url), { type: 'module' })` (in Node a
   * worker_threads Worker); or the URL of the worker script (relative to the page in browsers,
   * to wasmbed's module in Node). One model per worker. In browsers the worker (any of these) is
   * told where the page's bundle put wasmbed's and ONNX Runtime's .wasm files.
   */
  worker?: true | URL | string | { postMessage(message: any, transfer?: any): void; terminate(): unknown };
  /** Only 'cache-api', 'opfs', true or false: a CacheStore object cannot cross to the worker. */
  cache?: boolean | 'cache-api' | 'opfs';
}
/**
 * The Embedder API running in a Web Worker (or a Node worker_threads Worker), so the calling
 * thread stays responsive. Result vectors are transferred, not copied; aborting a call's signal
 * cancels it in the worker; errors keep their wasmbed class (`instanceof ModelLoadError` works).
 * Options other than onProgress/signal must be structured-cloneable (no functions).
 */
export class WorkerEmbedder {
  static load(source: string | URL | Record<string, ArrayBuffer | Uint8Array | string> | Map<string, ArrayBuffer | Uint8Array | string>, options?: WorkerEmbedderOptions): Promise<WorkerEmbedder>;
  /** The worker's Embedder#info. */
  readonly info: EmbedderInfo;
  /** Same as Embedder#embed (also with BGE-M3 `outputs`), computed in the worker. */
  embed(texts: string[] | string, options: M3EmbedOptions): Promise<M3Embedding[]>;
  embed(texts: string[] | string, options?: EmbedOptions): Promise<Float32Array[]>;
  /** Same as Embedder#embedFlat, computed in the worker. */
  embedFlat(texts: string[] | string, options?: EmbedOptions): Promise<{ data: Float32Array; dims: number; count: number }>;
  /** Calls another public method of the worker's Embedder: model[method](...args, options). */
  call(method: string, args?: unknown[], options?: { onProgress?: (p: any) => void; signal?: AbortSignal; [option: string]: unknown }): Promise<unknown>;
  /** Frees the model and stops the worker (if this object started it). */
  dispose(): Promise<void>;
}

// ---- Worker pool (js/worker/pool.js) -------------------------------------
export interface EmbedderPoolOptions extends Omit<WorkerEmbedderOptions, 'worker'> {
  /**
   * How many workers, each with its own ONNX Runtime session and ITS OWN COPY OF THE MODEL (memory
   * grows with it: e5-small fp32 in Chromium, about 1 GiB more per worker). 'auto' (default for
   * EmbedderPool.load): one per core (Node: os.availableParallelism(); browsers:
   * navigator.hardwareConcurrency).
   */
  workers?: number | 'auto';
  /**
   * Intra-op threads of each worker's session. Default: the cores divided between the workers
   * (at least 1), so workers x threads = the cores. One thread per session needs no cross-origin
   * isolation: a pool uses every core on pages that are not isolated.
   */
  threads?: number;
  /** true (default): wasmbed's worker entry; or the URL of the worker script, started once per worker. */
  worker?: true | URL | string;
}
/**
 * The WorkerEmbedder API over several workers (Web Workers; worker_threads in Node), each one
 * session. An embed call is cut into chunks of similar-length texts, longest first, taken from one
 * queue by idle workers; each worker's planner batches inside its chunk; results come back in
 * input order (bit for bit a single Embedder's for the same batches; within float noise
 * otherwise). Progress counts across the workers; an abort signal, a failed chunk or dispose()
 * cancels the call on every worker; errors keep their wasmbed class. Worth it on WASM (ORT-web's
 * intra-op threads scale poorly; README "Embedding throughput"); measured for onnxruntime-node too.
 */
export class EmbedderPool {
  static load(source: string | URL | Record<string, ArrayBuffer | Uint8Array | string> | Map<string, ArrayBuffer | Uint8Array | string>, options?: EmbedderPoolOptions): Promise<EmbedderPool>;
  /** The first worker's Embedder#info (threads: per worker), plus the number of workers (copies of the model). */
  readonly info: EmbedderInfo & { workers: number };
  /** Same as Embedder#embed (also with BGE-M3 `outputs`), the texts shared between the workers. */
  embed(texts: string[] | string, options: M3EmbedOptions): Promise<M3Embedding[]>;
  embed(texts: string[] | string, options?: EmbedOptions): Promise<Float32Array[]>;
  /** Same as Embedder#embedFlat. */
  embedFlat(texts: string[] | string, options?: EmbedOptions): Promise<{ data: Float32Array; dims: number; count: number }>;
  /** Calls another public method of the first worker's Embedder. */
  call(method: string, args?: unknown[], options?: { onProgress?: (p: any) => void; signal?: AbortSignal; [option: string]: unknown }): Promise<unknown>;
  /** Stops every worker; calls still running reject with DisposedError. */
  dispose(): Promise<void>;
}

// ---- Tokenizer (js/tokenizer/) ----------------------------------------------------------------

export interface EncodeOptions {
  /** Add the post-processor's special tokens ([CLS]/[SEP], <s>/</s>). Default true. */
  addSpecialTokens?: boolean;
  /** Truncate to at most this many tokens (specials included; longest-first for pairs). 0/absent: the tokenizer.json's own truncation, if any. */
  maxLength?: number;
}

/** One encoded text (or pair). All arrays have one entry per token. */
export interface TokenizerEncoding {
  readonly ids: Int32Array;
  readonly typeIds: Int32Array;
  readonly attentionMask: Int32Array;
  /** 1 for tokens added by the post-processor and special added tokens. */
  readonly specialTokensMask: Int32Array;
  /** 0: token of the text, 1: of the pair, -1: special token added by the post-processor. */
  readonly sequenceIds: Int32Array;
  /** Token strings (computed on first access). */
  readonly tokens: string[];
  /**
   * [start, end) as UTF-16 indices (JS string indices) into the text the token came from (see
   * sequenceIds); [0, 0] for added special tokens. An astral character (e.g. an emoji) spans 2.
   */
  readonly offsets: [number, number][];
  readonly length: number;
  /** Every field as plain arrays (the fields above are getters, computed on first access). */
  toJSON(): {
    ids: number[]; typeIds: number[]; attentionMask: number[]; specialTokensMask: number[]; sequenceIds: number[];
    tokens: string[]; offsets: [number, number][];
  };
}

export interface BatchEncoding {
  /** Row-major [batch, seqLen], padded with the tokenizer's pad id. */
  ids: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: Int32Array;
  typeIds: Int32Array;
  shape: [batch: number, seqLen: number];
  /** Tokens of each row before padding. */
  lengths: Int32Array;
}

/**
 * HF-compatible tokenizer running in the wasm core: tokenizer.json (WordPiece, Unigram, BPE, with
 * their normalizers, pre-tokenizers, post-processors and added tokens) and SentencePiece .model
 * files. Gives the same ids as HF tokenizers (Rust).
 *
 * Strings are passed to the core as UTF-8 (TextEncoder): a lone UTF-16 surrogate is replaced by
 * U+FFFD (one code unit, so offsets still index the original string). Bytes given to encodeBytes()
 * that are not valid UTF-8 are replaced by U+FFFD the way TextDecoder does.
 *
 * Call dispose() when done; a FinalizationRegistry frees forgotten tokenizers eventually.
 * Errors: InvalidArgumentError (bad arguments, disposed tokenizer),
 * ParseError (malformed tokenizer.json / .model), UnsupportedError (a component type wasmbed does
 * not implement, named in the message).
 */
export class Tokenizer {
  private constructor();
  /** tokenizer.json as text, UTF-8 bytes or a parsed object. */
  static fromJSON(json: string | Uint8Array | ArrayBuffer | object): Promise<Tokenizer>;
  /**
   * A SentencePiece .model. flavor 'plain' (default): the model's own ids, no special tokens
   * (spm_encode). 'xlm-roberta': fairseq ids (<s>=0 <pad>=1 </s>=2 <unk>=3, piece i -> i+1,
   * <mask> last) and <s> ... </s>, like the tokenizer.json of XLM-R / bge-m3 / multilingual-e5.
   */
  static fromSentencePiece(bytes: Uint8Array | ArrayBuffer, options?: { flavor?: 'plain' | 'xlm-roberta' }): Promise<Tokenizer>;
  /** Node only: a .json (tokenizer.json), a .model (SentencePiece) or a folder with tokenizer.json. */
  static fromFile(path: string, options?: { flavor?: 'plain' | 'xlm-roberta' }): Promise<Tokenizer>;

  /**
   * Encodes one text, or a pair with `pair`. Never pads: a tokenizer.json "padding" section only
   * supplies the pad id / direction used by encodeBatch (as transformers does, which overrides it
   * per call). Its "truncation" section applies unless maxLength is given.
   */
  encode(text: string, options?: EncodeOptions & { pair?: string }): TokenizerEncoding;
  /** Encodes raw UTF-8 bytes (invalid sequences -> U+FFFD); offsets index new TextDecoder().decode(bytes). */
  encodeBytes(bytes: Uint8Array | ArrayBuffer, options?: EncodeOptions): TokenizerEncoding;
  /**
   * Encodes a batch into flat Int32Arrays padded to the longest row (or to padToLength), ready for
   * ONNX Runtime tensors of shape `shape`. `pairs[i]` is the second text of row i.
   */
  encodeBatch(texts: string[], options?: EncodeOptions & { padToLength?: number; pairs?: string[] }): BatchEncoding;
  /** Text of `ids` through the tokenizer's decoder. Ids outside the vocabulary are skipped (as HF tokenizers does). */
  decode(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean }): string;
  /** Id of a token (added tokens included), or null. */
  tokenToId(token: string): number | null;
  /** Token of an id, or null. */
  idToToken(id: number): string | null;
  /** Number of special tokens the post-processor adds to one text (or to a pair). */
  numSpecialTokens(pair?: boolean): number;
  /** Vocabulary size, added tokens included. */
  readonly vocabSize: number;
  /** Id used to pad batches (tokenizer.json padding section, else [PAD] / <pad>, else 0). */
  readonly padId: number;
  /** max_length of the tokenizer.json truncation section, 0 when absent. */
  readonly modelMaxLength: number;
  readonly disposed: boolean;
  /** Frees the wasm memory now (idempotent); later calls throw DisposedError. */
  dispose(): void;
}

// ---- Model loading and caching (js/loader/) ----

/** Progress of one file. `total` is undefined while unknown (no Content-Length). */
export interface LoadProgress {
  /** File name inside the model, e.g. "onnx/model.onnx". */
  file: string;
  /** Bytes received so far. */
  loaded: number;
  total?: number;
  /** true on the last event for this file (the body is complete and length-checked). */
  done: boolean;
  /** true when the file came from the cache (or a local folder / file map: `cached` false). */
  cached?: boolean;
}

/**
 * Where cached model files live. Keys are '/'-separated strings made of file-name-safe segments
 * (e.g. "hub/huggingface.co/BAAI/bge-m3/main/onnx/model.onnx"); `put` is only ever called with
 * a complete, validated file. Implement this to store models elsewhere (IndexedDB, a custom FS).
 */
export interface CacheStore {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every key under `prefix` (whole segments), or everything when it is ''. */
  clear(prefix: string): Promise<void>;
  /** Optional fast presence check (otherwise get() is used). */
  has?(key: string): Promise<boolean>;
  /** Optional (Node): the entry's file on disk; enables ModelSource.localPath(). */
  locate?(key: string): Promise<{ path: string; size: number } | null>;
  /** Optional: a streaming, atomic writer (so large files never sit whole in memory). */
  begin?(key: string): Promise<{ path: string; write(chunk: Uint8Array): Promise<void>; head(): Uint8Array; commit(): Promise<void>; abort(): Promise<void> }>;
}

export interface ModelSourceOptions {
  /** Hub branch, tag or commit (default 'main'). Pin a commit hash for reproducible loads. */
  revision?: string;
  /** Hub (or mirror) with the `/{id}/resolve/{revision}/{file}` layout. Default https://huggingface.co. */
  hubHost?: string;
  /**
   * true (default): Node -> a cache folder (see cacheDir); browsers -> the Cache API.
   * 'cache-api' | 'opfs' | 'directory' pick one; false disables caching; or your own CacheStore.
   * Cached files are used without revalidation; evict() or clearCache() to refresh.
   */
  cache?: boolean | 'cache-api' | 'opfs' | 'directory' | CacheStore;
  /** Node cache folder. Default: $WASMBED_CACHE_DIR, else $XDG_CACHE_HOME/wasmbed, else ~/.cache/wasmbed. */
  cacheDir?: string;
  /** Never use the network: files must be in the cache (a clear ModelLoadError otherwise). */
  localFilesOnly?: boolean;
  /** Called as files arrive (throttled to ~100 ms / 1%; always once with done: true). */
  onProgress?: (progress: LoadProgress) => void;
  /** Cancels downloads and retries; the operation rejects with AbortError. */
  signal?: AbortSignal;
  /** fetch implementation (proxies, tests). Default globalThis.fetch. */
  fetch?: typeof fetch;
  /**
   * The stall rule's window: a download that receives fewer than minBytesPerSecond x this many
   * milliseconds' worth of bytes in a window (none at all, or a slow drip) is aborted and retried.
   * Default 30000.
   */
  stallTimeoutMs?: number;
  /** The stall rule's minimum rate in bytes per second. Default 1024. */
  minBytesPerSecond?: number;
  /** Extra attempts after HTTP 408/429/5xx, network errors, stalls and truncated bodies. Default 2. */
  retries?: number;
  /** First retry delay; doubles each retry. Default 500. */
  retryDelayMs?: number;
  /** Sent as `Authorization: Bearer ...` (private or gated Hub models). Not part of cache keys. */
  accessToken?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Called before each retry. */
  onRetry?: (info: { file: string; attempt: number; error: ModelLoadError }) => void;
}

/** Per-call overrides for ModelSource reads. */
export interface ModelReadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
}

/**
 * A model's files, wherever they are. Names are relative paths as in the model repo
 * ("config.json", "onnx/model.onnx"). Errors: ModelLoadError (missing file, HTTP failure,
 * truncated or stalled download, not an ONNX model; `file`, `url`, `status` set), ParseError
 * (invalid JSON/UTF-8; `file` set), AbortError, InvalidArgumentError (bad file name).
 */
export interface ModelSource {
  /** Whether the file exists (HEAD request, answered from the cache when possible; 404s are cached). */
  exists(name: string, options?: ModelReadOptions): Promise<boolean>;
  /** The whole file. Downloads are length-checked; .onnx files are checked to look like ONNX. */
  bytes(name: string, options?: ModelReadOptions): Promise<Uint8Array>;
  /** The file as UTF-8 text. */
  text(name: string, options?: ModelReadOptions): Promise<string>;
  /** The file parsed as JSON (ParseError naming the file when it is not JSON). */
  json<T = any>(name: string, options?: ModelReadOptions): Promise<T>;
  /**
   * Node: a path to the file on disk (the local folder's file, or the cache's copy, downloaded
   * straight to disk) so onnxruntime-node can read it without the weights passing through JS.
   * null where no disk copy can exist (browsers, file maps, cache: false).
   */
  localPath(name: string, options?: ModelReadOptions): Promise<string | null>;
  /** Where the file is fetched from (file: URL for local folders; null for file maps). */
  url(name: string): string | null;
  /**
   * External-data files an .onnx model needs (models over 2 GB keep weights in e.g.
   * `model.onnx_data`): `location` as written in the model, `file` the name to read from this
   * source. Pass `bytes` when you already hold the .onnx so it is not read again.
   */
  externalDataFiles(name: string, bytes?: Uint8Array): Promise<Array<{ location: string; file: string }>>;
  /** Removes one file (and any remembered 404) from the cache, e.g. after ONNX Runtime rejected it. */
  evict(name: string): Promise<void>;
  /** Removes this model's (this revision's) cached files. */
  clearCache(): Promise<void>;
  /** Plain data for model.info: kind ('hub' | 'url' | 'local' | 'files'), id, revision, cache, and per file where it came from ('network' | 'cache' | 'local' | 'memory') and its size. */
  describe(): Record<string, unknown>;
}

/**
 * Opens a model: a Hub id ("org/name"), an http(s) base URL (a page-relative path in browsers),
 * a local folder or file: URL (Node; a relative path that exists as a folder wins over a Hub id),
 * or a map/object of file name -> Uint8Array | ArrayBuffer | string.
 */
export function openModelSource(
  source: string | URL | Map<string, Uint8Array | ArrayBuffer | string> | Record<string, Uint8Array | ArrayBuffer | string>,
  options?: ModelSourceOptions,
): Promise<ModelSource>;

/**
 * Deletes cached models: everything in the chosen cache (`cache` / `cacheDir` as for
 * openModelSource), or one model when `source` (+ `revision`, `hubHost`) is given.
 */
export function clearCache(options?: Pick<ModelSourceOptions, 'cache' | 'cacheDir' | 'revision' | 'hubHost'> & { source?: string }): Promise<void>;

/** Node's default cache folder (null in browsers). */
export function defaultCacheDir(): Promise<string | null>;


// ---- BGE-M3 heads (js/bge-m3/heads.js) -------------------------------------------------------------------
/** A text's lexical weights: unique token ids (ascending) and their positive weights. */
export interface SparseEmbedding {
  ids: Int32Array;
  weights: Float32Array;
}
/** A text's ColBERT vectors: `count` rows of `dim` floats, each L2-normalized. */
export interface MultiVectorEmbedding {
  vectors: Float32Array;
  count: number;
  dim: number;
}
export interface BgeM3HeadWeights {
  /** Encoder hidden size (1024 for bge-m3). */
  hiddenSize: number;
  /** sparse_linear: Linear(hidden -> 1); weight has hiddenSize values. */
  sparse: { weight: Float32Array; bias: number };
  /** colbert_linear: Linear(hidden -> out); weight is [out, hidden] row-major, bias has out values. */
  colbert: { weight: Float32Array; bias: Float32Array };
  /** Ids never reported in sparse output: cls, eos, pad, unk (0, 2, 1, 3 for XLM-R). */
  droppedIds: number[];
}
/**
 * BGE-M3's sparse and ColBERT heads computed in C++/WASM from last_hidden_state, as FlagEmbedding
 * defines them: sparse = relu(linear) with the max over repeated ids; ColBERT = linear on positions
 * 1.. (padding dropped), L2-normalized, count = tokens - 1.
 */
export class BgeM3Heads {
  static create(weights: BgeM3HeadWeights): Promise<BgeM3Heads>;
  readonly colbertDim: number;
  compute(
    hidden: Float32Array,
    batch: { ids: Int32Array; attentionMask: Int32Array; shape: [number, number] },
    options?: { outputs?: ('sparse' | 'colbert')[] },
  ): { sparse?: SparseEmbedding; colbert?: MultiVectorEmbedding }[];
  /** Lexical score: sum over shared ids of w_q * w_p. */
  sparseScore(q: SparseEmbedding, p: SparseEmbedding): number;
  /** ColBERT score: mean over query vectors of the max dot product with any passage vector. */
  colbertScore(q: MultiVectorEmbedding, p: MultiVectorEmbedding): number;
  readonly disposed: boolean;
  /** Frees the wasm memory now (idempotent); later calls throw DisposedError. */
  dispose(): void;
}
/** sum(w_k * s_k) / sum(w_k); default weights dense 0.4, sparse 0.2, colbert 0.4 (BGE-M3 README). */
export function weightedScore(
  scores: { dense?: number; sparse?: number; colbert?: number },
  weights?: { dense?: number; sparse?: number; colbert?: number },
): number;
/** Maps sparse ids back to tokens. */
export function sparseToTokens(sparse: SparseEmbedding, tokenizer: { idToToken(id: number): string }): { id: number; token: string; weight: number }[];

// ---- BGE-M3 ColBERT storage and hybrid search (js/bge-m3/colbert-storage.js, js/bge-m3/m3-index.js)
export type ColbertDtype = 'float32' | 'float16' | 'int8';
/** ColBERT vectors in compact storage: float16 (half bits) or int8 with one scale per vector. */
export interface StoredMultiVector {
  dtype: ColbertDtype;
  vectors: Float32Array | Uint16Array | Int8Array;
  /** int8 only: x ≈ vectors[i] * scales[row]. */
  scales?: Float32Array;
  count: number;
  dim: number;
}
/** float32 -> float16 (half the bytes, ~1e-3 error) or int8 (a quarter, per-vector scale). */
export function encodeColbert(colbert: MultiVectorEmbedding, dtype?: ColbertDtype): StoredMultiVector;
/** Back to float32 for scoring. */
export function decodeColbert(stored: StoredMultiVector | MultiVectorEmbedding): MultiVectorEmbedding;
/** Bytes a stored entry takes (payload + scales). */
export function colbertBytes(stored: StoredMultiVector | MultiVectorEmbedding): number;
export type M3SearchMode = 'hybrid' | 'dense' | 'sparse' | 'colbert';
export interface M3SearchHit {
  id: number;
  /** The ranking score: the weighted combination in 'hybrid' mode, else the single score. */
  score: number;
  scores: { dense?: number; sparse?: number; colbert?: number };
}
/**
 * Hybrid retrieval over BGE-M3 outputs: dense (VectorIndex) and lexical (LexicalIndex, 'sparse')
 * shortlists, merged and re-ranked with dense + lexical + ColBERT scores combined as
 * sum(w_k * s_k) / sum(w_k).
 */
export class M3Index {
  static create(options: { dims: number; colbertStorage?: ColbertDtype; weights?: { dense?: number; sparse?: number; colbert?: number } }): Promise<M3Index>;
  /** Restores save() bytes (versioned, CRC-32): CorruptDataError if damaged, UnsupportedError if newer. */
  static load(bytes: Uint8Array): Promise<M3Index>;
  /** Serializes dense, lexical and ColBERT data; saveIndex() accepts it (or the index) too. */
  save(): Uint8Array;
  readonly size: number;
  readonly colbertStorage: ColbertDtype;
  /** Bytes the stored ColBERT vectors take. */
  readonly colbertBytes: number;
  /** Adds a passage (embed output with all three kinds). */
  add(id: number, entry: M3Embedding): void;
  remove(id: number): boolean;
  /** 'hybrid' (default) / 'colbert' re-rank the union of the dense and sparse top `candidates` (default max(100, k)). */
  search(query: M3Embedding, options?: { k?: number; candidates?: number; mode?: M3SearchMode; weights?: { dense?: number; sparse?: number; colbert?: number } }): M3SearchHit[];
  dispose(): void;
}

// ---------------------------------------------------------------- vector index (js/search/vector-index.js)

/** One search result: a caller-chosen id and its similarity (higher is better). */
export interface SearchHit {
  id: number;
  score: number;
}

export interface VectorIndexOptions {
  /** Vector length. */
  dims: number;
  /** 'cosine' (default; vectors and queries are L2-normalized on the way in) or 'dot'. */
  metric?: 'cosine' | 'dot';
  /**
   * Row storage: 'float32' (exact, 4 B/dim), 'int8' (1 B/dim: codes of the centered, rotated
   * vector with one scale per row; the centering is fitted on the first 1024 rows, which are kept
   * in float32 until then) or 'binary' (sign bits, 1 bit/dim, Hamming distance with popcount).
   */
  storage?: 'float32' | 'int8' | 'binary';
  /**
   * Keep the original float32 rows beside int8/binary codes so search shortlists are rescored
   * exactly. Default: true for binary, false for int8 (int8 rescoring from its codes reaches
   * recall@10 >= 0.99 on embedding-like vectors). Costs 4 B/dim/row.
   */
  keepFloat?: boolean;
  /** @deprecated former name of keepFloat */
  rescore?: boolean;
  /** Byte limit for rows and per-row arrays; 0 (default) = the 4 GiB wasm32 limit. CapacityError past it. */
  maxBytes?: number;
}

/** Restricts a search: a predicate over ids, stored tags (any / all of them), or an id allow-list. */
export type SearchFilter =
  | ((id: number) => boolean)
  | { tags: string[]; match?: 'any' | 'all' }
  | { ids: Iterable<number> };

export interface VectorSearchOptions {
  /** Number of results (default 10). */
  k?: number;
  filter?: SearchFilter;
  /**
   * int8/binary: the shortlist rescored exactly, as a multiple of k (default 4 for int8, 20 for
   * binary); 0 returns the raw quantized scores. Ignored for float32.
   */
  oversample?: number;
  /** @deprecated former name of oversample: true = default, false = 0, a number = oversample */
  rescore?: boolean | number;
}

/**
 * Exact top-k search over dense vectors stored contiguously in the WASM heap (SIMD scans).
 * Ids are integers 0..2^32-1 chosen by the caller, stable across add/remove/update/save/load.
 * Call dispose() to free the memory (a FinalizationRegistry frees it eventually otherwise).
 */
export class VectorIndex {
  static create(options: VectorIndexOptions): Promise<VectorIndex>;
  /**
   * Restores save() output (format versions 1 and 2). Throws CorruptDataError (truncated /
   * checksum / malformed bytes, stored values that are NaN or infinite).
   */
  static load(bytes: Uint8Array): Promise<VectorIndex>;
  readonly dims: number;
  readonly metric: 'cosine' | 'dot';
  readonly storage: 'float32' | 'int8' | 'binary';
  /** Whether float32 rows are kept for rescoring. */
  readonly keepFloat: boolean;
  /** @deprecated former name of keepFloat */
  readonly rescore: boolean;
  readonly size: number;
  /** Bytes allocated in the WASM heap for rows and per-row arrays. */
  readonly memoryBytes: number;
  has(id: number): boolean;
  /**
   * Adds one vector; InvalidArgumentError if the id exists or a component is NaN / infinite,
   * CapacityError past the memory limit. A refused add changes nothing.
   */
  add(id: number, vector: Float32Array | number[], options?: { tags?: string[] }): void;
  /** Same as addBatch(ids, rows, options). */
  add(ids: Uint32Array | number[], rows: Float32Array, options?: { tags?: Array<string[] | null | undefined> }): void;
  /**
   * Adds ids.length rows (row i = rows[i*dims .. (i+1)*dims)), all or nothing: ids, duplicates
   * (in the batch and in the index), values (finite) and tags are all checked before any row goes in.
   */
  addBatch(ids: Uint32Array | number[], rows: Float32Array, options?: { tags?: Array<string[] | null | undefined> }): void;
  /** Replaces the vector (and, when given, the tags) of an existing id, all or nothing. */
  update(id: number, vector: Float32Array | number[], options?: { tags?: string[] }): void;
  setTags(id: number, tags: string[]): void;
  /** False when the id was not present. */
  remove(id: number): boolean;
  /** The stored vector (normalized for cosine; dequantized / sign vector when only codes are kept). */
  get(id: number): Float32Array;
  tags(id: number): string[];
  /** Ids in storage order. */
  ids(): Uint32Array;
  /**
   * Best first; cosine scores lie in [-1, 1]. InvalidArgumentError for a non-finite query or a
   * malformed filter.
   */
  search(query: Float32Array | number[], options?: VectorSearchOptions): SearchHit[];
  /** Versioned, CRC-32-checked bytes. */
  save(): Uint8Array;
  readonly disposed: boolean;
  /** Frees the wasm memory now (idempotent); later calls throw DisposedError. */
  dispose(): void;
}

// ---------------------------------------------------------------- lexical index (js/search/lexical-index.js)

export interface LexicalIndexOptions {
  /** 'bm25' (default): documents are token ids. 'sparse': documents are { ids, weights } (e.g. BGE-M3 lexical weights), scored by dot product. */
  scoring?: 'bm25' | 'sparse';
  /** BM25 term-frequency saturation (default 1.2). */
  k1?: number;
  /** BM25 length normalisation in [0, 1] (default 0.75). */
  b?: number;
}

export interface SparseVector {
  ids: Int32Array | number[];
  weights: Float32Array | number[];
}

/**
 * Inverted index over tokenizer piece ids: BM25 (idf = ln(1 + (N - df + 0.5) / (df + 0.5))) or
 * sparse dot product. Needs only token ids, so it works before a neural model is loaded.
 */
export class LexicalIndex {
  static create(options?: LexicalIndexOptions): Promise<LexicalIndex>;
  static load(bytes: Uint8Array): Promise<LexicalIndex>;
  readonly scoring: 'bm25' | 'sparse';
  readonly size: number;
  documentFrequency(tokenId: number): number;
  has(id: number): boolean;
  /** Token ids for 'bm25' (repeats count); { ids, weights } for 'sparse' (repeated id keeps its max, weights <= 0 dropped). */
  add(id: number, document: Int32Array | number[] | SparseVector): void;
  remove(id: number): boolean;
  /** Documents sharing at least one token with the query, best first. */
  search(query: Int32Array | number[] | SparseVector, options?: { k?: number; filter?: ((id: number) => boolean) | { ids: Iterable<number> } }): SearchHit[];
  save(): Uint8Array;
  readonly disposed: boolean;
  /** Frees the wasm memory now (idempotent); later calls throw DisposedError. */
  dispose(): void;
}

// ---------------------------------------------------------------- fusion (js/search/fusion.js)

export interface RankedItem<Id = number> {
  id: Id;
  score: number;
}

/** Reciprocal-rank fusion: score = sum_i w_i / (k + rank_i), ranks from 1 (k defaults to 60). */
export function rrf<Id = number>(
  lists: RankedItem<Id>[][],
  options?: { k?: number; weights?: number[]; limit?: number },
): { id: Id; score: number; ranks: (number | null)[] }[];

/** Weighted score fusion: per-list min-max normalisation to [0, 1], then sum_i w_i * norm_i / sum_i w_i. */
export function weightedFusion<Id = number>(
  lists: RankedItem<Id>[][],
  options?: { weights?: number[]; limit?: number },
): { id: Id; score: number; scores: (number | null)[] }[];

// ---------------------------------------------------------------- static index (js/search/static/)

/** The model a static index was built with, as its manifest records it. */
export interface StaticIndexModel {
  id: string;
  revision?: string | null;
  dtype?: string | null;
  pooling?: string | null;
  /** The document prompt used at build time. */
  prompt?: string | null;
  /** Literal text put before queries (if the model wants one). */
  queryPrompt?: string | null;
  normalize?: boolean;
  dims?: number;
}

export interface StaticIndexProgress {
  phase: 'encode' | 'kmeans' | 'assign' | 'segments' | 'documents' | 'lexical';
  done: number;
  total: number;
}

export interface WriteStaticIndexOptions {
  dims: number;
  /** count x dims floats (any norm; cosine normalizes), or an (async) iterable of Float32Array chunks of whole rows. */
  vectors: Float32Array | Iterable<Float32Array> | AsyncIterable<Float32Array>;
  /** Unique ids, one per row. */
  ids: string[];
  /** Stored as snippets in the document store and indexed by the BM25 segments. */
  texts?: string[];
  /** JSON objects, one per row; `tags` feeds tag filters. */
  metadata?: ({ tags?: string[]; [key: string]: unknown } | null | undefined)[];
  model: StaticIndexModel;
  metric?: 'cosine' | 'dot';
  storage?: 'int8' | 'binary';
  /** Also store float32 rows for exact rescoring (4 bytes/dim more per row). */
  keepFloat?: boolean;
  /** Number of IVF partitions; default round(sqrt(count)). */
  partitions?: number;
  /** k-means seed (default 1): the same input and seed give byte-identical files. */
  seed?: number;
  /** Characters of each text kept in the document store (default 2000). */
  snippetChars?: number;
  onProgress?: (p: StaticIndexProgress) => void;
}

export interface StaticIndexFileEntry { file: string; bytes: number; crc32: number }

export interface StaticIndexManifest {
  format: 'wasmbed-static-index';
  version: number;
  model: StaticIndexModel;
  dims: number;
  metric: 'cosine' | 'dot';
  storage: 'int8' | 'binary';
  keepFloat: boolean;
  count: number;
  partitions: number;
  seed: number;
  centroids: StaticIndexFileEntry;
  partitionTable: (StaticIndexFileEntry & { partition: number; rows: number })[];
  docs: { chunkRows: number; chunks: (StaticIndexFileEntry & { firstRow: number; rows: number })[] };
  lexical: { tokenizer: 'words-v1'; segmentRows: number; segments: (StaticIndexFileEntry & { firstRow: number; rows: number })[] } | null;
  tags: string[];
  totalBytes: number;
}

/**
 * Writes a static, partitioned index folder (Node): seeded k-means partitions with int8 or binary
 * codes, a chunked document store, BM25 segments and a manifest; content-hashed file names. The
 * folder appears whole or not at all.
 */
export function writeStaticIndex(outDir: string, options: WriteStaticIndexOptions): Promise<StaticIndexManifest>;

export interface StaticIndexOpenOptions {
  /** The fetch() to use for URLs (default globalThis.fetch). */
  fetch?: (url: string) => Promise<Response>;
  /** 'memory' (default): fetched files live in this object; true: the platform cache; { dir } (Node) or { cacheName } (Cache API). */
  cache?: 'memory' | boolean | { dir: string } | { cacheName: string };
  /** Load every partition at open (default: when the index is under 4 MiB). */
  preload?: boolean;
  /** Partitions kept in the wasm heap, by file size (default 256 MiB); the least recently used beyond it are dropped. */
  maxCacheBytes?: number;
}

export interface StaticSearchOptions {
  k?: number;
  /** Partitions to probe (default max(8, 4% of them)). */
  nprobe?: number;
  /** Shortlist = k x oversample before rescoring (int8 4, binary 20). */
  oversample?: number;
  /** Rows with any (or, with all: true, every one) of these tags. */
  filter?: { tags: string[]; all?: boolean };
  /** Also rank `text` with BM25 and fuse both lists by reciprocal rank. */
  hybrid?: boolean;
  text?: string;
  /** Embeds a text query (its model is checked against the manifest). */
  embedder?: { embed(texts: string[], options?: object): Promise<Float32Array[]>; info?: object };
  embedOptions?: object;
  /** Attach text and metadata from the document store. */
  documents?: boolean;
}

export interface StaticSearchHit {
  id: string;
  score: number;
  /** The row number in the index (input order). */
  row: number;
  text?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface StaticIndexStats {
  requests: number;
  bytesFetched: number;
  cacheHits: number;
  partitionsFetched: number;
  partitionsLoaded: number;
  partitionsEvicted: number;
  docChunksFetched: number;
  lexicalSegmentsFetched: number;
  heapBytes: number;
}

/** A static index opened from a URL or folder: fetches only the partitions a query probes. */
export class StaticIndex {
  static open(urlOrDir: string | URL, options?: StaticIndexOpenOptions): Promise<StaticIndex>;
  readonly manifest: StaticIndexManifest;
  readonly stats: StaticIndexStats;
  /** Throws ModelMismatchError when the embedder's model is not the index's. */
  checkModel(embedder: { info?: object } | Partial<StaticIndexModel>): void;
  search(query: Float32Array | number[] | string, options?: StaticSearchOptions): Promise<StaticSearchHit[]>;
  /** BM25 only over the lexical segments: no query vector, no embedder, no partition fetched. */
  lexicalSearch(text: string, options?: { k?: number; filter?: { tags: string[]; all?: boolean }; documents?: boolean }): Promise<StaticSearchHit[]>;
  /** [id, text, metadata] of a row. */
  document(row: number): Promise<[string, string | null, Record<string, unknown> | null]>;
  readonly disposed: boolean;
  dispose(): void;
}

// ---------------------------------------------------------------- persistence (js/search/persist/)

export interface PersistOptions {
  /** Default: 'file' in Node, 'opfs' where available in browsers, else 'indexeddb'. */
  backend?: 'file' | 'opfs' | 'indexeddb';
}

/**
 * Saves atomically (Node: temp file + fsync + rename; OPFS / IndexedDB: new entry, then the pointer
 * record is swapped). `target` is a file path in Node, a key in browsers. Resolves to bytes written.
 */
export function saveIndex(index: VectorIndex | LexicalIndex | M3Index | Uint8Array, target: string, options?: PersistOptions): Promise<number>;
/** Loads what saveIndex stored (the class is read from the bytes), or null when nothing is stored. */
export function loadIndex(target: string, options?: PersistOptions & { raw?: false }): Promise<VectorIndex | LexicalIndex | M3Index | null>;
export function loadIndex(target: string, options: PersistOptions & { raw: true }): Promise<Uint8Array | null>;
/** Removes a stored index; false when there was none. */
export function deleteIndex(target: string, options?: PersistOptions): Promise<boolean>;
/** Restores a VectorIndex or LexicalIndex from saved bytes. */
export function indexFromBytes(bytes: Uint8Array): Promise<VectorIndex | LexicalIndex | M3Index>;

// ---- Embedder (js/embedder/) ------------------------------------------------------------------

export type PoolingMode = 'mean' | 'cls' | 'max' | 'last';
export type Device = 'auto' | 'cpu' | 'wasm' | 'webgpu';
/** ONNX file by the Hub's naming: fp32 onnx/model.onnx, fp16 model_fp16.onnx, q8 model_quantized.onnx, int8 model_int8.onnx, uint8 model_uint8.onnx, q4 model_q4.onnx, q4f16 model_q4f16.onnx, bnb4 model_bnb4.onnx. */
export type ModelDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

export interface EmbedderOptions extends ModelSourceOptions {
  /** 'auto' (default): onnxruntime-node in Node when installed, else ORT-web WASM; WASM in browsers. Which one was picked, and why, is in `info`. */
  device?: Device;
  /** Which ONNX file to load (default 'fp32'). */
  dtype?: ModelDtype;
  /** An explicit ONNX file name in the repo (overrides dtype), e.g. 'onnx/model_custom.onnx'. */
  modelFile?: string;
  /** Overrides the model's pooling. */
  pooling?: PoolingMode;
  /** Overrides whether vectors are L2-normalized. */
  normalize?: boolean;
  /**
   * Token limit (specials included); default the model's max_seq_length, never above its positions.
   * A limit that leaves no room for text after the special tokens is refused at load
   * (InvalidArgumentError from this option, ModelLoadError from the model's files).
   */
  maxLength?: number;
  /** Named prompts, merged over the model's and the manifest's, e.g. { query: 'query: ' }. */
  prompts?: Record<string, string>;
  /** Prompt name used when embed() gets none (default: the model's default_prompt_name). */
  defaultPrompt?: string;
  /**
   * Settings for a known model (a manifest id such as 'intfloat/multilingual-e5-small', or an
   * object with pooling/normalize/maxLength/prompts); false to use none. Default: looked up by the
   * Hub id (or config.json's _name_or_path). Precedence: explicit options > the model's
   * sentence-transformers files > manifest > defaults (mean pooling, not normalized).
   */
  manifest?: string | false | { pooling?: PoolingMode; normalize?: boolean; maxLength?: number; prompts?: Record<string, string> };
  /**
   * Intra-op threads. ORT-web WASM: default every core (Node: os.availableParallelism(); browsers:
   * navigator.hardwareConcurrency when the page is cross-origin isolated, else 1 with a one-time
   * warning). It is fixed when onnxruntime-web starts (the first load); later loads keep it.
   * onnxruntime-node: default every core (os.availableParallelism()), set explicitly rather than
   * left to ORT (on a shared 2-core machine its default ran a 32 x 128 batch in 1,797 ms, 2
   * threads in 936 ms). The count in use is info.threads.
   */
  threads?: number;
  /**
   * ORT-web (browsers): how long ONNX Runtime's WebAssembly runtime may take to start (import its
   * .mjs, fetch and compile its .wasm, start its thread workers) before the load fails with a
   * WasmLoadError naming the cause and the file URLs (each checked, for at most 5 s or this
   * timeout: the load fails within twice it at worst) instead of waiting forever. Default
   * 120000 (120 s). Counts for the load that starts the
   * runtime (the first); a runtime that did not start cannot be restarted, so later loads fail
   * with the same error until the page reloads.
   */
  runtimeTimeoutMs?: number;
  /**
   * Long inputs: query rows per attention block when an exported model's attention is unblocked
   * and its position table is longer than 1,024 (rewritten at load, exact; bounded memory).
   * Default 512; 0 leaves the graph as it is. Models wasmbed generates or converts are blocked
   * already.
   */
  attentionBlock?: number;
  /**
   * Bytes a run's activations may take (the estimate of js/embedder/activation-memory.js). A run
   * over it, or over ONNX Runtime Web's 4 GiB heap less the weights, fails with a CapacityError
   * before ONNX Runtime is called. Default: no limit but that heap.
   */
  memoryBudget?: number;
  /**
   * ONNX Runtime Web (devices 'wasm' and 'webgpu'): bytes of WASM heap the model may use. Its
   * weights (the .onnx file and its external data) plus one 512-token run must fit, else the
   * load fails with a CapacityError naming the limit and suggesting dtype 'q8' / 'q4', after the
   * .onnx file but before any external data is downloaded. Default 4 GiB (wasm32); lower it for
   * devices with less memory.
   */
  wasmMemoryLimit?: number;
  /**
   * device 'webgpu': when ONNX Runtime cannot create the WebGPU session for this model (a kernel
   * the build lacks, no adapter), throw instead of running on WASM (the default falls back, warns
   * once and records it in info.deviceFallback).
   */
  strictDevice?: boolean;
  /** Run the model in a worker (see WorkerEmbedder): true, or your Worker from 'wasmbed/worker'. */
  worker?: WorkerEmbedderOptions['worker'];
  /**
   * Run the model in a pool of this many workers (see EmbedderPool; 'auto': one per core): the
   * result is an EmbedderPool. Each worker holds its own copy of the model.
   */
  workers?: number | 'auto';
  /**
   * Where BGE-M3's sparse / ColBERT heads come from (used by embed with `outputs`; looked up on
   * first use, so loading does no extra requests). 'auto' (default): the ONNX graph's head outputs
   * (sparse_vecs / colbert_vecs ...) when it has them, else the head files next to the model
   * (sparse_linear.safetensors / colbert_linear.safetensors, or the original sparse_linear.pt /
   * colbert_linear.pt). 'graph' / 'files' force one; `{ files: { sparse, colbert } }` names other
   * files; `{ sparse, colbert }` gives the weights directly; false disables the heads.
   */
  heads?: 'auto' | 'graph' | 'files' | false | { files: { sparse: string; colbert: string } }
    | { sparse: { weight: Float32Array; bias: number | Float32Array }; colbert: { weight: Float32Array; bias: Float32Array } };
}

export interface EmbedOptions {
  /**
   * The name of one of the model's prompts (info.prompts, e.g. 'query', 'passage') whose text is
   * prepended to every input; default: the model's default prompt, null / '' for none. A name the
   * model does not define is an InvalidArgumentError listing its prompts.
   */
  prompt?: string | null;
  /** Literal text prepended to every input instead of a named prompt (not with `prompt`). */
  promptText?: string;
  /** Most texts per ONNX run (default 32). */
  batchSize?: number;
  /** Most padded tokens (texts x longest) per ONNX run (default: no cap; runs are cut by cost and memoryBudget). */
  tokenBudget?: number;
  /**
   * Bytes of activations one ONNX run may need: texts x (heads x seqLen^2 attention scores + seqLen
   * x the widest hidden layer), float32. Default 128 MiB (larger runs are no faster); a single text
   * always runs.
   */
  memoryBudget?: number;
  /** Token limit for this call (<= the model's). */
  maxLength?: number;
  /** Matryoshka: keep the first N components (re-normalized when the model normalizes). */
  dimensions?: number;
  /** 'end' (default) cuts inputs at the limit; 'error' rejects them with InvalidArgumentError. */
  truncate?: 'end' | 'error';
  /** Called after each batch. */
  onProgress?: (progress: { done: number; total: number }) => void;
  signal?: AbortSignal;
}
export type M3OutputKind = 'dense' | 'sparse' | 'colbert';
export interface M3EmbedOptions extends EmbedOptions {
  /** Which BGE-M3 outputs to compute in the same encoder pass (needs the heads: EmbedderOptions.heads). */
  outputs: M3OutputKind[];
  /** Storage of the returned ColBERT vectors (default 'float32'; see encodeColbert). */
  colbertDtype?: ColbertDtype;
}
/** One text's BGE-M3 outputs (only the kinds asked for are set). */
export interface M3Embedding {
  /** The pooled (CLS, normalized for bge-m3) vector, as embed() without outputs returns it. */
  dense?: Float32Array;
  /** Lexical weights: unique ids ascending, weights > 0; cls/eos/pad/unk never appear. */
  sparse?: SparseEmbedding;
  /** ColBERT vectors, count = tokens - 1; float16 / int8 when colbertDtype asks for it. */
  colbert?: MultiVectorEmbedding | StoredMultiVector;
}

export interface EmbedderInfo {
  device: 'cpu' | 'wasm' | 'webgpu';
  deviceReason: string;
  backend: 'onnxruntime-node' | 'onnxruntime-web';
  /**
   * onnxruntime-web build: 'wasm' ('onnxruntime-web/wasm', WASM only: device 'wasm' in browsers,
   * compiles fastest), 'webgpu' ('onnxruntime-web/webgpu': the native WebGPU provider, device
   * 'webgpu'; it has 8-bit MatMulNBits), or 'default' ('onnxruntime-web': Node, and wherever a
   * subpath cannot be imported). null on onnxruntime-node.
   */
  ortBuild: 'wasm' | 'default' | 'webgpu' | null;
  /** Intra-op threads in use. */
  threads: number;
  /**
   * Set when device 'webgpu' could not create a session and WASM is used instead. `missingOps`:
   * the graph was routed to WASM before any WebGPU session was made, because WebGPU has no kernel
   * for these operators (the dynamic-int8 layout's MatMulInteger / DynamicQuantizeLinear).
   */
  deviceFallback: { from: 'webgpu'; to: 'wasm'; error: string; missingOps?: string[] } | null;
  dtype: ModelDtype;
  modelFile: string;
  output: string;
  architecture: string | null;
  hiddenSize: number | null;
  pooling: PoolingMode;
  normalize: boolean;
  maxLength: number;
  prompts: Record<string, string>;
  defaultPrompt: string | null;
  /** Where each setting came from: 'options' | 'model' | 'manifest' | 'default'. */
  settingsFrom: { pooling: string; normalize: string; maxLength: string };
  manifest: string | null;
  /** device 'webgpu' only: the load-time comparison with WASM (null otherwise). */
  webgpuGuard: { cosine: number; meanCosine: number; threshold: number; ok: boolean; fellBack: boolean } | null;
}

/**
 * Sentence embeddings: tokenization, pooling and normalization in the wasm core, the encoder in
 * ONNX Runtime. Inputs are sorted by length and cut into the runs a cost model of the encoder
 * finds cheapest, each padded only to its own longest text; results come back in input order. Concurrent calls are safe (runs are serialized).
 */
export class Embedder {
  /** source: Hub id ("org/name"), base URL, local folder (Node), or a map of file name -> bytes. */
  /** With `workers` set, the model runs in that many workers and the result is an EmbedderPool (same API). */
  static load(source: string | URL | Record<string, ArrayBuffer | Uint8Array | string> | Map<string, ArrayBuffer | Uint8Array | string>, options: EmbedderOptions & { workers: number | 'auto'; worker?: true | URL | string }): Promise<EmbedderPool>;
  /** With `worker` set, the model runs in a worker and the result is a WorkerEmbedder (same API). */
  static load(source: string | URL | Record<string, ArrayBuffer | Uint8Array | string> | Map<string, ArrayBuffer | Uint8Array | string>, options: EmbedderOptions & { worker: WorkerEmbedderOptions['worker'] }): Promise<WorkerEmbedder>;
  static load(source: string | URL | Record<string, ArrayBuffer | Uint8Array | string> | Map<string, ArrayBuffer | Uint8Array | string>, options?: EmbedderOptions): Promise<Embedder>;
  readonly info: EmbedderInfo;
  /** The tokenizer in use (owned by the Embedder; do not dispose it). */
  readonly tokenizer: Tokenizer;
  /**
   * With `outputs` (BGE-M3): one { dense, sparse, colbert } object per text from one encoder pass.
   * Without it (the default, unchanged): one Float32Array per text.
   */
  embed(texts: string[] | string, options: M3EmbedOptions): Promise<M3Embedding[]>;
  /** One vector per text, in input order (views into one shared buffer). */
  embed(texts: string[] | string, options?: EmbedOptions): Promise<Float32Array[]>;
  /** All vectors in one row-major buffer: row i (dims floats) is texts[i]. */
  embedFlat(texts: string[] | string, options?: EmbedOptions): Promise<{ data: Float32Array; dims: number; count: number }>;
  /** Releases the ONNX Runtime session and the tokenizer. */
  dispose(): Promise<void>;
}
