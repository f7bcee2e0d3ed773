// The wasmbed command line: an explicit command table (helper modules are never commands) and one
// argument parser with typed values, so every malformed value or unknown flag is a usage error
// (exit 2) that names the flag, before any work starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

const CLI = path.join(REPO_ROOT, 'js', 'cli.js');
// make-model is the generator's own command (js/ never imports models/), on the same parser.
const MAKE_MODEL = path.join(REPO_ROOT, 'models', 'generator', 'cli.js');
const spawn = (script, args) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', input: '', timeout: 60_000 });
const run = (...args) => (args[0] === 'make-model' ? spawn(MAKE_MODEL, args.slice(1)) : spawn(CLI, args));

test('the command list is the table: helpers are not commands', () => {
  const help = run('--help');
  assert.equal(help.status, 0);
  for (const c of ['convert', 'embed', 'index', 'quantize', 'tokenize', 'version']) assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'));
  assert.doesNotMatch(help.stdout, /^ {2}args\b/m);
  const args = run('args');
  assert.equal(args.status, 2);
  assert.match(args.stderr, /unknown command 'args'/);
  assert.equal(run().status, 2);
});

test('bad values and unknown flags exit 2 naming the flag', () => {
  const cases = [
    [['make-model', 'out', '--seed', 'abc'], /--seed must be an integer/],
    [['make-model', 'out', '--hidden', '7.5'], /--hidden must be an integer/],
    [['make-model', 'out', '--pooling', 'median'], /--pooling must be one of mean, cls, max, last/],
    [['embed', '--model', 'm', '--dimensions', '0'], /--dimensions must be an integer >= 1/],
    [['index', 'build', '--out', 'o', '--block-docs', '0', 'docs'], /--block-docs must be an integer >= 1/],
    [['index', 'build', '--out', 'o', '--storage', 'pq', 'docs'], /--storage must be one of int8, binary/],
    [['index', 'bogus'], /unknown subcommand 'bogus'/],
    [['embed', '--model', 'm', '--device', 'tpu'], /--device must be one of auto, cpu, wasm, webgpu/],
    [['embed', '--model', 'm', '--dtype', 'q3'], /--dtype must be one of fp32, fp16, q8/],
    [['embed', '--model', 'm', '--format', 'q5'], /--format must be one of json, f32/],
    [['embed', '--model', 'm', '--outputs', 'dense,bogus'], /--outputs takes a comma-separated list of dense, sparse, colbert/],
    [['quantize', 'a.onnx', 'b.onnx', '--format', 'q5'], /--format must be one of q8, q4, int8-dynamic/],
    [['quantize', 'a.onnx', 'b.onnx', '--block', '7'], /--block must be a power of two in 16\.\.4096/],
    [['quantize', 'a.onnx', 'b.onnx', '--embedding-bits', '3'], /--embedding-bits must be one of 4, 8/],
    [['convert', 'a', 'b', '--dtype', 'fp32,q3'], /--dtype takes a comma-separated list of fp32, q8, q4/],
    [['tokenize', '--tokenizer', 't.json', '--flavor', 'bogus'], /--flavor must be one of plain, xlm-roberta/],
    [['tokenize', '--tokenizer', 't.json', '--max-length=-1'], /--max-length must be an integer >= 1/],
    [['tokenize', '--tokenizer', 't.json', '--max-length', '-1'], /--max-length/],
    [['version', 'extra', '--bogus'], /Unexpected argument 'extra'|Unknown option '--bogus'/],
    [['embed', '--model', 'm', '--bogus'], /Unknown option '--bogus'/],
    [['make-model', 'out', '--seed'], /argument missing|--seed/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')} exits 2 (got ${r.status}: ${r.stderr})`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
