/**
 * The model check (`newbie-studio models check`, the Settings panel, the first-run screen): resolves each component
 * on its own so one broken part does not hide the others, reads every safetensors header, and reports per component
 * found/missing/invalid, key convention, dtypes, parameter count, size on disk, and for the DiT the expected-vs-found
 * tensor list (expected = derived from shapes/config: 535 for the real dims). Problems carry a fix hint.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { StudioError } from '../../shared/errors';
import type {
  DitTensorReport,
  ModelCheckProblem as CheckProblem,
  ModelCheckReport,
  ModelComponentReport as ComponentReport,
} from '../../shared/modelCheck';
import type { WeightSet } from '../engine/safetensors';
import { listHfCacheModelSnapshots } from './hfCache';
import { modelIdentity } from './identity';
import { inferDitDims, inferGemmaDims, inferJinaDims, inferVaeDims } from './inspect';
import {
  COMPONENT_HINTS,
  resolveGemma,
  resolveJina,
  resolveModelRoot,
  resolveTransformer,
  resolveVae,
  resolveTokenizers,
  type ComponentId,
  type DitComponent,
  type GemmaComponent,
  type JinaComponent,
  type ModelPackage,
  type VaeComponent,
} from './layout';
import { gemmaTextTensorSpecs, jinaTextTensorSpecs, nextDitTensorSpecs, vaeDecoderTensorSpecs, type NextDitDims, type TensorSpec } from './specs';

// The report types are defined once in src/shared (the renderer reads them too); the old names stay exported here.
export type { CheckProblem, ComponentReport, DitTensorReport, ModelCheckReport };

/** Compares a component's tensors with the expected list; returns mismatch messages (at most a few names each). */
function compareTensors(weights: WeightSet, prefix: string, expected: TensorSpec[], consider: (name: string) => boolean) {
  const found = new Map([...weights.tensors].filter(([n]) => n.startsWith(prefix) && consider(n.slice(prefix.length))));
  const missing: string[] = [];
  const shapeMismatches: DitTensorReport['shapeMismatches'] = [];
  for (const s of expected) {
    const t = found.get(prefix + s.name);
    if (!t) missing.push(prefix + s.name);
    else if (t.shape.join() !== s.shape.join()) shapeMismatches.push({ name: prefix + s.name, expected: s.shape, found: t.shape });
  }
  const names = new Set(expected.map((s) => prefix + s.name));
  const unexpected = [...found.keys()].filter((n) => !names.has(n));
  return { expectedCount: expected.length, foundCount: found.size, missing, unexpected, shapeMismatches };
}

const few = (names: string[]) => `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` … (+${names.length - 5})` : ''}`;

function tensorProblems(id: ComponentId, r: ReturnType<typeof compareTensors>, problems: CheckProblem[]): void {
  const hint = COMPONENT_HINTS[id];
  if (r.missing.length) problems.push({ component: id, code: 'ModelInvalid', message: `${id}: ${r.missing.length} expected tensor(s) missing: ${few(r.missing)}`, hint });
  if (r.unexpected.length) problems.push({ component: id, code: 'ModelInvalid', message: `${id}: ${r.unexpected.length} unexpected tensor(s): ${few(r.unexpected)} (a different variant?)`, hint });
  for (const m of r.shapeMismatches.slice(0, 5)) {
    problems.push({ component: id, code: 'ModelInvalid', message: `${id}: ${m.name} has shape [${m.found}], expected [${m.expected}]`, hint });
  }
}

function summarize(id: ComponentId, root: string, c: { weights: WeightSet; prefix: string; source: string }, keyConvention: string, used: (name: string) => boolean): ComponentReport {
  const dtypes: Record<string, number> = {};
  let parameterCount = 0;
  let tensorCount = 0;
  for (const [name, t] of c.weights.tensors) {
    if (!name.startsWith(c.prefix) || !used(name.slice(c.prefix.length))) continue;
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
    parameterCount += t.shape.reduce((a, b) => a * b, 1);
    tensorCount++;
  }
  return {
    id,
    status: 'found',
    source: c.source,
    keyConvention,
    dtypes,
    parameterCount,
    tensorCount,
    ignoredTensors: c.weights.tensors.size - tensorCount,
    sizeOnDisk: c.weights.sizeOnDisk(),
    files: c.weights.files.map((f) => ({ path: relative(root, f.path), size: f.fileSize })),
  };
}

const all = () => true;

function checkDit(root: string, c: DitComponent, problems: CheckProblem[]): { report: ComponentReport; dit: DitTensorReport; dims: NextDitDims } {
  const dims = inferDitDims(c);
  const report = summarize('transformer', root, c, `NextDiT original names${c.prefix ? ` under "${c.prefix}"` : ''}`, all);
  const dit = compareTensors(c.weights, c.prefix, nextDitTensorSpecs(dims), all);
  tensorProblems('transformer', dit, problems);
  const axes = c.config.axes_dims as readonly number[];
  if (axes.reduce((a, b) => a + b, 0) !== dims.headDim) {
    problems.push({
      component: 'transformer',
      code: 'ModelInvalid',
      message: `transformer: axes_dims [${axes}] sum to ${axes.reduce((a, b) => a + b, 0)} but head_dim is ${dims.headDim} (q_norm shape)`,
      hint: c.configFile ? 'transformer/config.json does not belong to these weights: download it again.' : 'Add the transformer/config.json that came with these weights.',
    });
  }
  report.dims = { ...dims, axesDims: axes };
  return { report, dit, dims };
}

function gemmaConvention(prefix: string): string {
  if (prefix === 'language_model.model.') return 'HF Gemma3ForConditionalGeneration (language_model.model.*)';
  if (prefix === 'model.language_model.') return 'HF Gemma3ForConditionalGeneration, newer transformers (model.language_model.*)';
  if (prefix === 'model.') return 'single file (model.*)';
  return `Gemma3 text under "${prefix}"`;
}

function checkGemma(root: string, c: GemmaComponent, problems: CheckProblem[]): ComponentReport {
  const dims = inferGemmaDims(c);
  const isText = (n: string) => n === 'embed_tokens.weight' || n === 'norm.weight' || n.startsWith('layers.');
  const report = summarize('text_encoder', root, c, gemmaConvention(c.prefix), isText);
  tensorProblems('text_encoder', compareTensors(c.weights, c.prefix, gemmaTextTensorSpecs(dims), isText), problems);
  const types = c.config['layer_types'];
  if (Array.isArray(types) && types.length !== dims.layers) {
    problems.push({ component: 'text_encoder', code: 'ModelInvalid', message: `text_encoder: config layer_types lists ${types.length} layers, the weights have ${dims.layers}`, hint: COMPONENT_HINTS.text_encoder });
  }
  if (dims.layers < 2) problems.push({ component: 'text_encoder', code: 'ModelInvalid', message: 'text_encoder: fewer than 2 layers, hidden_states[-2] does not exist', hint: COMPONENT_HINTS.text_encoder });
  report.dims = { ...dims };
  return report;
}

function checkJina(root: string, c: JinaComponent, problems: CheckProblem[]): ComponentReport {
  const dims = inferJinaDims(c);
  const convention = c.form === 'raw'
    ? `raw LoRA (${c.prefix || 'no prefix'}*, parametrizations + lora_A/lora_B; task ${c.text.loraTask} merged ×${c.text.loraScaling} at load)`
    : `merged, ComfyUI names${c.prefix ? ` under "${c.prefix}"` : ''}`;
  const isText = (n: string) => n.startsWith('embeddings.') || n.startsWith('emb_ln.') || n.startsWith('encoder.');
  const report = summarize('clip_model', root, c, convention, isText);
  tensorProblems('clip_model', compareTensors(c.weights, c.prefix, jinaTextTensorSpecs(dims, c.form), isText), problems);
  if (dims.hidden % c.text.numHeads !== 0) {
    problems.push({ component: 'clip_model', code: 'ModelInvalid', message: `clip_model: hidden size ${dims.hidden} is not divisible by ${c.text.numHeads} heads`, hint: 'clip_model/config.json does not match the weights.' });
  }
  if (c.form === 'raw' && c.text.loraTaskIndex >= dims.loraTasks) {
    problems.push({ component: 'clip_model', code: 'ModelInvalid', message: `clip_model: LoRA task ${c.text.loraTask} is index ${c.text.loraTaskIndex}, the weights hold ${dims.loraTasks} tasks`, hint: COMPONENT_HINTS.clip_model });
  }
  report.dims = { ...dims, ...c.text };
  return report;
}

function checkVae(root: string, c: VaeComponent, problems: CheckProblem[]): ComponentReport {
  const dims = inferVaeDims(c);
  const names = c.attention === 'to_q' ? 'to_q/to_k/to_v/to_out.0' : 'query/key/value/proj_attn';
  const hasEncoder = c.weights.names().some((n) => n.includes('encoder.'));
  const report = summarize('vae', root, c, `diffusers ${c.prefix}* (attention ${names})${hasEncoder ? ', encoder ignored' : ''}`, all);
  tensorProblems('vae', compareTensors(c.weights, c.prefix, vaeDecoderTensorSpecs(dims, c.attention), all), problems);
  const groups = c.config.norm_num_groups as number;
  if (dims.blockOutChannels.some((ch) => ch % groups !== 0)) {
    problems.push({ component: 'vae', code: 'ModelInvalid', message: `vae: norm_num_groups ${groups} does not divide the channels [${dims.blockOutChannels}]`, hint: 'vae/config.json does not match the weights.' });
  }
  report.dims = { ...dims, normNumGroups: groups };
  return report;
}

/** Vocabulary size of a tokenizer.json (BPE/WordPiece vocab map or Unigram list, plus added tokens beyond it). */
function tokenizerVocabSize(path: string): number {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { model?: { vocab?: unknown }; added_tokens?: Array<{ id: number }> };
  const vocab = json.model?.vocab;
  const ids = Array.isArray(vocab) ? vocab.length : vocab && typeof vocab === 'object' ? Math.max(-1, ...Object.values(vocab as Record<string, number>)) + 1 : 0;
  return Math.max(ids, ...(json.added_tokens ?? []).map((t) => t.id + 1));
}

function missingReport(id: ComponentId, e: StudioError): ComponentReport {
  return { id, status: e.code === 'ModelIncomplete' ? 'missing' : 'invalid', dtypes: {}, parameterCount: 0, tensorCount: 0, ignoredTensors: 0, sizeOnDisk: 0, files: [] };
}

/**
 * Checks a model folder without throwing for model problems (they are in `problems`; ok = none).
 * @throws StudioError InvalidRequest when the folder does not exist.
 */
export function checkModelFolder(folder: string): ModelCheckReport {
  const { root, notes } = resolveModelRoot(folder);
  const problems: CheckProblem[] = [];
  const components: ComponentReport[] = [];
  const parts: Partial<Pick<ModelPackage, 'transformer' | 'gemma' | 'jina' | 'vae' | 'tokenizers'>> = {};
  const run = <T>(id: ComponentId | 'tokenizers', resolveFn: () => T, checkFn: (c: T) => ComponentReport | undefined): T | undefined => {
    let c: T;
    try {
      c = resolveFn();
    } catch (e) {
      if (!(e instanceof StudioError)) throw e;
      problems.push({ component: id, code: e.code, message: e.message, hint: e.hint });
      if (id !== 'tokenizers') components.push(missingReport(id, e));
      return undefined;
    }
    const report = checkFn(c);
    if (report) components.push(report);
    return c;
  };
  let dit: DitTensorReport | undefined;
  let ditDims: NextDitDims | undefined;
  parts.transformer = run('transformer', () => resolveTransformer(root, notes), (c) => {
    const r = checkDit(root, c, problems);
    dit = r.dit;
    ditDims = r.dims;
    return r.report;
  });
  parts.gemma = run('text_encoder', () => resolveGemma(root, notes), (c) => checkGemma(root, c, problems));
  parts.jina = run('clip_model', () => resolveJina(root, notes), (c) => checkJina(root, c, problems));
  parts.vae = run('vae', () => resolveVae(root, notes), (c) => checkVae(root, c, problems));
  parts.tokenizers = run('tokenizers', () => resolveTokenizers(root), () => undefined);

  const dimOf = (id: ComponentId, key: string) => components.find((r) => r.id === id && r.status === 'found')?.dims?.[key] as number | undefined;
  const cross = (a: number | undefined, b: number | undefined, what: string, id: ComponentId) => {
    if (a !== undefined && b !== undefined && a !== b) problems.push({ component: 'model', code: 'ModelInvalid', message: `${what}: the DiT expects ${a}, ${id} has ${b}`, hint: COMPONENT_HINTS[id] });
  };
  if (ditDims) {
    cross(ditDims.capFeatDim, dimOf('text_encoder', 'hidden'), 'cap_feat_dim (Gemma hidden size)', 'text_encoder');
    cross(ditDims.clipTextDim, dimOf('clip_model', 'hidden'), 'clip_text_dim (Jina hidden size)', 'clip_model');
    cross(ditDims.inChannels, dimOf('vae', 'latentChannels'), 'latent channels', 'vae');
  }
  if (parts.tokenizers) {
    const vocabChecks: Array<[string, number | undefined, ComponentId]> = [
      [parts.tokenizers.gemma.json, dimOf('text_encoder', 'vocabSize'), 'text_encoder'],
      [parts.tokenizers.jina.json, dimOf('clip_model', 'vocabSize'), 'clip_model'],
    ];
    for (const [path, rows, id] of vocabChecks) {
      let size: number;
      try {
        size = tokenizerVocabSize(path);
      } catch (e) {
        problems.push({ component: 'tokenizers', code: 'ModelInvalid', message: `${relative(root, path)}: not a tokenizer.json (${(e as Error).message})`, hint: COMPONENT_HINTS.tokenizers });
        continue;
      }
      if (rows !== undefined && size > rows) {
        problems.push({ component: 'tokenizers', code: 'ModelInvalid', message: `${relative(root, path)}: ${size} token ids but the ${id} embedding has ${rows} rows`, hint: 'The tokenizer belongs to another model: download it again.' });
      }
    }
  }
  const testModel = parts.transformer?.weights.files.some((f) => 'newbie_studio_tiny' in f.metadata) ?? false;
  if (testModel) notes.push('This is a random test model made by `models make-tiny`: it produces noise, it is for trying the interface.');
  const ok = problems.length === 0;
  const identity = ok ? modelIdentity(parts as ModelPackage) : undefined;
  const tokenizers = parts.tokenizers ? { gemma: relative(root, parts.tokenizers.gemma.json), jina: relative(root, parts.tokenizers.jina.json) } : {};
  return { folder, root, ok, testModel, components, tokenizers, dit, problems, notes, identity };
}

export interface HfCacheModelReport {
  repo: string;
  revision: string;
  snapshot: string;
  ok: boolean;
  testModel: boolean;
  problems: string[];
}

/**
 * Models in the Hugging Face cache (HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME or ~/.cache/huggingface), checked,
 * official repo first. For the first-run screen's "use one found in the Hugging Face cache".
 */
export function findHfCacheModels(env: NodeJS.ProcessEnv = process.env): HfCacheModelReport[] {
  return listHfCacheModelSnapshots(env).map((m) => {
    const r = checkModelFolder(m.snapshot);
    return { ...m, ok: r.ok, testModel: r.testModel, problems: r.problems.map((p) => p.message) };
  });
}
