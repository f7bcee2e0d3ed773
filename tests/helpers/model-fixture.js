// A small model in the Hub layout for loader tests: JSON configs, a tokenizer, and an ONNX graph
// (Y = X + W) whose W lives in external data `onnx/model.onnx_data` like large Hub exports.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeAddModel } from './onnx-proto.js';

export const N = 60000; // W float[N]: 240 KB of external data, several network chunks

export function modelFiles() {
  const w = new Float32Array(N);
  for (let i = 0; i < N; i++) w[i] = (i % 97) / 8;
  return {
    'config.json': JSON.stringify({ model_type: 'bert', hidden_size: 4 }),
    'tokenizer.json': JSON.stringify({ version: '1.0', model: { type: 'WordPiece', vocab: { '[UNK]': 0, hello: 1 } } }),
    'tokenizer_config.json': JSON.stringify({ model_max_length: 128 }),
    'modules.json': JSON.stringify([{ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' }]),
    'onnx/model.onnx': makeAddModel({ w, external: { location: 'model.onnx_data' } }),
    'onnx/model.onnx_data': new Uint8Array(w.buffer),
    'onnx/model_inline.onnx': makeAddModel({ w: Float32Array.of(1, 2, 3) }),
  };
}

/** URL path -> body for a Hub repo at /{repo}/resolve/{revision}/. */
export function hubLayout(repo, files, revision = 'main') {
  return Object.fromEntries(Object.entries(files).map(([name, body]) => [`/${repo}/resolve/${revision}/${name}`, body]));
}

/** Writes `files` under `dir`. */
export async function writeFiles(dir, files) {
  for (const [name, body] of Object.entries(files)) {
    const p = path.join(dir, ...name.split('/'));
    await fsp.mkdir(path.dirname(p), { recursive: true });
    await fsp.writeFile(p, body);
  }
}

/** Every file under `dir` as relative POSIX paths (sorted); [] when it does not exist. */
export async function listTree(dir) {
  const out = [];
  const walk = async (d, rel) => {
    const entries = await fsp.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

export const bytesOf = (body) => (typeof body === 'string' ? new TextEncoder().encode(body) : body);
