/**
 * The renderer's shared state: the prompt being written (the editor and the composer edit the same text), the
 * negative prompt, the generation parameters, and what the service last told us (settings, devices, queue).
 * Units: pixels, steps, guidance scale; seeds are integers 0 … 2^53 − 1 (conventions.md §1).
 */
import { create } from 'zustand';
import {
  DEFAULTS,
  type GenerationDefaults,
  type GenerationRequest,
  type SamplingParams,
} from '../../../shared/dto';
import type { DeviceInfo, QueueSnapshot, Settings } from '../../../shared/dto';
import type { RequestDraft } from '../../../shared/api';

export type SeedMode = 'random' | 'fixed';
export type Theme = 'dark' | 'light';

/** What the generate panel edits; `seed` is used only in fixed mode. */
export interface GenerateParams extends SamplingParams {
  seedMode: SeedMode;
  seed: number;
}

/** Who changed the prompt last: the editor applies every change that did not come from itself. */
export type PromptOrigin = 'editor' | 'composer' | 'restore';

export interface StudioState {
  prompt: string;
  promptOrigin: PromptOrigin;
  /** Increments on every prompt change (lets the editor tell a new outside change from an old one). */
  promptRevision: number;
  negativePrompt: string;
  params: GenerateParams;
  theme: Theme;
  settings: Settings | null;
  device: DeviceInfo | null;
  queue: QueueSnapshot;
  setPrompt(text: string, origin: PromptOrigin): void;
  setNegativePrompt(text: string): void;
  setParams(patch: Partial<GenerateParams>): void;
  /** Puts a stored or restored request into the editor and the generate panel (seed fixed to its value). */
  applyRequest(request: Partial<GenerationRequest>): void;
  setTheme(theme: Theme): void;
  setSettings(settings: Settings): void;
  setDevice(device: DeviceInfo): void;
  setQueue(queue: QueueSnapshot): void;
}

export const INITIAL_PROMPT = `<character_1>
  <n></n>
  <gender>1girl</gender>
  <appearance></appearance>
  <clothing></clothing>
  <expression></expression>
  <action></action>
  <position>center</position>
</character_1>

<general_tags>
  <count>1girl, solo</count>
  <style>anime_style</style>
  <background>simple_background</background>
  <quality>high_resolution, detailed</quality>
</general_tags>
`;

/** Parameters from the settings' defaults (or the official defaults before settings arrive). */
export function paramsFromDefaults(d: Partial<GenerationDefaults> = {}): GenerateParams {
  return {
    width: d.width ?? DEFAULTS.width,
    height: d.height ?? DEFAULTS.height,
    steps: d.steps ?? DEFAULTS.steps,
    guidance: d.guidance ?? DEFAULTS.guidance,
    shift: d.shift ?? DEFAULTS.shift,
    cfgTrunc: d.cfgTrunc ?? DEFAULTS.cfgTrunc,
    renormCfg: d.renormCfg ?? DEFAULTS.renormCfg,
    sampler: d.sampler ?? DEFAULTS.sampler,
    precision: d.precision ?? DEFAULTS.precision,
    batch: d.batch ?? DEFAULTS.batch,
    seedMode: 'random',
    seed: 0,
  };
}

/**
 * The `generation.enqueue` draft for the current state: random mode sends `seed: null` so the service draws it
 * when the job is queued (conventions.md §1).
 */
export function draftOf(s: Pick<StudioState, 'prompt' | 'negativePrompt' | 'params'>): RequestDraft {
  const p = s.params;
  return {
    prompt: s.prompt,
    negativePrompt: s.negativePrompt,
    width: p.width,
    height: p.height,
    steps: p.steps,
    guidance: p.guidance,
    shift: p.shift,
    cfgTrunc: p.cfgTrunc,
    renormCfg: p.renormCfg,
    sampler: p.sampler,
    precision: p.precision,
    batch: p.batch,
    seed: p.seedMode === 'random' ? null : p.seed,
  };
}

/** The draft that re-runs a stored request; `seed` overrides its seed, `parentId` records the lineage. */
export function rerunDraft(
  r: GenerationRequest,
  parentId: string,
  seed: number | null = r.seed,
): RequestDraft {
  return {
    prompt: r.prompt,
    negativePrompt: r.negativePrompt,
    width: r.width,
    height: r.height,
    steps: r.steps,
    guidance: r.guidance,
    shift: r.shift,
    cfgTrunc: r.cfgTrunc,
    renormCfg: r.renormCfg,
    sampler: r.sampler,
    precision: r.precision,
    batch: r.batch,
    seed,
    parentId,
    ...(r.memoryPolicy !== undefined && { memoryPolicy: r.memoryPolicy }),
  };
}

const EMPTY_QUEUE: QueueSnapshot = { paused: false, runningId: null, items: [] };

export const useStudio = create<StudioState>((set) => ({
  prompt: INITIAL_PROMPT,
  promptOrigin: 'restore',
  promptRevision: 0,
  negativePrompt: '',
  params: paramsFromDefaults(),
  theme: 'dark',
  settings: null,
  device: null,
  queue: EMPTY_QUEUE,
  setPrompt(text, origin) {
    set((s) =>
      s.prompt === text ? s : { prompt: text, promptOrigin: origin, promptRevision: s.promptRevision + 1 },
    );
  },
  setNegativePrompt(text) {
    set({ negativePrompt: text });
  },
  setParams(patch) {
    set((s) => ({ params: { ...s.params, ...patch } }));
  },
  applyRequest(r) {
    set((s) => ({
      prompt: r.prompt ?? s.prompt,
      promptOrigin: 'restore',
      promptRevision: s.promptRevision + 1,
      negativePrompt: r.negativePrompt ?? s.negativePrompt,
      params: {
        ...s.params,
        ...(r.width !== undefined && { width: r.width }),
        ...(r.height !== undefined && { height: r.height }),
        ...(r.steps !== undefined && { steps: r.steps }),
        ...(r.guidance !== undefined && { guidance: r.guidance }),
        ...(r.shift !== undefined && { shift: r.shift }),
        ...(r.cfgTrunc !== undefined && { cfgTrunc: r.cfgTrunc }),
        ...(r.renormCfg !== undefined && { renormCfg: r.renormCfg }),
        ...(r.sampler !== undefined && { sampler: r.sampler }),
        ...(r.precision !== undefined && { precision: r.precision }),
        ...(r.batch !== undefined && { batch: r.batch }),
        ...(r.seed !== undefined && { seed: r.seed, seedMode: 'fixed' as const }),
      },
    }));
  },
  setTheme(theme) {
    set({ theme });
  },
  setSettings(settings) {
    set({ settings });
  },
  setDevice(device) {
    set({ device });
  },
  setQueue(queue) {
    set({ queue });
  },
}));
