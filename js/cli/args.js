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

/**
 * The texts of a `--flag FILE` option: the file's non-empty lines, trimmed, one text each, as
 * { texts }; or { exit: 2 } after a usage error on stderr (unreadable file, or no texts in it).
 */
export async function readTextsOption(name, flag, file, stderr) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    stderr.write(`${name}: cannot read ${flag} ${file}: ${err.code ?? err.message}\n`);
    return { exit: 2 };
  }
  const texts = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!texts.length) { stderr.write(`${name}: ${file} has no texts\n`); return { exit: 2 }; }
  return { texts };
}

/** Options --calibrate TEXTS_FILE / --no-calibration (quantize, convert). */
export const CALIBRATION_OPTIONS = { calibrate: { type: 'string' }, 'no-calibration': { type: 'boolean' } };

/**
 * The quantizer's `calibration` option from --calibrate / --no-calibration: { calibration } ('auto',
 * false or { texts }), or { exit: 2 } after a usage error written to stderr.
 */
export async function calibrationOption(name, values, stderr) {
  if (values.calibrate && values['no-calibration']) { stderr.write(`${name}: --calibrate and --no-calibration exclude each other\n`); return { exit: 2 }; }
  if (!values.calibrate) return { calibration: values['no-calibration'] ? false : 'auto' };
  const read = await readTextsOption(name, '--calibrate', values.calibrate, stderr);
  return read.exit !== undefined ? read : { calibration: { texts: read.texts } };
}
