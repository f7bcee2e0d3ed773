// The data.pkl of a torch.save'd state dict, read by an allow-list pickle interpreter: it knows
// the opcodes pickle protocols 2-5 use for dicts, lists, tuples, numbers, strings and references,
// and exactly the globals a state dict names (collections.OrderedDict, torch._utils'
// _rebuild_tensor_v2 / _rebuild_tensor / _rebuild_parameter, torch.<Type>Storage). Nothing in the
// file is executed or trusted: any other global, or REDUCE / BUILD on anything but those, fails
// with an error naming it, so a hostile checkpoint (GLOBAL os.system, builtins.eval, ...) can do
// no more than be refused (ParseError naming the global or opcode). Storages come back as whatever persistentLoad makes of their ids;
// tensors as { storage, storageOffset, shape, stride }.
import { ParseError, UnsupportedError } from '../errors.js';

/** torch.<name> storage types -> safetensors-style dtype names. */
export const STORAGE_DTYPES = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};
export const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

const REBUILD_TENSOR = new Set(['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor']);
const REBUILD_PARAMETER = new Set(['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);
const MAX_PICKLE = 64 * 2 ** 20; // a bge-m3-shaped state dict's data.pkl is 73 KB

/** A global the pickle named (only allow-listed ones are ever created). */
export class PickleGlobal {
  constructor(module, name) { this.module = module; this.name = name; }
  get key() { return `${this.module}.${this.name}`; }
}

/** A tensor rebuilt from its storage reference, as _rebuild_tensor_v2 describes it. */
export class PickledTensor {
  constructor(storage, storageOffset, shape, stride) {
    Object.assign(this, { storage, storageOffset, shape, stride });
  }
}

function allowGlobal(module, name, what) {
  const key = `${module}.${name}`;
  const ok = key === 'collections.OrderedDict' || REBUILD_TENSOR.has(key) || REBUILD_PARAMETER.has(key)
    || (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name));
  if (!ok) {
    throw new ParseError(`${what}: unsupported global ${key} in the pickle (refused, nothing is executed: a checkpoint may only name `
      + 'collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter and torch.*Storage types)');
  }
  return new PickleGlobal(module, name);
}

const isTuple = (v) => Array.isArray(v) && Object.isFrozen(v);
const tuple = (items) => Object.freeze(items);
const isIndex = (v) => Number.isSafeInteger(v) && v >= 0;

function rebuildTensor(args, storages, what) {
  const [storage, storageOffset, shape, stride] = args ?? [];
  if (!isTuple(args) || args.length < 4) throw new ParseError(`${what}: _rebuild_tensor called with ${args?.length} arguments`);
  if (!storages.has(storage)) throw new ParseError(`${what}: _rebuild_tensor on something that is not a persistent storage`);
  if (!isIndex(storageOffset)) throw new ParseError(`${what}: tensor storage offset ${storageOffset} is not a non-negative integer`);
  if (!Array.isArray(shape) || !Array.isArray(stride) || shape.length !== stride.length || ![...shape, ...stride].every(isIndex)) {
    throw new ParseError(`${what}: tensor size ${JSON.stringify(shape)} / stride ${JSON.stringify(stride)} are not matching lists of non-negative integers`);
  }
  return new PickledTensor(storage, storageOffset, [...shape], [...stride]);
}

/**
 * Interprets `data` (the bytes of data.pkl); persistentLoad(pid) turns a ('storage', type,
 * key, location, numel) id into a storage object (type is a PickleGlobal). Returns the root
 * object: Maps for dicts, arrays for lists (frozen arrays for tuples), PickledTensor for tensors.
 */
export function unpickle(data, persistentLoad, what = 'data.pkl') {
  if (data.length > MAX_PICKLE) throw new UnsupportedError(`${what}: pickle of ${data.length} bytes is too large for a state dict`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack = [];
  const marks = [];
  const memo = new Map();
  const storages = new WeakSet(); // what persistentLoad returned: the only valid tensor storages
  let p = 0;
  const fail = (why) => new ParseError(`${what}: ${why} (byte ${p})`);
  const need = (n) => { if (p + n > data.length) throw fail('pickle ends in the middle of an opcode'); const at = p; p += n; return at; };
  const u8 = () => data[need(1)];
  const u32 = () => dv.getUint32(need(4), true);
  const text = (n) => {
    const at = need(n);
    try { return utf8.decode(data.subarray(at, at + n)); } catch { throw fail('string is not valid UTF-8'); }
  };
  const line = () => {
    const e = data.indexOf(10, p);
    if (e < 0) throw fail('GLOBAL without a newline');
    return text(e - p + 1).slice(0, -1);
  };
  const pop = () => { if (stack.length <= (marks.at(-1) ?? 0)) throw fail('stack underflow'); return stack.pop(); };
  const top = () => { if (stack.length <= (marks.at(-1) ?? 0)) throw fail('stack underflow'); return stack.at(-1); };
  const popMark = () => { if (!marks.length) throw fail('no MARK'); return stack.splice(marks.pop()); };
  const dict = (v) => { if (!(v instanceof Map)) throw fail('SETITEM on something that is not a dict'); return v; };
  const list = (v) => { if (!Array.isArray(v) || isTuple(v)) throw fail('APPEND on something that is not a list'); return v; };
  const memoGet = (k) => { if (!memo.has(k)) throw fail(`memo key ${k} was never stored`); return memo.get(k); };
  const global = (module, name) => {
    if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL with non-string names');
    return allowGlobal(module, name, what);
  };
  const reduce = (fn, args) => {
    if (!(fn instanceof PickleGlobal)) throw fail('REDUCE on something that is not a global');
    if (!isTuple(args)) throw fail(`REDUCE ${fn.key} with arguments that are not a tuple`);
    if (fn.key === 'collections.OrderedDict') {
      if (args.length) throw new ParseError(`${what}: collections.OrderedDict called with arguments`);
      return new Map();
    }
    if (REBUILD_TENSOR.has(fn.key)) return rebuildTensor(args, storages, what);
    if (REBUILD_PARAMETER.has(fn.key)) {
      if (!(args[0] instanceof PickledTensor)) throw new ParseError(`${what}: ${fn.key} of something that is not a tensor`);
      return args[0];
    }
    throw new ParseError(`${what}: REDUCE on ${fn.key} is not allowed (refused, nothing is executed: only OrderedDict and tensor rebuilding are called)`);
  };

  for (;;) {
    if (p >= data.length) throw fail('pickle ends without STOP');
    const op = data[p++];
    switch (op) {
      case 0x80: if (u8() > 5) throw fail('pickle protocol above 5'); break; // PROTO
      case 0x95: need(8); break; // FRAME (a length hint only)
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) throw fail('STOP with an unbalanced stack');
        return stack[0];
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = new Map(); for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]); stack.push(d); break; } // DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x29: stack.push(tuple([])); break; // EMPTY_TUPLE
      case 0x74: stack.push(tuple(popMark())); break; // TUPLE
      case 0x85: stack.push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push(tuple([pop(), b])); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(); stack.push(tuple([pop(), b, c])); break; } // TUPLE3
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(dv.getUint16(need(2), true)); break; // BININT2
      case 0x4a: stack.push(dv.getInt32(need(4), true)); break; // BININT
      case 0x8a: { // LONG1: little-endian two's complement
        const n = u8();
        const at = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i]);
        if (n && data[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: stack.push(dv.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8d: { const n = Number(dv.getBigUint64(need(8), true)); stack.push(text(n)); break; } // BINUNICODE8
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x55: stack.push(text(u8())); break; // SHORT_BINSTRING
      case 0x54: stack.push(text(u32())); break; // BINSTRING
      case 0x43: { const n = u8(); const at = need(n); stack.push(data.slice(at, at + n)); break; } // SHORT_BINBYTES
      case 0x42: { const n = u32(); const at = need(n); stack.push(data.slice(at, at + n)); break; } // BINBYTES
      case 0x63: { const module = line(); stack.push(global(module, line())); break; } // GLOBAL
      case 0x93: { const name = pop(); stack.push(global(pop(), name)); break; } // STACK_GLOBAL
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x61: { const v = pop(); list(top()).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); list(top()).push(...items); break; } // APPENDS
      case 0x73: { const v = pop(), k = pop(); dict(top()).set(k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2) throw fail('SETITEMS with an odd number of items');
        const d = dict(top());
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); stack.push(reduce(fn, args)); break; } // REDUCE
      case 0x62: { // BUILD: only a state dict's `_metadata` attribute ({ '_metadata': OrderedDict })
        const state = pop();
        const target = top();
        if (!(target instanceof Map) || !(state instanceof Map) || ![...state.keys()].every((k) => k === '_metadata')) {
          throw new ParseError(`${what}: BUILD (setting object state) is only accepted for a state dict's _metadata (byte ${p - 1})`);
        }
        target.metadata = state.get('_metadata') ?? null;
        break;
      }
      case 0x51: { // BINPERSID
        const storage = persistentLoad(pop());
        if (!storage || typeof storage !== 'object') throw fail('persistent id did not resolve to a storage');
        storages.add(storage);
        stack.push(storage);
        break;
      }
      default:
        throw new ParseError(`${what}: pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1} is not one a state dict uses (refused)`);
    }
  }
}
