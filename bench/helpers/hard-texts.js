// Unseen, awkward text for quantization accuracy (issue #14: "OCR pages, odd strings"), built
// deterministically from the shared STS sentences: no calibration set contains it.
//   pages  consecutive sentences of one corpus joined into 150-450 word pages, with the damage OCR
//          does: confusable letters swapped (rn/m, l/1, O/0), words hyphenated across line breaks,
//          running headers and page numbers, doubled spaces and stray marks
//   odd    short strings unlike prose: numbers and tables, URLs, code, emoji, repeated characters,
//          single letters, mixed scripts, shouting
import { loadAllCorpora } from '../../tests/helpers/shared-texts.js';

function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32; };
}

const CONFUSIONS = [['m', 'rn'], ['l', '1'], ['O', '0'], ['e', 'c'], ['i', 'í'], ['о', 'o'], ['а', 'a'], ['.', ','], ['의', '외']];

function ocrDamage(text, r, page) {
  let t = '';
  for (const word of text.split(' ')) {
    let w = word;
    if (r() < 0.06) { const [a, b] = CONFUSIONS[Math.floor(r() * CONFUSIONS.length)]; w = w.replace(a, b); }
    if (w.length > 6 && r() < 0.05) { const cut = 2 + Math.floor(r() * (w.length - 4)); w = `${w.slice(0, cut)}-\n${w.slice(cut)}`; }
    t += (r() < 0.03 ? '  ' : ' ') + w + (r() < 0.02 ? ' ¦' : '');
  }
  return `- ${page} -\nREPORT ${2000 + (page % 25)} | Section ${1 + (page % 7)}\n${t.trim()}\n${page}`;
}

/** OCR-like pages: { text, kind: 'page' }[]. */
export function ocrPages(count, { seed = 5, offset = 600 } = {}) {
  const corpora = Object.values(loadAllCorpora() ?? {});
  const r = rng(seed);
  const pages = [];
  for (let p = 0; pages.length < count; p++) {
    const c = corpora[p % corpora.length];
    const words = 150 + Math.floor(r() * 300);
    let text = '', i = offset + p * 40;
    while (text.split(' ').length < words && i < c.length) text += `${c[i++]} `;
    pages.push({ text: ocrDamage(text.trim(), r, p + 3), kind: 'page' });
  }
  return pages;
}

/** Odd strings: { text, kind: 'odd' }[]. */
export function oddStrings() {
  return [
    '12.5 | 13.7 | 14.1 | 15,320 | -0.04 | n/a', '2023-11-05T14:22:09Z ERROR [worker-3] retry=5', 'https://example.com/a/b?c=1&d=%20x#frag',
    'const x = arr.map((v) => v * 2).filter(Boolean);', 'SELECT id, name FROM users WHERE age > 30 ORDER BY name;', '🙂🙂🙂 👍🏽 🇰🇷 ❤️‍🔥',
    '!!!!!!!!!!!!!!!!!!!!!!!!', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'a', '?', '가', 'Я', 'THIS IS ALL CAPS AND VERY LOUD',
    '서울 Москва London 東京 2024', 'ﬁnance ﬂow Ⅻ ① ² ½ µm', '010-1234-5678 / +82 2 123 4567', 'user@example.org, admin@test.kr',
    '표 3. 연도별 매출 (단위: 억원) 2019 2020 2021', 'Рис. 4 — зависимость T(x) от x, K = 0,37', '((((((()))))))[[[]]]{{{}}}',
    '#hashtag @mention $TSLA %d %s \\n \\t', '..........................................', 'lorem ipsum dolor sit amet consectetur',
    '제1조(목적) 이 법은 ... 을 목적으로 한다.', 'ISBN 978-3-16-148410-0 · DOI 10.1000/182', '    leading and trailing spaces    ',
  ].map((text) => ({ text, kind: 'odd' }));
}

/** Pages and odd strings, interleaved. */
export function hardTexts(pageCount = 48) {
  const pages = ocrPages(pageCount), odd = oddStrings();
  const out = [];
  for (let i = 0; i < Math.max(pages.length, odd.length); i++) {
    if (i < pages.length) out.push(pages[i]);
    if (i < odd.length) out.push(odd[i]);
  }
  return out;
}
