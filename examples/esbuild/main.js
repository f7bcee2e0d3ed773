// Semantic search in the browser with wasmbed: embed a few documents, index them, search.
// Options come from the page URL so the same build runs every variant:
//   ?model=<URL of a model folder>  (default: the Hub model below)   &worker  (run in a Web Worker)
import { Embedder, VectorIndex } from 'wasmbed';

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? 'Xenova/all-MiniLM-L6-v2';
const docs = [
  'The cat sleeps on the sofa.',
  'Stock markets fell sharply on Monday.',
  'A recipe for tomato soup with basil.',
  'The football team won the championship.',
];
const query = params.get('q') ?? 'a soup recipe';

const out = document.querySelector('#out');
try {
  const progress = [];
  const onProgress = (p) => {
    progress.push(p);
    out.textContent = `loading ${p.file}: ${p.total ? Math.round((100 * p.loaded) / p.total) : '?'}%`;
  };
  const model = await Embedder.load(modelUrl, { worker: params.has('worker'), onProgress });
  const vectors = await model.embed(docs, { prompt: 'passage' });
  const index = await VectorIndex.create({ dims: vectors[0].length, metric: 'cosine' });
  vectors.forEach((v, id) => index.add(id, v));
  const [queryVector] = await model.embed([query], { prompt: 'query' });
  const hits = index.search(queryVector, { k: 3 });
  window.result = { hits, docs, query, threads: model.info?.threads ?? null, progress };
  out.textContent = hits.map((h) => `${h.score.toFixed(3)}  ${docs[h.id]}`).join('\n');
} catch (err) {
  window.result = { error: { name: err.name, message: err.message, url: err.url ?? null } };
  out.textContent = `${err.name}: ${err.message}`;
}
