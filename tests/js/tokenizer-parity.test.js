// Byte-exact parity of wasmbed's tokenizers with the oracles (HF tokenizers in Rust for
// tokenizer.json, SentencePiece for .model), on the committed hostile strings, generated 100k-char
// strings and every sentence of ../shared/texts. Expectations are committed
// (tests/fixtures/tokenizers/expected, made by scripts/make-tokenizer-fixtures.sh), so this runs
// without the oracles; when they are installed the "live oracle" subtests re-run them and check the
// committed expectations are still what they say. Failures are listed in
// build/tokenizer-parity/<tokenizer>.txt (text, expected ids, got ids).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Tokenizer } from '../../js/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { loadAllCorpora } from '../helpers/shared-texts.js';
import {
  FIXTURE_TOKENIZERS, codePointToUtf16Offsets, generatedStrings, hashIds, hexToBytes, loadExpected, loadHostile,
  modelPath, sharedTokenizerPath,
} from '../helpers/tokenizer-fixtures.js';
import { convertSentencePiece } from '../../scripts/tokenizer-fixtures/spm-convert.js';
import { skipUnless } from '../helpers/skip.js';

const hostile = loadHostile();
const generated = generatedStrings();
const corpora = loadAllCorpora();
const FAILURE_DIR = path.join(REPO_ROOT, 'build', 'tokenizer-parity');

let HfTokenizer = null;
try {
  ({ Tokenizer: HfTokenizer } = await import('@anush008/tokenizers'));
} catch { /* oracle not installed: committed expectations only */ }
const hasPythonSpm = spawnSync('/usr/bin/python3', ['-c', 'import sentencepiece'], { stdio: 'ignore' }).status === 0;

function jsonOf(spec) {
  if (spec.shared) return readFileSync(sharedTokenizerPath(spec.shared), 'utf8');
  return JSON.stringify(convertSentencePiece(readFileSync(modelPath(spec.model)), spec.flavor));
}

async function loadWasmbed(spec) {
  if (spec.kind === 'json') return Tokenizer.fromJSON(jsonOf(spec));
  return Tokenizer.fromSentencePiece(readFileSync(modelPath(spec.model)), { flavor: spec.flavor });
}

const show = (text) => {
  const s = JSON.stringify(text);
  return s.length > 160 ? `${s.slice(0, 160)}…(${text.length} chars)` : s;
};
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Collects mismatches; `assertNone` fails with the first few and writes them all to build/. */
class Mismatches {
  constructor(name) { this.name = name; this.list = []; this.checked = 0; }
  check(what, label, text, want, got) {
    this.checked++;
    if (!same(want, got)) this.list.push({ what, label, text, want, got });
  }
  assertNone(t, scope) {
    const mine = this.list.filter((m) => m.what.startsWith(scope));
    if (!mine.length) return;
    mkdirSync(FAILURE_DIR, { recursive: true });
    const file = path.join(FAILURE_DIR, `${this.name}.txt`);
    writeFileSync(file, this.list.map((m) =>
      `${m.what} ${m.label}\n  text: ${show(m.text)}\n  want: ${JSON.stringify(m.want)}\n  got:  ${JSON.stringify(m.got)}\n`).join(''));
    const head = mine.slice(0, 3).map((m) =>
      `${m.what} ${m.label} ${show(m.text)}\n    want ${JSON.stringify(m.want).slice(0, 300)}\n    got  ${JSON.stringify(m.got).slice(0, 300)}`);
    assert.fail(`${this.name}: ${mine.length} mismatches in ${scope} (all in ${path.relative(REPO_ROOT, file)}):\n  ${head.join('\n  ')}`);
  }
}

for (const spec of FIXTURE_TOKENIZERS) {
  const missing = spec.shared && !existsSync(sharedTokenizerPath(spec.shared));
  const skip = skipUnless(!missing, `../shared/${spec.shared} is absent`);
  const detailed = spec.kind === 'json' || spec.expect; // HF expectations carry tokens + offsets

  test(`tokenizer parity: ${spec.name}`, { skip }, async (t) => {
    const tok = await loadWasmbed(spec);
    const exp = loadExpected(spec.expect ?? spec.name);
    const mm = new Mismatches(spec.name);
    try {
      const strings = (group, items) => {
        for (const { name, text } of items) {
          const want = exp[group][name];
          const got = tok.encode(text);
          mm.check(`${group}.ids`, name, text, want.ids, Array.from(got.ids));
          if (!detailed) continue;
          mm.check(`${group}.tokens`, name, text, want.tokens, got.tokens);
          mm.check(`${group}.offsets`, name, text, want.offsets.flat(), got.offsets.flat());
          mm.check(`${group}.noSpecial`, name, text, want.idsNoSpecial, Array.from(tok.encode(text, { addSpecialTokens: false }).ids));
        }
      };

      await t.test('hostile strings (ids, tokens, UTF-16 offsets)', () => {
        strings('strings', hostile.strings);
        mm.assertNone(t, 'strings');
      });

      await t.test('lone surrogates through the JS string API', () => {
        strings('loneSurrogates', hostile.loneSurrogates);
        mm.assertNone(t, 'loneSurrogates');
      });

      await t.test('invalid UTF-8 through encodeBytes', () => {
        for (const { name, hex } of hostile.invalidUtf8) {
          const bytes = hexToBytes(hex);
          mm.check('invalidUtf8.ids', name, new TextDecoder().decode(bytes), exp.invalidUtf8[name].ids, Array.from(tok.encodeBytes(bytes).ids));
        }
        mm.assertNone(t, 'invalidUtf8');
      });

      await t.test('generated 100k-char strings', () => {
        for (const { name, text } of generated) {
          const ids = tok.encode(text).ids;
          const want = exp.generated[name];
          mm.check('generated', name, text, [want.length, want.hash], [ids.length, hashIds(ids)]);
        }
        mm.assertNone(t, 'generated');
      });

      await t.test('every sentence of ../shared/texts', { skip: skipUnless(corpora, '../shared/texts is absent') }, () => {
        let lines = 0;
        for (const [cname, sentences] of Object.entries(corpora)) {
          const c = exp.corpora?.[cname];
          assert.ok(c, `no committed expectations for ${cname}: run scripts/make-tokenizer-fixtures.sh`);
          assert.equal(c.count, sentences.length, `${cname}: corpus changed since the expectations were made`);
          // Hashes through encodeBatch (same C++ encode per row, far fewer boundary crossings);
          // the sampled lines through encode() with full ids and offsets.
          for (let start = 0; start < sentences.length; start += 256) {
            const chunk = sentences.slice(start, start + 256);
            const b = tok.encodeBatch(chunk);
            const seq = b.shape[1];
            chunk.forEach((text, k) => {
              const i = start + k;
              const ids = b.ids.subarray(k * seq, k * seq + b.lengths[k]);
              const sample = c.sample[i];
              if (sample) {
                const enc = tok.encode(text);
                mm.check('corpus.ids', `${cname}[${i}]`, text, sample.ids, Array.from(enc.ids));
                mm.check('corpus.batchIds', `${cname}[${i}]`, text, sample.ids, Array.from(ids));
                if (sample.offsets) mm.check('corpus.offsets', `${cname}[${i}]`, text, sample.offsets.flat(), enc.offsets.flat());
              } else {
                mm.check('corpus.hash', `${cname}[${i}]`, text, [c.hashes[i]], [hashIds(ids)]);
              }
              lines++;
            });
          }
          for (const [p, want] of Object.entries(c.pairs ?? {})) {
            const enc = tok.encode(sentences[2 * p], { pair: sentences[2 * p + 1] });
            mm.check('corpus.pair.ids', `${cname} pair ${p}`, sentences[2 * p], want.ids, Array.from(enc.ids));
            mm.check('corpus.pair.typeIds', `${cname} pair ${p}`, sentences[2 * p], want.typeIds, Array.from(enc.typeIds));
          }
        }
        const bad = mm.list.filter((m) => m.what.startsWith('corpus')).length;
        t.diagnostic(`${spec.name}: ${lines - bad}/${lines} shared sentences byte-exact`);
        mm.assertNone(t, 'corpus');
      });

      const liveSkip = spec.kind === 'json' || spec.expect
        ? skipUnless(HfTokenizer, '@anush008/tokenizers is not installed (committed expectations only)')
        : skipUnless(hasPythonSpm, 'python3-sentencepiece is not installed (committed expectations only)');
      await t.test('live oracle agrees with the committed expectations', { skip: liveSkip }, async () => {
        const texts = [...hostile.strings, ...hostile.loneSurrogates];
        if (spec.kind === 'json' || spec.expect) {
          // A .model checked against a converted json's expectations re-runs HF on that json.
          const json = jsonOf(spec.expect ? FIXTURE_TOKENIZERS.find((x) => x.name === spec.expect) : spec);
          const hf = HfTokenizer.fromString(json);
          hf.disablePadding(); // as make-expectations.js: wasmbed's encode() does not pad
          for (const { name, text } of texts) {
            const e = await hf.encode(text, null, { addSpecialTokens: true });
            const want = exp.strings[name] ?? exp.loneSurrogates[name];
            assert.deepEqual(e.getIds(), want.ids, `stale expectation for ${name}: re-run scripts/make-tokenizer-fixtures.sh`);
            assert.deepEqual(codePointToUtf16Offsets(text, e.getOffsets()), want.offsets, `stale offsets for ${name}`);
          }
          if (corpora) {
            for (const [cname, sentences] of Object.entries(corpora)) {
              // Every 10th sentence: enough to catch stale files, cheap enough for `npm test`.
              const picked = sentences.map((text, i) => [text, i]).filter(([, i]) => i % 10 === 0);
              const encs = await hf.encodeBatch(picked.map(([text]) => text), { addSpecialTokens: true });
              encs.forEach((e, k) => {
                const i = picked[k][1];
                const c = exp.corpora[cname];
                const want = c.sample[i] ? hashIds(c.sample[i].ids) : c.hashes[i];
                assert.equal(hashIds(e.getIds()), want, `stale expectation for ${cname}[${i}]`);
              });
            }
          }
        } else {
          const r = spawnSync('/usr/bin/python3', [path.join(REPO_ROOT, 'scripts/tokenizer-fixtures/spm_oracle.py')], {
            input: JSON.stringify({ model: modelPath(spec.model), texts: texts.map((x) => x.text.toWellFormed()) }),
            maxBuffer: 1 << 28,
          });
          assert.equal(r.status, 0, r.stderr?.toString());
          const ids = JSON.parse(r.stdout.toString());
          texts.forEach(({ name }, i) => {
            const want = (exp.strings[name] ?? exp.loneSurrogates[name]).ids;
            assert.deepEqual(ids[i], want, `stale expectation for ${name}`);
          });
        }
      });
    } finally {
      tok.dispose();
    }
  });
}
