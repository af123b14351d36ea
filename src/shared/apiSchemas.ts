/**
 * Payload schemas of the contract (shared/api.ts): one zod schema per invoke channel, checked at the boundary by
 * StudioService before any handler runs, plus the settings file schema. Kept apart from api.ts because the sandboxed
 * preload imports api.ts and cannot load zod.
 */
import { z } from 'zod';
import { MAX_SEED } from './dto';
import type { Result } from './errors';
import type { InvokeChannel, InvokePayload } from './api';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const id = z.string().min(1).max(200);
const imageIds = z.array(z.number().int().positive()).min(1).max(10_000);
const TEXT_MAX = 200_000;
const PATH_MAX = 4096;
/**
 * A folder named by the renderer: absolute (POSIX `/…`, Windows `C:\…` or `\\server\share`), no NUL. A relative path
 * would resolve against the main process's working folder, which the user never sees.
 */
const absolutePath = z
  .string()
  .min(1)
  .max(PATH_MAX)
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p) && !p.includes('\0'), 'expected an absolute folder path (such as /home/me/models/NewBie)');
/** Invoke channels without arguments accept nothing, null or {}. */
const none = z.union([z.undefined(), z.null(), z.strictObject({})]);
const samplerSchema = z.enum(['euler', 'midpoint']);
const precisionSchema = z.enum(['auto', 'bf16', 'fp16', 'fp32']);
const memoryPolicySchema = z.enum(['auto', 'keep', 'release']);
const providerSchema = z.enum(['auto', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu']);

/**
 * What the renderer sends to generate: a prompt and any request field it sets. Missing fields come from the
 * settings' defaults; `seed` absent or null draws a random seed in [0, 2^32 − 1] when the job is enqueued.
 * Ranges here are the coarse ones; the engine's rules (sides multiple of 16, seed + batch ≤ 2^53 − 1) are checked by
 * the service and come back as `InvalidRequest`.
 */
export const requestDraftSchema = z.strictObject({
  prompt: z.string().max(TEXT_MAX),
  negativePrompt: z.string().max(TEXT_MAX).optional(),
  width: int(16, 4096).optional(),
  height: int(16, 4096).optional(),
  steps: int(1, 1000).optional(),
  guidance: z.number().min(0).max(100).optional(),
  shift: z.number().gt(0).max(100).optional(),
  cfgTrunc: z.number().min(0).max(1000).optional(),
  renormCfg: z.number().min(0).max(1000).optional(),
  sampler: samplerSchema.optional(),
  seed: int(0, MAX_SEED).nullable().optional(),
  batch: int(1, 64).optional(),
  precision: precisionSchema.optional(),
  memoryPolicy: memoryPolicySchema.optional(),
  parentId: id.optional(),
});
export type RequestDraft = z.infer<typeof requestDraftSchema>;

export const galleryQuerySchema = z.strictObject({
  limit: int(1, 500).optional(),
  cursor: z.string().max(1000).nullable().optional(),
  search: z.string().max(1000).optional(),
  favoritesOnly: z.boolean().optional(),
  minRating: int(1, 5).optional(),
  from: z.number().int().min(0).optional(),
  to: z.number().int().min(0).optional(),
  width: int(16, 4096).optional(),
  height: int(16, 4096).optional(),
  modelIdentity: z.string().max(200).optional(),
});

export const generationDefaultsSchema = z.strictObject({
  negativePrompt: z.string().max(TEXT_MAX),
  // Multiples of 16 like the engine needs: a default it refuses would make every plain "Generate" fail.
  width: int(16, 4096).multipleOf(16),
  height: int(16, 4096).multipleOf(16),
  steps: int(1, 1000),
  guidance: z.number().min(0).max(100),
  shift: z.number().gt(0).max(100),
  cfgTrunc: z.number().min(0).max(1000),
  renormCfg: z.number().min(0).max(1000),
  sampler: samplerSchema,
  precision: precisionSchema,
  batch: int(1, 64),
});

/** Renderer preferences: flat, small, keys that cannot be mistaken for the wire's byte marker. */
const uiSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]))
  .refine((r) => Object.keys(r).length <= 500, 'at most 500 ui entries');

/** The whole settings file. */
export const settingsSchema = z.strictObject({
  modelDir: z.string().min(1).max(PATH_MAX).nullable(),
  provider: providerSchema,
  memoryPolicy: memoryPolicySchema,
  previews: z.boolean(),
  autoStartQueue: z.boolean(),
  defaults: generationDefaultsSchema,
  ui: uiSchema,
});

/** `settings.set`: any subset; `defaults` and `ui` merge key by key into the current values. */
export const settingsPatchSchema = z.strictObject({
  modelDir: absolutePath.nullable().optional(),
  provider: providerSchema.optional(),
  memoryPolicy: memoryPolicySchema.optional(),
  previews: z.boolean().optional(),
  autoStartQueue: z.boolean().optional(),
  defaults: generationDefaultsSchema.partial().optional(),
  ui: uiSchema.optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** A Hugging Face repo id `org/name` (letters, digits, `.`, `_`, `-`; no `..`, so it is safe as a folder name). */
const hubRepoId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/, 'expected a Hugging Face repo id such as org/name')
  .refine((r) => !r.includes('..'), 'a repo id has no ".."');
/** An http(s) URL: a hub or mirror endpoint. */
const httpUrl = z
  .string()
  .max(2000)
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'expected an http:// or https:// URL');

const IMPORT_MAX_BYTES = 200 * 1024 * 1024;
const importFile = z.strictObject({
  name: z.string().min(1).max(255),
  bytes: z
    .custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected the file content as bytes (Uint8Array)')
    .refine((b) => b.byteLength <= IMPORT_MAX_BYTES, 'a file is at most 200 MB'),
});

/** One schema per invoke channel: the payload exactly as it must arrive (unknown keys are refused). */
export const INVOKE_SCHEMAS = {
  'generation.enqueue': z.strictObject({ request: requestDraftSchema }),
  /** `hard` kills the engine host at once instead of stopping after the current step (running job only). */
  'generation.cancel': z.strictObject({ id, hard: z.boolean().optional() }),
  'generation.cancelAll': z.union([none, z.strictObject({ hard: z.boolean().optional() })]),
  /** The full new order of queued ids, or one job moved to a 0-based place. */
  'generation.reorder': z.union([z.strictObject({ ids: z.array(id).max(10_000) }), z.strictObject({ id, toIndex: z.number().int().min(0) })]),
  /** Without id: the whole queue (the running job goes on). With id: hold that pending job. */
  'generation.pause': z.union([none, z.strictObject({ id: id.optional() })]),
  /** Without id: the whole queue. With id: a held job, or retry an interrupted one. */
  'generation.resume': z.union([none, z.strictObject({ id: id.optional() })]),
  'queue.list': none,
  'history.page': z.union([none, galleryQuerySchema]),
  'history.search': galleryQuerySchema.extend({ search: z.string().min(1).max(1000) }),
  'history.get': z.strictObject({ id }),
  'history.lineage': z.strictObject({ id }),
  'history.favorite': z.strictObject({ imageId: z.number().int().positive(), favorite: z.boolean() }),
  'history.rate': z.strictObject({ imageId: z.number().int().positive(), rating: int(0, 5) }),
  'history.delete': z.strictObject({ imageIds }),
  'history.undoDelete': z.strictObject({ imageIds }),
  /** Files by content (drag-and-drop works the same in Electron and the browser). `restoreOnly` writes nothing. */
  'history.import': z.strictObject({ files: z.array(importFile).min(1).max(100), restoreOnly: z.boolean().optional() }),
  'prompt.check': z.strictObject({ text: z.string().max(TEXT_MAX) }),
  'prompt.format': z.strictObject({ text: z.string().max(TEXT_MAX) }),
  'prompt.completeTags': z.strictObject({ prefix: z.string().max(200), field: z.string().max(64).optional(), limit: int(1, 200).optional() }),
  'devices.get': z.union([none, z.strictObject({ refresh: z.boolean().optional() })]),
  'settings.get': none,
  'settings.set': settingsPatchSchema,
  /** Default folder: the one in the settings. */
  'models.check': z.union([none, z.strictObject({ dir: absolutePath.optional() })]),
  'models.find': none,
  /** Defaults: the official repo, `<dataDir>/models/<repo name>`, HF_TOKEN, HF_ENDPOINT. `activate`: use it when done. */
  'models.download': z.union([
    none,
    z.strictObject({
      repo: hubRepoId.optional(),
      revision: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/).optional(),
      dir: absolutePath.optional(),
      token: z.string().min(1).max(1000).optional(),
      endpoint: httpUrl.optional(),
      activate: z.boolean().optional(),
    }),
  ]),
  'models.cancelDownload': z.strictObject({ downloadId: id }),
  'models.makeTiny': none,
  'models.use': z.strictObject({ dir: absolutePath }),
  'models.pickFolder': none,
} as const satisfies Record<InvokeChannel, z.ZodType>;

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/**
 * The issues a person can act on. A union (`{}` or null or an object) fails as one "Invalid input"; its branch whose
 * issues reach deepest into the payload (the object branch the caller meant) says what is wrong instead.
 */
function specificIssues(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((i) => {
    if (i.code !== 'invalid_union' || !i.errors?.length) return [i];
    const depth = (branch: Issue[]) => Math.max(0, ...branch.map((b) => b.path.length + (b.code === 'unrecognized_keys' ? 0.5 : 0)));
    const best = i.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    return depth(best) > 0 ? specificIssues(best.map((b) => ({ ...b, path: [...i.path, ...b.path] }))) : [i];
  });
}

/**
 * Validates an invoke payload against its channel's schema.
 * @returns the parsed payload, or an `InvalidRequest` error naming the first problems (never throws).
 */
export function parsePayload<C extends InvokeChannel>(channel: C, payload: unknown): Result<InvokePayload<C>> {
  const parsed = (INVOKE_SCHEMAS[channel] as z.ZodType).safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data as InvokePayload<C> };
  const problems = specificIssues(parsed.error.issues)
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`)
    .join('; ');
  return { ok: false, error: { code: 'InvalidRequest', message: `Invalid ${channel} request: ${problems}.` } };
}
