// The argument handling every wasmbed subcommand shares: node:util parseArgs with a --help flag,
// a usage error (exit 2) for unknown or malformed options, and --help printing the usage (exit 0).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

// Typed option values: an option spec may carry `parse(text, flag)` that returns the value or
// throws a UsageError naming the flag; parseCommandArgs applies it, so every command gets numbers
// and checked names, and a bad value exits 2 with the flag named, before any work starts.
class UsageError extends Error {}

/** An integer option in [min, max]. */
export function int({ min = -Infinity, max = Infinity, powerOfTwo = false } = {}) {
  return {
    type: 'string',
    parse(text, flag) {
      const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max || (powerOfTwo && (n & (n - 1)) !== 0)) {
        const range = Number.isFinite(max) ? `in ${min}..${max}` : `>= ${min}`;
        throw new UsageError(`--${flag} must be ${powerOfTwo ? 'a power of two' : 'an integer'} ${range}, got ${JSON.stringify(text)}`);
      }
      return n;
    },
  };
}

/** A string option that must be one of `choices`. */
export function oneOf(choices) {
  return {
    type: 'string',
    parse(text, flag) {
      if (!choices.includes(text)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
      return text;
    },
  };
}

/** A comma-separated list whose items must be in `choices` (at least one item). */
export function listOf(choices) {
  return {
    type: 'string',
    parse(text, flag) {
      const items = text.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = items.filter((x) => !choices.includes(x));
      if (!items.length || bad.length) throw new UsageError(`--${flag} takes a comma-separated list of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
      return items;
    },
  };
}

/**
 * Returns { args } ({ values, positionals }) to go on with, or { exit } when the command is done:
 * 2 after a usage error (unknown flag, missing or malformed value; message and usage on stderr),
 * 0 after --help (usage on stdout). Values of options with a `parse` are converted.
 */
export function parseCommandArgs(name, argv, { options, allowPositionals = false, usage }, { stdout, stderr }) {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals, strict: true, options: { help: { type: 'boolean' }, ...options } });
    if (args.values.help) {
      stdout.write(usage);
      return { exit: 0 };
    }
    for (const [flag, spec] of Object.entries(options)) {
      const value = args.values[flag];
      if (spec.parse && value !== undefined) args.values[flag] = spec.multiple ? value.map((x) => spec.parse(x, flag)) : spec.parse(value, flag);
    }
  } catch (err) {
    stderr.write(`${name}: ${err.message}\n${usage}`);
    return { exit: 2 };
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
