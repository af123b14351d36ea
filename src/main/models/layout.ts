/**
 * Finds the four components of a NewBie-image-Exp0.1 package in every layout of conventions.md §4: hub folders,
 * ComfyUI-style single files, HF cache snapshots of symlinks (`models--…/snapshots/<rev>` or the snapshot itself),
 * sharded files with an index. Key conventions are detected by suffix under one common prefix. Configs are the parsed
 * JSON over the published defaults (defaults.ts) for what shapes cannot tell; sizes come from shapes (engine's job).
 * Electron-free and ORT-free: the engine's graph builders read the returned ModelPackage.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StudioError } from '../../shared/errors';
import type { ModelComponentId } from '../../shared/modelCheck';
import { WeightSet } from '../engine/safetensors';
import { DIT_DEFAULTS, GEMMA3_TEXT_DEFAULTS, JINA_TEXT_DEFAULTS, VAE_DEFAULTS } from './defaults';
import { resolveCacheFolder } from './hfCache';

export type JsonObject = Record<string, unknown>;
/** A weight component of a model package; defined once in src/shared for the check report. */
export type ComponentId = ModelComponentId;

interface ComponentBase {
  weights: WeightSet;
  /** Keys of this component live under this prefix ('' for the official DiT). */
  prefix: string;
  /** The component's config.json, when the folder has one. */
  configFile?: string;
  /** Human description of the files used, e.g. "transformer/diffusion_pytorch_model.safetensors.index.json (2 shards)". */
  source: string;
}

/** NextDiT_CLIP; config = transformer/config.json over DIT_DEFAULTS (axes_dims, axes_lens, patch_size, eps, θ). */
export interface DitComponent extends ComponentBase {
  config: JsonObject & typeof DIT_DEFAULTS;
}
/** Gemma3 text; prefix 'language_model.model.' | 'model.language_model.' | 'model.'; config = text_config over defaults. */
export interface GemmaComponent extends ComponentBase {
  config: JsonObject & typeof GEMMA3_TEXT_DEFAULTS;
}
/** Values of the Jina text tower that shapes cannot tell. */
export interface JinaTextSettings {
  numHeads: number;
  rotaryBase: number;
  layerNormEps: number;
  loraTask: string;
  /** Index of loraTask in the LoRA tensors' leading dimension (0 for retrieval.query). */
  loraTaskIndex: number;
  /** lora_alpha / lora_rank (rank from the lora_A shape when raw): 0.25 for jina-clip-v2. */
  loraScaling: number;
}
export interface JinaComponent extends ComponentBase {
  config?: JsonObject;
  form: 'raw' | 'merged';
  text: JinaTextSettings;
}
/** FLUX VAE decoder; prefix ends with 'decoder.'. */
export interface VaeComponent extends ComponentBase {
  config: JsonObject & typeof VAE_DEFAULTS;
  attention: 'to_q' | 'query';
}
export interface TokenizerRef {
  /** Path of tokenizer.json. */
  json: string;
  /** Path of tokenizer_config.json when present. */
  config?: string;
}

export interface ModelPackage {
  root: string;
  transformer: DitComponent;
  gemma: GemmaComponent;
  jina: JinaComponent;
  vae: VaeComponent;
  tokenizers: { gemma: TokenizerRef; jina: TokenizerRef };
  /** Things the user should know (layout chosen when two exist, defaults used, snapshot picked). */
  notes: string[];
}

export const COMPONENT_HINTS: Record<ComponentId | 'tokenizers', string> = {
  transformer: 'Download it with `newbie-studio models download`, or copy transformer/ from NewBie-AI/NewBie-image-Exp0.1.',
  text_encoder: 'Download it, or point to a Gemma3-4B-it checkpoint (google/gemma-3-4b-it or gemma3-4b-it.safetensors).',
  clip_model: 'Download it, or point to a Jina CLIP v2 checkpoint (jinaai/jina-clip-v2 or jina-clip-v2.safetensors).',
  vae: 'Download it, or point to the FLUX.1-dev VAE in diffusers format (vae/diffusion_pytorch_model.safetensors).',
  tokenizers: '`newbie-studio models download` fetches missing tokenizers from google/gemma-3-4b-it and jinaai/jina-clip-v2.',
};

const SHARD_RE = /-\d{5}-of-\d{5}\.safetensors$/;

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readJson(path: string): JsonObject {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as JsonObject;
  } catch (e) {
    throw new StudioError('ModelInvalid', `${path}: cannot read config (${(e as Error).message})`, 'Download the file again.');
  }
}

interface FoundFiles {
  index?: string;
  singles: string[];
}

/** Lists a component folder's safetensors (existing targets only: dangling HF symlinks count as missing). */
function listWeights(dir: string): FoundFiles {
  const names = readdirSync(dir).filter((n) => existsSync(join(dir, n))).sort();
  const indexes = names.filter((n) => n.endsWith('.safetensors.index.json'));
  const singles = names.filter((n) => n.endsWith('.safetensors') && !SHARD_RE.test(n));
  return { index: indexes[0], singles };
}

/** Finds the prefix under which `suffix` is a key (shortest prefix wins), or undefined. */
export function findPrefix(weights: WeightSet, suffix: string): string | undefined {
  let best: string | undefined;
  for (const name of weights.tensors.keys()) {
    if (name === suffix || name.endsWith(`.${suffix}`)) {
      const p = name.slice(0, name.length - suffix.length);
      if (best === undefined || p.length < best.length) best = p;
    }
  }
  return best;
}

function sampleKeys(weights: WeightSet): string {
  const names = weights.names().slice(0, 6);
  return `${names.join(', ')}${weights.tensors.size > 6 ? ` … (${weights.tensors.size} tensors)` : ''}`;
}

function componentDir(root: string, id: ComponentId): string {
  const dir = join(root, id);
  if (!isDir(dir)) throw new StudioError('ModelIncomplete', `${id}/ is missing in ${root}`, COMPONENT_HINTS[id]);
  return dir;
}

/** Opens one component's weights: an index (HF layout) before `preferred` before a lone single file. */
function openWeights(root: string, id: ComponentId, preferred: string[], notes: string[], singleDefault: string) {
  const dir = componentDir(root, id);
  const found = listWeights(dir);
  const pickSingle = () => {
    const named = preferred.find((p) => found.singles.includes(p));
    if (named) return named;
    if (found.singles.length === 1) return found.singles[0];
    if (found.singles.length > 1) {
      throw new StudioError('ModelInvalid', `${id}/ holds several checkpoints (${found.singles.join(', ')}): cannot tell which to use`, 'Keep only one .safetensors file in the folder.');
    }
    return undefined;
  };
  if (found.index) {
    if (found.singles.length) notes.push(`${id}: both HF shards (${found.index}) and ${found.singles.join(', ')} exist; using the HF shards`);
    const weights = WeightSet.fromIndex(join(dir, found.index));
    return { weights, source: `${id}/${found.index} (${weights.files.length} shards)`, file: found.index };
  }
  const single = pickSingle();
  if (!single) throw new StudioError('ModelIncomplete', `${id}/${singleDefault} is missing`, COMPONENT_HINTS[id]);
  const others = found.singles.filter((s) => s !== single);
  if (others.length) notes.push(`${id}: both ${single} (HF layout) and ${others.join(', ')} exist; using ${single}`);
  return { weights: WeightSet.fromFile(join(dir, single)), source: `${id}/${single}`, file: single };
}

function loadConfig(root: string, id: ComponentId, notes: string[], whatDefaults: string): { json?: JsonObject; file?: string } {
  const file = join(root, id, 'config.json');
  if (!existsSync(file)) {
    notes.push(`${id}/config.json is missing: using the published ${whatDefaults}`);
    return {};
  }
  return { json: readJson(file), file };
}

/** The transformer: original NextDiT key names (diffusers-renamed Lumina2 keys are refused with a hint). */
export function resolveTransformer(root: string, notes: string[] = []): DitComponent {
  const w = openWeights(root, 'transformer', ['diffusion_pytorch_model.safetensors'], notes, 'diffusion_pytorch_model.safetensors');
  if (w.weights.names().some((n) => /(^|\.)time_caption_embed\.|\.attn\.to_q\.weight$|(^|\.)norm_out\.linear_1\./.test(n))) {
    throw new StudioError(
      'ModelInvalid',
      `${w.source}: diffusers-renamed Lumina2 keys (e.g. layers.N.attn.to_q, time_caption_embed.*); NewBie Studio reads the original NextDiT names (layers.N.attention.qkv.weight …)`,
      'Use transformer/diffusion_pytorch_model.safetensors from NewBie-AI/NewBie-image-Exp0.1 as published, not a diffusers conversion.',
    );
  }
  const prefix = findPrefix(w.weights, 'x_embedder.weight');
  if (prefix === undefined || !w.weights.has(`${prefix}layers.0.attention.qkv.weight`)) {
    throw new StudioError('ModelInvalid', `${w.source}: not a NextDiT checkpoint (found ${sampleKeys(w.weights)})`, COMPONENT_HINTS.transformer);
  }
  const cfg = loadConfig(root, 'transformer', notes, 'NewBie values (axes_dims [32,32,32], axes_lens [1024,512,512])');
  return { weights: w.weights, prefix, source: w.source, configFile: cfg.file, config: { ...DIT_DEFAULTS, ...cfg.json } };
}

/** The Gemma3 text encoder (HF shards with the vision tower, or a `model.*` single file). */
export function resolveGemma(root: string, notes: string[] = []): GemmaComponent {
  const w = openWeights(root, 'text_encoder', ['model.safetensors', 'gemma3-4b-it.safetensors'], notes, 'model.safetensors.index.json (or gemma3-4b-it.safetensors)');
  const prefix = findPrefix(w.weights, 'layers.0.self_attn.q_proj.weight');
  if (prefix === undefined || !w.weights.has(`${prefix}embed_tokens.weight`)) {
    throw new StudioError('ModelInvalid', `${w.source}: not a Gemma text model (found ${sampleKeys(w.weights)})`, COMPONENT_HINTS.text_encoder);
  }
  if (!w.weights.has(`${prefix}layers.0.self_attn.q_norm.weight`)) {
    throw new StudioError('ModelInvalid', `${w.source}: a Gemma model without q_norm/k_norm, i.e. not Gemma 3`, COMPONENT_HINTS.text_encoder);
  }
  if (!['language_model.model.', 'model.language_model.', 'model.'].includes(prefix)) {
    notes.push(`text_encoder: unusual key prefix "${prefix}"`);
  }
  const cfg = loadConfig(root, 'text_encoder', notes, 'Gemma3-4B-it values');
  const text = cfg.json && typeof cfg.json['text_config'] === 'object' ? (cfg.json['text_config'] as JsonObject) : cfg.json;
  return { weights: w.weights, prefix, source: w.source, configFile: cfg.file, config: { ...GEMMA3_TEXT_DEFAULTS, ...text } };
}

function jinaSettings(config: JsonObject | undefined, weights: WeightSet, prefix: string, form: 'raw' | 'merged'): JinaTextSettings {
  const textConfig = (config?.['text_config'] ?? {}) as JsonObject;
  const kw = (textConfig['hf_model_config_kwargs'] ?? {}) as JsonObject;
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  const loraTask = typeof textConfig['default_lora_task'] === 'string' ? textConfig['default_lora_task'] : JINA_TEXT_DEFAULTS.default_lora_task;
  const adaptations = Array.isArray(kw['lora_adaptations']) ? (kw['lora_adaptations'] as string[]) : [...JINA_TEXT_DEFAULTS.lora_adaptations];
  const rankTensor = weights.tensors.get(`${prefix}encoder.layers.0.mixer.Wqkv.parametrizations.weight.0.lora_A`);
  const rank = form === 'raw' && rankTensor ? rankTensor.shape[1] : num(kw['lora_rank'], 4);
  return {
    numHeads: num(kw['num_attention_heads'], JINA_TEXT_DEFAULTS.num_attention_heads),
    rotaryBase: num(kw['rotary_emb_base'], JINA_TEXT_DEFAULTS.rotary_emb_base),
    layerNormEps: num(kw['layer_norm_eps'], JINA_TEXT_DEFAULTS.layer_norm_eps),
    loraTask,
    loraTaskIndex: Math.max(0, adaptations.indexOf(loraTask)),
    loraScaling: num(kw['lora_alpha'], JINA_TEXT_DEFAULTS.lora_alpha) / rank,
  };
}

/** The Jina CLIP v2 text tower, raw (LoRA parametrizations) or merged (ComfyUI names). */
export function resolveJina(root: string, notes: string[] = []): JinaComponent {
  const w = openWeights(root, 'clip_model', ['model.safetensors', 'jina-clip-v2.safetensors'], notes, 'model.safetensors (or jina-clip-v2.safetensors)');
  let form: 'raw' | 'merged' = 'raw';
  let prefix = findPrefix(w.weights, 'embeddings.word_embeddings.parametrizations.weight.original');
  if (prefix === undefined) {
    form = 'merged';
    prefix = findPrefix(w.weights, 'embeddings.word_embeddings.weight');
  }
  const qkv = form === 'raw' ? 'encoder.layers.0.mixer.Wqkv.parametrizations.weight.original' : 'encoder.layers.0.mixer.Wqkv.weight';
  if (prefix === undefined || !w.weights.has(`${prefix}${qkv}`)) {
    throw new StudioError('ModelInvalid', `${w.source}: not a Jina CLIP v2 text tower (found ${sampleKeys(w.weights)})`, COMPONENT_HINTS.clip_model);
  }
  const cfgFile = join(root, 'clip_model', 'config.json');
  const config = existsSync(cfgFile) ? readJson(cfgFile) : undefined;
  if (!config) notes.push('clip_model/config.json is missing: using the published jina-clip-v2 values (16 heads, LoRA retrieval.query)');
  const text = jinaSettings(config, w.weights, prefix, form);
  return { weights: w.weights, prefix, source: w.source, configFile: config ? cfgFile : undefined, config, form, text };
}

/** The FLUX VAE (decoder keys under `…decoder.`), attention as to_q/to_k/to_v/to_out.0 or query/key/value/proj_attn. */
export function resolveVae(root: string, notes: string[] = []): VaeComponent {
  const w = openWeights(root, 'vae', ['diffusion_pytorch_model.safetensors'], notes, 'diffusion_pytorch_model.safetensors');
  const prefix = findPrefix(w.weights, 'decoder.conv_in.weight');
  if (prefix === undefined) {
    const ldm = w.weights.names().some((n) => /decoder\.mid\.attn_1\./.test(n));
    throw new StudioError(
      'ModelInvalid',
      `${w.source}: ${ldm ? 'original (BFL/LDM) VAE key names (decoder.mid.attn_1 …)' : `not an AutoencoderKL decoder (found ${sampleKeys(w.weights)})`}`,
      COMPONENT_HINTS.vae,
    );
  }
  const p = `${prefix}decoder.`;
  const attention = w.weights.has(`${p}mid_block.attentions.0.to_q.weight`) ? 'to_q' : w.weights.has(`${p}mid_block.attentions.0.query.weight`) ? 'query' : undefined;
  if (!attention) throw new StudioError('ModelInvalid', `${w.source}: the decoder's mid-block attention weights are missing`, COMPONENT_HINTS.vae);
  const cfg = loadConfig(root, 'vae', notes, 'FLUX.1-dev VAE values (32 groups, scale 0.3611, shift 0.1159)');
  return { weights: w.weights, prefix: p, source: w.source, configFile: cfg.file, attention, config: { ...VAE_DEFAULTS, ...cfg.json } };
}

function findTokenizer(root: string, dirs: string[], label: string): TokenizerRef {
  for (const d of dirs) {
    const json = join(root, d, 'tokenizer.json');
    if (existsSync(json)) {
      const config = join(root, d, 'tokenizer_config.json');
      return existsSync(config) ? { json, config } : { json };
    }
  }
  throw new StudioError('ModelIncomplete', `${dirs.map((d) => `${d}/tokenizer.json`).join(' or ')} (${label}) is missing`, COMPONENT_HINTS.tokenizers);
}

/** Tokenizer files: Gemma in text_encoder/ or tokenizer/, Jina in clip_model/ or clip_tokenizer/. */
export function resolveTokenizers(root: string): ModelPackage['tokenizers'] {
  return {
    gemma: findTokenizer(root, ['text_encoder', 'tokenizer'], 'Gemma tokenizer'),
    jina: findTokenizer(root, ['clip_model', 'clip_tokenizer'], 'Jina tokenizer'),
  };
}

/** Maps the folder the user chose to the model root (HF cache folders → snapshot). @throws InvalidRequest if absent. */
export function resolveModelRoot(dir: string): { root: string; notes: string[] } {
  if (!isDir(dir)) throw new StudioError('InvalidRequest', `model folder ${dir} does not exist or is not a folder`, 'Choose the folder that holds model_index.json, transformer/, text_encoder/, clip_model/ and vae/.');
  return resolveCacheFolder(dir);
}

/**
 * Resolves a model folder into a ModelPackage (reads every safetensors header, no tensor data).
 * @throws StudioError InvalidRequest (no such folder), ModelIncomplete (a part missing; message lists every problem,
 *   hint of the first), ModelInvalid (unreadable/unknown files, diffusers-renamed DiT keys).
 */
export function resolveModelFolder(dir: string): ModelPackage {
  const { root, notes } = resolveModelRoot(dir);
  const problems: StudioError[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof StudioError)) throw e;
      problems.push(e);
      return undefined;
    }
  };
  const transformer = attempt(() => resolveTransformer(root, notes));
  const gemma = attempt(() => resolveGemma(root, notes));
  const jina = attempt(() => resolveJina(root, notes));
  const vae = attempt(() => resolveVae(root, notes));
  const tokenizers = attempt(() => resolveTokenizers(root));
  if (!transformer || !gemma || !jina || !vae || !tokenizers) {
    const code = problems.some((p) => p.code === 'ModelInvalid') ? 'ModelInvalid' : 'ModelIncomplete';
    throw new StudioError(code, problems.map((p) => p.message).join('; '), problems[0].hint);
  }
  return { root, transformer, gemma, jina, vae, tokenizers, notes };
}
