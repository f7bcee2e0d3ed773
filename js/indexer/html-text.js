// HTML documents to plain text for embedding, with html-to-text (a maintained converter that
// knows block elements, lists, tables and entities). Script, style and other invisible parts are
// dropped; headings keep their case (the default upper-cases them, which changes the tokens the
// model sees); links and images keep their text only (URLs are noise to an embedding model).
import { convert } from 'html-to-text';

const OPTIONS = {
  wordwrap: false,
  selectors: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ...['script', 'style', 'noscript', 'template', 'svg', 'nav', 'head'].map((selector) => ({ selector, format: 'skip' })),
  ],
};

/** The visible text of an HTML document (title first when there is one). */
export function htmlToText(html) {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const body = convert(html, OPTIONS).trim();
  const head = title ? convert(title, { wordwrap: false }).trim() : '';
  return head && !body.startsWith(head) ? `${head}\n\n${body}` : body;
}
