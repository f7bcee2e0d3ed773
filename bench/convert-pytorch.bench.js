// `wasmbed convert` from a bge-m3-shaped pytorch_model.bin (2.27 GB, written by real torch.save:
// scripts/make-torch-checkpoints.py --bge-m3-shape, needs python3-torch) against the same weights
// as model.safetensors, in the same run: time and peak RSS of each conversion in its own process.
//   node bench/convert-pytorch.bench.js [--dtype fp32,q8]   (files under models/generated/, reused if present)
// All conversions of a dtype must write byte-identical ONNX files (sha256 compared).
// Results go to bench/results/convert-pytorch-<dtypes>.json and are printed as a Markdown table
// (best time of two runs, largest peak RSS).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GEN = path.join(ROOT, 'models', 'generated');
const PT = path.join(GEN, 'bge-m3-shape');
const ST = path.join(GEN, 'bge-m3-shape-safetensors');

async function childConvert(job) {
  const { convertModel } = await import('../js/convert/convert.js');
  rmSync(job.out, { recursive: true, force: true });
  const t0 = performance.now();
  await convertModel(job.src, job.out, { localFilesOnly: true, dtype: job.dtype, calibration: false });
  const seconds = (performance.now() - t0) / 1000;
  const dir = path.join(job.out, 'onnx');
  const files = readdirSync(dir).sort();
  const outBytes = files.reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);
  const hash = createHash('sha256');
  for (const f of files) for await (const c of createReadStream(path.join(dir, f))) hash.update(c);
  const sha256 = hash.digest('hex');
  rmSync(job.out, { recursive: true, force: true });
  console.log(JSON.stringify({ seconds, outBytes, sha256, peakMiB: process.resourceUsage().maxRSS / 1024 }));
}

async function main() {
  if (!existsSync(path.join(PT, 'pytorch_model.bin'))) {
    const python = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean).find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
    if (!python) throw new Error('no python3 with torch (apt-get install python3-torch)');
    console.error(`writing ${PT}/pytorch_model.bin with torch.save ...`);
    const r = spawnSync(python, [path.join(ROOT, 'scripts', 'make-torch-checkpoints.py'), '--bge-m3-shape', GEN], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('make-torch-checkpoints.py failed');
  }
  if (!existsSync(path.join(ST, 'model.safetensors'))) {
    // The same tensors (float, as read from the .bin), so both conversions write identical ONNX.
    console.error(`writing ${ST}/model.safetensors from the .bin ...`);
    const { openTorchCheckpoint } = await import('../js/convert/pt-file.js');
    const { writeSafetensors } = await import('../js/convert/safetensors-writer.js');
    mkdirSync(ST, { recursive: true });
    copyFileSync(path.join(PT, 'config.json'), path.join(ST, 'config.json'));
    const ckpt = await openTorchCheckpoint(path.join(PT, 'pytorch_model.bin'));
    const floats = [...ckpt.tensors.values()].filter((t) => t.dtype === 'F32');
    await writeSafetensors(path.join(ST, 'model.safetensors.partial'), floats.map((t) => ({
      name: t.name, shape: t.shape,
      chunks: async function* () { for (let i = 0; i < t.numel; i += 1 << 22) yield await ckpt.read(t, i, Math.min(1 << 22, t.numel - i)); },
    })));
    await ckpt.close();
    renameSync(path.join(ST, 'model.safetensors.partial'), path.join(ST, 'model.safetensors'));
  }
  const rows = [];
  const d = process.argv.indexOf('--dtype');
  const dtypes = d > 0 ? process.argv[d + 1].split(',') : ['fp32', 'q8'];
  const FORMATS = { 'pytorch_model.bin': PT, 'model.safetensors': ST };
  for (const dtype of dtypes) {
    // A-B-B-A order, best time of two: the first conversion after writing a 2 GB file pays for
    // the page cache (measured 187 s vs 80 s when the .bin went first, 51 vs 51 s reversed).
    const runs = [];
    for (const format of ['pytorch_model.bin', 'model.safetensors', 'model.safetensors', 'pytorch_model.bin']) {
      const job = { src: FORMATS[format], out: path.join(GEN, `convert-bench-${dtype}`), dtype };
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], { encoding: 'utf8' });
      const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (r.status !== 0 || !line) throw new Error(`convert ${format} --dtype ${dtype} failed: ${r.stderr.slice(-1000)}`);
      runs.push({ format, ...JSON.parse(line) });
      console.error(JSON.stringify({ dtype, ...runs.at(-1) }));
    }
    if (new Set(runs.map((r) => r.sha256)).size !== 1) throw new Error(`--dtype ${dtype}: the conversions wrote different ONNX files`);
    for (const format of Object.keys(FORMATS)) {
      const mine = runs.filter((r) => r.format === format);
      rows.push({
        format, dtype, inBytes: statSync(path.join(FORMATS[format], format)).size, outBytes: mine[0].outBytes, sha256: mine[0].sha256,
        seconds: Math.min(...mine.map((r) => r.seconds)), allSeconds: mine.map((r) => r.seconds), peakMiB: Math.max(...mine.map((r) => r.peakMiB)),
      });
    }
  }
  const mib = (b) => (b / 2 ** 20).toFixed(0);
  console.log(`\n| source (bge-m3 shape) | --dtype | output | time (s) | peak RSS (MiB) |\n|---|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.format} (${mib(r.inBytes)} MiB) | ${r.dtype}${r.dtype === 'fp32' ? '' : ' --no-calibration'} | ${mib(r.outBytes)} MiB | ${r.seconds.toFixed(1)} | ${r.peakMiB.toFixed(0)} |`);
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', `convert-pytorch-${dtypes.join('-')}.json`), JSON.stringify({
    date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version, rows,
  }, null, 2) + '\n');
}

const i = process.argv.indexOf('--child');
if (i > 0) await childConvert(JSON.parse(process.argv[i + 1]));
else await main();
