// Works out how a model is to be used (pooling, normalization, length limit, prompts) from, in
// order of precedence: the caller's explicit options, the model's own sentence-transformers files
// (modules.json, 1_Pooling/config.json, sentence_bert_config.json,
// config_sentence_transformers.json), then wasmbed's manifest for the model, then
// sentence-transformers' own defaults (mean pooling, no normalization).
import { InvalidArgumentError } from '../errors.js';
import { loadManifest } from './manifests.js';

export const POOLING_MODES = ['mean', 'cls', 'max', 'last'];

/** Reads an optional JSON file of the model; null when it does not exist. */
async function optionalJson(src, name) {
  if (!(await src.exists(name))) return null;
  return src.json(name);
}

function poolingFromConfig(cfg) {
  if (!cfg) return undefined;
  if (cfg.pooling_mode_cls_token) return 'cls';
  if (cfg.pooling_mode_lasttoken) return 'last';
  if (cfg.pooling_mode_max_tokens) return 'max';
  if (cfg.pooling_mode_mean_tokens) return 'mean';
  return undefined;
}

/**
 * Reads the sentence-transformers files of a model source. Returns only what the files say:
 * { pooling?, normalize?, maxLength?, prompts?, defaultPrompt? }.
 */
export async function readModelSettings(src) {
  const out = {};
  const modules = await optionalJson(src, 'modules.json');
  if (Array.isArray(modules)) {
    const poolingModule = modules.find((m) => /models\.Pooling$/.test(m.type ?? ''));
    if (poolingModule) {
      const dir = (poolingModule.path ?? '').replace(/\/+$/, '');
      out.pooling = poolingFromConfig(await optionalJson(src, `${dir ? dir + '/' : ''}config.json`));
    }
    out.normalize = modules.some((m) => /models\.Normalize$/.test(m.type ?? ''));
  }
  const sbert = await optionalJson(src, 'sentence_bert_config.json');
  if (sbert && Number.isInteger(sbert.max_seq_length) && sbert.max_seq_length > 0) out.maxLength = sbert.max_seq_length;
  const stc = await optionalJson(src, 'config_sentence_transformers.json');
  if (stc?.prompts && typeof stc.prompts === 'object' && Object.keys(stc.prompts).length) out.prompts = { ...stc.prompts };
  if (stc?.default_prompt_name) out.defaultPrompt = stc.default_prompt_name;
  return out;
}

/**
 * Merges explicit options > model files > manifest > defaults. `limit` is the most positions the
 * architecture can take (config.json), which no setting may exceed.
 */
export function resolveSettings({ options = {}, files = {}, manifest = null, limit = Infinity }) {
  const pick = (key, fallback) => options[key] ?? files[key] ?? manifest?.[key] ?? fallback;
  const pooling = pick('pooling', 'mean');
  if (!POOLING_MODES.includes(pooling)) {
    throw new InvalidArgumentError(`pooling must be one of ${POOLING_MODES.join(', ')}, got ${JSON.stringify(pooling)}`);
  }
  const normalize = Boolean(pick('normalize', false));
  let maxLength = pick('maxLength', limit);
  if (!Number.isInteger(maxLength) && maxLength !== Infinity) throw new InvalidArgumentError(`maxLength must be a positive integer, got ${maxLength}`);
  if (maxLength <= 0) throw new InvalidArgumentError(`maxLength must be a positive integer, got ${maxLength}`);
  maxLength = Math.min(maxLength, limit);
  if (maxLength === Infinity) maxLength = 512;
  const prompts = { ...(manifest?.prompts ?? {}), ...(files.prompts ?? {}), ...(options.prompts ?? {}) };
  for (const [k, v] of Object.entries(prompts)) {
    if (typeof v !== 'string') throw new InvalidArgumentError(`prompts.${k} must be a string`);
  }
  const defaultPrompt = options.defaultPrompt ?? files.defaultPrompt ?? manifest?.defaultPrompt ?? null;
  const sources = {};
  for (const key of ['pooling', 'normalize', 'maxLength']) {
    sources[key] = options[key] !== undefined ? 'options' : files[key] !== undefined ? 'model' : manifest?.[key] !== undefined ? 'manifest' : 'default';
  }
  return { pooling, normalize, maxLength, prompts, defaultPrompt, sources };
}

/** Positions an encoder can take: RoBERTa-family models reserve padding_idx + 1 of them. */
export function positionLimit(config) {
  const max = config?.max_position_embeddings;
  if (!Number.isInteger(max)) return Infinity;
  const type = config.model_type;
  if (type === 'roberta' || type === 'xlm-roberta' || type === 'camembert') return max - (config.pad_token_id ?? 1) - 1;
  return max;
}

/** Manifest for a model: explicit `manifest` option (id or object), else by Hub id. */
export async function manifestFor(sourceId, option) {
  if (option === false) return null;
  if (option && typeof option === 'object') return option;
  if (typeof option === 'string') {
    const m = await loadManifest(option);
    if (!m) throw new InvalidArgumentError(`no wasmbed manifest for ${JSON.stringify(option)}`);
    return m;
  }
  return loadManifest(sourceId);
}
