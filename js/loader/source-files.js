// A model given as a map of file name -> contents (Uint8Array, ArrayBuffer, typed array view or
// string). The caller's buffers are returned as views, never copied.
import { InvalidArgumentError, ModelLoadError } from '../errors.js';
import { checkFileName } from './keys.js';
import { BaseSource } from './source-base.js';
import { checkContent, isOnnxName } from './validate.js';

export class FilesSource extends BaseSource {
  constructor(options) {
    super(options);
    const entries = options.files instanceof Map ? [...options.files] : Object.entries(options.files);
    this.map = new Map();
    for (const [name, value] of entries) this.map.set(checkFileName(name), toBytes(name, value));
  }

  url() {
    return null;
  }

  async exists(name) {
    return this.map.has(checkFileName(name));
  }

  async bytes(name, opts) {
    name = checkFileName(name);
    const bytes = this.map.get(name);
    if (!bytes) {
      throw new ModelLoadError(`${name} is not among the files given (${[...this.map.keys()].join(', ') || 'none'})`, { file: name });
    }
    if (isOnnxName(name)) checkContent(name, bytes);
    this.note(name, 'memory', bytes.byteLength, this.callOptions(opts).onProgress);
    return bytes;
  }

  async localPath() {
    return null;
  }

  describe() {
    return { kind: 'files', files: this.describeFiles(), names: [...this.map.keys()], cache: 'none' };
  }
}

function toBytes(name, v) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return new TextEncoder().encode(v);
  throw new InvalidArgumentError(`file "${name}": expected Uint8Array, ArrayBuffer or string, got ${v === null ? 'null' : typeof v}`);
}
