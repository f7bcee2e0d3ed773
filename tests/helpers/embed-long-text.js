// Child process for tests/js/long-inputs.test.js and bench/long-inputs.bench.js: loads a model folder
// on a device, embeds one text of exactly `tokens` tokens and prints one JSON line:
// { tokens, ms (the embed call), rssBeforeBytes (resident after load, before the run), maxRssBytes
// (the process's peak), vector } or { error, name }. Peak RSS is the whole process's, so each
// measured run gets a process of its own; the peak less rssBeforeBytes is what the run added.
//   node tests/helpers/embed-long-text.js DEVICE MODEL_DIR TOKENS [LOAD_OPTIONS_JSON]
import { Embedder } from '../../js/index.js';

const [device, dir, tokensArg, optionsJson] = process.argv.slice(2);
const tokens = Number(tokensArg);
const embedder = await Embedder.load(dir, { device, ...(optionsJson ? JSON.parse(optionsJson) : {}) });
// One word the synthetic tokenizer keeps whole, repeated past the length: truncated to `tokens`
// (CLS and SEP included).
const text = Array(tokens + 16).fill('the').join(' ');
const got = embedder.tokenizer.encode(text, { maxLength: tokens }).ids.length;
const rssBeforeBytes = process.memoryUsage().rss;
try {
  const started = performance.now();
  const [vector] = await embedder.embed([text], { maxLength: tokens });
  const ms = performance.now() - started;
  console.log(JSON.stringify({ tokens: got, ms, rssBeforeBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024, vector: Array.from(vector) }));
} catch (err) {
  console.log(JSON.stringify({ tokens: got, name: err.name, error: err.message }));
}
await embedder.dispose();
