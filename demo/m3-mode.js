// The demo's 'bge-m3' search mode. When the loaded model has BGE-M3 heads (sparse_linear /
// colbert_linear files next to it, or head outputs in its ONNX graph), every passage also gets its
// lexical weights and ColBERT vectors from the same encoder pass, kept in an M3Index (ColBERT as
// float16); the mode ranks by 0.4 dense + 0.2 lexical + 0.4 ColBERT (the BGE-M3 README's weights)
// over the union of the dense and lexical shortlists. The worker saves the M3Index with the dense
// and lexical indexes (M3Index.save(), in the same atomic state record), so the mode works right
// after a reload.
import { M3Index } from '../js/index.js';

export const M3_OUTPUTS = ['dense', 'sparse', 'colbert'];

/**
 * { index, note }: index is an M3Index when `model` has BGE-M3 heads, else null; restored from
 * `saved` bytes (M3Index.save() of an index built with this same model) when given and readable,
 * otherwise empty, with `note` saying why the saved one was not used.
 */
export async function m3IndexFor(model, dims, saved = null) {
  try {
    await model.embed(['probe'], { outputs: ['sparse'] });
  } catch (err) {
    // No heads (ModelLoadError) or heads that cannot apply to this export (UnsupportedError).
    if (err?.name === 'ModelLoadError' || err?.name === 'UnsupportedError') return { index: null, note: '' };
    throw err;
  }
  if (saved) {
    try {
      return { index: await M3Index.load(saved), note: '' };
    } catch (err) {
      // e.g. a format change: start empty; the mode falls back to hybrid until re-indexed.
      return { index: await M3Index.create({ dims, colbertStorage: 'float16' }), note: `stored BGE-M3 index could not be read (${err.message})` };
    }
  }
  return { index: await M3Index.create({ dims, colbertStorage: 'float16' }), note: '' };
}
