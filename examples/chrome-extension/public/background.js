// The extension's service worker. It opens the search page (index.html) when the toolbar button
// is clicked. It cannot run the model itself: a service worker may not import() modules and has
// no Worker constructor, both of which ONNX Runtime's WebAssembly build needs. An offscreen
// document can: it is an extension page, so index.html runs there as it runs in a tab, and sends
// its result back with chrome.runtime.sendMessage (searchOffscreen below).
chrome.action.onClicked.addListener(() => chrome.tabs.create({ url: chrome.runtime.getURL('index.html') }));

/** Runs the search page in an offscreen document; resolves to its result ({ hits, ... } or { error }). */
globalThis.searchOffscreen = async (query = '') => {
  const result = new Promise((resolve) => {
    chrome.runtime.onMessage.addListener(function listener(msg) {
      if (msg?.type !== 'wasmbed-result') return;
      chrome.runtime.onMessage.removeListener(listener);
      resolve(msg.result);
    });
  });
  await chrome.offscreen.createDocument({
    url: `index.html${query}`,
    reasons: ['WORKERS'],
    justification: 'runs the embedding model (WebAssembly, Web Workers)',
  });
  try {
    return await result;
  } finally {
    await chrome.offscreen.closeDocument();
  }
};
