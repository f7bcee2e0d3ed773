// What every model source shares: text/json on top of bytes(), ONNX external-data listing,
// progress reporting, and the per-file record that describe() returns.
import { ModelLoadError, ParseError } from '../errors.js';
import { checkFileName, fileKey } from './keys.js';
import { listExternalData } from '../onnx/index.js';
import { decodeText, parseJson } from './validate.js';
import { isNode } from '../internal/env.js';


export class BaseSource {
  constructor(options) {
    this.options = options;
    this.files = new Map(); // name -> { from, bytes }
  }

  /**
   * Why exists(name) said no, when something other than the model itself decided it: 'cache' (a
   * not-found answer remembered from an earlier load) or 'localFilesOnly' (not cached, and the
   * network may not be asked); null when the source itself has no such file.
   */
  whyMissing(name) {
    return null;
  }

  /** Per-call options ({ signal, onProgress }) override the source's. */
  callOptions(opts = {}) {
    return {
      signal: opts.signal ?? this.options.signal,
      onProgress: opts.onProgress ?? this.options.onProgress,
    };
  }

  note(name, from, size, onProgress) {
    this.files.set(name, { from, bytes: size });
    if (from !== 'network' && onProgress && size != null) {
      try {
        onProgress({ file: name, loaded: size, total: size, done: true, cached: from === 'cache' });
      } catch (err) {
        console.error('wasmbed: onProgress callback threw', err);
      }
    }
  }

  async text(name, opts) {
    return decodeText(name, await this.bytes(name, opts));
  }

  async json(name, opts) {
    return parseJson(name, await this.bytes(name, opts));
  }

  /**
   * External-data files an .onnx file needs, as [{ location, file }] (`location` as written in
   * the model, relative to its folder; `file` the name to ask this source for). Pass `bytes`
   * when you already hold the model, so it is not read twice.
   */
  async externalDataFiles(name, bytes) {
    name = checkFileName(name);
    let locations;
    try {
      if (!bytes && isNode) {
        const p = await this.localPath(name);
        if (p) {
          const { openFileSource } = await import('../onnx/node.js');
          const file = openFileSource(p);
          try {
            locations = listExternalData(file);
          } finally {
            file.close();
          }
        }
      }
      if (!locations) locations = listExternalData(bytes ?? (await this.bytes(name)));
    } catch (err) {
      if (err instanceof ParseError) throw new ModelLoadError(`${name} is not a valid ONNX model: ${err.message}`, { file: name, cause: err });
      throw err;
    }
    const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
    return locations.map((location) => ({ location, file: dir + location }));
  }

  describeFiles() {
    return Object.fromEntries(this.files);
  }

  // Cache maintenance is a no-op for sources that are not cached.
  async evict(name) {
    checkFileName(name);
  }

  async clearCache() {}
}

export { checkFileName, fileKey };
