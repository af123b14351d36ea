/**
 * Pure tables and layout helpers of the NewBie NextDiT: patchify / unpatchify of the latent, the 3-axis position ids
 * and the RoPE cos/sin tables fed to the graphs. No ORT, no I/O.
 * Source: NewBieAI-Lab/NewBie-image-Exp0.1 @709e9a4 `models/model.py` (`NextDiT.patchify_and_embed`, `unpatchify`,
 * `RopeEmbedder`, `precompute_freqs_cis`), newbie-model.md §2.7 items 4, 5, 7, 11.
 */
import { StudioError } from '../../../shared/errors';

/**
 * Latent [C, h, w] → patch tokens [N, p·p·C], N = (h/p)·(w/p) in row-major token order (r, c), each vector ordered
 * (py, px, c) as the reference's `view(C, h/p, p, w/p, p).permute(1, 3, 2, 4, 0)`.
 * @param latent Float32Array of C·h·w values, channel-major
 * @throws StudioError InvalidRequest when h or w is not a multiple of p or the length does not match
 */
export function patchify(latent: Float32Array, channels: number, h: number, w: number, p: number): Float32Array {
  checkLatentSize(latent.length, channels, h, w, p);
  const layout = patchLayout(channels, h, w, p);
  const out = new Float32Array(layout.length);
  for (let i = 0; i < layout.length; i++) out[i] = latent[layout[i]];
  return out;
}

/**
 * Inverse of `patchify`: tokens [N, p·p·C] → latent [C, h, w] (reference `unpatchify`: view(h/p, w/p, p, p, C)
 * .permute(4, 0, 2, 1, 3)).
 * @throws StudioError InvalidRequest when the token count does not match h, w, p, C
 */
export function unpatchify(tokens: Float32Array, channels: number, h: number, w: number, p: number): Float32Array {
  checkLatentSize(tokens.length, channels, h, w, p);
  const layout = patchLayout(channels, h, w, p);
  const out = new Float32Array(layout.length);
  for (let i = 0; i < layout.length; i++) out[layout[i]] = tokens[i];
  return out;
}

/**
 * The patch layout both directions share: entry i (token (r, c) row-major, vector (py, px, c)) is the index of
 * that value in the channel-major latent [C, h, w]. A permutation of 0..C·h·w−1; h and w multiples of p.
 */
function patchLayout(channels: number, h: number, w: number, p: number): Uint32Array {
  const hT = h / p, wT = w / p, vec = p * p * channels;
  const layout = new Uint32Array(channels * h * w);
  for (let r = 0; r < hT; r++)
    for (let c = 0; c < wT; c++) {
      const base = (r * wT + c) * vec;
      for (let py = 0; py < p; py++)
        for (let px = 0; px < p; px++) {
          const o = base + (py * p + px) * channels;
          const pixel = (r * p + py) * w + c * p + px;
          for (let ch = 0; ch < channels; ch++) layout[o + ch] = ch * h * w + pixel;
        }
    }
  return layout;
}

function checkLatentSize(length: number, channels: number, h: number, w: number, p: number): void {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0 || h % p !== 0 || w % p !== 0) {
    throw new StudioError('InvalidRequest', `Latent size ${h}×${w} must be positive multiples of the patch size ${p} (image sides multiples of ${8 * p} px).`);
  }
  if (length !== channels * h * w) {
    throw new StudioError('InvalidRequest', `Latent has ${length} values; ${channels}×${h}×${w} needs ${channels * h * w}.`);
  }
}

/**
 * Position ids [(L + N), 3] (int): caption token j → (j, 0, 0); image token (r, c), row-major over hT×wT →
 * (L, r, c). Axis 0 of every image token equals the caption length L (reference `patchify_and_embed`).
 */
export function ditPositionIds(L: number, hTokens: number, wTokens: number): Int32Array {
  const N = hTokens * wTokens;
  const ids = new Int32Array((L + N) * 3);
  for (let j = 0; j < L; j++) ids[j * 3] = j;
  for (let r = 0; r < hTokens; r++)
    for (let c = 0; c < wTokens; c++) {
      const row = L + r * wTokens + c;
      ids[row * 3] = L;
      ids[row * 3 + 1] = r;
      ids[row * 3 + 2] = c;
    }
  return ids;
}

export interface RopeSpec {
  /** Per-axis rotary widths d_a (even; Σ = head_dim). */
  axesDims: number[];
  /** Per-axis position limits: ids must stay below them (the reference's precomputed table lengths). */
  axesLens: number[];
  /** RoPE base θ. */
  ropeTheta: number;
}

export interface RopeTables {
  /** cos and sin, Float32Array [rows, headDim/2] row-major: the graphs take them as [1, rows, headDim/2]. */
  cos: Float32Array;
  sin: Float32Array;
  rows: number;
  /** headDim / 2: one entry per adjacent pair (2i, 2i+1) of a q/k head. */
  half: number;
}

/**
 * RoPE tables for a caption of L tokens followed by an hTokens×wTokens image grid (pass 0, 0 for the caption-only
 * table: its rows equal the first L rows of the joint table). Axis a owns pairs [Σ_{b<a} d_b/2, Σ_{b≤a} d_b/2);
 * freq_k = 1/θ^(2k/d_a) and angle = pos·freq_k in float64, rounded to float32 before cos/sin, as the reference's
 * `precompute_freqs_cis` (float64 `torch.outer(...).float()`, then `torch.polar`).
 * @throws StudioError InvalidRequest when a position reaches its axis limit (caption ≥ axesLens[0] tokens, image
 *   rows/columns > axesLens[1]/[2] tokens).
 */
export function ditRopeTables(spec: RopeSpec, L: number, hTokens: number, wTokens: number): RopeTables {
  const [lenCap, lenRow, lenCol] = spec.axesLens;
  const imageTokens = hTokens * wTokens;
  if (L < 1 || L > lenCap - (imageTokens > 0 ? 1 : 0)) {
    throw new StudioError('InvalidRequest', `The caption has ${L} tokens; this model supports 1 to ${lenCap - 1}.`, 'Shorten the prompt.');
  }
  if (hTokens > lenRow || wTokens > lenCol) {
    throw new StudioError('InvalidRequest', `The latent grid ${hTokens}×${wTokens} tokens exceeds the model's ${lenRow}×${lenCol}.`, 'Choose a smaller image size.');
  }
  const ids = ditPositionIds(L, hTokens, wTokens);
  const half = spec.axesDims.reduce((a, b) => a + b, 0) / 2;
  const rows = L + imageTokens;
  // Per-axis frequencies, float64 as the reference.
  const freqs: number[][] = spec.axesDims.map((d) => Array.from({ length: d / 2 }, (_, k) => 1 / Math.pow(spec.ropeTheta, (2 * k) / d)));
  const cos = new Float32Array(rows * half);
  const sin = new Float32Array(rows * half);
  for (let s = 0; s < rows; s++) {
    let col = 0;
    for (let a = 0; a < freqs.length; a++) {
      const pos = ids[s * 3 + a];
      for (const f of freqs[a]) {
        const angle = Math.fround(pos * f);
        cos[s * half + col] = Math.cos(angle);
        sin[s * half + col] = Math.sin(angle);
        col++;
      }
    }
  }
  return { cos, sin, rows, half };
}

/** Sinusoidal timestep frequencies freq_k = exp(−ln(10000)·k/half), k < half, float32 (reference `timestep_embedding`). */
export function timestepFrequencies(freqDim: number): Float32Array {
  const half = Math.floor(freqDim / 2);
  // torch: exp(-log(10000) * arange(half, float32) / half) evaluated in float32.
  const negLog = Math.fround(-Math.log(10000));
  return Float32Array.from({ length: half }, (_, k) => Math.exp(Math.fround(Math.fround(negLog * k) / half)));
}
