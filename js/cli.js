#!/usr/bin/env node
// wasmbed command line. Each subcommand lives in js/cli/<name>.js and exports
// `run(argv, { stdin, stdout, stderr }) -> Promise<number>` (the exit code).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(path.join(here, 'cli'))
  .filter((f) => f.endsWith('.js') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

const usage = `usage: wasmbed <command> [options]

commands: ${available.join(', ')}
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
  if (!available.includes(command)) {
    process.stderr.write(`wasmbed: unknown command '${command}'\n${usage}\n`);
    return 2;
  }
  const mod = await import(`./cli/${command}.js`);
  return mod.run(rest, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code ?? 0; },
  (err) => {
    process.stderr.write(`wasmbed: ${err?.name ?? 'Error'}: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  },
);
