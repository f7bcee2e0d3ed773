// The argument handling every wasmbed subcommand shares: node:util parseArgs with a --help flag,
// a usage error (exit 2) for unknown or malformed options, and --help printing the usage (exit 0).
import { parseArgs } from 'node:util';

/**
 * Returns { args } ({ values, positionals }) to go on with, or { exit } when the command is done:
 * 2 after a usage error (message and usage on stderr), 0 after --help (usage on stdout).
 */
export function parseCommandArgs(name, argv, { options, allowPositionals = false, usage }, { stdout, stderr }) {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals, options: { help: { type: 'boolean' }, ...options } });
  } catch (err) {
    stderr.write(`${name}: ${err.message}\n${usage}`);
    return { exit: 2 };
  }
  if (args.values.help) {
    stdout.write(usage);
    return { exit: 0 };
  }
  return { args };
}
