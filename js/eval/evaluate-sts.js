// evaluateSts(): cosine similarity of each sentence pair against its gold score, as Spearman
// (the number KorSTS / STS-B tables report, x100) and Pearson. Each distinct sentence is embedded
// once. Prompt: explicit option, else the model's 'query' prompt (what MTEB gives e5-style models
// on symmetric tasks), else none.
import { InvalidArgumentError } from '../index.js';
import { pearson, spearman } from './correlation.js';
import { readStsPairs } from './sts-files.js';
import { resolvePrompt } from './prompts.js';
import { openModel } from './evaluate-retrieval.js';

function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

export async function evaluateSts(options = {}) {
  const { model, pairs: given, prompt, dtype, device, batchSize, modelCacheDir, localFilesOnly, onProgress } = options;
  const pairs = Array.isArray(given) ? given : await readStsPairs(given);
  if (pairs.length < 2) throw new InvalidArgumentError('evaluateSts needs at least 2 pairs');
  const { embedder, owned } = await openModel(model, { dtype, device, cacheDir: modelCacheDir, localFilesOnly });
  const started = Date.now();
  try {
    const info = embedder.info;
    const promptText = resolvePrompt(info, prompt, 'query');
    const unique = [...new Set(pairs.flatMap((p) => [p.sentence1, p.sentence2]))];
    const { data, dims } = await embedder.embedFlat(unique, {
      promptText: promptText ?? '', batchSize: batchSize ?? 32,
      onProgress: ({ done, total }) => onProgress?.({ stage: 'embed sentences', done, total }),
    });
    const row = new Map(unique.map((s, i) => [s, data.subarray(i * dims, (i + 1) * dims)]));
    const predicted = pairs.map((p) => cosine(row.get(p.sentence1), row.get(p.sentence2)));
    const gold = pairs.map((p) => p.score);
    return {
      model: typeof model === 'string' ? model : info.modelFile, dtype: info.dtype, device: info.device, modelFile: info.modelFile,
      prompt: promptText, pairs: pairs.length, sentences: unique.length,
      spearman: spearman(predicted, gold), pearson: pearson(predicted, gold),
      seconds: (Date.now() - started) / 1000,
      perPair: pairs.map((p, i) => ({ ...p, cosine: predicted[i] })),
    };
  } finally {
    if (owned) await embedder.dispose();
  }
}
