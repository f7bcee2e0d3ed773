// Finds the `new URL('<literal>', import.meta.url)` expressions in a JavaScript source, skipping
// any inside comments and strings (wasmbed's own files show the pattern in comments and error
// messages). A scanner, not a parser: it knows comments, the three string forms and regular
// expression literals, which is all it takes to tell code from text in wasmbed's files.

const URL_EXPRESSION = /new\s+URL\(\s*(['"])([^'"\\\n]+)\1\s*,\s*import\.meta\.url\s*\)/g;
// After one of these a `/` starts a regular expression, not a division.
const BEFORE_REGEX = /(?:^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof|\bcase|\bdo|\belse|\bin|\bof|\bvoid|\bthrow|\bdelete|\bawait|\byield)\s*$/;

/** [start, end) ranges of the comments and string / template / regex literals of `src`. */
export function textRanges(src) {
  const ranges = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    let end = -1;
    if (c === '/' && next === '/') {
      end = src.indexOf('\n', i);
      if (end < 0) end = src.length;
    } else if (c === '/' && next === '*') {
      end = src.indexOf('*/', i + 2);
      end = end < 0 ? src.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      end = skipQuoted(src, i, c);
    } else if (c === '/' && BEFORE_REGEX.test(src.slice(Math.max(0, i - 12), i))) {
      end = skipRegex(src, i);
    }
    if (end > i) {
      ranges.push([i, end]);
      i = end;
    } else {
      i += 1;
    }
  }
  return ranges;
}

// Template literals are taken whole, `${...}` included: wasmbed never writes the pattern there.
function skipQuoted(src, start, quote) {
  let i = start + 1;
  while (i < src.length && src[i] !== quote) {
    if (src[i] === '\\') i += 1;
    else if (quote !== '`' && src[i] === '\n') break; // unterminated: stop at the line's end
    i += 1;
  }
  return Math.min(i + 1, src.length);
}

function skipRegex(src, start) {
  let i = start + 1;
  let inClass = false;
  while (i < src.length && src[i] !== '\n') {
    const c = src[i];
    if (c === '\\') i += 1;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return i + 1;
    i += 1;
  }
  return start + 1; // not a regular expression after all
}

/**
 * The `new URL('<literal>', import.meta.url)` expressions of `src` that are code:
 * [{ start, end, specifier, worker }], `worker` when the expression is `new Worker(...)`'s first argument.
 */
export function urlExpressions(src) {
  const ranges = textRanges(src);
  const inText = (pos) => ranges.some(([a, b]) => pos >= a && pos < b);
  const found = [];
  for (const m of src.matchAll(URL_EXPRESSION)) {
    if (inText(m.index)) continue;
    const before = src.slice(Math.max(0, m.index - 40), m.index);
    found.push({ start: m.index, end: m.index + m[0].length, specifier: m[2], worker: /\bnew\s+Worker\(\s*$/.test(before) });
  }
  return found;
}
