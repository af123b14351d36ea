/** Shared fixtures of the history tests: temp data dirs, real PNGs (sharp), requests and pipeline results. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodePng } from '../../../../src/main/engine/image/png';
import { newbieMetadata } from '../../../../src/main/engine/image/metadata';
import { DEFAULTS, type GenerationRequest } from '../../../../src/shared/dto';
import type { GenerationResult } from '../../../../src/main/history/types';

const dirs: string[] = [];

/** A fresh temp folder, removed by `cleanupDirs`. */
export function tempDir(prefix = 'history-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A real RGB PNG whose pixels depend on `seed` (so distinct images have distinct sha256). */
export async function makePng(width: number, height: number, seed: number): Promise<Uint8Array> {
  const rgb = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < rgb.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    rgb[i] = s >>> 24;
  }
  return new Uint8Array(
    await sharp(rgb, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

export function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    prompt: '1girl, solo, silver_hair, red_eyes, maid',
    negativePrompt: 'lowres, bad_anatomy',
    width: 64,
    height: 48,
    steps: DEFAULTS.steps,
    guidance: DEFAULTS.guidance,
    shift: DEFAULTS.shift,
    cfgTrunc: DEFAULTS.cfgTrunc,
    renormCfg: DEFAULTS.renormCfg,
    sampler: 'euler',
    seed: 1234,
    batch: 1,
    precision: 'auto',
    ...overrides,
  };
}

/** A pipeline result with `request.batch` real PNGs of the request's size. */
export async function result(req: GenerationRequest, modelIdentity = 'model-a'): Promise<GenerationResult> {
  const images = [];
  for (let index = 0; index < req.batch; index++) {
    images.push({
      index,
      seed: req.seed + index,
      png: await makePng(req.width, req.height, req.seed + index),
      width: req.width,
      height: req.height,
    });
  }
  return {
    images,
    precision: { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' },
    provider: 'cpu',
    modelIdentity,
    modelName: 'tiny',
    timings: { loadMs: 10, encodeMs: 20, denoiseMs: 300, decodeMs: 40, totalMs: 370 },
    peakVram: 0,
    peakRam: 123_456_789,
    predictedVram: 1_000_000,
  };
}

/** RGB8 pixels depending on `seed` (for encodePng). */
export function rgbPixels(width: number, height: number, seed: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 31 + seed * 7) & 0xff;
  return rgb;
}

/** A PNG exactly as the app writes it: pixels + our `newbie` chunk. */
export function newbiePng(seed: number, prompt = '1girl, silver_hair, maid'): Uint8Array {
  const req = request({ prompt, seed, width: 64, height: 48 });
  const newbie = newbieMetadata({
    request: req,
    precision: { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' },
    provider: 'cpu',
    model: { name: 'tiny', identity: 'sha256:abc123' },
    appVersion: '0.1.0',
    onnxruntimeVersion: '1.30.0',
  });
  return encodePng(rgbPixels(64, 48, seed), 64, 48, { newbie });
}
