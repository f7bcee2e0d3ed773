// Progress on stderr: a redrawn bar with rate and ETA on a TTY, plain lines (start, each 10%, end)
// otherwise.
import test from 'node:test';
import assert from 'node:assert/strict';
import { progressPrinter } from '../../js/eval/index.js';

function sink(isTTY) {
  const out = { isTTY, text: '', write(s) { out.text += s; return true; } };
  return out;
}

test('plain lines: one per tenth and one at the end, with rate and ETA', () => {
  const s = sink(false);
  let now = 0;
  const p = progressPrinter(s, { now: () => now });
  for (let done = 0; done <= 100; done += 5) { now = done * 100; p({ stage: 'embed corpus', done, total: 100 }); }
  const lines = s.text.trim().split('\n');
  assert.equal(lines.length, 11, s.text); // deciles 0..9 and the end
  assert.match(lines[5], /^embed corpus: 50\/100 10\/s, ETA 0:05$/);
  assert.match(lines.at(-1), /^embed corpus: 100\/100 10\/s \(done in 0:10\)$/);
  assert.ok(!s.text.includes('\r'));
});

test('TTY: a bar redrawn in place, throttled, ending with a newline', () => {
  const s = sink(true);
  let now = 0;
  const p = progressPrinter(s, { now: () => now, width: 10 });
  p({ stage: 'search dense', done: 0, total: 4 });
  now = 50; p({ stage: 'search dense', done: 1, total: 4 }); // within 100 ms: not drawn
  now = 1000; p({ stage: 'search dense', done: 2, total: 4 });
  now = 2000; p({ stage: 'search dense', done: 4, total: 4 });
  const frames = s.text.split('\r').filter(Boolean);
  assert.equal(frames.length, 3);
  assert.match(frames[1], /^search dense \[#####\.\.\.\.\.\] 2\/4 2\.0\/s ETA 0:01/);
  assert.match(frames[2], /\[##########\] 4\/4 2\.0\/s done in 0:02\x1b\[K\n$/);
});
