/**
 * Generation metadata of an image: our `newbie` JSON (everything that reproduces the image, conventions.md §6) and
 * the reader for drag-and-drop restore and `history import`, which also understands other studios' files
 * (conventions.md §10).
 */
import { z } from 'zod';
import { MAX_SEED, type GenerationRequest, type PrecisionPlan, type ProviderName } from '../../../shared/dto';
import { StudioError } from '../../../shared/errors';
import { NOISE_ALGORITHM } from '../noise/philox';
import {
  fromComfyUi,
  fromFooocus,
  fromInvokeAi,
  fromNovelAi,
  isJsonText,
  type LabelledText,
} from './foreign';
import { parseInfotext } from './infotext';
import { isJpeg, readJpegUserComment } from './jpeg';
import { isPng, readPngTextChunks } from './png';
import type { RestoredRequest } from './restore';
import { readStealthText } from './stealth';

const dtype = z.enum(['bf16', 'fp16', 'fp32']);

/** A reproducible single-image request (seed = this image's seed, batch 1). */
const requestSchema = z.object({
  prompt: z.string(),
  negativePrompt: z.string(),
  width: z.number().int().positive().multipleOf(16),
  height: z.number().int().positive().multipleOf(16),
  steps: z.number().int().min(1),
  guidance: z.number(),
  shift: z.number().positive(),
  cfgTrunc: z.number(),
  renormCfg: z.number(),
  sampler: z.enum(['euler', 'midpoint']),
  seed: z.number().int().min(0).max(MAX_SEED),
  batch: z.literal(1),
  precision: z.enum(['auto', 'bf16', 'fp16', 'fp32']),
});

const newbieSchema = z.object({
  format: z.literal('newbie-studio'),
  version: z.literal(1),
  request: requestSchema,
  /** Initial-noise algorithm (`NOISE_ALGORITHM`). */
  noise: z.string(),
  precision: z.object({ gemma: dtype, jina: dtype, dit: dtype, vae: dtype }),
  provider: z.enum(['cuda', 'dml', 'coreml', 'webgpu', 'cpu']),
  /** identity: hash of the safetensors headers + sizes; graphVersion: the graph builder's version. */
  model: z.object({ name: z.string(), identity: z.string(), graphVersion: z.string().optional() }),
  versions: z.object({ app: z.string(), onnxruntime: z.string() }),
});

/** Contents of the `newbie` iTXt chunk. No timings or memory figures: those live in the history database. */
export type NewbieImageMetadata = z.infer<typeof newbieSchema>;

export interface NewbieMetadataInput {
  /** The generation as queued (seed = the batch's first seed). */
  request: GenerationRequest;
  /** Index of the image in its batch: its seed is request.seed + imageIndex (default 0). */
  imageIndex?: number;
  precision: PrecisionPlan;
  provider: ProviderName;
  model: { name: string; identity: string; graphVersion?: string };
  appVersion: string;
  onnxruntimeVersion: string;
}

/**
 * Builds the `newbie` chunk JSON of one image: the request narrowed to that image (seed + index, batch 1; no
 * lineage or memory policy, which do not change pixels), the noise algorithm, resolved precision, provider, model
 * identity and versions. Same inputs → same object → byte-identical PNG.
 * @throws StudioError InvalidRequest when the request is not a valid NewBie request or seed + index > 2^53 − 1
 */
export function newbieMetadata(input: NewbieMetadataInput): NewbieImageMetadata {
  const q = input.request;
  const index = input.imageIndex ?? 0;
  const draft = {
    format: 'newbie-studio',
    version: 1,
    request: {
      prompt: q.prompt,
      negativePrompt: q.negativePrompt,
      width: q.width,
      height: q.height,
      steps: q.steps,
      guidance: q.guidance,
      shift: q.shift,
      cfgTrunc: q.cfgTrunc,
      renormCfg: q.renormCfg,
      sampler: q.sampler,
      seed: q.seed + index,
      batch: 1,
      precision: q.precision,
    },
    noise: NOISE_ALGORITHM,
    precision: {
      gemma: input.precision.gemma,
      jina: input.precision.jina,
      dit: input.precision.dit,
      vae: input.precision.vae,
    },
    provider: input.provider,
    model:
      input.model.graphVersion === undefined
        ? { name: input.model.name, identity: input.model.identity }
        : { ...input.model },
    versions: { app: input.appVersion, onnxruntime: input.onnxruntimeVersion },
  };
  const parsed = newbieSchema.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StudioError('InvalidRequest', `Image metadata: ${issue.path.join('.')}: ${issue.message}.`);
  }
  return parsed.data;
}

export type MetadataSource = 'newbie' | 'a1111' | 'fooocus' | 'novelai' | 'invokeai' | 'comfyui' | 'none';

export interface ImageMetadata {
  source: MetadataSource;
  /** What maps onto a NewBie request; everything for `newbie`, a subset for other tools. */
  request: Partial<GenerationRequest>;
  /** What was left out or how it was read, for the user. */
  notes: string[];
  /** Every text chunk by keyword (first occurrence), or {UserComment} for a JPEG. */
  raw: Record<string, string>;
  /** The full `newbie` chunk when source is 'newbie'. */
  newbie?: NewbieImageMetadata;
  /** ComfyUI: the texts of its text-encode nodes, labelled by node. */
  texts?: LabelledText[];
}

function fromRestored(
  source: MetadataSource,
  r: RestoredRequest,
  notes: string[],
  raw: Record<string, string>,
): ImageMetadata {
  return { source, request: r.request, notes: [...notes, ...r.notes], raw };
}

function fromParameters(
  text: string,
  origin: string,
  notes: string[],
  raw: Record<string, string>,
): ImageMetadata | undefined {
  if (isJsonText(text)) {
    const fooocus = fromFooocus(text);
    if (fooocus) return fromRestored('fooocus', fooocus, notes, raw);
    notes.push(`${origin} is JSON of an unknown tool: not read.`);
    return undefined;
  }
  const parsed = parseInfotext(text, origin);
  return { source: 'a1111', request: parsed.request, notes: [...notes, ...parsed.notes], raw };
}

/**
 * Reads the generation metadata of a PNG (tEXt/iTXt/zTXt anywhere, stealth pnginfo) or JPEG (EXIF UserComment).
 * Precedence: our `newbie` chunk; A1111 infotext; Fooocus JSON; NovelAI; InvokeAI; ComfyUI; stealth pnginfo.
 * @param bytes the whole file; @param fileName for messages
 * @returns source 'none' with a note when nothing usable is found (not an error)
 * @throws StudioError InvalidRequest naming the file when it is empty, truncated, damaged, or not a PNG/JPEG
 */
export function readImageMetadata(bytes: Uint8Array, fileName: string): ImageMetadata {
  if (bytes.length === 0) {
    throw new StudioError(
      'InvalidRequest',
      `${fileName}: the file is empty.`,
      'Choose an image file that is not empty.',
    );
  }
  const notes: string[] = [];
  const chunks = new Map<string, string>();
  if (isPng(bytes)) {
    for (const c of readPngTextChunks(bytes, fileName))
      if (!chunks.has(c.keyword)) chunks.set(c.keyword, c.text);
  } else if (isJpeg(bytes)) {
    const comment = readJpegUserComment(bytes, fileName);
    if (comment !== undefined) chunks.set('UserComment', comment);
  } else {
    throw new StudioError(
      'InvalidRequest',
      `${fileName} is not a PNG or JPEG image.`,
      'Drop a PNG or JPEG file.',
    );
  }
  const raw = Object.fromEntries(chunks);

  const newbieText = chunks.get('newbie');
  if (newbieText !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(newbieText);
    } catch {
      json = undefined;
    }
    const parsed = newbieSchema.safeParse(json);
    if (parsed.success)
      return { source: 'newbie', request: { ...parsed.data.request }, notes, raw, newbie: parsed.data };
    notes.push(
      `${fileName}: the newbie metadata chunk is unreadable or of another version; read the other metadata instead.`,
    );
  }
  const parameters = chunks.get('parameters') ?? chunks.get('UserComment');
  if (parameters !== undefined) {
    const origin = chunks.has('parameters') ? 'A1111 parameters' : 'EXIF UserComment';
    const result = fromParameters(parameters, origin, notes, raw);
    if (result) return result;
  }
  const novelAi = fromNovelAi(chunks);
  if (novelAi) return fromRestored('novelai', novelAi, notes, raw);
  const invokeAi = fromInvokeAi(chunks);
  if (invokeAi) return fromRestored('invokeai', invokeAi, notes, raw);
  const comfy = fromComfyUi(chunks.get('prompt'));
  if (comfy) return { ...fromRestored('comfyui', comfy.restored, notes, raw), texts: comfy.texts };
  if (isPng(bytes)) {
    const stealth = readStealthText(bytes);
    if (stealth) {
      const parsed = parseInfotext(stealth.text, 'Stealth parameters');
      const how = `${fileName}: parameters read from the ${stealth.mode === 'alpha' ? 'alpha channel' : 'RGB'} low bits (stealth pnginfo${stealth.compressed ? ', compressed' : ''}).`;
      return {
        source: 'a1111',
        request: parsed.request,
        notes: [...notes, how, ...parsed.notes],
        raw: { ...raw, stealth: stealth.text },
      };
    }
  }
  notes.push(`${fileName}: no generation metadata found; nothing to restore.`);
  return { source: 'none', request: {}, notes, raw };
}
