// Where a static index's files come from (a base URL through fetch, or a folder in Node) and the
// optional persistent cache in front of it (the Cache API in browsers, a folder in Node). Files
// other than manifest.json are content-hashed, so a cached copy never goes stale.
import { InvalidArgumentError, ModelLoadError, StorageError, UnsupportedError } from '../../errors.js';
import { isNode } from '../../internal/env.js';

function isUrl(s) {
  return s instanceof URL || /^(https?|file|blob):/i.test(String(s));
}

/** A base URL ending in '/', so file names resolve inside it. */
function baseUrl(u) {
  const s = String(u);
  return new URL(s.endsWith('/') ? s : `${s}/`, globalThis.location?.href);
}

async function fetchSource(base, fetchFn, { noStore = false } = {}) {
  const doFetch = fetchFn ?? globalThis.fetch?.bind(globalThis);
  // With a persistent cache of its own, the browser's HTTP cache would store every file a second
  // time (and its disk-cache writes cost the network process CPU per file): ask it not to.
  const init = noStore ? { cache: 'no-store' } : undefined;
  if (!doFetch) throw new UnsupportedError('StaticIndex.open: no fetch() here; pass { fetch }');
  const failed = (url, file, err) => new ModelLoadError(`static index: cannot fetch ${url} (${err.message})`, { file, url, cause: err });
  return {
    describe: (file) => new URL(file, base).href,
    /**
     * Calls onChunk(Uint8Array) for each part of the body as it arrives (a stream reader where
     * the Response has one: no whole-file ArrayBuffer is assembled, which in Chromium costs the
     * page's main thread more than the copy each chunk then takes); resolves when the body ends.
     */
    async stream(file, onChunk) {
      const url = new URL(file, base).href;
      let res;
      try {
        res = await (init ? doFetch(url, init) : doFetch(url));
      } catch (err) {
        throw failed(url, file, err);
      }
      if (!res.ok) throw new ModelLoadError(`static index: ${url} answered HTTP ${res.status}`, { file, url, status: res.status });
      const reader = typeof res.body?.getReader === 'function' ? res.body.getReader() : null;
      if (!reader) {
        let body;
        try { body = new Uint8Array(await res.arrayBuffer()); } catch (err) { throw failed(url, file, err); }
        onChunk(body);
        return;
      }
      try {
        for (;;) {
          let step;
          try { step = await reader.read(); } catch (err) { throw failed(url, file, err); }
          if (step.done) return;
          onChunk(step.value);
        }
      } catch (err) {
        reader.cancel().catch(() => {});  // onChunk refused the body: stop downloading it
        throw err;
      }
    },
  };
}

async function folderSource(dir) {
  const { fs, path } = await import('#node-builtins');
  return {
    describe: (file) => path.join(dir, file),
    async stream(file, onChunk) {
      let bytes;
      try {
        bytes = new Uint8Array(await fs.readFile(path.join(dir, file)));
      } catch (err) {
        throw new StorageError(`static index: cannot read ${path.join(dir, file)} (${err.code ?? err.message})`, { path: path.join(dir, file), code: err.code, cause: err });
      }
      onChunk(bytes);
    },
  };
}

// Cache writes not finished yet, by cache and file: a read of the same file (a second
// StaticIndex on the same cache, in this realm) gets these bytes instead of missing the cache.
const writing = new Map();

/**
 * The cache `store` ({ get, put }) with writes deferred: put() only queues; flush() starts the
 * queued writes one after another on a later task, so they run after the answer that fetched
 * them, not on its critical path (Cache API writes cost the page and the browser process as much
 * as the download). get() sees queued and in-flight writes.
 */
function deferredWrites(store, id) {
  const queued = [];
  let scheduled = false;
  const keyOf = (file) => `${id}\n${file}`;
  return {
    async get(file) {
      const pending = writing.get(keyOf(file));
      return pending ? pending.bytes : store.get(file);
    },
    put(file, bytes) {
      if (writing.has(keyOf(file))) return;
      const entry = { bytes };
      writing.set(keyOf(file), entry);
      queued.push([file, entry]);
    },
    flush() {
      if (scheduled || queued.length === 0) return;
      scheduled = true;
      setTimeout(async () => {
        scheduled = false;
        while (queued.length) {
          const [file, entry] = queued.shift();
          await store.put(file, entry.bytes).catch(() => {});
          writing.delete(keyOf(file));
        }
      }, 0);
    },
  };
}

/** A persistent cache of immutable files: { get(file), put(file, bytes), flush() }, or null. */
async function openCache(cache, key) {
  if (cache === undefined || cache === false || cache === 'memory') return null;
  if (cache === true) {
    // The platform's cache: <wasmbed cache dir>/static-index in Node (files are content-hashed, so
    // indexes share it safely), the Cache API in browsers.
    if (isNode) {
      const { defaultCacheDir } = await import('../../loader/index.js');
      const { path } = await import('#node-builtins');
      cache = { dir: path.join(await defaultCacheDir(), 'static-index') };
    } else cache = { cacheName: 'wasmbed-static-index' };
  }
  if (cache && typeof cache.dir === 'string') {
    if (!isNode) throw new UnsupportedError('StaticIndex.open: cache { dir } needs Node; use { cacheName } (Cache API) in browsers');
    const { fs, path } = await import('#node-builtins');
    const { writeFileAtomic } = await import('../../internal/atomic-write.js');
    await fs.mkdir(cache.dir, { recursive: true });
    return deferredWrites({
      async get(file) { try { return new Uint8Array(await fs.readFile(path.join(cache.dir, file))); } catch { return null; } },
      async put(file, bytes) { await writeFileAtomic(path.join(cache.dir, file), bytes).catch(() => {}); },
    }, `dir:${path.resolve(cache.dir)}`);
  }
  if (cache && typeof cache.cacheName === 'string') {
    if (!globalThis.caches) throw new UnsupportedError('StaticIndex.open: the Cache API is not available here');
    const store = await globalThis.caches.open(cache.cacheName);
    const url = (file) => `https://wasmbed-static-index.invalid/${encodeURIComponent(key)}/${file}`;
    return deferredWrites({
      async get(file) { const r = await store.match(url(file)); return r ? new Uint8Array(await r.arrayBuffer()) : null; },
      async put(file, bytes) { await store.put(url(file), new Response(bytes)).catch(() => {}); },
    }, `cache:${cache.cacheName}\n${key}`);
  }
  throw new InvalidArgumentError("StaticIndex.open: cache must be 'memory', true, { dir } (Node) or { cacheName } (browsers)");
}

/** The chunks of a stream joined into one Uint8Array. */
function joined(chunks, length) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/**
 * Opens the source of a static index: { read(file) and stream(file, onChunk) (network or folder;
 * counted), cached(file) and cachedStream(file, onChunk) (persistent cache first; content-hashed
 * files only), remember(file, bytes) + flush() (deferred cache writes), describe(file) }.
 */
export async function openSource(urlOrDir, { fetch, cache } = {}) {
  let src;
  if (typeof urlOrDir !== 'string' && !(urlOrDir instanceof URL)) throw new InvalidArgumentError('StaticIndex.open: pass a URL or a folder path');
  // Browsers: every string is a URL (relative ones resolve against the page). Node: http(s) URLs
  // are fetched, file: URLs and paths read from the folder (unless a fetch is given).
  const persistent = await openCache(cache, String(urlOrDir));
  if (!isNode || (isUrl(urlOrDir) && !(String(urlOrDir).startsWith('file:') && !fetch))) {
    src = await fetchSource(baseUrl(urlOrDir), fetch, { noStore: Boolean(persistent) && !isNode });
  } else {
    const { url } = await import('#node-builtins');
    src = await folderSource(String(urlOrDir).startsWith('file:') ? url.fileURLToPath(urlOrDir) : String(urlOrDir));
  }
  const stats = { requests: 0, bytesFetched: 0, cacheHits: 0 };
  const stream = async (file, onChunk) => {
    stats.requests++;
    await src.stream(file, (chunk) => {
      stats.bytesFetched += chunk.length;
      onChunk(chunk);
    });
  };
  const read = async (file) => {
    const chunks = [];
    let length = 0;
    await stream(file, (c) => { chunks.push(c); length += c.length; });
    return joined(chunks, length);
  };
  return {
    stats,
    describe: src.describe,
    persistent: Boolean(persistent),
    read,
    stream,
    async cached(file) {
      const hit = persistent && (await persistent.get(file));
      if (hit) { stats.cacheHits++; return { bytes: hit, fromCache: true }; }
      return { bytes: await read(file), fromCache: false };
    },
    /** stream() behind the persistent cache: resolves to { fromCache }. */
    async cachedStream(file, onChunk) {
      const hit = persistent && (await persistent.get(file));
      if (hit) { stats.cacheHits++; onChunk(hit); return { fromCache: true }; }
      await stream(file, onChunk);
      return { fromCache: false };
    },
    /** Queues a copy for the persistent cache (written after flush(), off the query's path). */
    remember(file, bytes) { if (persistent) persistent.put(file, bytes); },
    /** Starts the queued cache writes on a later task: call once the answer is ready. */
    flush() { persistent?.flush(); },
  };
}
