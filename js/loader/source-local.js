// A model folder on the local disk (Node). Nothing is copied or cached: localPath() hands ONNX
// Runtime the file itself, so the weights never pass through JS memory.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AbortError, ModelLoadError } from '../errors.js';
import { readHead } from './cache-node.js';
import { checkFileName } from './keys.js';
import { BaseSource } from './source-base.js';
import { checkContent, checkOnnxHead, isOnnxName } from './validate.js';

export class LocalDirSource extends BaseSource {
  constructor(options) {
    super(options);
    this.dir = path.resolve(options.dir);
  }

  #path(name) {
    return path.join(this.dir, ...checkFileName(name).split('/'));
  }

  async #stat(name) {
    return fsp.stat(this.#path(name)).catch(() => null);
  }

  #notFound(name) {
    return new ModelLoadError(`${name} not found in the model folder ${this.dir}`, { file: name, url: this.#path(name) });
  }

  url(name) {
    return pathToFileURL(this.#path(name)).href;
  }

  async exists(name) {
    return (await this.#stat(name))?.isFile() ?? false;
  }

  async bytes(name, opts) {
    name = checkFileName(name);
    let buf;
    try {
      buf = await fsp.readFile(this.#path(name), { signal: this.callOptions(opts).signal });
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'EISDIR') throw this.#notFound(name);
      if (err.name === 'AbortError') throw new AbortError(`loading ${name} was aborted`, { cause: err });
      throw new ModelLoadError(`cannot read ${name} from ${this.dir}: ${err.message}`, { file: name, url: this.#path(name), cause: err });
    }
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    if (isOnnxName(name)) checkContent(name, bytes, this.#path(name));
    this.note(name, 'local', bytes.byteLength, this.callOptions(opts).onProgress);
    return bytes;
  }

  async localPath(name, opts) {
    name = checkFileName(name);
    const st = await this.#stat(name);
    if (!st?.isFile()) throw this.#notFound(name);
    const p = this.#path(name);
    if (isOnnxName(name)) {
      const { head, size } = await readHead(p);
      checkOnnxHead(name, head, size, p);
    }
    this.note(name, 'local', st.size, this.callOptions(opts).onProgress);
    return p;
  }

  describe() {
    return { kind: 'local', dir: this.dir, cache: 'none', files: this.describeFiles() };
  }
}
