// The error for a file a model needs but its source does not have, saying who decided: the model
// itself, a not-found answer remembered in the cache from an earlier load, or localFilesOnly with
// nothing cached. Without that, "the model has no tokenizer.json" would send a user looking for a
// file that exists on the server.
import { ModelLoadError } from '../errors.js';

/** what: "the model has no tokenizer.json"; names: the files looked for (the first is reported). */
export function missingFileError(src, what, names) {
  const reasons = names.map((n) => src.whyMissing?.(n) ?? null);
  const file = names[0];
  if (reasons.every((r) => r === 'localFilesOnly')) {
    return new ModelLoadError(`${file} is not in the cache and localFilesOnly is set (${what.replace(/^the model has no /, 'looked for ')}): load the model once with network access first`, { file });
  }
  if (reasons.some((r) => r === 'cache')) {
    return new ModelLoadError(`${what}: the server's not-found answer is remembered in the cache from an earlier load; clearCache() (or a new revision) asks the server again`, { file });
  }
  return new ModelLoadError(what, { file });
}
