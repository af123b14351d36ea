/**
 * Plain data of the model check (`newbie-studio models check --json`, `models.check`, the Settings panel, the
 * first-run screen). The single definition: `src/main/models/check.ts` produces it and re-exports these under its
 * older names (`CheckProblem`, `ComponentReport`), `./apiTypes` re-exports them for the contract. Units: bytes for
 * sizes, file paths relative to the model root.
 */
import type { ErrorCode } from './errors';

/** A weight component of a model package (its folder name in the hub layout). */
export type ModelComponentId = 'transformer' | 'text_encoder' | 'clip_model' | 'vae';

export interface ModelCheckProblem {
  component: ModelComponentId | 'tokenizers' | 'model';
  code: ErrorCode;
  message: string;
  hint?: string;
}

export interface ModelComponentReport {
  id: ModelComponentId;
  status: 'found' | 'missing' | 'invalid';
  /** Files used, e.g. "text_encoder/model.safetensors.index.json (2 shards)". */
  source?: string;
  keyConvention?: string;
  /** Tensor count per dtype, over the tensors the app uses. */
  dtypes: Record<string, number>;
  parameterCount: number;
  tensorCount: number;
  /** Tensors in the files the app ignores (vision tower, VAE encoder …). */
  ignoredTensors: number;
  /** Bytes of the real files (symlinks resolved). */
  sizeOnDisk: number;
  files: Array<{ path: string; size: number }>;
  /** Dimensions read from shapes. */
  dims?: Record<string, unknown>;
}

/** The DiT's expected-vs-found tensor list (expected = derived from shapes/config: 535 for the real dims). */
export interface DitTensorReport {
  expectedCount: number;
  foundCount: number;
  missing: string[];
  unexpected: string[];
  shapeMismatches: Array<{ name: string; expected: number[]; found: number[] }>;
}

/** Result of `models.check` (the same report as `newbie-studio models check --json`). */
export interface ModelCheckReport {
  /** The folder as given. */
  folder: string;
  /** The model root it resolves to (an HF cache folder → its snapshot). */
  root: string;
  ok: boolean;
  /** A generator-made random model (it produces noise). */
  testModel: boolean;
  components: ModelComponentReport[];
  tokenizers: { gemma?: string; jina?: string };
  dit?: DitTensorReport;
  problems: ModelCheckProblem[];
  notes: string[];
  /** modelIdentity when every part resolved. */
  identity?: string;
}
