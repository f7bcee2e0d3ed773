// Driving the search demo page (demo/) from browser tests: its test hooks live on window.__demo.

/** Waits until the page's model is loaded and no indexing is running. */
export async function waitDemoReady(page, timeout = 60_000) {
  await page.waitForFunction(() => window.__demo?.model?.state === 'ready' && !window.__demo.indexing, null, { timeout });
}

/** Runs `query` in search mode `mode` and returns the results shown for exactly that query. */
export async function searchDemo(page, query, mode) {
  await page.check(`input[name=mode][value=${mode}]`);
  await page.fill('#q', query);
  // Enter runs the search at once (the input handler is debounced): after it, state.seq is this
  // query's sequence number, and any older response (e.g. the mode change's search of the previous
  // query) is dropped by the page, so waiting for exactly this seq cannot see stale results.
  await page.press('#q', 'Enter');
  const seq = await page.evaluate(() => window.__demo.seq);
  await page.waitForFunction((s) => window.__demo.shownSeq === s, seq, { timeout: 15_000 });
  return page.$$eval('#results .result', (items) => items.map((li) => ({
    title: li.querySelector('.result-title').textContent,
    docId: li.dataset.docId,
    score: li.querySelector('.result-score').textContent,
    where: li.querySelector('.result-where').textContent,
    passage: li.querySelector('.result-passage').textContent,
    marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
  })));
}
