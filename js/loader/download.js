// One file over HTTP(S): streaming, progress, cancellation, stall detection, bounded retries, and
// a length check, so a caller only ever sees a complete body (or a typed error naming the file).
//
// Bytes go to a "sink" ({ write(chunk), abort() }) made by the caller; a retry after a dropped
// connection resumes into the same sink with a Range request when the server allows it, else a
// fresh sink starts over. The caller decides what happens after a complete body arrived
// (validate, then commit to the cache), so nothing partial can be committed from here.
import { AbortError, CapacityError, ModelLoadError } from '../errors.js';

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Error kinds worth another attempt: the server or the network may do better next time. */
class RetryableError extends ModelLoadError {}

/**
 * Downloads `url` into `makeSink(total)`'s sink. Resolves to { sink, loaded, total, status }.
 * Options: file (name used in errors and progress), fetch, signal, stallTimeoutMs, retries,
 * retryDelayMs, headers, onProgress, context (text appended to not-found messages).
 */
export async function download(url, opts) {
  const state = { sink: null, loaded: 0, total: null, validator: null };
  try {
    return await withRetries(opts, () => attempt(url, opts, state));
  } catch (err) {
    await dropPartial(state); // a partial body kept for resuming is useless now
    throw err;
  }
}

/**
 * Asks whether `url` exists without downloading it: HEAD, or a GET whose body is cancelled when
 * the server refuses HEAD. Resolves true / false (404, 410); other failures throw.
 */
export async function probe(url, opts) {
  return withRetries(opts, async () => {
    let res = await request(url, { ...opts, method: 'HEAD' });
    if (res.status === 405 || res.status === 501) {
      res = await request(url, { ...opts, method: 'GET' });
      res.body?.cancel().catch(() => {});
    }
    if (res.ok) return true;
    if (res.status === 404 || res.status === 410) return false;
    throw statusError(res, url, opts);
  });
}

async function withRetries(opts, fn) {
  const retries = opts.retries ?? 2;
  const base = opts.retryDelayMs ?? 500;
  for (let n = 0; ; n++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof RetryableError) || n >= retries) {
        if (err instanceof RetryableError) throw finalError(err, n + 1);
        throw err;
      }
      opts.onRetry?.({ file: opts.file, attempt: n + 1, error: err });
      // Honour a server's Retry-After (429/503) up to a minute; else exponential back-off.
      await sleep(Math.max(base * 2 ** n, Math.min(err.retryAfterMs ?? 0, 60000)), opts.signal, opts.file);
    }
  }
}

// Re-throws a retryable failure as a plain ModelLoadError saying how many attempts were made.
function finalError(err, attempts) {
  const msg = attempts > 1 ? `${err.message} (after ${attempts} attempts)` : err.message;
  return new ModelLoadError(msg, { file: err.file, url: err.url, status: err.status, cause: err.cause ?? err });
}

function sleep(ms, signal, file) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(file, signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(file, signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(file, signal) {
  return new AbortError(`loading ${file} was aborted`, { cause: signal?.reason });
}

// Requests use cache: 'no-store': wasmbed keeps its own verified copy, and a second copy of a
// 500 MB model in the browser's HTTP cache would only eat the origin's storage quota.

// fetch with the caller's signal plus a stall rule, checked every stallTimeoutMs: a window in
// which fewer than minBytesPerSecond x window bytes arrived (none at all, or a 1 byte/s drip that
// would take days) aborts the request, reported as a stall (not as the caller's abort).
// `watch.kick(n)` counts n received bytes.
const DEFAULT_MIN_BYTES_PER_SECOND = 1024;
function watchdog(opts) {
  const ctl = new AbortController();
  const state = { stalled: false, reason: null };
  const onAbort = () => ctl.abort(opts.signal.reason);
  if (opts.signal) {
    if (opts.signal.aborted) throw abortError(opts.file, opts.signal);
    opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  const ms = opts.stallTimeoutMs ?? 30000;
  const minRate = opts.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND;
  const need = Math.max(1, Math.floor((minRate * ms) / 1000));
  let received = 0;
  let timer = null;
  if (ms > 0 && Number.isFinite(ms)) {
    timer = setInterval(() => {
      if (received >= need) { received = 0; return; }
      state.stalled = true;
      state.reason = (url) => (received === 0 ? `no data from ${url} for ${ms} ms` : `only ${received} bytes from ${url} in ${ms} ms (under ${minRate} bytes/s)`);
      ctl.abort();
    }, ms);
  }
  const kick = (bytes) => { received += bytes; };
  const done = () => {
    if (timer) clearInterval(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  };
  return { signal: ctl.signal, kick, done, state, ms };
}

// Turns an exception from fetch or body reading into a typed error. `phase` is 'while requesting'
// or 'after N of M bytes'; the stall reason names the URL itself, other errors name it after it.
function networkError(err, url, opts, watch, phase) {
  if (opts.signal?.aborted) return abortError(opts.file, opts.signal);
  if (watch.state.stalled) {
    return new RetryableError(`${opts.file}: ${watch.state.reason(url)} ${phase}; connection aborted as stalled (stallTimeoutMs, minBytesPerSecond)`, { file: opts.file, url, cause: err });
  }
  const c = err?.cause;
  const detail = c?.message ? `${c.message}${c.code ? ` (${c.code})` : ''}` : c?.code ?? err?.message ?? String(err);
  const where = phase.startsWith('after') ? `${phase} from ${url}` : `${phase} ${url}`;
  return new RetryableError(`${opts.file}: network error ${where}: ${detail}`, { file: opts.file, url, cause: err });
}

async function request(url, opts) {
  const watch = watchdog(opts);
  try {
    return await (opts.fetch ?? globalThis.fetch)(url, { method: opts.method ?? 'GET', headers: opts.headers, signal: watch.signal, redirect: 'follow', cache: 'no-store' });
  } catch (err) {
    throw networkError(err, url, opts, watch, 'while requesting');
  } finally {
    watch.done();
  }
}

// The Hub says which part was not found in x-error-code (RepoNotFound, RevisionNotFound,
// EntryNotFound, GatedRepo); other servers leave it out and get the generic wording.
const HUB_REASON = {
  RepoNotFound: 'the model repository does not exist, or it is private/gated and needs an access token',
  RevisionNotFound: 'the revision does not exist in this model repository',
  EntryNotFound: 'the model has no such file at this revision',
  GatedRepo: 'the model is gated: accept its terms on the Hub and pass an access token',
};

function statusError(res, url, opts) {
  const s = res.status;
  const where = opts.context ? ` (${opts.context})` : '';
  const hub = HUB_REASON[res.headers?.get?.('x-error-code')];
  if (s === 404 || s === 410) {
    return new ModelLoadError(`${opts.file} not found (HTTP ${s}) at ${url}${where}: ${hub ?? 'check the model id, revision and file name'}`, { file: opts.file, url, status: s });
  }
  if (s === 401 || s === 403) {
    return new ModelLoadError(`${opts.file}: access denied (HTTP ${s}) at ${url}${where}: ${hub ?? 'the model does not exist, or it is private/gated and needs an access token'}`, { file: opts.file, url, status: s });
  }
  const Cls = RETRY_STATUS.has(s) ? RetryableError : ModelLoadError;
  const err = new Cls(`${opts.file}: server answered HTTP ${s} ${res.statusText ?? ''}`.trimEnd() + ` for ${url}`, { file: opts.file, url, status: s });
  const after = res.headers?.get?.('retry-after');
  if (after && /^\d+$/.test(after.trim())) err.retryAfterMs = Number(after) * 1000;
  return err;
}

// Content-Length is the size on the wire; with a content-encoding fetch hands us decoded bytes,
// so the length is unknown (no check is possible beyond the transport's own).
function bodyLength(res) {
  const enc = res.headers.get('content-encoding');
  if (enc && enc !== 'identity') return null;
  const v = res.headers.get('content-length');
  if (v == null || !/^\d+$/.test(v.trim())) return null;
  return Number(v);
}

// A strong validator (ETag, else Last-Modified) lets a retry ask for the rest of the body with a
// Range request instead of starting over: a dropped connection at 90% of a 2 GB file costs 10%,
// not 100%. Only `Range: bytes=N-` is sent (a CORS-safelisted header, so browsers need no
// preflight); the 206 answer must carry the same validator, else the file changed: start over.
function validatorOf(res) {
  if (res.headers.get('accept-ranges') !== 'bytes') return null;
  const etag = res.headers.get('etag');
  if (etag && !etag.startsWith('W/')) return `etag:${etag}`;
  const lm = res.headers.get('last-modified');
  return lm ? `lm:${lm}` : null;
}

// Checks a 206 answer continues exactly where the body stopped ("bytes <from>-<last>/<total>")
// and is the same version of the file.
function resumes(res, state) {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
  return !!m && Number(m[1]) === state.loaded && Number(m[3]) === state.total && Number(m[2]) === state.total - 1 &&
    validatorOf(res) === state.validator;
}

// `state` survives retries: { sink, loaded, total, validator } of a partial body that may resume.
async function attempt(url, opts, state) {
  const watch = watchdog(opts);
  const { file } = opts;
  try {
    const headers = { ...(opts.headers ?? {}) };
    const resuming = state.sink != null;
    if (resuming) {
      headers.Range = `bytes=${state.loaded}-`;
    }
    let res;
    try {
      res = await (opts.fetch ?? globalThis.fetch)(url, { method: 'GET', headers, signal: watch.signal, redirect: 'follow', cache: 'no-store' });
    } catch (err) {
      throw networkError(err, url, opts, watch, 'while requesting');
    }
    if (!res.ok) {
      res.body?.cancel().catch(() => {});
      throw statusError(res, url, opts);
    }
    if (resuming && !(res.status === 206 && resumes(res, state))) {
      if (res.status === 206) {
        // Another version of the file, or a range we did not ask for: restart from byte 0.
        res.body?.cancel().catch(() => {});
        await dropPartial(state);
        throw new RetryableError(`${file}: the server's answer to a resume request did not continue the same file (${url}); restarting`, { file, url });
      }
      await dropPartial(state); // 200: ranges unsupported after all; this body is the whole file
    } else if (resuming) {
      state.resumes = (state.resumes ?? 0) + 1;
    }
    if (!state.sink) {
      const total = bodyLength(res);
      state.total = total;
      state.validator = total != null ? validatorOf(res) : null;
      state.progress = throttle(opts.onProgress, file, total);
      if (total != null && total > (opts.maxBytes ?? Number.MAX_SAFE_INTEGER)) {
        res.body?.cancel().catch(() => {});
        throw new CapacityError(`${file}: the server announces ${total} bytes (Content-Length) at ${url}, over the limit of ${opts.maxBytes} bytes`);
      }
      state.sink = await opts.makeSink(total);
      state.progress(0, false);
    }
    const { total, sink, progress } = state;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        let step;
        try {
          step = await reader.read();
        } catch (err) {
          throw networkError(err, url, opts, watch, `after ${state.loaded}${total != null ? ` of ${total}` : ''} bytes`);
        }
        if (step.done) break;
        const chunk = step.value;
        watch.kick(chunk.byteLength);
        if (total != null && state.loaded + chunk.byteLength > total) {
          reader.cancel().catch(() => {});
          throw new ModelLoadError(`${file}: server sent more than its Content-Length (${total} bytes) from ${url}`, { file, url });
        }
        try {
          await sink.write(chunk);
        } catch (err) {
          reader.cancel().catch(() => {});
          throw new ModelLoadError(`${file}: cannot store the download: ${err.message}`, { file, url, cause: err });
        }
        state.loaded += chunk.byteLength;
        progress(state.loaded, false);
      }
    }
    if (total != null && state.loaded !== total) {
      throw new RetryableError(`${file}: truncated download from ${url}: got ${state.loaded} of ${total} bytes`, { file, url });
    }
    progress(state.loaded, true);
    return { sink, loaded: state.loaded, total: total ?? state.loaded, status: res.status, resumes: state.resumes ?? 0 };
  } catch (err) {
    // Keep a partial body only when a retry can resume it; anything else starts from zero.
    if (!(err instanceof RetryableError && state.validator && state.loaded > 0 && state.loaded < state.total)) await dropPartial(state);
    throw err;
  } finally {
    watch.done();
  }
}

async function dropPartial(state) {
  const sink = state.sink;
  state.sink = null;
  state.loaded = 0;
  state.validator = null;
  await sink?.abort();
}

// Progress at most every 100 ms or 1% (a 2 GB file arrives in ~30,000 chunks), always the last.
function throttle(onProgress, file, total) {
  if (!onProgress) return () => {};
  let lastT = 0;
  let lastN = -1;
  return (loaded, done) => {
    const now = Date.now();
    if (!done && lastN >= 0 && now - lastT < 100 && (total == null || loaded - lastN < total / 100)) return;
    lastT = now;
    lastN = loaded;
    try {
      onProgress({ file, loaded, total: total ?? (done ? loaded : undefined), done });
    } catch (err) {
      console.error('wasmbed: onProgress callback threw', err);
    }
  };
}
