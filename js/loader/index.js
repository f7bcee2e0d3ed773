// openModelSource(): one object that reads a model's files from wherever the model is (Hub id,
// base URL, local folder, in-memory map), with caching, progress, cancellation and typed errors.
// The Embedder asks it for files by name and never cares where they came from.
import { InvalidArgumentError } from '../errors.js';
import { escapeSegment } from './keys.js';
import { FilesSource } from './source-files.js';
import { RemoteSource } from './source-remote.js';
import { isNode } from '../internal/env.js';


const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

/**
 * Opens a model source. See index.d.ts (ModelSourceOptions) for every option.
 * @returns {Promise<import('../index.d.ts').ModelSource>}
 */
export async function openModelSource(source, options = {}) {
  if (options == null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const common = {
    signal: options.signal,
    onProgress: typeof options.onProgress === 'function' ? options.onProgress : undefined,
  };
  if (source instanceof Map || (source && typeof source === 'object' && !(source instanceof URL))) {
    return new FilesSource({ ...common, files: source });
  }
  if (source instanceof URL) source = source.href;
  if (typeof source !== 'string' || source.trim() === '') {
    throw new InvalidArgumentError('model source must be a Hub id ("org/name"), a URL, a local folder, or a map of file name -> bytes');
  }
  source = source.trim();

  if (/^file:/i.test(source)) {
    if (!isNode) throw new InvalidArgumentError(`file: URLs can only be read in Node: ${source}`);
    const { fileURLToPath } = (await import('#node-builtins')).url;
    return localSource(fileURLToPath(source), common);
  }
  if (isNode && !/^https?:\/\//i.test(source)) {
    const { fs: { stat }, path: { isAbsolute } } = await import('#node-builtins');
    const st = await stat(source).catch(() => null);
    if (st?.isDirectory()) return localSource(source, common);
    if (isAbsolute(source) || /^\.\.?[\\/]/.test(source) || !HUB_ID.test(source)) {
      throw new InvalidArgumentError(`model folder ${source} does not exist (and it is not a Hub id like "org/name")`);
    }
  }

  let kind;
  let baseUrl;
  let keyPrefix;
  let label;
  const revision = options.revision ?? 'main';
  const hubHost = String(options.hubHost ?? 'https://huggingface.co').replace(/\/+$/, '');
  if (/^https?:\/\//i.test(source) || (!isNode && (/^\.{0,2}\//.test(source) || isOwnSchemeUrl(source)))) {
    // A base URL (in browsers also a path relative to the page, or a URL with the page's own
    // scheme: chrome-extension://<id>/model/ inside an extension).
    const u = new URL(source, globalThis.location?.href);
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    u.search = '';
    u.hash = '';
    kind = 'url';
    baseUrl = u.href;
    keyPrefix = ['url', u.host, ...u.pathname.split('/').filter(Boolean)].map(escapeSegment).join('/');
    label = `model at ${baseUrl}`;
  } else if (HUB_ID.test(source)) {
    if (typeof revision !== 'string' || revision === '') throw new InvalidArgumentError('revision must be a non-empty string');
    let host;
    try {
      host = new URL(hubHost).host;
    } catch {
      throw new InvalidArgumentError(`hubHost must be an http(s) URL, got ${JSON.stringify(options.hubHost)}`);
    }
    kind = 'hub';
    baseUrl = `${hubHost}/${source}/resolve/${encodeURIComponent(revision)}/`;
    keyPrefix = ['hub', host, ...source.split('/'), revision].map(escapeSegment).join('/');
    label = `model "${source}" revision "${revision}" on ${hubHost}`;
  } else {
    throw new InvalidArgumentError(`cannot tell what model source ${JSON.stringify(source)} is: use "org/name", an http(s) URL${isNode ? ', or a folder that exists' : ''}`);
  }

  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new InvalidArgumentError('no fetch() available: pass options.fetch');
  const headers = { ...(options.headers ?? {}) };
  if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
  return new RemoteSource({
    ...common,
    kind,
    id: kind === 'hub' ? source : undefined,
    revision: kind === 'hub' ? revision : undefined,
    hubHost: kind === 'hub' ? hubHost : undefined,
    baseUrl,
    keyPrefix,
    label,
    store: await resolveStore(options),
    localFilesOnly: !!options.localFilesOnly,
    fetch: fetchImpl,
    headers,
    stallTimeoutMs: options.stallTimeoutMs ?? 30000,
    minBytesPerSecond: options.minBytesPerSecond,
    retries: options.retries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 500,
    onRetry: options.onRetry,
  });
}

async function localSource(dir, common) {
  const { LocalDirSource } = await import('./source-local.js');
  return new LocalDirSource({ ...common, dir });
}

/**
 * The cache store an options object asks for: false/null -> none; true/undefined -> the
 * platform default (Node: a directory, browsers: the Cache API); 'cache-api' | 'opfs' |
 * 'directory'; or a user object implementing CacheStore.
 */
export async function resolveStore({ cache = true, cacheDir } = {}) {
  if (cache === false || cache === null) return null;
  if (typeof cache === 'object') {
    for (const m of ['get', 'put', 'delete', 'clear']) {
      if (typeof cache[m] !== 'function') throw new InvalidArgumentError(`cache store object lacks a ${m}() method`);
    }
    return cache;
  }
  const want = cache === true ? (isNode || cacheDir ? 'directory' : 'cache-api') : cache;
  if (want === 'directory') {
    if (!isNode) throw new InvalidArgumentError('a cache directory is only available in Node');
    const { NodeDirCache } = await import('./cache-node.js');
    return new NodeDirCache(cacheDir);
  }
  if (want === 'cache-api' || want === 'opfs') {
    const { CacheApiStore, OpfsStore } = await import('./cache-browser.js');
    return want === 'opfs' ? new OpfsStore() : new CacheApiStore();
  }
  throw new InvalidArgumentError(`cache must be true, false, 'cache-api', 'opfs', 'directory' or a CacheStore object, got ${JSON.stringify(cache)}`);
}

/**
 * Deletes cached model files: everything in the store, or only one model when `source`
 * (a Hub id or URL, with `revision` / `hubHost` as for openModelSource) is given.
 */
export async function clearCache(options = {}) {
  const store = await resolveStore(options);
  if (!store) return;
  if (options.source == null) return store.clear('');
  const src = await openModelSource(options.source, { ...options, cache: store });
  await src.clearCache();
}

/** Default Node cache folder (null in browsers). */
export async function defaultCacheDir() {
  if (!isNode) return null;
  return (await import('./cache-node.js')).defaultCacheDir();
}

/** A URL with the scheme of the page (or worker) itself, such as chrome-extension://. */
function isOwnSchemeUrl(source) {
  const scheme = globalThis.location?.protocol;
  return typeof scheme === 'string' && scheme !== 'file:' && source.toLowerCase().startsWith(`${scheme.toLowerCase()}//`);
}
