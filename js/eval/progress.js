// Progress for long evaluations, written to a stream (stderr in the CLI): on a TTY one bar line
// redrawn in place with rate and ETA; otherwise plain lines (start, every 10%, end), which read
// well in CI logs and files.

function clock(seconds) {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/**
 * Returns onProgress({ stage, done, total }) for evaluateRetrieval / evaluateSts / compare.
 * @param {NodeJS.WritableStream} stream
 * @param {{ tty?: boolean, width?: number, now?: () => number }} options
 */
export function progressPrinter(stream, { tty = Boolean(stream.isTTY), width = 28, now = () => Date.now() } = {}) {
  let stage = null;
  let started = 0;
  let lastDraw = -Infinity;
  let lastDecile = -1;
  return ({ stage: s, done, total }) => {
    const t = now();
    if (s !== stage) {
      stage = s;
      started = t;
      lastDraw = -Infinity;
      lastDecile = -1;
    }
    const seconds = Math.max((t - started) / 1000, 1e-9);
    const rate = done / seconds;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const finished = done >= total;
    const summary = `${done}/${total} ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s`;
    if (tty) {
      if (!finished && t - lastDraw < 100) return;
      lastDraw = t;
      const filled = total ? Math.round((done / total) * width) : width;
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      const tail = finished ? `done in ${clock(seconds)}` : `ETA ${clock(eta)}`;
      stream.write(`\r${stage} [${bar}] ${summary} ${tail}\x1b[K${finished ? '\n' : ''}`);
      return;
    }
    const decile = total ? Math.floor((done / total) * 10) : 10;
    if (decile === lastDecile && !finished) return;
    if (finished && lastDecile === 10) return;
    lastDecile = decile;
    stream.write(`${stage}: ${summary}${finished ? ` (done in ${clock(seconds)})` : `, ETA ${clock(eta)}`}\n`);
  };
}
