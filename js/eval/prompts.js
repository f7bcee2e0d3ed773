// Which prompt text goes before queries and passages. An explicit option wins: a prompt name the
// model defines ('query', 'passage', ...) or literal text ('' for none). Otherwise the model's own
// 'query' / 'passage' prompts (multilingual-e5, KoE5: "query: " / "passage: "), else its default
// prompt, else nothing. Returned as text, so the cache key and the report say exactly what ran.

/** @param {{ prompts?: Record<string,string>, defaultPrompt?: string|null }} info Embedder#info */
export function resolvePrompt(info, explicit, role) {
  const prompts = info.prompts ?? {};
  if (explicit !== undefined && explicit !== null) {
    return Object.prototype.hasOwnProperty.call(prompts, explicit) ? prompts[explicit] : explicit;
  }
  if (Object.prototype.hasOwnProperty.call(prompts, role)) return prompts[role];
  if (info.defaultPrompt && Object.prototype.hasOwnProperty.call(prompts, info.defaultPrompt)) return prompts[info.defaultPrompt];
  return '';
}
