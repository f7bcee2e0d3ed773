// The models the demo offers by name: the supported seed models (their settings and the download
// size of each dtype's ONNX file come from models/manifests/, served at /models/manifests/), and
// the generated demo model `npm start` writes (random weights).

/** The generated model (models/generated/demo-model): random weights, made by `npm start`. */
export const DEMO_MODEL = '/models/demo-model/';

// Hub ids, in the order the picker shows them.
export const SUPPORTED_MODELS = [
  'intfloat/multilingual-e5-small',
  'nlpai-lab/KoE5',
  'dragonkue/bge-m3-ko',
  'deepvk/USER-bge-m3',
  'jhgan/ko-sroberta-multitask',
  'sentence-transformers/all-MiniLM-L6-v2',
];

// The dtypes offered, in the order shown (names as Embedder.load's `dtype`).
export const DTYPES = ['q8', 'q4', 'fp16', 'fp32'];

/**
 * [{ id, name, dims, maxLength, download: { q8: bytes, ... } | null, note }] for SUPPORTED_MODELS;
 * a manifest that cannot be read gives an entry without sizes (the model still loads by id).
 */
export async function loadCatalogue(base = new URL('/models/manifests/', location.href)) {
  return Promise.all(SUPPORTED_MODELS.map(async (id) => {
    const name = id.slice(id.indexOf('/') + 1);
    try {
      const res = await fetch(new URL(`${id.replace('/', '--')}.json`, base));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const m = await res.json();
      return { id, name, dims: m.dimensions ?? null, maxLength: m.maxLength ?? null, download: m.download ?? null, note: m.download?.note ?? '' };
    } catch {
      return { id, name, dims: null, maxLength: null, download: null, note: '' };
    }
  }));
}

/** "568 MB" (decimal megabytes, as download sizes are usually shown). */
export function formatSize(bytes) {
  if (bytes == null) return 'size unknown';
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${Math.round(bytes / 1e6)} MB`;
}
