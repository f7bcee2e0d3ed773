// `wasmbed index build | merge | export`: the command face of wasmbed/indexer (js/indexer/).
import { DEVICES, DTYPE_FILES } from '../embedder/backend.js';
import { int, oneOf, parseCommandArgs } from './args.js';

const BUILD_USAGE = `usage: wasmbed index build --out DIR --model SOURCE [options] INPUT...
       wasmbed index build --out DIR --vectors FILE --ids FILE [options]

Builds a static index in DIR/index from INPUT files and folders: folders of .txt, .md and .html
files (one document each, id = its path in the folder), .jsonl and .csv files (one document per
record). Documents are chunked by tokens, embedded on every core by a pool of worker threads,
and checkpointed in DIR/build: rerun the same command after an interruption (even kill -9) and it
finishes with exactly the index an uninterrupted run makes.

inputs
  --id-field F          record id field (default id)
  --text-field F[,F]    record text field(s), joined by a blank line (default text)
  --metadata-fields L   record fields kept as metadata (comma-separated)
  --tags-field F        record field of tags (JSONL: an array; CSV: 'a|b|c')
  --vectors FILE        import precomputed vectors instead: .npy (float32 / float16, shape
                        (count, dims)) or raw little-endian float32 (give --dims or --count)
  --ids FILE            ids of the imported vectors: .txt (one per line) or .jsonl (an id, or an
                        object with the id field and optional text / metadata fields)
  --count N --dims N    shape of raw float32 vectors
model
  --model SOURCE        Hub id, URL or local folder (required to embed; with --vectors: the id
                        recorded in the index for query embedders)
  --model-id ID         the model id recorded in the index (default: Hub id or folder name)
  --prompt NAME         model prompt for documents (default: the model's "passage"/"document"
                        prompt, e.g. "passage: " for e5) --prompt-text T: literal prefix instead
  --dtype D --device D  ONNX file and backend (cpu = onnxruntime-node, wasm)
  --dimensions N        Matryoshka truncation   --cache-dir DIR   --offline
chunking and work
  --max-tokens N        passage length (default: min(256, what fits the model))
  --overlap-tokens N    overlap between passages (default: min(32, max-tokens / 8))
  --batch-size N        texts per ONNX run (default 32)
  --block-docs N        documents per block: the unit of work, checkpoint and shard (default 64;
                        with --vectors, rows per block, default 16384)
  --workers N           worker threads (default: one per core); --threads N: intra-op threads
                        each (default: cores / workers)
  --shard i/N           build only shard i (0-based) of N; join them with \`wasmbed index merge\`
  --restart             discard a build of other inputs or settings found in DIR
index
  --metric M            cosine (default) or dot    --storage S   int8 (default) or binary
  --keep-float          keep float32 vectors for rescoring    --partitions N   --seed N
  --no-index            stop at the build state (DIR/build), for export or a later merge
  --quiet               no progress on stderr
`;

const MERGE_USAGE = `usage: wasmbed index merge OUT SHARD_DIR... [--metric M --storage S --keep-float --partitions N --seed N --no-index --quiet]

Joins the shard builds (\`wasmbed index build --shard i/N\`, same inputs and settings, every shard
present once) into OUT: exactly the build and index one unsharded run makes.
`;

const EXPORT_USAGE = `usage: wasmbed index export DIR --out PREFIX

Writes PREFIX.npy (float32, shape (count, dims), rows in index order) and PREFIX.jsonl (one
{"id", "text", "metadata"} per row, same order) from the build in DIR.
`;

const USAGE = `usage: wasmbed index <build|merge|export> [options]   (--help after a subcommand for its options)
`;

const WRITER_OPTIONS = {
  metric: oneOf(['cosine', 'dot']), storage: oneOf(['int8', 'binary']), 'keep-float': { type: 'boolean' },
  partitions: int({ min: 1 }), seed: int({ min: 0, max: 0xffffffff }), 'no-index': { type: 'boolean' }, quiet: { type: 'boolean' },
};

const writerOf = (v) => ({ metric: v.metric, storage: v.storage, keepFloat: v['keep-float'], partitions: v.partitions, seed: v.seed, writeIndex: !v['no-index'] });

async function progress(v, stderr) {
  if (v.quiet) return undefined;
  const { progressPrinter } = await import('../eval/index.js');
  return progressPrinter(stderr);
}

async function build(argv, io) {
  const parsed = parseCommandArgs('index build', argv, {
    usage: BUILD_USAGE,
    allowPositionals: true,
    options: {
      out: { type: 'string' }, model: { type: 'string' }, 'model-id': { type: 'string' },
      'id-field': { type: 'string' }, 'text-field': { type: 'string' }, 'metadata-fields': { type: 'string' }, 'tags-field': { type: 'string' },
      vectors: { type: 'string' }, ids: { type: 'string' }, count: int({ min: 1 }), dims: int({ min: 1 }),
      prompt: { type: 'string' }, 'prompt-text': { type: 'string' }, dtype: oneOf(Object.keys(DTYPE_FILES)), device: oneOf(DEVICES),
      dimensions: int({ min: 1 }), 'cache-dir': { type: 'string' }, offline: { type: 'boolean' },
      'max-tokens': int({ min: 2 }), 'overlap-tokens': int({ min: 0 }), 'batch-size': int({ min: 1 }), 'block-docs': int({ min: 1 }),
      workers: int({ min: 1 }), threads: int({ min: 1 }), shard: { type: 'string' }, restart: { type: 'boolean' },
      ...WRITER_OPTIONS,
    },
  }, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { values: v, positionals } = parsed.args;
  const fail = (msg) => { io.stderr.write(`index build: ${msg}\n${BUILD_USAGE}`); return 2; };
  if (!v.out) return fail('--out is required');
  if (v.vectors === undefined && !positionals.length) return fail('give INPUT files or folders, or --vectors FILE --ids FILE');
  if (v.vectors !== undefined && positionals.length) return fail('--vectors imports vectors: do not also give INPUT files');
  if (v.vectors === undefined && !v.model) return fail('--model is required to embed texts');
  const { buildIndex } = await import('../indexer/index.js');
  const result = await buildIndex({
    out: v.out, inputs: v.vectors === undefined ? positionals : undefined, vectors: v.vectors, ids: v.ids, count: v.count, dims: v.dims,
    model: v.model, modelId: v['model-id'], idField: v['id-field'], textField: v['text-field'], metadataFields: v['metadata-fields'], tagsField: v['tags-field'],
    prompt: v.prompt, promptText: v['prompt-text'], dtype: v.dtype, device: v.device, dimensions: v.dimensions, cacheDir: v['cache-dir'], offline: v.offline,
    maxTokens: v['max-tokens'], overlapTokens: v['overlap-tokens'], batchSize: v['batch-size'], blockDocs: v['block-docs'],
    workers: v.workers, threads: v.threads, shard: v.shard, restart: v.restart, ...writerOf(v),
    onProgress: await progress(v, io.stderr),
  });
  io.stdout.write(JSON.stringify(result) + '\n');
  return 0;
}

async function merge(argv, io) {
  const parsed = parseCommandArgs('index merge', argv, { usage: MERGE_USAGE, allowPositionals: true, options: WRITER_OPTIONS }, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { values: v, positionals: [out, ...shards] } = parsed.args;
  if (!out || !shards.length) { io.stderr.write(`index merge: give OUT and at least one SHARD_DIR\n${MERGE_USAGE}`); return 2; }
  const { mergeIndexes } = await import('../indexer/index.js');
  const result = await mergeIndexes({ out, shards, ...writerOf(v), onProgress: await progress(v, io.stderr) });
  io.stdout.write(JSON.stringify(result) + '\n');
  return 0;
}

async function exportCommand(argv, io) {
  const parsed = parseCommandArgs('index export', argv, { usage: EXPORT_USAGE, allowPositionals: true, options: { out: { type: 'string' } } }, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { values: v, positionals } = parsed.args;
  if (positionals.length !== 1 || !v.out) { io.stderr.write(`index export: give one DIR and --out PREFIX\n${EXPORT_USAGE}`); return 2; }
  const { exportIndex } = await import('../indexer/index.js');
  io.stdout.write(JSON.stringify(await exportIndex({ dir: positionals[0], out: v.out })) + '\n');
  return 0;
}

const SUBCOMMANDS = { build, merge, export: exportCommand };

export async function run(argv, io) {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') { io.stdout.write(USAGE); return 0; }
  if (!Object.hasOwn(SUBCOMMANDS, sub ?? '')) { io.stderr.write(`index: ${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\n${USAGE}`); return 2; }
  return SUBCOMMANDS[sub](rest, io);
}

export default run;
