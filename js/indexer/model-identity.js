// What identifies the model of a build, for the fingerprint a resumed or sharded run must match:
// for a local folder, the SHA-256 of the files that decide the vectors (configs, tokenizer, the
// ONNX file used and its external data); for a Hub id or URL, the source, dtype and file (the
// download cache keeps what was fetched). Folder paths themselves are left out, so shards built
// on machines that keep the model in different places still merge.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

async function isFolder(p) {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

/** { id, files?: [{ name, sha256 }], source? } for `source` loaded with `modelFile`. */
export async function modelIdentity(source, { modelFile, modelId, manifest }) {
  if (typeof source === 'string' && !HUB_ID.test(source) && await isFolder(source)) {
    const files = [];
    const onnx = modelFile ? path.basename(modelFile) : null;
    const walk = async (rel) => {
      const entries = (await readdir(path.join(source, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const e of entries) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) { if (!e.name.startsWith('.')) await walk(r); continue; }
        // Other ONNX variants (quantized files the build does not use) are left out.
        const isOnnx = /\.onnx(_data)?$/.test(e.name) || /\.onnx\.data$/.test(e.name);
        if (isOnnx && !(onnx && e.name.startsWith(onnx))) continue;
        if (!isOnnx && !/\.(json|txt|model)$/.test(e.name)) continue;
        files.push({ name: r, sha256: await sha256File(path.join(source, r)) });
      }
    };
    await walk('');
    return { id: modelId ?? manifest ?? path.basename(path.resolve(source)), files };
  }
  return { id: modelId ?? (typeof source === 'string' && HUB_ID.test(source) ? source : manifest ?? String(source)), source: String(source) };
}
