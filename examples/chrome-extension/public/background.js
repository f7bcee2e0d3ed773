// The extension's service worker: opens the search page (index.html) when the toolbar button is
// clicked. The model runs in that page (or its Web Worker), not here: a service worker has no
// Worker constructor and may not import() modules, both of which ONNX Runtime's WebAssembly
// build needs; see README.md for the offscreen-document way to run it in the background.
chrome.action.onClicked.addListener(() => chrome.tabs.create({ url: chrome.runtime.getURL('index.html') }));
