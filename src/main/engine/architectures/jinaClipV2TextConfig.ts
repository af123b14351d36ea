/**
 * Jina CLIP v2 text-tower configuration (XLM-RoBERTa of jina-embeddings-v3, newbie-model.md §1.7): sizes from tensor
 * shapes, the rest (heads, eps, rotary base, LoRA alpha and task) from config.json, with the published values as
 * defaults. Two checkpoint forms (conventions.md §4):
 * - raw: `…parametrizations.weight.original` + `…parametrizations.weight.0.lora_A/lora_B` per Linear/Embedding
 *   (HF names under `text_model.transformer.roberta.`), LoRA applied in the graph;
 * - merged: plain `….weight` (ComfyUI names, no prefix).
 */
import { StudioError } from '../../../shared/errors';
import type { WeightSet } from '../safetensors/weightSet';
import {
  asObject,
  countBlocks,
  describeKeys,
  expectShape,
  numberField,
  stringField,
  type JsonObject,
} from './textEncoderCommon';

export type JinaForm = 'raw' | 'merged';

export interface JinaLora {
  /** Index of the adapter applied (retrieval.query = 0 in jina-clip-v2). */
  taskIndex: number;
  numTasks: number;
  rank: number;
  alpha: number;
  /** alpha / rank (0.25 for alpha 1, rank 4). */
  scaling: number;
}

export interface JinaConfig {
  prefix: string;
  form: JinaForm;
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  layerNormEps: number;
  rotaryBase: number;
  /** FFN activation: exact GELU ('none') for jina-clip-v2. */
  activation: 'none' | 'tanh';
  padTokenId: number;
  /** LoRA of the raw form; null for merged weights. */
  lora: JinaLora | null;
}

/** Published jina-clip-v2 text values (newbie-model.md §1.7), used when config.json lacks a field. */
export const JINA_DEFAULTS = {
  numHeads: 16,
  layerNormEps: 1e-5,
  rotaryBase: 20000,
  activation: 'gelu',
  padTokenId: 1,
  loraAlpha: 1,
  taskIndex: 0,
} as const;

const RAW_SUFFIX = '.parametrizations.weight.original';
const WORD = 'embeddings.word_embeddings';

/** Key of a Linear/Embedding weight in either form. */
export function jinaWeightKey(prefix: string, form: JinaForm, module: string): string {
  return form === 'raw' ? `${prefix}${module}${RAW_SUFFIX}` : `${prefix}${module}.weight`;
}

/** Keys of a module's LoRA factors (raw form). */
export function jinaLoraKeys(prefix: string, module: string): { a: string; b: string } {
  return {
    a: `${prefix}${module}.parametrizations.weight.0.lora_A`,
    b: `${prefix}${module}.parametrizations.weight.0.lora_B`,
  };
}

/**
 * Finds the prefix and form of a Jina text tower from its keys: raw when
 * `<prefix>embeddings.word_embeddings.parametrizations.weight.original` exists, merged when
 * `<prefix>embeddings.word_embeddings.weight` does (with `<prefix>emb_ln.weight` beside it in both cases).
 * @throws StudioError ModelInvalid listing some keys when neither form is found.
 */
export function detectJinaLayout(weights: WeightSet): { prefix: string; form: JinaForm } {
  for (const name of weights.names()) {
    for (const [form, suffix] of [
      ['raw', `${WORD}${RAW_SUFFIX}`],
      ['merged', `${WORD}.weight`],
    ] as const) {
      if (!name.endsWith(suffix)) continue;
      const prefix = name.slice(0, name.length - suffix.length);
      if ((prefix === '' || prefix.endsWith('.')) && weights.has(`${prefix}emb_ln.weight`))
        return { prefix, form };
    }
  }
  throw new StudioError(
    'ModelInvalid',
    `${weights.describe()}: not a Jina CLIP v2 text tower (no embeddings.word_embeddings + emb_ln, raw or merged)`,
    describeKeys(weights),
  );
}

/**
 * The objects a field may sit in, most specific first: a jina-clip-v2 config.json keeps the XLM-R settings in
 * `text_config.hf_model_config_kwargs` and the task in `text_config`; a jina-embeddings-v3 config.json is flat.
 */
function configScopes(configJson: unknown): JsonObject[] {
  const root = asObject(configJson);
  const text = asObject(root?.['text_config']);
  const scopes = [
    asObject(text?.['hf_model_config_kwargs']),
    asObject(root?.['hf_model_config_kwargs']),
    text,
    asObject(root?.['hf_text_encoder_kwargs']),
    root,
  ];
  return scopes.filter((s): s is JsonObject => !!s);
}

function pick(scopes: JsonObject[], key: string): JsonObject | undefined {
  return scopes.find((s) => s[key] !== undefined && s[key] !== null);
}

/**
 * Resolves a Jina text config: hidden/vocab from `word_embeddings` [vocab, hidden], layers from `encoder.layers.N`,
 * FFN from `fc1` [ffn, hidden], LoRA rank and task count from `lora_A` [tasks, rank, in]; heads, eps, rotary base,
 * activation, lora_alpha and the task (index of `default_lora_task` in `lora_adaptations`, else 0) from `configJson`.
 * Every layer's tensors are checked for presence and shape (headers only).
 * @throws StudioError ModelInvalid naming the tensor or config field that is wrong.
 */
export function jinaConfigFromWeights(
  weights: WeightSet,
  prefix: string,
  form: JinaForm,
  configJson?: unknown,
): JinaConfig {
  const where = `${weights.describe()} (Jina CLIP v2 text config)`;
  const scopes = configScopes(configJson);
  const num = (key: string, fallback: number) => numberField(pick(scopes, key), key, fallback, where);
  const key = (m: string) => jinaWeightKey(prefix, form, m);
  const [vocabSize, C] = expectShape(weights, key(WORD), [null, null]);
  const numLayers = countBlocks(
    weights,
    prefix,
    'encoder.layers.',
    form === 'raw' ? `mixer.Wqkv${RAW_SUFFIX}` : 'mixer.Wqkv.weight',
  );
  const intermediateSize = expectShape(weights, key('encoder.layers.0.mlp.fc1'), [null, C])[0];
  const numHeads = num('num_attention_heads', JINA_DEFAULTS.numHeads);
  if (!Number.isInteger(numHeads) || numHeads < 1 || C % numHeads !== 0 || (C / numHeads) % 2 !== 0) {
    throw new StudioError(
      'ModelInvalid',
      `${where}: num_attention_heads ${numHeads} does not split hidden size ${C} into even-sized heads`,
    );
  }
  const act = stringField(pick(scopes, 'hidden_act'), 'hidden_act', JINA_DEFAULTS.activation, where);
  const activation =
    act === 'gelu' ? 'none' : act === 'gelu_new' || act === 'gelu_pytorch_tanh' ? 'tanh' : null;
  if (!activation)
    throw new StudioError('ModelInvalid', `${where}: hidden_act "${act}" is not supported (expected gelu)`);

  const modules: Array<[string, number, number]> = [];
  expectShape(weights, key('embeddings.token_type_embeddings'), [null, C]);
  for (const n of ['emb_ln.weight', 'emb_ln.bias']) expectShape(weights, prefix + n, [C]);
  for (let i = 0; i < numLayers; i++) {
    const p = `encoder.layers.${i}.`;
    modules.push(
      [`${p}mixer.Wqkv`, 3 * C, C],
      [`${p}mixer.out_proj`, C, C],
      [`${p}mlp.fc1`, intermediateSize, C],
      [`${p}mlp.fc2`, C, intermediateSize],
    );
    for (const [m, out] of [
      ['mixer.Wqkv', 3 * C],
      ['mixer.out_proj', C],
      ['mlp.fc1', intermediateSize],
      ['mlp.fc2', C],
    ] as const) {
      expectShape(weights, `${prefix}${p}${m}.bias`, [out]);
    }
    for (const n of ['norm1', 'norm2'])
      for (const t of ['weight', 'bias']) expectShape(weights, `${prefix}${p}${n}.${t}`, [C]);
  }
  for (const [m, out, inp] of modules) expectShape(weights, key(m), [out, inp]);
  const lora = form === 'raw' ? readLora(weights, prefix, scopes, modules, vocabSize, C, where) : null;
  return {
    prefix,
    form,
    numLayers,
    hiddenSize: C,
    numHeads,
    headDim: C / numHeads,
    intermediateSize,
    vocabSize,
    layerNormEps: num('layer_norm_eps', JINA_DEFAULTS.layerNormEps),
    rotaryBase: num('rotary_emb_base', JINA_DEFAULTS.rotaryBase),
    activation,
    padTokenId: num('pad_token_id', JINA_DEFAULTS.padTokenId),
    lora,
  };
}

function readLora(
  weights: WeightSet,
  prefix: string,
  scopes: JsonObject[],
  linears: Array<[string, number, number]>,
  vocab: number,
  C: number,
  where: string,
): JinaLora {
  const first = jinaLoraKeys(prefix, WORD);
  const [numTasks, , rank] = expectShape(weights, first.a, [null, vocab, null]);
  expectShape(weights, first.b, [numTasks, rank, C]);
  const tt = jinaLoraKeys(prefix, 'embeddings.token_type_embeddings');
  const types = weights.get(jinaWeightKey(prefix, 'raw', 'embeddings.token_type_embeddings')).shape[0];
  expectShape(weights, tt.a, [numTasks, types, rank]);
  expectShape(weights, tt.b, [numTasks, rank, C]);
  for (const [m, out, inp] of linears) {
    const k = jinaLoraKeys(prefix, m);
    expectShape(weights, k.a, [numTasks, rank, inp]);
    expectShape(weights, k.b, [numTasks, out, rank]);
  }
  const alpha = numberField(pick(scopes, 'lora_alpha'), 'lora_alpha', JINA_DEFAULTS.loraAlpha, where);
  const tasks = pick(scopes, 'lora_adaptations')?.['lora_adaptations'];
  const task = pick(scopes, 'default_lora_task')?.['default_lora_task'];
  let taskIndex: number = JINA_DEFAULTS.taskIndex;
  if (Array.isArray(tasks) && typeof task === 'string') {
    taskIndex = tasks.indexOf(task);
    if (taskIndex < 0)
      throw new StudioError(
        'ModelInvalid',
        `${where}: default_lora_task "${task}" is not in lora_adaptations ${JSON.stringify(tasks)}`,
      );
  }
  if (taskIndex >= numTasks) {
    throw new StudioError(
      'ModelInvalid',
      `${where}: LoRA task ${taskIndex} requested but the weights hold ${numTasks} adapters`,
    );
  }
  return { taskIndex, numTasks, rank, alpha, scaling: alpha / rank };
}
