// The demo's 'bge-m3' search mode. When the loaded model has BGE-M3 heads (sparse_linear /
// colbert_linear files next to it, or head outputs in its ONNX graph), every passage also gets its
// lexical weights and ColBERT vectors from the same encoder pass, kept in an M3Index (ColBERT as
// float16); the mode ranks by 0.4 dense + 0.2 lexical + 0.4 ColBERT (the BGE-M3 README's weights)
// over the union of the dense and lexical shortlists. The M3Index lives in memory only: after a
// reload the mode falls back to hybrid until the documents are indexed again.
import { M3Index } from '../js/index.js';

export const M3_OUTPUTS = ['dense', 'sparse', 'colbert'];

/** An empty M3Index when `model` has BGE-M3 heads, else null. */
export async function m3IndexFor(model, dims) {
  try {
    await model.embed(['probe'], { outputs: ['sparse'] });
  } catch (err) {
    // No heads (ModelLoadError) or heads that cannot apply to this export (UnsupportedError).
    if (err?.name === 'ModelLoadError' || err?.name === 'UnsupportedError') return null;
    throw err;
  }
  return M3Index.create({ dims, colbertStorage: 'float16' });
}
