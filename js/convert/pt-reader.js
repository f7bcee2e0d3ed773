// Reads the tensors of a small PyTorch checkpoint (torch.save's zip format: <dir>/data.pkl, a
// pickle, plus <dir>/data/<key> raw little-endian storages), enough for BGE-M3's
// sparse_linear.pt / colbert_linear.pt state dicts ({ weight, bias }). The pickle is interpreted by
// a small stack machine that understands only what torch.save emits for a dict of tensors; it never
// runs code, and any other global is refused, so a hostile file cannot do more than fail to parse.
import { halfToFloat } from '../internal/float16.js';
import { ParseError } from '../errors.js';

const STORAGE_DTYPES = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64',
};

/** Entries of a zip archive (stored, i.e. uncompressed, as torch.save writes them): Map(name -> bytes). */
export function readZip(bytes, what = 'checkpoint') {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new ParseError(`${what}: not a zip archive (torch.save format); legacy non-zip .pt files are not supported`);
  let count = dv.getUint16(eocd + 10, true);
  let cd = dv.getUint32(eocd + 16, true);
  // ZIP64 (torch writes it for large files): locator just before the EOCD record.
  if ((cd === 0xffffffff || count === 0xffff) && eocd >= 20 && dv.getUint32(eocd - 20, true) === 0x07064b50) {
    const z = Number(dv.getBigUint64(eocd - 12, true));
    count = Number(dv.getBigUint64(z + 32, true));
    cd = Number(dv.getBigUint64(z + 48, true));
  }
  const entries = new Map();
  for (let k = 0, p = cd; k < count; k++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== 0x02014b50) throw new ParseError(`${what}: damaged zip central directory`);
    const method = dv.getUint16(p + 10, true);
    let size = dv.getUint32(p + 24, true); // uncompressed size (equal to the stored size)
    const nameLen = dv.getUint16(p + 28, true), extraLen = dv.getUint16(p + 30, true), commentLen = dv.getUint16(p + 32, true);
    let local = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field (id 1): 64-bit sizes / offset for the fields set to 0xffffffff.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = dv.getUint16(e, true), len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        const compressed = dv.getUint32(p + 20, true) === 0xffffffff; // order: size, compressed, offset
        if (dv.getUint32(p + 24, true) === 0xffffffff) { size = Number(dv.getBigUint64(q, true)); q += 8; }
        if (compressed) q += 8;
        if (dv.getUint32(p + 42, true) === 0xffffffff) local = Number(dv.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    if (method !== 0) throw new ParseError(`${what}: zip entry ${name} is compressed (method ${method}); torch.save stores entries uncompressed`);
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    if (start + size > bytes.length) throw new ParseError(`${what}: zip entry ${name} runs past the end of the file`);
    entries.set(name, bytes.subarray(start, start + size));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

class Global {
  constructor(module, name) { this.module = module; this.name = name; }
}

/** Runs a pickle (protocols 2-5 opcodes torch.save uses); persistentLoad(pid) resolves storages. */
export function unpickle(data, persistentLoad, what = 'data.pkl') {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack = [];
  const marks = [];
  const memo = new Map();
  let p = 0;
  const text = (n) => { const s = new TextDecoder().decode(data.subarray(p, p + n)); p += n; return s; };
  const line = () => { const e = data.indexOf(10, p); const s = text(e - p); p++; return s; };
  const popMark = () => { const m = marks.pop(); return stack.splice(m); };
  const call = (fn, args) => {
    if (!(fn instanceof Global)) throw new ParseError(`${what}: REDUCE on a non-global`);
    const key = `${fn.module}.${fn.name}`;
    if (key === 'collections.OrderedDict') return new Map();
    if (key === 'torch._utils._rebuild_tensor_v2' || key === 'torch._utils._rebuild_tensor') {
      const [storage, offset, size, stride] = args;
      return { storage, offset, shape: [...size], stride: [...stride] };
    }
    if (key === 'torch._utils._rebuild_parameter' || key === 'torch._utils._rebuild_parameter_with_state') return args[0];
    throw new ParseError(`${what}: unsupported global ${key} (only state dicts of tensors are read)`);
  };
  for (;;) {
    if (p >= data.length) throw new ParseError(`${what}: pickle ends without STOP`);
    const op = data[p++];
    switch (op) {
      case 0x80: p++; break; // PROTO
      case 0x95: p += 8; break; // FRAME
      case 0x2e: return stack.pop(); // STOP
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(data[p++]); break; // BININT1
      case 0x4d: stack.push(dv.getUint16(p, true)); p += 2; break; // BININT2
      case 0x4a: stack.push(dv.getInt32(p, true)); p += 4; break; // BININT
      case 0x8a: { // LONG1
        const n = data[p++];
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[p + i]);
        if (n && data[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: stack.push(dv.getFloat64(p, false)); p += 8; break; // BINFLOAT (big-endian)
      case 0x58: { const n = dv.getUint32(p, true); p += 4; stack.push(text(n)); break; } // BINUNICODE
      case 0x8c: { const n = data[p++]; stack.push(text(n)); break; } // SHORT_BINUNICODE
      case 0x55: { const n = data[p++]; stack.push(text(n)); break; } // SHORT_BINSTRING
      case 0x54: { const n = dv.getUint32(p, true); p += 4; stack.push(text(n)); break; } // BINSTRING
      case 0x63: { const module = line(); stack.push(new Global(module, line())); break; } // GLOBAL
      case 0x93: { const name = stack.pop(); stack.push(new Global(stack.pop(), name)); break; } // STACK_GLOBAL
      case 0x71: memo.set(data[p++], stack.at(-1)); break; // BINPUT
      case 0x72: memo.set(dv.getUint32(p, true), stack.at(-1)); p += 4; break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack.at(-1)); break; // MEMOIZE
      case 0x68: stack.push(memo.get(data[p++])); break; // BINGET
      case 0x6a: stack.push(memo.get(dv.getUint32(p, true))); p += 4; break; // LONG_BINGET
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([stack.pop()]); break; // TUPLE1
      case 0x86: { const b = stack.pop(); stack.push([stack.pop(), b]); break; } // TUPLE2
      case 0x87: { const c = stack.pop(), b = stack.pop(); stack.push([stack.pop(), b, c]); break; } // TUPLE3
      case 0x61: { const v = stack.pop(); stack.at(-1).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); stack.at(-1).push(...items); break; } // APPENDS
      case 0x73: { const v = stack.pop(), k = stack.pop(); stack.at(-1).set(k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        const d = stack.at(-1);
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x52: { const args = stack.pop(); const fn = stack.pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x62: stack.pop(); break; // BUILD: OrderedDict metadata / state, not needed
      case 0x51: stack.push(persistentLoad(stack.pop())); break; // BINPERSID
      default:
        throw new ParseError(`${what}: unsupported pickle opcode 0x${op.toString(16)} at byte ${p - 1}`);
    }
  }
}

function toFloat32(raw, dtype, count, offset) {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(count);
  const size = { F32: 4, F16: 2, BF16: 2, F64: 8 }[dtype];
  if ((offset + count) * size > raw.byteLength) throw new ParseError(`tensor runs past the end of its storage`);
  for (let i = 0; i < count; i++) {
    const at = (offset + i) * size;
    if (dtype === 'F32') out[i] = dv.getFloat32(at, true);
    else if (dtype === 'F64') out[i] = dv.getFloat64(at, true);
    else if (dtype === 'BF16') out[i] = new Float32Array(new Uint32Array([dv.getUint16(at, true) << 16]).buffer)[0];
    else out[i] = halfToFloat(dv.getUint16(at, true));
  }
  return out;
}


/**
 * Reads a torch.save'd state dict of float tensors from the .pt bytes: Map(name -> { shape, data:
 * Float32Array }). Tensors must be contiguous (state dicts of nn.Linear are).
 */
export function readTorchStateDict(bytes, what = 'checkpoint.pt') {
  const entries = readZip(bytes, what);
  const pkl = [...entries.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
  if (!pkl) throw new ParseError(`${what}: no data.pkl in the archive`);
  const dir = pkl.slice(0, pkl.length - 'data.pkl'.length);
  const storages = new Map();
  const persistentLoad = (pid) => {
    // ('storage', <torch.XStorage global>, key, location, numel)
    if (!Array.isArray(pid) || pid[0] !== 'storage') throw new ParseError(`${what}: unexpected persistent id`);
    const [, type, key] = pid;
    const dtype = STORAGE_DTYPES[type?.name];
    if (!dtype) throw new ParseError(`${what}: unsupported storage type ${type?.module}.${type?.name}`);
    if (!storages.has(key)) {
      const raw = entries.get(`${dir}data/${key}`);
      if (!raw) throw new ParseError(`${what}: storage data/${key} is missing`);
      storages.set(key, { raw, dtype });
    }
    return storages.get(key);
  };
  const root = unpickle(entries.get(pkl), persistentLoad, `${what}/data.pkl`);
  if (!(root instanceof Map)) throw new ParseError(`${what}: the checkpoint is not a state dict`);
  const out = new Map();
  for (const [name, t] of root) {
    if (!t || !t.storage || !Array.isArray(t.shape)) continue;
    const count = t.shape.reduce((a, b) => a * b, 1);
    // Contiguous row-major check: stride[i] = prod(shape[i+1..]).
    let expect = 1;
    for (let i = t.shape.length - 1; i >= 0; i--) {
      if (t.shape[i] > 1 && t.stride[i] !== expect) throw new ParseError(`${what}: tensor '${name}' is not contiguous`);
      expect *= t.shape[i];
    }
    out.set(name, { shape: t.shape, data: toFloat32(t.storage.raw, t.storage.dtype, count, t.offset) });
  }
  return out;
}
