// Finds and opens the weight files of a model source, in the order the Hub's own loaders prefer
// them: model.safetensors.index.json, model.safetensors, pytorch_model.bin.index.json,
// pytorch_model.bin. Every format comes back as one tensor table whose entries read their float32
// values by element range, straight from disk, so the graph builder never cares which it was.
import path from 'node:path';
import { ParseError, UnsupportedError } from '../errors.js';
import { openSafetensors, readTensorFloat32 } from './safetensors-reader.js';
import { openTorchCheckpoint } from './pt-file.js';

const LAYOUTS = [
  { index: 'model.safetensors.index.json', single: 'model.safetensors', open: openSafetensorsFile },
  { index: 'pytorch_model.bin.index.json', single: 'pytorch_model.bin', open: openTorchFile },
];

/** Tensor entries of a safetensors file: { name, file, dtype, shape, read(start, count) }. */
async function openSafetensorsFile(file, label) {
  const st = await openSafetensors(file);
  const tensors = new Map();
  for (const [name, entry] of st.tensors) {
    const width = entry.length / Math.max(1, entry.shape.reduce((a, b) => a * b, 1));
    tensors.set(name, {
      name, file: label, dtype: entry.dtype, shape: entry.shape,
      read: (start, count) => readTensorFloat32(st, { ...entry, offset: entry.offset + start * width, length: count * width }),
    });
  }
  return { source: st.source, tensors };
}

/** Tensor entries of a torch.save zip checkpoint, same shape as openSafetensorsFile's. */
async function openTorchFile(file, label) {
  const ckpt = await openTorchCheckpoint(file, label);
  const tensors = new Map();
  for (const [name, t] of ckpt.tensors) {
    tensors.set(name, { name, file: label, dtype: t.dtype, shape: t.shape, read: (start, count) => ckpt.read(t, start, count) });
  }
  return { source: ckpt.source, tensors };
}

/** Shard file names of an index's weight_map, checked to stay inside the repository. */
function shardNames(index, indexFile) {
  const map = index?.weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new ParseError(`${indexFile}: no weight_map object`);
  const shards = [...new Set(Object.values(map))];
  if (!shards.length) throw new ParseError(`${indexFile}: empty weight_map`);
  for (const s of shards) {
    if (typeof s !== 'string' || !s || s.includes('..') || path.isAbsolute(s) || s.includes('\\')) throw new ParseError(`${indexFile}: bad shard name ${JSON.stringify(s)}`);
  }
  return shards;
}

/**
 * Opens the checkpoint of `src` (an openModelSource result): { format, tensors: Map(name -> entry),
 * sources: [ByteSource], close() }. A tensor present in several shards is taken from the first.
 */
export async function openCheckpoint(src) {
  const opened = [];
  const tensors = new Map();
  const add = async (layout, file) => {
    const p = await src.localPath(file);
    if (!p) throw new UnsupportedError(`cannot get a local copy of ${file} (converting needs Node and a disk cache)`);
    const part = await layout.open(p, file);
    opened.push(part.source);
    for (const [name, t] of part.tensors) if (!tensors.has(name)) tensors.set(name, t);
  };
  try {
    let format = null;
    for (const layout of LAYOUTS) {
      if (await src.exists(layout.index)) {
        for (const shard of shardNames(await src.json(layout.index), layout.index)) await add(layout, shard);
        format = layout.index;
      } else if (await src.exists(layout.single)) {
        await add(layout, layout.single);
        format = layout.single;
      }
      if (format) break;
    }
    if (!format) throw new UnsupportedError(`the source has no weights: none of ${LAYOUTS.flatMap((l) => [l.single, l.index]).join(', ')}`);
    const close = async () => { for (const s of opened.splice(0)) await s.close(); };
    return { format, tensors, sources: [...opened], close };
  } catch (err) {
    for (const s of opened) await s.close();
    throw err;
  }
}
