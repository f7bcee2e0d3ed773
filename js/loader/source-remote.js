// A model on an HTTP(S) server: the Hugging Face Hub (or a mirror with its
// `/{id}/resolve/{revision}/{file}` layout) or any base URL that serves the files.
//
// Cache first, network second: a cached file is used without revalidation (pin `revision` to a
// commit hash for reproducible loads; evict()/clearCache() to refresh). Files the server
// answered 404 for are remembered too, so an offline load asks the same questions and gets the
// same answers as the online one did.
import { AbortError, CapacityError, ModelLoadError } from '../errors.js';
import { download, probe } from './download.js';
import { checkFileName, fileKey, missingKey } from './keys.js';
import { BaseSource } from './source-base.js';
import { checkContent, checkOnnxHead, isJsonName, isOnnxName } from './validate.js';
import { concatBytes } from '../internal/bytes.js';

export class RemoteSource extends BaseSource {
  /**
   * @param {object} o { kind: 'hub'|'url', baseUrl, keyPrefix, label, id?, revision?, hubHost?,
   *   store (cache store or null), cacheDir?, localFilesOnly, fetch, signal, onProgress,
   *   stallTimeoutMs, retries, retryDelayMs, headers }
   */
  constructor(o) {
    super(o);
    this.inflight = new Map();
    this.known = new Map(); // name -> exists() answer
    this.missingBecause = new Map(); // name -> 'cache' | 'localFilesOnly' (see whyMissing)
    this.cacheWarnings = [];
    // The small JSON files exists() fetched are kept here for the bytes() call that follows:
    // without a cache it would download them again, with one it would read them back and report
    // a second, cached progress series for a file the caller just saw downloaded.
    this.fetchedJson = new Map();
  }

  url(name) {
    return this.options.baseUrl + checkFileName(name).split('/').map(encodeURIComponent).join('/');
  }

  #key(name) {
    return fileKey(this.options.keyPrefix, name);
  }

  #netOptions(name, opts) {
    const o = this.options;
    return {
      file: name,
      fetch: o.fetch,
      headers: o.headers,
      stallTimeoutMs: o.stallTimeoutMs,
      minBytesPerSecond: o.minBytesPerSecond,
      retries: o.retries,
      retryDelayMs: o.retryDelayMs,
      onRetry: o.onRetry,
      context: o.label,
      ...this.callOptions(opts),
    };
  }

  #notCached(name) {
    return new ModelLoadError(
      `${name} of ${this.options.label} is not in the cache and localFilesOnly is set: load it once with network access first` +
        (this.options.store ? '' : ' (and with caching enabled)'),
      { file: name, url: this.url(name) },
    );
  }

  // Cache failures (quota, private browsing, read-only disk) must not fail a load that has the
  // bytes in hand: warn once per file and go on uncached.
  #cacheWarn(name, err) {
    const msg = `wasmbed: could not cache ${name} (${err?.name ?? 'Error'}: ${err?.message ?? err}); continuing without cache`;
    this.cacheWarnings.push(msg);
    console.warn(msg);
  }

  async #has(key) {
    const s = this.options.store;
    if (s.has) return s.has(key);
    if (s.locate) return (await s.locate(key)) != null;
    return (await s.get(key)) != null;
  }

  // An aborted signal stops every read, cache hits included, so a cancelled load ends promptly.
  #checkAbort(name, opts) {
    const { signal } = this.callOptions(opts);
    if (signal?.aborted) throw new AbortError(`loading ${name} was aborted`, { cause: signal.reason });
  }

  async exists(name, opts) {
    name = checkFileName(name);
    this.#checkAbort(name, opts);
    if (this.known.has(name)) return this.known.get(name);
    const store = this.options.store;
    const key = this.#key(name);
    let answer;
    if (store && (await this.#has(key))) answer = true;
    else if (store && (await this.#has(missingKey(key)))) {
      answer = false;
      this.missingBecause.set(name, 'cache');
    } else if (this.options.localFilesOnly) {
      answer = false;
      this.missingBecause.set(name, 'localFilesOnly');
    }
    else {
      if (isJsonName(name)) {
        // Config files are small and read right after exists() says yes: one GET (which also
        // caches them) instead of HEAD + GET per file.
        try {
          const bytes = await this.bytes(name, opts);
          this.fetchedJson.set(name, bytes);
          answer = true;
        } catch (err) {
          if (!(err instanceof ModelLoadError && (err.status === 404 || err.status === 410))) throw err;
          answer = false;
        }
      } else {
        answer = await probe(this.url(name), this.#netOptions(name, opts));
      }
      if (!answer && store) await store.put(missingKey(key), new Uint8Array(0)).catch((err) => this.#cacheWarn(name, err));
    }
    this.known.set(name, answer);
    return answer;
  }

  whyMissing(name) {
    return this.missingBecause.get(name) ?? null;
  }

  async bytes(name, opts) {
    name = checkFileName(name);
    this.#checkAbort(name, opts);
    return this.#once(`bytes:${name}`, () => this.#bytes(name, opts));
  }

  async localPath(name, opts) {
    name = checkFileName(name);
    this.#checkAbort(name, opts);
    const store = this.options.store;
    if (!store?.locate) return null; // no on-disk copy possible: use bytes()
    return this.#once(`path:${name}`, () => this.#path(name, opts));
  }

  #once(id, fn) {
    let p = this.inflight.get(id);
    if (!p) {
      p = fn().finally(() => this.inflight.delete(id));
      this.inflight.set(id, p);
    }
    return p;
  }

  async #bytes(name, opts) {
    const store = this.options.store;
    const fetched = this.fetchedJson.get(name);
    if (fetched) return fetched;
    const key = this.#key(name);
    const { onProgress } = this.callOptions(opts);
    if (store) {
      const hit = await store.get(key).catch((err) => (this.#cacheWarn(name, err), null));
      if (hit) {
        this.note(name, 'cache', hit.byteLength, onProgress);
        return hit;
      }
    }
    if (this.options.localFilesOnly) throw this.#notCached(name);
    // Stream big files straight to disk where the cache is a directory (JS never holds two
    // copies); JSON is small and must be parsed before it may be cached, so it goes via memory.
    if (store?.begin && !isJsonName(name)) {
      await this.#downloadToStore(name, opts);
      const bytes = await store.get(key);
      if (!bytes) throw new ModelLoadError(`${name}: cache entry vanished right after it was written`, { file: name });
      return bytes;
    }
    const url = this.url(name);
    const { sink, loaded } = await download(url, { ...this.#netOptions(name, opts), makeSink: memorySink, maxBytes: MAX_MEMORY_DOWNLOAD });
    const bytes = sink.bytes();
    checkContent(name, bytes, url);
    this.note(name, 'network', loaded);
    this.known.set(name, true);
    if (store) await store.put(key, bytes).catch((err) => this.#cacheWarn(name, err));
    return bytes;
  }

  async #path(name, opts) {
    const store = this.options.store;
    const key = this.#key(name);
    const { onProgress } = this.callOptions(opts);
    const hit = await store.locate(key);
    if (hit) {
      this.note(name, 'cache', hit.size, onProgress);
      return hit.path;
    }
    if (this.options.localFilesOnly) throw this.#notCached(name);
    if (isJsonName(name) || !store.begin) {
      await this.#bytes(name, opts);
      return (await store.locate(key))?.path ?? null;
    }
    return this.#downloadToStore(name, opts);
  }

  // Download into a cache writer; validate; commit atomically. Returns the final path.
  async #downloadToStore(name, opts) {
    const store = this.options.store;
    const url = this.url(name);
    const { sink, loaded } = await download(url, {
      ...this.#netOptions(name, opts),
      makeSink: async (total) => {
        const free = total != null ? await store.freeBytes?.() : null;
        if (free != null && total > free) {
          throw new CapacityError(`${name}: the server announces ${total} bytes (Content-Length) at ${url}; the cache folder's disk has ${free} bytes free`);
        }
        try {
          return await store.begin(this.#key(name));
        } catch (err) {
          throw new ModelLoadError(`${name}: cannot write to the cache (${err.message}); set cacheDir, or cache: false`, { file: name, url, cause: err });
        }
      },
    });
    try {
      if (isOnnxName(name)) checkOnnxHead(name, sink.head(), loaded, url);
      await sink.commit();
    } catch (err) {
      await sink.abort();
      if (err instanceof ModelLoadError) throw err;
      throw new ModelLoadError(`${name}: cannot write to the cache (${err.message})`, { file: name, url, cause: err });
    }
    this.note(name, 'network', loaded);
    this.known.set(name, true);
    return sink.path;
  }

  async evict(name) {
    name = checkFileName(name);
    this.known.delete(name);
    this.missingBecause.delete(name);
    this.fetchedJson.delete(name);
    const store = this.options.store;
    if (!store) return;
    const key = this.#key(name);
    await store.delete(key);
    await store.delete(missingKey(key));
  }

  async clearCache() {
    this.known.clear();
    this.missingBecause.clear();
    this.fetchedJson.clear();
    await this.options.store?.clear(this.options.keyPrefix);
  }

  describe() {
    const o = this.options;
    return {
      kind: o.kind,
      ...(o.kind === 'hub' ? { id: o.id, revision: o.revision, hubHost: o.hubHost } : {}),
      baseUrl: o.baseUrl,
      cache: o.store ? o.store.kind ?? 'custom' : 'none',
      ...(o.store?.dir ? { cacheDir: o.store.dir } : {}),
      localFilesOnly: !!o.localFilesOnly,
      files: this.describeFiles(),
      ...(this.cacheWarnings.length ? { cacheWarnings: [...this.cacheWarnings] } : {}),
    };
  }
}

// A body held in memory goes to ONNX Runtime or the wasm heap next, neither of which can take
// more than 4 GiB (wasm32): a larger Content-Length is refused before anything is allocated.
const MAX_MEMORY_DOWNLOAD = 2 ** 32;

// Collects a body in memory: one exact-size allocation when the length is known (no chunk list
// plus concatenated copy), chunks otherwise.
function memorySink(total) {
  if (total != null) {
    let buf;
    try {
      buf = new Uint8Array(total);
    } catch (err) {
      throw new CapacityError(`cannot hold a ${total}-byte download in memory: ${err.message}`, { cause: err });
    }
    let off = 0;
    return {
      write(chunk) {
        buf.set(chunk, off);
        off += chunk.byteLength;
      },
      bytes: () => (off === total ? buf : buf.subarray(0, off)),
      abort() {},
    };
  }
  const chunks = [];
  let size = 0;
  return {
    write(chunk) {
      chunks.push(chunk);
      size += chunk.byteLength;
    },
    bytes: () => concatBytes(chunks, size),
    abort() {},
  };
}
