// Chunker: passages by token count with overlap, cut at sentence ends, pointing back to the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chunkSpans, chunkDocument, sentenceBreaks } from '../../js/search/chunker.js';
import { InvalidArgumentError } from '../../js/errors.js';

// Word/punctuation spans: the pure chunkSpans() only needs token character ranges.
function wordSpans(text) {
  const out = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)) out.push(m.index, m.index + m[0].length);
  return Int32Array.from(out);
}

function sentences(count, wordsEach, make = (i, j) => `w${i}x${j}`) {
  const out = [];
  for (let i = 0; i < count; i += 1) {
    const words = [];
    for (let j = 0; j < wordsEach; j += 1) words.push(make(i, j));
    out.push(words.join(' ') + '.');
  }
  return out.join(' ');
}

function checkInvariants(text, spans, passages, { maxTokens, overlapTokens }) {
  const n = spans.length / 2;
  assert.equal(passages[0].tokenStart, 0);
  assert.equal(passages.at(-1).tokenEnd, n);
  for (const [k, p] of passages.entries()) {
    assert.ok(p.tokenEnd - p.tokenStart <= maxTokens, `passage ${k} has ${p.tokenEnd - p.tokenStart} > ${maxTokens} tokens`);
    assert.ok(p.tokenEnd > p.tokenStart);
    assert.equal(p.start, spans[2 * p.tokenStart]);
    assert.equal(p.end, spans[2 * (p.tokenEnd - 1) + 1]);
    if (k > 0) {
      const prev = passages[k - 1];
      assert.ok(p.tokenStart > prev.tokenStart, 'progress');
      assert.ok(p.tokenStart <= prev.tokenEnd, 'no gap: every token is in some passage');
      assert.ok(prev.tokenEnd - p.tokenStart <= overlapTokens, 'overlap bounded');
    }
  }
}

test('short text is one passage covering all tokens', () => {
  const text = '  Hello, world!  ';
  const spans = wordSpans(text);
  const passages = chunkSpans(text, spans, { maxTokens: 10, overlapTokens: 2 });
  assert.deepEqual(passages, [{ tokenStart: 0, tokenEnd: 4, start: 2, end: 15 }]);
  assert.equal(text.slice(2, 15), 'Hello, world!');
});

test('empty and whitespace-only text give no passages', () => {
  assert.deepEqual(chunkSpans('', new Int32Array(0)), []);
  assert.deepEqual(chunkSpans('   \n ', wordSpans('   \n ')), []);
});

test('long text: every passage within the limit, overlapping, cut at sentence ends', () => {
  const text = sentences(40, 9); // 40 sentences of 10 tokens (9 words + '.')
  const spans = wordSpans(text);
  const opts = { maxTokens: 32, overlapTokens: 8 };
  const passages = chunkSpans(text, spans, opts);
  checkInvariants(text, spans, passages, opts);
  assert.ok(passages.length >= 400 / 32);
  for (const p of passages.slice(0, -1)) {
    assert.ok(text.slice(p.start, p.end).endsWith('.'), `passage ends at a sentence end: ${text.slice(p.start, p.end)}`);
  }
  // 10-token sentences are longer than the 8-token overlap window, so no sentence starts inside
  // it: the next passage repeats exactly 8 tokens (starting at a word).
  for (let k = 1; k < passages.length; k += 1) assert.equal(passages[k - 1].tokenEnd - passages[k].tokenStart, 8);
  // With a 12-token window the previous sentence start is reachable and preferred.
  const wide = chunkSpans(text, spans, { maxTokens: 32, overlapTokens: 12 });
  checkInvariants(text, spans, wide, { maxTokens: 32, overlapTokens: 12 });
  for (const p of wide) assert.ok(/^w\d+x0\b/.test(text.slice(p.start, p.end)), `starts at a sentence: ${text.slice(p.start, p.end)}`);
});

test('overlap repeats the requested number of tokens when no sentence boundary is near', () => {
  const text = Array.from({ length: 100 }, (_, i) => `t${i}`).join(' '); // no punctuation at all
  const spans = wordSpans(text);
  const opts = { maxTokens: 20, overlapTokens: 5 };
  const passages = chunkSpans(text, spans, opts);
  checkInvariants(text, spans, passages, opts);
  for (let k = 1; k < passages.length; k += 1) assert.equal(passages[k - 1].tokenEnd - passages[k].tokenStart, 5);
  assert.equal(passages[0].tokenEnd, 20);
});

test('zero overlap tiles the tokens exactly', () => {
  const text = sentences(10, 7);
  const spans = wordSpans(text);
  const passages = chunkSpans(text, spans, { maxTokens: 16, overlapTokens: 0 });
  for (let k = 1; k < passages.length; k += 1) assert.equal(passages[k].tokenStart, passages[k - 1].tokenEnd);
});

test('Korean sentence endings (다. / 요?) and newlines are cut points', () => {
  const lines = [];
  for (let i = 0; i < 30; i += 1) lines.push(`한 남자가 ${i}번째 기타를 치고 있다. 정말 그런가요? 네 맞습니다`);
  const text = lines.join('\n');
  const breaks = sentenceBreaks(text);
  assert.ok(breaks.has(text.indexOf('있다.') + 3), 'after 다.');
  assert.ok(breaks.has(text.indexOf('그런가요?') + 5), 'after 요?');
  assert.ok(breaks.has(text.indexOf('\n')), 'newline');
  const spans = wordSpans(text);
  const opts = { maxTokens: 25, overlapTokens: 6 };
  const passages = chunkSpans(text, spans, opts);
  checkInvariants(text, spans, passages, opts);
  for (const p of passages.slice(0, -1)) {
    const t = text.slice(p.start, p.end);
    assert.ok(/[.?]$|습니다$/.test(t), `Korean passage ends at a sentence end: ${JSON.stringify(t)}`);
  }
});

test('CJK full stop needs no space; decimals and abbreviations inside words do not split', () => {
  const breaks = sentenceBreaks('今日は晴れ。明日は雨！pi is 3.14 and e.g.x stays');
  assert.ok(breaks.has(6) && breaks.has(11));
  assert.equal([...breaks.keys()].filter((p) => p > 11).length, 0);
  const quoted = 'He said "stop." Then left.';
  assert.ok(sentenceBreaks(quoted).has(quoted.indexOf('"', 9) + 1), 'closing quote stays with its sentence');
});

test('paragraph breaks win over sentence ends inside the window', () => {
  const para = (i) => `Para ${i} one. Para ${i} two. Para ${i} three.`;
  const text = [para(1), para(2), para(3), para(4)].join('\n\n');
  const spans = wordSpans(text);
  // Each paragraph is 12 tokens; a 30-token window holds 2.5 paragraphs -> cut after 2 paragraphs.
  const passages = chunkSpans(text, spans, { maxTokens: 30, overlapTokens: 0 });
  assert.equal(text.slice(passages[0].start, passages[0].end), `${para(1)}\n\n${para(2)}`);
});

test('text without any word boundary falls back to a hard cut at maxTokens', () => {
  const text = 'x'.repeat(50);
  const spans = new Int32Array(100);
  for (let i = 0; i < 50; i += 1) { spans[2 * i] = i; spans[2 * i + 1] = i + 1; }
  const passages = chunkSpans(text, spans, { maxTokens: 16, overlapTokens: 4 });
  checkInvariants(text, spans, passages, { maxTokens: 16, overlapTokens: 4 });
  assert.equal(passages[0].tokenEnd, 16);
  assert.equal(passages[1].tokenStart, 12);
});

test('chunkDocument uses the tokenizer offsets and returns passages pointing into the document', async () => {
  // A tokenizer whose encode() reports UTF-16 [start, end) offsets, as wasmbed's Tokenizer does.
  const wordTokenizer = {
    encode(text) {
      const spans = wordSpans(text);
      const offsets = [];
      for (let i = 0; i < spans.length; i += 2) offsets.push([spans[i], spans[i + 1]]);
      return { ids: offsets.map((_, i) => i), offsets };
    },
  };
  const text = sentences(20, 5, (i, j) => `가나${i}다${j}`);
  const passages = await chunkDocument({ id: 'doc-7', text }, wordTokenizer, { maxTokens: 20, overlapTokens: 4 });
  assert.ok(passages.length > 3);
  for (const [k, p] of passages.entries()) {
    assert.equal(p.docId, 'doc-7');
    assert.equal(p.index, k);
    assert.equal(p.text, text.slice(p.start, p.end));
    assert.ok(p.text.endsWith('.') || k === passages.length - 1);
  }
});

test('bad arguments throw InvalidArgumentError', async () => {
  assert.throws(() => chunkSpans('a b', wordSpans('a b'), { maxTokens: 0 }), InvalidArgumentError);
  assert.throws(() => chunkSpans('a b', wordSpans('a b'), { maxTokens: 4, overlapTokens: 4 }), InvalidArgumentError);
  assert.throws(() => chunkSpans('a b', wordSpans('a b'), { maxTokens: 4, minFill: 0 }), InvalidArgumentError);
  await assert.rejects(chunkDocument({ id: 1, text: 42 }, { encode() {} }), InvalidArgumentError);
  await assert.rejects(chunkDocument({ id: 1, text: 'x' }, {}), InvalidArgumentError);
  await assert.rejects(chunkDocument(null, {}), InvalidArgumentError);
});

test('chunkDocument with a real Tokenizer (generated WordPiece): passages fit the model after re-tokenizing', async () => {
  const { Tokenizer } = await import('../../js/tokenizer/tokenizer.js');
  const { syntheticWordPiece } = await import('../../models/generator/tokenizer-files.js');
  const tokenizer = await Tokenizer.fromJSON(JSON.stringify(syntheticWordPiece().tokenizer));
  const korean = Array.from({ length: 40 }, (_, i) => `한 남자가 ${i}번째 기타를 치고 있다.`).join(' ');
  const english = Array.from({ length: 30 }, (_, i) => `A man is playing guitar number ${i}! Is he?`).join('\n');
  const text = `${korean}\n\n${english} 😀 end`;
  const maxTokens = 48;
  const passages = await chunkDocument({ id: 'mixed', text }, tokenizer, { maxTokens, overlapTokens: 8 });
  assert.ok(passages.length > 5);
  const total = tokenizer.encode(text, { addSpecialTokens: false }).ids.length;
  assert.equal(passages.at(-1).tokenEnd, total);
  for (const p of passages) {
    assert.equal(p.text, text.slice(p.start, p.end));
    // The embedder re-tokenizes the passage text: it must still fit (cuts fall between words).
    const n = tokenizer.encode(p.text, { addSpecialTokens: false }).ids.length;
    assert.equal(n, p.tokenEnd - p.tokenStart, `re-tokenized passage ${p.index} keeps its token count`);
    assert.ok(n <= maxTokens);
  }
  for (const p of passages.slice(0, -1)) assert.match(p.text, /[.!?]$/, `ends at a sentence: ${p.text.slice(-20)}`);
  tokenizer.dispose?.();
});
