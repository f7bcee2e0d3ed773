// The argument handling every wasmbed subcommand shares: node:util parseArgs with a --help flag,
// a usage error (exit 2) for unknown or malformed options, and --help printing the usage (exit 0).
import { readFile } from 'node:fs/promises';
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

/** The non-empty lines of a UTF-8 text file, trimmed: one text each. */
export const readTextLines = async (file) => (await readFile(file, 'utf8')).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

/** Options --calibrate TEXTS_FILE / --no-calibration (quantize, convert). */
export const CALIBRATION_OPTIONS = { calibrate: { type: 'string' }, 'no-calibration': { type: 'boolean' } };

/**
 * The quantizer's `calibration` option from --calibrate / --no-calibration: { calibration } ('auto',
 * false or { texts }), or { exit: 2 } after a usage error written to stderr.
 */
export async function calibrationOption(name, values, stderr) {
  if (values.calibrate && values['no-calibration']) { stderr.write(`${name}: --calibrate and --no-calibration exclude each other\n`); return { exit: 2 }; }
  if (!values.calibrate) return { calibration: values['no-calibration'] ? false : 'auto' };
  const texts = await readTextLines(values.calibrate);
  if (!texts.length) { stderr.write(`${name}: ${values.calibrate} has no texts\n`); return { exit: 2 }; }
  return { calibration: { texts } };
}
