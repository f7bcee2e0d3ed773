#!/usr/bin/env node
// wasmbed command line. Each subcommand lives in js/cli/<name>.js and exports
// `run(argv, { stdin, stdout, stderr }) -> Promise<number>` (the exit code). The table below is
// the list of commands: other modules in js/cli/ (args.js ...) are helpers, never commands.
const COMMANDS = {
  convert: { load: () => import('./cli/convert.js'), summary: 'convert a safetensors or pytorch_model.bin checkpoint to ONNX (and quantize)' },
  embed: { load: () => import('./cli/embed.js'), summary: 'embed lines of text with a model' },
  eval: { load: () => import('./cli/eval.js'), summary: 'retrieval (BEIR / AutoRAG) and STS evaluation of a model on your data' },
  index: { load: () => import('./cli/index.js'), summary: 'build (resumable, sharded), merge and export a static search index of a corpus' },
  // The test-model generator is a tool of its own (models/generator/ builds on js/, never the
  // reverse); the bin forwards to it so `wasmbed make-model` keeps working. The only import of
  // models/ from js/, and only from this dispatcher (tests/js/layering.test.js).
  'make-model': { load: () => import('../models/generator/cli.js'), summary: 'generate a random-weight model in the Hub layout (also wasmbed-make-model)' },
  quantize: { load: () => import('./cli/quantize.js'), summary: 'quantize an ONNX model to q8 / q4' },
  tokenize: { load: () => import('./cli/tokenize.js'), summary: 'tokenize lines of text' },
  version: { load: () => import('./cli/version.js'), summary: 'print the package and core versions' },
};

const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
const usage = `usage: wasmbed <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n')}
Run \`wasmbed <command> --help\` for a command's options.`;

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    const { version } = await import('./index.js');
    process.stdout.write((await version()) + '\n');
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    process.stderr.write(`wasmbed: unknown command '${command}'\n${usage}\n`);
    return 2;
  }
  const mod = await COMMANDS[command].load();
  return mod.run(rest, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}

// An InvalidArgumentError out of a command is a value the user gave that the library refused
// (e.g. --dimensions above the model's size, known only once it is loaded): a usage error, exit 2.
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code ?? 0; },
  (err) => {
    process.stderr.write(`wasmbed: ${err?.name ?? 'Error'}: ${err?.message ?? err}\n`);
    process.exitCode = err?.name === 'InvalidArgumentError' ? 2 : 1;
  },
);
