// One benchmark process of bench/throughput.bench.js, driven over IPC (child_process.fork) so the
// parent can interleave systems and repeat runs while each system keeps its own loaded model and
// its own peak RSS. Messages in: { cmd: 'load', system, modelDir, device, threads },
// { cmd: 'run', mode, texts }, { cmd: 'gemm', m, k, n, reps }, { cmd: 'exit' }. Replies:
// { ok: true, ...result } or { ok: false, error }.
//   system 'wasmbed'          Embedder on device 'cpu' (onnxruntime-node) or 'wasm' (ORT-web in
//                             Node); modes 'planned' (embed, the cost planner's batches) and
//                             'single' (embed with batchSize 1: one text per session.run, the
//                             same session, tokenizer and pooling).
//   system 'wasmbed-pool'     EmbedderPool (Embedder.load with { workers }): `workers` worker_threads,
//                             each its own session with threads / workers intra-op threads; mode
//                             'pool' (embed, the texts split between the workers, each worker's
//                             planner batching inside its share).
//   system 'transformers.js'  @huggingface/transformers' feature-extraction pipeline on
//                             onnxruntime-node, fp32, batches of 32 in input order (mode 'batch32').
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let state = null;

function modelSettings(dir) {
  const cfg = JSON.parse(readFileSync(path.join(dir, '1_Pooling', 'config.json'), 'utf8'));
  return { pooling: cfg.pooling_mode_cls_token ? 'cls' : 'mean', normalize: existsSync(path.join(dir, '2_Normalize')) };
}

async function load({ system, modelDir, device, threads, workers }) {
  const t0 = performance.now();
  if (system === 'wasmbed-pool') {
    const { Embedder } = await import('../../js/index.js');
    const model = await Embedder.load(modelDir, { device, workers, threads: Math.max(1, Math.floor(threads / workers)) });
    state = { system, device, threads, model };
    return { loadMs: performance.now() - t0, threadsUsed: model.info.threads * model.info.workers, workers: model.info.workers, info: { device: model.info.device, maxLength: model.info.maxLength } };
  }
  if (system === 'wasmbed') {
    const { Embedder } = await import('../../js/index.js');
    const model = await Embedder.load(modelDir, { device, threads });
    state = { system, device, threads, model };
    return { loadMs: performance.now() - t0, threadsUsed: model.info.threads ?? threads, info: { device: model.info.device, maxLength: model.info.maxLength } };
  }
  if (system === 'transformers.js') {
    const { pipeline, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = path.dirname(modelDir) + path.sep;
    const extractor = await pipeline('feature-extraction', path.basename(modelDir), {
      local_files_only: true, dtype: 'fp32', device: 'cpu', session_options: { intraOpNumThreads: threads },
    });
    state = { system, device: 'cpu', threads, extractor, settings: modelSettings(modelDir) };
    return { loadMs: performance.now() - t0, threadsUsed: threads };
  }
  throw new Error(`unknown system ${system}`);
}

async function run({ mode, texts }) {
  const t0 = performance.now();
  let count;
  if (state.system === 'wasmbed' || state.system === 'wasmbed-pool') {
    const opts = { prompt: null, batchSize: mode === 'single' ? 1 : 32 };
    count = (await state.model.embedFlat(texts, opts)).count;
  } else {
    count = 0;
    for (let i = 0; i < texts.length; i += 32) count += (await state.extractor(texts.slice(i, i + 32), state.settings)).dims[0];
  }
  const ms = performance.now() - t0;
  if (count !== texts.length) throw new Error(`embedded ${count} of ${texts.length} texts`);
  return { ms, peakMiB: process.resourceUsage().maxRSS / 1024 };
}

async function gemm({ m, k, n, reps }) {
  const { measureGemm } = await import('./gemm-peak.js');
  if (state.system === 'wasmbed' && state.device === 'wasm') {
    return measureGemm(state.model.ort, { m, k, n, reps, sessionOptions: { executionProviders: ['wasm'] } });
  }
  const ort = (await import('onnxruntime-node')).default;
  return measureGemm(ort, { m, k, n, reps, sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads: state.threads } });
}

process.on('message', async (msg) => {
  try {
    let result;
    if (msg.cmd === 'load') result = await load(msg);
    else if (msg.cmd === 'run') result = await run(msg);
    else if (msg.cmd === 'gemm') result = await gemm(msg);
    else if (msg.cmd === 'exit') {
      await state?.model?.dispose?.(); // an EmbedderPool's worker threads would keep the process alive
      process.disconnect();
      return;
    }
    else throw new Error(`unknown command ${msg.cmd}`);
    process.send({ ok: true, ...result });
  } catch (err) {
    process.send({ ok: false, error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` });
  }
});
