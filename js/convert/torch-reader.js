// Reads tensors from a PyTorch zip checkpoint (torch.save since 1.6: a ZIP_STORED archive with
// <root>/data.pkl, a pickle of the state dict, and <root>/data/<key> raw little-endian storages)
// without Python. Only the pickle opcodes torch.save emits for state dicts of plain tensors are
// interpreted; the only callables honoured are the torch tensor/parameter rebuild functions and
// OrderedDict, so a checkpoint cannot run code here (unlike torch.load with weights_only=False).
import { ParseError, UnsupportedError } from '../errors.js';
import { ByteSource } from '../quantize/protobuf-reader.js';

const STORAGE_DTYPE = {
  FloatStorage: ['F32', 4], HalfStorage: ['F16', 2], BFloat16Storage: ['BF16', 2], DoubleStorage: ['F64', 8],
  LongStorage: ['I64', 8], IntStorage: ['I32', 4], ByteStorage: ['U8', 1], CharStorage: ['I8', 1], BoolStorage: ['BOOL', 1],
};

/** Central directory of a stored (uncompressed) zip: Map(name -> { offset, size }). */
async function readZip(src) {
  const tailLen = Math.min(src.size, 65557);
  const tail = await src.read(src.size - tailLen, tailLen);
  const dv = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) if (dv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new ParseError(`${src.name}: not a zip archive (PyTorch checkpoints since 1.6 are zip files)`);
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff) throw new UnsupportedError(`${src.name}: zip64 checkpoints are not supported`);
  const cd = await src.read(cdOffset, cdSize);
  const cv = new DataView(cd.buffer);
  const entries = new Map();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (cv.getUint32(p, true) !== 0x02014b50) throw new ParseError(`${src.name}: corrupt zip central directory`);
    const method = cv.getUint16(p + 10, true);
    const size = cv.getUint32(p + 20, true);
    const nameLen = cv.getUint16(p + 28, true), extraLen = cv.getUint16(p + 30, true), commentLen = cv.getUint16(p + 32, true);
    const local = cv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (method !== 0) throw new UnsupportedError(`${src.name}: entry ${name} is compressed (method ${method}); torch.save writes stored entries`);
    const lh = new DataView((await src.read(local, 30)).buffer);
    if (lh.getUint32(0, true) !== 0x04034b50) throw new ParseError(`${src.name}: corrupt zip local header for ${name}`);
    const offset = local + 30 + lh.getUint16(26, true) + lh.getUint16(28, true);
    if (offset + size > src.size) throw new ParseError(`${src.name}: zip entry ${name} runs past the end of the file`);
    entries.set(name, { offset, size });
  }
  return entries;
}

const MARK = Symbol('mark');

/** Interprets the state-dict pickle; returns a plain object name -> tensor description. */
function unpickle(bytes, file) {
  const stack = [], memo = new Map(), dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const popMark = () => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new ParseError(`${file}: pickle MARK missing`);
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const text = (n) => { const s = new TextDecoder().decode(bytes.subarray(p, p + n)); p += n; return s; };
  const line = () => { const e = bytes.indexOf(10, p); const s = new TextDecoder().decode(bytes.subarray(p, e)); p = e + 1; return s; };
  const call = (fn, args) => {
    if (fn.kind === 'OrderedDict') return {};
    if (fn.kind === 'rebuild_tensor') {
      const [storage, offset, size, stride] = args;
      return { storage, offset, shape: size, stride };
    }
    if (fn.kind === 'rebuild_parameter') return args[0];
    throw new UnsupportedError(`${file}: pickle calls ${fn.name}, which a tensor checkpoint does not need`);
  };
  for (;;) {
    if (p >= bytes.length) throw new ParseError(`${file}: pickle ends without STOP`);
    const op = bytes[p++];
    switch (op) {
      case 0x80: p++; break; // PROTO
      case 0x95: p += 8; break; // FRAME
      case 0x7d: stack.push({}); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x28: stack.push(MARK); break;
      case 0x71: memo.set(bytes[p++], stack.at(-1)); break; // BINPUT
      case 0x72: memo.set(dv.getUint32(p, true), stack.at(-1)); p += 4; break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack.at(-1)); break; // MEMOIZE
      case 0x68: stack.push(memo.get(bytes[p++])); break; // BINGET
      case 0x6a: stack.push(memo.get(dv.getUint32(p, true))); p += 4; break; // LONG_BINGET
      case 0x58: { const n = dv.getUint32(p, true); p += 4; stack.push(text(n)); break; } // BINUNICODE
      case 0x8c: { const n = bytes[p++]; stack.push(text(n)); break; } // SHORT_BINUNICODE
      case 0x55: { const n = bytes[p++]; stack.push(text(n)); break; } // SHORT_BINSTRING
      case 0x4b: stack.push(bytes[p++]); break; // BININT1
      case 0x4d: stack.push(dv.getUint16(p, true)); p += 2; break; // BININT2
      case 0x4a: stack.push(dv.getInt32(p, true)); p += 4; break; // BININT
      case 0x8a: { // LONG1
        const n = bytes[p++];
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[p + i]);
        if (n && bytes[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: stack.push(dv.getFloat64(p, false)); p += 8; break; // BINFLOAT (big-endian)
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4e: stack.push(null); break;
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([stack.pop()]); break; // TUPLE1
      case 0x86: { const b = stack.pop(), a = stack.pop(); stack.push([a, b]); break; }
      case 0x87: { const c = stack.pop(), b = stack.pop(), a = stack.pop(); stack.push([a, b, c]); break; }
      case 0x63: { // GLOBAL
        const mod = line(), name = line();
        const full = `${mod}.${name}`;
        if (full === 'collections.OrderedDict') stack.push({ kind: 'OrderedDict', name: full });
        else if (full === 'torch._utils._rebuild_tensor_v2') stack.push({ kind: 'rebuild_tensor', name: full });
        else if (full === 'torch._utils._rebuild_parameter') stack.push({ kind: 'rebuild_parameter', name: full });
        else if (mod === 'torch' && STORAGE_DTYPE[name]) stack.push({ kind: 'storage', name });
        else throw new UnsupportedError(`${file}: pickle references ${full}, which a tensor checkpoint does not need`);
        break;
      }
      case 0x51: { // BINPERSID: ('storage', type, key, location, numel)
        const pid = stack.pop();
        if (!Array.isArray(pid) || pid[0] !== 'storage' || pid[1]?.kind !== 'storage') throw new ParseError(`${file}: unexpected persistent id`);
        stack.push({ dtype: STORAGE_DTYPE[pid[1].name], key: String(pid[2]), numel: pid[4] });
        break;
      }
      case 0x52: { const args = stack.pop(), fn = stack.pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x62: stack.pop(); break; // BUILD (state for OrderedDict / tensor: ignored)
      case 0x73: { const v = stack.pop(), k = stack.pop(); stack.at(-1)[k] = v; break; } // SETITEM
      case 0x75: { const items = popMark(); const d = stack.at(-1); for (let i = 0; i < items.length; i += 2) d[items[i]] = items[i + 1]; break; } // SETITEMS
      case 0x61: { const v = stack.pop(); stack.at(-1).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); stack.at(-1).push(...items); break; } // APPENDS
      case 0x2e: return stack.pop(); // STOP
      default: throw new UnsupportedError(`${file}: pickle opcode 0x${op.toString(16)} is not supported in tensor checkpoints`);
    }
  }
}

/**
 * Reads every tensor of a PyTorch zip checkpoint as float32 (contiguous tensors of float
 * storages): Map(name -> { shape, values: Float32Array }).
 */
export async function readTorchCheckpoint(file) {
  const src = await ByteSource.openFile(file);
  try {
    const entries = await readZip(src);
    const pkl = [...entries.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
    if (!pkl) throw new ParseError(`${file}: no data.pkl in the archive (not a torch.save checkpoint)`);
    const root = pkl.slice(0, -'data.pkl'.length);
    const e = entries.get(pkl);
    let dict;
    try {
      dict = unpickle(await src.read(e.offset, e.size), file);
    } catch (err) {
      if (err instanceof RangeError) throw new ParseError(`${file}: truncated pickle (${err.message})`, { cause: err });
      throw err;
    }
    const out = new Map();
    for (const [name, t] of Object.entries(dict ?? {})) {
      if (!t?.storage) continue; // non-tensor entries (e.g. metadata)
      const [dtype, width] = t.storage.dtype;
      if (dtype !== 'F32') throw new UnsupportedError(`${file}: tensor '${name}' is ${dtype}; only float32 head checkpoints are supported`);
      const numel = t.shape.reduce((a, b) => a * b, 1);
      // Contiguous row-major only (what state dicts of Linear layers hold).
      let expect = 1;
      for (let i = t.shape.length - 1; i >= 0; i--) {
        if (t.shape[i] !== 1 && t.stride[i] !== expect) throw new UnsupportedError(`${file}: tensor '${name}' is not contiguous`);
        expect *= t.shape[i];
      }
      const data = entries.get(`${root}data/${t.storage.key}`);
      if (!data) throw new ParseError(`${file}: storage ${t.storage.key} of tensor '${name}' is missing`);
      if ((t.offset + numel) * width > data.size) throw new ParseError(`${file}: tensor '${name}' runs past its storage`);
      const bytes = await src.read(data.offset + t.offset * width, numel * width);
      out.set(name, { shape: t.shape, values: new Float32Array(bytes.buffer, bytes.byteOffset, numel) });
    }
    return out;
  } finally {
    await src.close();
  }
}
