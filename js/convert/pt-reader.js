// PyTorch checkpoints in torch.save's zip format (torch >= 1.6): <dir>/data.pkl, a pickle of the
// state dict whose tensors refer to storages by key, plus <dir>/data/<key>, each storage's raw
// little-endian bytes. openTorchCheckpoint() indexes a file from its zip directory and pickle
// only (a 2.27 GB bge-m3 pytorch_model.bin costs a few hundred small reads) and each tensor is
// read later by offset; readTorchStateDict() reads a small checkpoint already in memory (BGE-M3's
// sparse_linear.pt / colbert_linear.pt). The pickle goes through the allow-list interpreter in
// torch-unpickler.js: nothing in the file is executed. Browser-safe: opening a file is pt-file.js's
// job (Node), so the BGE-M3 heads can read .pt bytes in a page.
import { ParseError, UnsupportedError } from '../errors.js';
import { DTYPE_BYTES, PickledTensor, STORAGE_DTYPES, unpickle } from './torch-unpickler.js';
import { readZipDirectory, zipDirectoryOfBytes } from './zip-directory.js';
import { widenToFloat32 } from './float-widen.js';

export const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);
// A non-contiguous tensor is gathered from the span of its storage it covers, read whole.
const MAX_GATHER_BYTES = 512 * 2 ** 20;

/** The archive's one <dir>/data.pkl and the records beside it. */
function archiveLayout(entries, what) {
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    throw new ParseError(`${what}: ${pickles.length ? 'several' : 'no'} <dir>/data.pkl in the zip archive (not a torch.save checkpoint?)`);
  }
  const dir = pickles[0].slice(0, -'data.pkl'.length);
  return { pkl: entries.get(pickles[0]), byteorder: entries.get(`${dir}byteorder`) ?? null, dir };
}

/**
 * Tensors of the state dict: Map(name -> { name, file, dtype, shape, stride, storageOffset,
 * storage: { key, dtype, offset, numel }, contiguous }). Storage offsets are positions in the file
 * (or the bytes). Tensors that share a storage (tied weights) share one storage object.
 */
function indexTensors(entries, pickleBytes, byteorder, what) {
  if (byteorder !== null && byteorder !== 'little') throw new UnsupportedError(`${what}: storages are stored ${JSON.stringify(byteorder)}-endian; only little-endian checkpoints are read`);
  const { dir } = archiveLayout(entries, what);
  const storages = new Map();
  const persistentLoad = (pid) => {
    // ('storage', torch.<Type>Storage, key, location, numel)
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new ParseError(`${what}: unexpected persistent id ${JSON.stringify(pid?.[0] ?? pid)}`);
    const [, type, key, , numel] = pid;
    const dtype = STORAGE_DTYPES[type?.name];
    if (type?.module !== 'torch' || !dtype) throw new ParseError(`${what}: persistent id names ${type?.key ?? typeof type}, not a torch storage type`);
    if (typeof key !== 'string' || !Number.isSafeInteger(numel) || numel < 0) throw new ParseError(`${what}: bad storage id (key ${JSON.stringify(key)}, numel ${numel})`);
    const known = storages.get(key);
    if (known) {
      if (known.dtype !== dtype) throw new ParseError(`${what}: storage '${key}' is referenced as both ${known.dtype} and ${dtype}`);
      return known;
    }
    // Keys are looked up as exact entry names: a key such as '../../x' names nothing in the archive.
    const entry = entries.get(`${dir}data/${key}`);
    if (!entry) throw new ParseError(`${what}: storage '${key}' has no entry ${dir}data/${key} in the archive`);
    const width = DTYPE_BYTES[dtype];
    if (entry.size < numel * width) throw new ParseError(`${what}: storage '${key}' claims ${numel} ${dtype} elements (${numel * width} bytes) but its archive entry holds ${entry.size} bytes`);
    const storage = { key, dtype, offset: entry.offset, numel };
    storages.set(key, storage);
    return storage;
  };
  const root = unpickle(pickleBytes, persistentLoad, `${what}/data.pkl`);
  if (!(root instanceof Map)) throw new ParseError(`${what}: the pickle holds a ${Array.isArray(root) ? 'list' : typeof root}, not a state dict`);
  const tensors = new Map();
  for (const [name, t] of root) {
    if (!(t instanceof PickledTensor)) continue; // state dicts may carry extra non-tensor values
    if (typeof name !== 'string') throw new ParseError(`${what}: state dict key ${String(name)} is not a string`);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    let contiguous = true;
    for (let i = t.shape.length - 1, expect = 1; i >= 0; expect *= t.shape[i], i--) {
      if (t.shape[i] > 1 && t.stride[i] !== expect) contiguous = false;
    }
    const last = numel ? t.storageOffset + t.shape.reduce((a, d, i) => a + (d - 1) * t.stride[i], 0) : t.storageOffset - 1;
    if (last >= t.storage.numel) throw new ParseError(`${what}: tensor '${name}' (size ${JSON.stringify(t.shape)}, stride ${JSON.stringify(t.stride)}, offset ${t.storageOffset}) reaches element ${last} of storage '${t.storage.key}', which holds ${t.storage.numel}`);
    tensors.set(name, { name, file: what, dtype: t.storage.dtype, shape: t.shape, stride: t.stride, storageOffset: t.storageOffset, storage: t.storage, contiguous, numel });
  }
  // Training checkpoints wrap the state dict ({ 'state_dict': ..., 'optimizer': ... }): say where it is.
  const nested = tensors.size ? undefined : [...root].find(([, v]) => v instanceof Map && [...v.values()].some((x) => x instanceof PickledTensor));
  if (nested) throw new UnsupportedError(`${what}: the tensors are nested under '${String(nested[0])}'; save that state dict itself (torch.save(checkpoint['${String(nested[0])}'], ...))`);
  return tensors;
}

/**
 * Where logical (row-major) elements [start, start + count) of `tensor` lie: { offset, length }
 * bytes to read, and `gather` when the tensor is not contiguous (the range is then the whole
 * storage span the tensor covers, refused above MAX_GATHER_BYTES).
 */
function byteRange(tensor, start, count) {
  if (!FLOAT_DTYPES.has(tensor.dtype)) throw new ParseError(`${tensor.file}: tensor '${tensor.name}' is ${tensor.dtype}, not a float type`);
  if (!(start >= 0 && count >= 0 && start + count <= tensor.numel)) throw new RangeError(`elements ${start}..${start + count} of a ${tensor.numel}-element tensor`);
  const width = DTYPE_BYTES[tensor.dtype];
  const base = tensor.storage.offset + tensor.storageOffset * width;
  if (tensor.contiguous) return { offset: base + start * width, length: count * width, gather: false };
  const span = tensor.numel ? tensor.shape.reduce((a, d, i) => a + (d - 1) * tensor.stride[i], 0) + 1 : 0;
  if (span * width > MAX_GATHER_BYTES) {
    throw new UnsupportedError(`${tensor.file}: tensor '${tensor.name}' is not contiguous (stride ${JSON.stringify(tensor.stride)}) and spans ${span * width} bytes of its storage; re-save it with .contiguous()`);
  }
  return { offset: base, length: span * width, gather: true };
}

/** Elements [start, start + count) in row-major order of a strided view over `values`. */
function gather(values, shape, stride, start, count) {
  const out = new Float32Array(count);
  const idx = shape.map(() => 0);
  for (let i = shape.length - 1, rest = start; i >= 0; i--) { idx[i] = rest % shape[i]; rest = Math.floor(rest / shape[i]); }
  let at = idx.reduce((a, v, i) => a + v * stride[i], 0);
  for (let k = 0; k < count; k++) {
    out[k] = values[at];
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) { at += stride[i]; break; }
      at -= (shape[i] - 1) * stride[i];
      idx[i] = 0;
    }
  }
  return out;
}

/** The float32 values of a byte range read for `tensor` (gathered when it is strided). */
function floatsOf(bytes, tensor, range, start, count) {
  const values = widenToFloat32(bytes, tensor.dtype);
  return range.gather ? gather(values, tensor.shape, tensor.stride, start, count) : values;
}

/**
 * Indexes a torch.save zip checkpoint behind a byte source (js/onnx ByteSource: a file in Node,
 * see pt-file.js) for streaming: { file, source, tensors, read(tensor, start, count) ->
 * Float32Array, close() }. Only the zip directory, the pickle and small records are read here.
 * Closes the source when indexing fails.
 */
export async function openTorchArchive(source, file, what = file) {
  try {
    const entries = await readZipDirectory(source, what);
    const { pkl, byteorder } = archiveLayout(entries, what);
    const pickleBytes = await source.read(pkl.offset, pkl.size);
    const order = byteorder && byteorder.size <= 16 ? new TextDecoder().decode(await source.read(byteorder.offset, byteorder.size)).trim() : null;
    const tensors = indexTensors(entries, pickleBytes, order, what);
    return {
      file, source, tensors,
      read: async (tensor, start = 0, count = tensor.numel) => {
        const range = byteRange(tensor, start, count);
        return floatsOf(await source.read(range.offset, range.length), tensor, range, start, count);
      },
      close: () => source.close(),
    };
  } catch (err) {
    source.close();
    throw err;
  }
}

/**
 * Reads a torch.save'd state dict held in memory: Map(name -> { shape, data: Float32Array }) for
 * its float tensors (integer buffers such as position_ids are left out). Sync, for small files.
 */
export function readTorchStateDict(bytes, what = 'checkpoint.pt') {
  const entries = zipDirectoryOfBytes(bytes, what);
  const { pkl, byteorder } = archiveLayout(entries, what);
  const slice = (offset, length) => new Uint8Array(bytes.subarray(offset, offset + length)); // copies: aligned for typed views, not sharing a Buffer
  const order = byteorder ? new TextDecoder().decode(slice(byteorder.offset, byteorder.size)).trim() : null;
  const tensors = indexTensors(entries, slice(pkl.offset, pkl.size), order, what);
  const out = new Map();
  for (const [name, t] of tensors) {
    if (!FLOAT_DTYPES.has(t.dtype)) continue;
    const range = byteRange(t, 0, t.numel);
    out.set(name, { shape: t.shape, data: floatsOf(slice(range.offset, range.length), t, range, 0, t.numel) });
  }
  return out;
}
