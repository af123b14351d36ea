/**
 * Test helpers for the VAE decoder: a writer of diffusers-layout decoder weights built from an AutoencoderKL-style
 * config (the way diffusers constructs the modules, not read back from shapes), and a float64 JS reference of
 * diffusers' Decoder.forward (vae.py) driven by that same config. Independent of the graph code under test.
 */
import { writeSafetensors, f32ToBytes, type TensorToWrite } from '../../../../../src/main/engine/safetensors';

export interface TinyVaeSpec {
  blockOut: number[];
  layersPerBlock: number;
  latent: number;
  groups: number;
  attention: boolean;
  /** 'modern' = to_q/to_k/to_v/to_out.0; 'legacy' = query/key/value/proj_attn; 'legacy-conv' = legacy as [C,C,1,1]. */
  attnKeys: 'modern' | 'legacy' | 'legacy-conv';
  postQuantConv: boolean;
  /** Prefix before `decoder.` (e.g. 'first_stage_model.'); encoder junk is written under it too. */
  root: string;
  dtype: 'F32' | 'BF16' | 'F16';
  seed: number;
}

/** Deterministic values in [-scale, scale) (LCG). */
export function rand(n: number, seed: number, scale = 1, center = 0): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = center + ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** Writes the decoder of `spec` (diffusers names) and returns name → f32 values as stored (bf16-rounded when BF16). */
export function writeTinyVae(path: string, spec: TinyVaeSpec): void {
  const tensors: TensorToWrite[] = [];
  let seed = spec.seed;
  const add = (name: string, shape: number[], kind: 'w' | 'b' | 'gn_w' | 'gn_b', dtype: 'F32' | 'BF16' | 'F16' = spec.dtype) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? n / shape[0] : 1;
    const vals =
      kind === 'w' ? rand(n, seed++, Math.sqrt(3 / fanIn)) : kind === 'b' ? rand(n, seed++, 0.05) : kind === 'gn_w' ? rand(n, seed++, 0.1, 1) : rand(n, seed++, 0.1);
    tensors.push({ name, dtype, shape, data: f32ToBytes(vals, dtype) });
  };
  const conv = (key: string, o: number, i: number, k: number) => {
    add(`${key}.weight`, [o, i, k, k], 'w');
    add(`${key}.bias`, [o], 'b', 'F32'); // mixed dtypes per tensor, as real files allow
  };
  const norm = (key: string, c: number) => {
    add(`${key}.weight`, [c], 'gn_w');
    add(`${key}.bias`, [c], 'gn_b');
  };
  const resnet = (key: string, i: number, o: number) => {
    norm(`${key}.norm1`, i);
    conv(`${key}.conv1`, o, i, 3);
    norm(`${key}.norm2`, o);
    conv(`${key}.conv2`, o, o, 3);
    if (i !== o) conv(`${key}.conv_shortcut`, o, i, 1);
  };
  const d = `${spec.root}decoder.`;
  const top = spec.blockOut[spec.blockOut.length - 1];
  // Encoder-side tensors a full AutoencoderKL carries: must be ignored.
  conv(`${spec.root}encoder.conv_in`, spec.blockOut[0], 3, 3);
  conv(`${spec.root}quant_conv`, 2 * spec.latent, 2 * spec.latent, 1);
  if (spec.postQuantConv) conv(`${spec.root}post_quant_conv`, spec.latent, spec.latent, 1);
  conv(`${d}conv_in`, top, spec.latent, 3);
  resnet(`${d}mid_block.resnets.0`, top, top);
  if (spec.attention) {
    const a = `${d}mid_block.attentions.0`;
    norm(`${a}.group_norm`, top);
    const names = spec.attnKeys === 'modern' ? ['to_q', 'to_k', 'to_v', 'to_out.0'] : ['query', 'key', 'value', 'proj_attn'];
    for (const n of names) {
      add(`${a}.${n}.weight`, spec.attnKeys === 'legacy-conv' ? [top, top, 1, 1] : [top, top], 'w');
      add(`${a}.${n}.bias`, [top], 'b');
    }
  }
  resnet(`${d}mid_block.resnets.1`, top, top);
  const rev = [...spec.blockOut].reverse();
  let prev = rev[0];
  rev.forEach((out, i) => {
    for (let j = 0; j <= spec.layersPerBlock; j++) resnet(`${d}up_blocks.${i}.resnets.${j}`, j === 0 ? prev : out, out);
    if (i < rev.length - 1) conv(`${d}up_blocks.${i}.upsamplers.0.conv`, out, out, 3);
    prev = out;
  });
  norm(`${d}conv_norm_out`, spec.blockOut[0]);
  conv(`${d}conv_out`, 3, spec.blockOut[0], 3);
  writeSafetensors(path, tensors);
}

/** A feature map [C, H, W] in float64. */
interface Map3 {
  c: number;
  h: number;
  w: number;
  v: Float64Array;
}

export type Read = (name: string) => Float32Array;

function conv2d(x: Map3, wt: Float32Array, bias: Float32Array, o: number, k: number): Map3 {
  const { c, h, w, v } = x;
  const pad = (k - 1) / 2;
  const out = new Float64Array(o * h * w);
  for (let oc = 0; oc < o; oc++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++) {
        let acc = bias[oc];
        for (let ic = 0; ic < c; ic++)
          for (let ky = 0; ky < k; ky++) {
            const sy = y + ky - pad;
            if (sy < 0 || sy >= h) continue;
            for (let kx = 0; kx < k; kx++) {
              const sx = xx + kx - pad;
              if (sx < 0 || sx >= w) continue;
              acc += wt[((oc * c + ic) * k + ky) * k + kx] * v[(ic * h + sy) * w + sx];
            }
          }
        out[(oc * h + y) * w + xx] = acc;
      }
  return { c: o, h, w, v: out };
}

function groupNorm(x: Map3, groups: number, gamma: Float32Array, beta: Float32Array, eps: number): Map3 {
  const per = (x.c / groups) * x.h * x.w;
  const out = new Float64Array(x.v.length);
  for (let g = 0; g < groups; g++) {
    let mean = 0;
    for (let i = 0; i < per; i++) mean += x.v[g * per + i];
    mean /= per;
    let vr = 0;
    for (let i = 0; i < per; i++) vr += (x.v[g * per + i] - mean) ** 2;
    const r = 1 / Math.sqrt(vr / per + eps);
    for (let i = 0; i < per; i++) {
      const ch = Math.floor((g * per + i) / (x.h * x.w));
      out[g * per + i] = (x.v[g * per + i] - mean) * r * gamma[ch] + beta[ch];
    }
  }
  return { ...x, v: out };
}

const silu = (x: Map3): Map3 => ({ ...x, v: x.v.map((t) => t / (1 + Math.exp(-t))) });
const add = (a: Map3, b: Map3): Map3 => ({ ...a, v: a.v.map((t, i) => t + b.v[i]) });

function upsample(x: Map3): Map3 {
  const h = x.h * 2;
  const w = x.w * 2;
  const out = new Float64Array(x.c * h * w);
  for (let c = 0; c < x.c; c++)
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) out[(c * h + y) * w + xx] = x.v[(c * x.h + (y >> 1)) * x.w + (xx >> 1)];
  return { c: x.c, h, w, v: out };
}

/** Reference decode (diffusers Decoder.forward) of latent [latent, h, w]; returns [3, 8h…, 8w…] as float64. */
export function referenceDecode(read: Read, spec: TinyVaeSpec, latent: Float32Array, h: number, w: number, eps = 1e-6): Float64Array {
  const d = `${spec.root}decoder.`;
  const convK = (x: Map3, key: string) => {
    const wt = read(`${key}.weight`);
    const o = read(`${key}.bias`).length;
    return conv2d(x, wt, read(`${key}.bias`), o, Math.round(Math.sqrt(wt.length / (o * x.c))));
  };
  const gn = (x: Map3, key: string) => groupNorm(x, spec.groups, read(`${key}.weight`), read(`${key}.bias`), eps);
  const resnet = (x: Map3, key: string) => {
    let hh = convK(silu(gn(x, `${key}.norm1`)), `${key}.conv1`);
    hh = convK(silu(gn(hh, `${key}.norm2`)), `${key}.conv2`);
    const skip = hh.c !== x.c ? convK(x, `${key}.conv_shortcut`) : x;
    return add(skip, hh);
  };
  const attention = (x: Map3, key: string) => {
    const n = gn(x, `${key}.group_norm`);
    const C = x.c;
    const S = x.h * x.w;
    const names = spec.attnKeys === 'modern' ? ['to_q', 'to_k', 'to_v', 'to_out.0'] : ['query', 'key', 'value', 'proj_attn'];
    const lin = (tok: Float64Array, name: string) => {
      const wt = read(`${key}.${name}.weight`);
      const b = read(`${key}.${name}.bias`);
      const out = new Float64Array(S * C);
      for (let s = 0; s < S; s++)
        for (let o = 0; o < C; o++) {
          let acc = b[o];
          for (let i = 0; i < C; i++) acc += wt[o * C + i] * tok[s * C + i];
          out[s * C + o] = acc;
        }
      return out;
    };
    const tokens = new Float64Array(S * C);
    for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) tokens[s * C + c] = n.v[c * S + s];
    const [q, k, v] = names.slice(0, 3).map((nm) => lin(tokens, nm));
    const att = new Float64Array(S * C);
    for (let i = 0; i < S; i++) {
      const logits = Array.from({ length: S }, (_, j) => {
        let dot = 0;
        for (let c = 0; c < C; c++) dot += q[i * C + c] * k[j * C + c];
        return dot / Math.sqrt(C);
      });
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < S; j++) for (let c = 0; c < C; c++) att[i * C + c] += (e[j] / z) * v[j * C + c];
    }
    const o = lin(att, names[3]);
    const back = new Float64Array(S * C);
    for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) back[c * S + s] = o[s * C + c];
    return add({ ...x, v: back }, x);
  };
  let x: Map3 = { c: spec.latent, h, w, v: Float64Array.from(latent) };
  if (spec.postQuantConv) x = convK(x, `${spec.root}post_quant_conv`);
  x = convK(x, `${d}conv_in`);
  x = resnet(x, `${d}mid_block.resnets.0`);
  if (spec.attention) x = attention(x, `${d}mid_block.attentions.0`);
  x = resnet(x, `${d}mid_block.resnets.1`);
  for (let i = 0; i < spec.blockOut.length; i++) {
    for (let j = 0; j <= spec.layersPerBlock; j++) x = resnet(x, `${d}up_blocks.${i}.resnets.${j}`);
    if (i < spec.blockOut.length - 1) x = convK(upsample(x), `${d}up_blocks.${i}.upsamplers.0.conv`);
  }
  x = convK(silu(gn(x, `${d}conv_norm_out`)), `${d}conv_out`);
  return x.v;
}

/** max |a − b|. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
