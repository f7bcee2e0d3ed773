// Loading an Embedder: opening the model source, picking the device (WebGPU falls back to WASM
// when it cannot run the model or fails the load-time check), retrying a corrupt cached file
// once, resolving the settings (pooling, normalization, length, prompts) and describing it all in
// `info`. Returns the parts the Embedder's pipeline is built from.
import { loadCore } from '../internal/core.js';
import { AbortError, InvalidArgumentError, ModelLoadError, ParseError } from '../errors.js';
import { openModelSource } from '../loader/index.js';
import { DTYPE_FILES, createSession, pickDevice } from './backend.js';
import { buildTokenizer, readTokenizerFile } from './tokenizer-files.js';
import { manifestFor, positionLimit, readModelSettings, resolveSettings } from './config.js';
import { guardWebGpu, probeFeeds } from './webgpu-guard.js';
import { M3State } from '../bge-m3/outputs.js';
import { missingFileError } from './missing-file.js';
import { checkFitsWasmHeap } from './wasm-heap.js';
import { externalDataBytes } from '../onnx/index.js';

// Load-time WebGPU check: mixed scripts, so embeddings of several kinds of tokens are compared.
const WEBGPU_PROBE = 'wasmbed WebGPU probe: 서울은 대한민국의 수도이다. Москва — столица России.';

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

export function checkAbort(signal) {
  if (signal?.aborted) throw new AbortError('the operation was aborted', { cause: signal.reason });
}

/** Finds the ONNX file for a dtype: onnx/<name> as on the Hub, else <name> at the root. */
async function findModelFile(src, dtype, explicit) {
  if (explicit) return explicit;
  const name = DTYPE_FILES[dtype];
  if (!name) throw new InvalidArgumentError(`dtype must be one of ${Object.keys(DTYPE_FILES).join(', ')}, got ${JSON.stringify(dtype)}`);
  for (const candidate of [`onnx/${name}`, name]) {
    if (await src.exists(candidate)) return candidate;
  }
  throw missingFileError(src, `the model has no ${dtype} ONNX file (looked for onnx/${name} and ${name})`, [`onnx/${name}`, name]);
}

/**
 * Opens the model's session on `device`; WebGPU session creation can fail for a model (a kernel
 * the build lacks, no adapter): then it runs on WASM and says so, unless strictDevice is set.
 * Returns { session, device, deviceFallback }.
 */
async function openOnDevice(src, modelFile, device, options) {
  try {
    return { session: await openSessionOnce(src, modelFile, device, options), device, deviceFallback: null };
  } catch (err) {
    if (device !== 'webgpu' || options.strictDevice || !(err instanceof ModelLoadError) || isUnparsable(err)) throw err;
    const deviceFallback = { from: 'webgpu', to: 'wasm', error: err.cause?.message ?? err.message };
    // Routed before a WebGPU session was made (webgpu-route.js): the operators WebGPU lacks.
    if (err.webgpuMissingOps) deviceFallback.missingOps = err.webgpuMissingOps;
    console.warn(`wasmbed: WebGPU cannot run ${modelFile} (${deviceFallback.error}); using WASM instead (strictDevice: true makes this an error)`);
    // A WASM build's provider: the native-WebGPU build's lacks CPU kernels such as
    // GatherBlockQuantized (q8 / q4 embedding tables).
    return { session: await openSessionOnce(src, modelFile, 'wasm', options), device: 'wasm', deviceFallback };
  }
}

/**
 * Loads everything an Embedder needs. Returns { core, tokenizer, session, output, settings, info,
 * padId, m3, config }; the caller owns the session and tokenizer.
 */
export async function loadModel(source, options) {
  const { device = 'auto', signal } = options;
  checkAbort(signal);
  const picked = await pickDevice(device);
  // The load's own signal: when one part fails, the downloads still running for the others are
  // cancelled (nothing half-downloaded is cached), instead of going on into the cache unseen.
  const loading = new AbortController();
  const onCallerAbort = () => loading.abort(signal.reason);
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    return await loadParts(source, options, picked, loading.signal);
  } catch (err) {
    loading.abort(err);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

async function loadParts(source, options, picked, loadSignal) {
  const { dtype = 'fp32', signal } = options;
  const src = await openModelSource(source, { ...pickSourceOptions(options), signal: loadSignal });
  // The small files first (a missing or broken config or tokenizer fails before the model is
  // downloaded), then ONNX Runtime's session creation — most of the load time — overlapping
  // the wasm core and tokenizer set-up.
  const corePromise = loadCore();
  corePromise.catch(() => {}); // awaited below
  const [config, files, tokenizerFile, modelFile] = await Promise.all([
    src.exists('config.json').then((e) => (e ? src.json('config.json') : {})),
    readModelSettings(src),
    readTokenizerFile(src),
    findModelFile(src, dtype, options.modelFile),
  ]);
  checkAbort(signal);
  const opening = openOnDevice(src, modelFile, picked.device, { ...options, modelConfig: config });
  opening.catch(() => {}); // awaited below, after the tokenizer: not an unhandled rejection meanwhile
  let tokenizer, core;
  try {
    [core, tokenizer] = await Promise.all([corePromise, buildTokenizer(tokenizerFile)]);
  } catch (err) {
    opening.then(({ session }) => session.release?.(), () => {});
    throw err;
  }
  let session;
  try {
    let device, deviceFallback;
    ({ session, device, deviceFallback } = await opening);
    const sourceId = typeof source === 'string' && HUB_ID.test(source) ? source : config._name_or_path;
    const manifest = await manifestFor(sourceId, options.manifest);
    const settings = resolveSettings({ options, files, manifest, limit: positionLimit(config) });
    let webgpuGuard = null;
    if (device === 'webgpu' && options.webgpuGuard !== false) {
      // Quantized graphs have given silently wrong vectors on WebGPU: compare one probe with
      // WASM and fall back to WASM below the threshold (issue: peers.md items 2 and 3).
      const guardOptions = typeof options.webgpuGuard === 'object' ? options.webgpuGuard : {};
      const probe = Array.from(tokenizer.encode(WEBGPU_PROBE, { maxLength: 64 }).ids);
      const feeds = probeFeeds(session.ort.Tensor, [probe], { tokenTypes: session.inputNames.includes('token_type_ids') });
      const guarded = await guardWebGpu({
        session, feeds, threshold: guardOptions.threshold, fallback: guardOptions.fallback ?? true,
        output: session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0],
        openWasm: () => openSession(src, modelFile, 'wasm', { ...options, modelConfig: config }),
      });
      session = guarded.session;
      device = guarded.device;
      webgpuGuard = guarded.guard;
    }
    const inputs = session.inputNames;
    for (const need of ['input_ids', 'attention_mask']) {
      if (!inputs.includes(need)) throw new ModelLoadError(`${modelFile} has no '${need}' input (inputs: ${inputs.join(', ')})`, { file: modelFile });
    }
    const output = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0];
    checkRoomForText(tokenizer, settings);
    const padId = tokenizer.padId >= 0 ? tokenizer.padId : (config.pad_token_id ?? 0);
    const info = {
      device,
      deviceReason: webgpuGuard?.fellBack ? 'WebGPU output failed the load-time check against WASM'
        : deviceFallback?.missingOps ? `routed to WASM: ${deviceFallback.error}`
          : deviceFallback ? `WebGPU session creation failed: ${deviceFallback.error}` : picked.reason,
      backend: device === 'cpu' ? 'onnxruntime-node' : 'onnxruntime-web',
      // onnxruntime-web build: 'wasm' (WASM only), 'default' (WASM + JSEP), 'webgpu' (native WebGPU).
      ortBuild: session.build,
      // Intra-op threads; null on onnxruntime-node's default (one per physical core).
      threads: session.threads,
      deviceFallback,
      webgpuGuard,
      dtype,
      modelFile,
      output,
      architecture: config.model_type ?? null,
      hiddenSize: config.hidden_size ?? null,
      pooling: settings.pooling,
      normalize: settings.normalize,
      maxLength: settings.maxLength,
      prompts: settings.prompts,
      defaultPrompt: settings.defaultPrompt,
      settingsFrom: settings.sources,
      manifest: manifest?.id ?? null,
    };
    const m3 = new M3State({ src, outputNames: session.outputNames, tokenizer, hiddenSize: config.hidden_size, option: options.heads });
    // A tokenizer with more ids than the model's embedding table (a mismatched pair) would make
    // ONNX Runtime fail mid-run with a raw Gather error: its ids are checked per batch instead.
    const idLimit = config.vocab_size && tokenizer.vocabSize > config.vocab_size ? config.vocab_size : null;
    return { core, tokenizer, session, output, settings, info, padId, m3, config, idLimit };
  } catch (err) {
    await session?.release?.();
    tokenizer.dispose();
    throw err;
  }
}

/**
 * A length limit that leaves no room for the text after the special tokens ([CLS] ... [SEP]) would
 * make every embed() fail (or embed only the specials): refused here, once, with where it came from.
 */
function checkRoomForText(tokenizer, settings) {
  const specials = tokenizer.numSpecialTokens(false);
  const { maxLength } = settings;
  if (maxLength > specials && maxLength >= 2) return;
  const from = settings.sources.maxLength;
  const where = from === 'options' ? 'the maxLength option' : from === 'model' ? "the model's sentence_bert_config.json max_seq_length"
    : from === 'manifest' ? "wasmbed's manifest for this model" : "the model's position limit";
  const message = `maxLength ${maxLength} (from ${where}) leaves no room for text: the tokenizer adds ${specials} special token(s) to every text`;
  if (from === 'options') throw new InvalidArgumentError(message);
  throw new ModelLoadError(message, { file: from === 'model' ? 'sentence_bert_config.json' : 'config.json' });
}

const SOURCE_OPTIONS = [
  'revision', 'hubHost', 'cache', 'cacheDir', 'localFilesOnly', 'fetch', 'stallTimeoutMs', 'minBytesPerSecond', 'retries',
  'retryDelayMs', 'accessToken', 'headers', 'onRetry',
];
/** The Embedder.load options that belong to the loader (index.d.ts ModelSourceOptions). */
function pickSourceOptions(options) {
  const out = { onProgress: options.onProgress, signal: options.signal };
  for (const k of SOURCE_OPTIONS) if (options[k] !== undefined) out[k] = options[k];
  return out;
}

// ORT's (and our walker's) verdict that the .onnx bytes are not a protobuf ModelProto at all, as
// opposed to a valid file ORT cannot run (unsupported op, bad graph), which re-downloading won't fix.
function isUnparsable(err) {
  if (!(err instanceof ModelLoadError)) return false;
  if (err.cause instanceof ParseError) return true;
  return /protobuf parsing failed/i.test(String(err.cause?.message ?? err.message));
}

/**
 * openSession, but a cached .onnx that does not parse (bit rot, a truncated file written by an
 * older version, disk trouble) is evicted from the cache and downloaded again, once.
 */
async function openSessionOnce(src, modelFile, device, options) {
  try {
    return await openSession(src, modelFile, device, options);
  } catch (err) {
    if (!isUnparsable(err) || src.describeFiles?.()[modelFile]?.from !== 'cache') throw err;
    console.warn(`wasmbed: the cached ${modelFile} is corrupt (${err.message}); downloading it again`);
    await src.evict(modelFile);
    try {
      return await openSession(src, modelFile, device, options);
    } catch (retryErr) {
      if (retryErr instanceof AbortError) throw retryErr;
      throw new ModelLoadError(`${modelFile}: the cached copy was corrupt and was removed; loading it again failed: ${retryErr.message}`, { file: modelFile, cause: retryErr });
    }
  }
}

/**
 * Opens the ONNX Runtime session. Node 'cpu': ORT reads the file itself from disk (local folder
 * or the download cache), so the weights never pass through JS. Otherwise the bytes (and any
 * external data) are handed to ORT-web and dropped when this function returns.
 */
async function openSession(src, modelFile, device, options) {
  if (device === 'cpu') {
    const external = await src.externalDataFiles(modelFile);
    const path = await src.localPath(modelFile);
    for (const e of external) await src.localPath(e.file); // fetched next to the model in the cache
    if (path) return createSession(device, { name: modelFile, path }, options);
  }
  // Only `model` references the weights: createSession drops them when done. Listing external
  // data walks the bytes already in hand (a second read would be a second download in an
  // uncached browser load).
  const model = { name: modelFile, bytes: await src.bytes(modelFile), externalData: [] };
  const external = await src.externalDataFiles(modelFile, model.bytes);
  if (device !== 'cpu') {
    // ORT-web's wasm32 heap: decided before the external weights are downloaded (js/embedder/wasm-heap.js).
    checkFitsWasmHeap({
      modelFile, onnxBytes: model.bytes.byteLength, externalBytes: external.length ? externalDataBytes(model.bytes) ?? 0 : 0,
      config: options.modelConfig, limit: options.wasmMemoryLimit,
    });
  }
  for (const e of external) {
    model.externalData.push({ path: e.location, data: await src.bytes(e.file) });
  }
  return createSession(device, model, options);
}
