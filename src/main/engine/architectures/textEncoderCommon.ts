/**
 * Small pure helpers shared by the two text encoders (gemma3Text.ts, jinaClipV2Text.ts): RoPE cos/sin tables and the
 * sliding-window band mask (computed here, fed to the graphs as inputs), dtype rounding of constants, and reading
 * config.json fields and layer counts with errors a person can act on.
 */
import { StudioError } from '../../../shared/errors';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../safetensors/dtypes';
import type { WeightSet } from '../safetensors/weightSet';

/** Compute dtype of a graph's activations (graph I/O stays float32). */
export type ComputeDtype = 'float32' | 'float16' | 'bfloat16';

/** `x` rounded to the compute dtype and widened back to a JS number (round to nearest even). */
export function roundToDtype(x: number, dtype: ComputeDtype): number {
  if (dtype === 'bfloat16') return bf16BitsToF32(f32ToBf16Bits(x));
  if (dtype === 'float16') return f16BitsToF32(f32ToF16Bits(x));
  return Math.fround(x);
}

/**
 * RoPE inverse frequencies [headDim/2] f32: inv_k = 1 / theta^(2k/headDim), divided by `linearFactor` (linear
 * position scaling). Every step rounds to float32 as the references do.
 * Sources: transformers modeling_rope_utils.py `_compute_default_rope_parameters` and
 * `_compute_linear_scaling_rope_parameters`; flash_attn/layers/rotary.py `RotaryEmbedding._compute_inv_freq` (Jina).
 * @throws StudioError ModelInvalid for an odd head_dim or a non-positive theta/factor (from a bad config).
 */
export function ropeInvFreq(headDim: number, theta: number, linearFactor = 1): Float32Array {
  if (headDim % 2 !== 0 || headDim <= 0)
    throw new StudioError('ModelInvalid', `RoPE needs an even head_dim, got ${headDim}`);
  if (!(theta > 0) || !(linearFactor > 0)) {
    throw new StudioError(
      'ModelInvalid',
      `RoPE theta (${theta}) and scaling factor (${linearFactor}) must be positive`,
    );
  }
  const half = headDim / 2;
  const out = new Float32Array(half);
  for (let k = 0; k < half; k++) {
    const exponent = Math.fround((2 * k) / headDim);
    const inv = Math.fround(1 / Math.fround(Math.pow(theta, exponent)));
    out[k] = Math.fround(inv / linearFactor);
  }
  return out;
}

/**
 * Per-token RoPE tables for positions 0..length−1 in the RotaryEmbedding-23 layout [1, length, headDim/2] (f32):
 * angle = fround(p · inv_k) (the reference's fp32 outer product), cos/sin of it rounded to f32.
 * The half-split ("rotate_half") and interleaved layouts share these tables; the op's `interleaved` attribute picks.
 */
export function ropeTables(length: number, invFreq: Float32Array): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const cos = new Float32Array(length * half);
  const sin = new Float32Array(length * half);
  for (let p = 0; p < length; p++) {
    for (let k = 0; k < half; k++) {
      const angle = Math.fround(p * invFreq[k]);
      cos[p * half + k] = Math.cos(angle);
      sin[p * half + k] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * Causal sliding-window band [length, length] (row = query q, column = key kv; 1 = may attend):
 * kv ≤ q and q − kv < window, i.e. each token sees itself and the window−1 tokens before it.
 * Source: transformers masking_utils.py `causal_mask_function` + `sliding_window_overlay` (kv_idx > q_idx − window).
 */
export function slidingWindowMask(length: number, window: number): Uint8Array {
  const m = new Uint8Array(length * length);
  for (let q = 0; q < length; q++) {
    for (let kv = Math.max(0, q - window + 1); kv <= q; kv++) m[q * length + kv] = 1;
  }
  return m;
}

/** A config.json object, or an empty one. */
export type JsonObject = Record<string, unknown>;

/** `v` as a JSON object, or undefined for null, arrays and non-objects (config.json fields are untrusted). */
export function asObject(v: unknown): JsonObject | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/**
 * A number field: the value when present, `fallback` when absent or null.
 * @throws StudioError ModelInvalid when present but not a finite number.
 */
export function numberField(
  obj: JsonObject | undefined,
  key: string,
  fallback: number,
  where: string,
): number {
  const v = obj?.[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new StudioError('ModelInvalid', `${where}: ${key} is ${JSON.stringify(v)}, expected a number`);
  }
  return v;
}

/** A string field, `fallback` when absent or null. @throws StudioError ModelInvalid when not a string. */
export function stringField(
  obj: JsonObject | undefined,
  key: string,
  fallback: string,
  where: string,
): string {
  const v = obj?.[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string')
    throw new StudioError('ModelInvalid', `${where}: ${key} is ${JSON.stringify(v)}, expected a string`);
  return v;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Number of blocks `N` in `<prefix><infix>N.*` keys (e.g. `model.layers.12.…`), checking that every index 0..N−1
 * has a `<marker>` tensor.
 * @throws StudioError ModelInvalid when there are no blocks or an index is missing (names the first missing key).
 */
export function countBlocks(weights: WeightSet, prefix: string, infix: string, marker: string): number {
  const re = new RegExp(`^${escapeRegExp(prefix + infix)}(\\d+)\\.`);
  let max = -1;
  for (const name of weights.names()) {
    const m = re.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  if (max < 0) {
    throw new StudioError(
      'ModelInvalid',
      `${weights.describe()}: no ${prefix}${infix}N.* tensors found`,
      describeKeys(weights),
    );
  }
  for (let i = 0; i <= max; i++) {
    const key = `${prefix}${infix}${i}.${marker}`;
    if (!weights.has(key))
      throw new StudioError(
        'ModelInvalid',
        `${weights.describe()}: tensor ${key} is missing (found blocks up to ${max})`,
      );
  }
  return max + 1;
}

/** A short hint listing some of the keys a file holds (for "wrong file" errors). */
export function describeKeys(weights: WeightSet, limit = 6): string {
  const names = weights.names();
  const shown = names.slice(0, limit).join(', ');
  return `The file holds ${names.length} tensors, e.g. ${shown}${names.length > limit ? ', …' : ''}.`;
}

/**
 * Shape of a tensor, checked against the expected dims (null = any).
 * @throws StudioError ModelInvalid naming the tensor, its shape and the expected one.
 */
export function expectShape(weights: WeightSet, name: string, expected: Array<number | null>): number[] {
  const shape = weights.get(name).shape;
  const ok = shape.length === expected.length && expected.every((d, i) => d === null || d === shape[i]);
  if (!ok) {
    const want = `[${expected.map((d) => (d === null ? '?' : d)).join(', ')}]`;
    throw new StudioError(
      'ModelInvalid',
      `${weights.describe()}: tensor ${name} has shape [${shape.join(', ')}], expected ${want}`,
    );
  }
  return shape;
}

/** Validates token ids: a non-empty list of integers in [0, vocab). @throws StudioError InvalidRequest. */
export function checkIds(ids: readonly number[], vocab: number, component: string): void {
  if (ids.length === 0)
    throw new StudioError(
      'InvalidRequest',
      `${component}: no token ids to encode (the tokenizer must add at least the start token)`,
    );
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new StudioError(
        'InvalidRequest',
        `${component}: token id ${id} at position ${i} is outside the vocabulary [0, ${vocab})`,
        'The tokenizer does not match the model: check that tokenizer.json belongs to this checkpoint.',
      );
    }
  }
}
