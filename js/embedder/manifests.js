// Built-in settings for known models (models/manifests/<org>--<name>.json): pooling, normalize,
// length limit and prompts, for repositories whose own files lack them (e.g. KoE5's required
// "query: " / "passage: " prefixes) or lack sentence-transformers configs altogether.
import { isNode } from '../internal/env.js';
import { InvalidArgumentError } from '../errors.js';

const MANIFEST_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;
const cache = new Map();

/** The manifest for a Hub id, or null when wasmbed has none. */
export async function loadManifest(id) {
  if (typeof id !== 'string' || !MANIFEST_ID.test(id)) return null;
  if (!cache.has(id)) cache.set(id, read(id));
  return cache.get(id);
}

async function read(id) {
  const url = new URL(`../../models/manifests/${id.replace('/', '--')}.json`, import.meta.url);
  let text;
  try {
    if (isNode) {
      const { readFile } = (await import('#node-builtins')).fs;
      text = await readFile(url, 'utf8');
    } else {
      const res = await fetch(url);
      if (!res.ok) return null;
      text = await res.text();
    }
  } catch {
    return null; // unknown model: no manifest
  }
  const m = JSON.parse(text);
  if (m.id !== id) throw new InvalidArgumentError(`manifest for ${id} names ${m.id}`);
  return m;
}
