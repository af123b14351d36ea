import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodePng,
  newbieMetadata,
  readImageMetadata,
  toInfotext,
} from '../../../../../src/main/engine/image';
import { NOISE_ALGORITHM } from '../../../../../src/main/engine/noise/philox';
import { DEFAULTS, type GenerationRequest } from '../../../../../src/shared/dto';
import { StudioError } from '../../../../../src/shared/errors';

const FOREIGN = join(__dirname, '../../../../../../shared/data/foreign-images');
const haveForeign = existsSync(FOREIGN);
const foreignIt = haveForeign || process.env['CI'] === 'true' ? it : it.skip;
const read = (name: string) => readImageMetadata(readFileSync(join(FOREIGN, name)), name);

const precision = { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' } as const;
const model = { name: 'NewBie-image-Exp0.1', identity: 'sha256:' + 'ab'.repeat(32), graphVersion: '1' };

function request(over: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    ...DEFAULTS,
    prompt: '<character_1>\n  <gender>1girl</gender>\n</character_1>\n猫耳, >_<',
    negativePrompt: '',
    seed: 1234,
    batch: 4,
    memoryPolicy: 'release',
    parentId: 'g-1',
    ...over,
  };
}

function ourPng(
  req: GenerationRequest,
  imageIndex: number,
  pixels = new Uint8Array(2 * 2 * 3).fill(7),
): Uint8Array {
  const newbie = newbieMetadata({
    request: req,
    imageIndex,
    precision,
    provider: 'cpu',
    model,
    appVersion: '0.1.0',
    onnxruntimeVersion: '1.30.0',
  });
  const parameters = toInfotext(newbie.request as GenerationRequest, {
    model: { name: model.name, hash: 'abababababab' },
    precision,
    provider: 'cpu',
  });
  return encodePng(pixels, 2, 2, { parameters, newbie });
}

describe('newbie metadata round trip', () => {
  it('encode → read back gives the same request (image i: seed + i, batch 1) and everything else', () => {
    const req = request();
    const meta = readImageMetadata(ourPng(req, 2), 'ours.png');
    expect(meta.source).toBe('newbie');
    const { memoryPolicy: _m, parentId: _p, ...reproducible } = req;
    expect(meta.request).toEqual({ ...reproducible, seed: 1236, batch: 1 });
    expect(meta.newbie).toMatchObject({
      noise: NOISE_ALGORITHM,
      precision,
      provider: 'cpu',
      model,
      versions: { app: '0.1.0', onnxruntime: '1.30.0' },
    });
    expect(meta.notes).toEqual([]);
    expect(Object.keys(meta.raw).sort()).toEqual(['newbie', 'parameters']);
  });

  it('holds no timings or memory and gives byte-identical PNGs for the same image', () => {
    const a = ourPng(request(), 2);
    expect(Buffer.from(ourPng(request(), 2)).equals(Buffer.from(a))).toBe(true);
    // Image 2 of a batch from seed 1234 = a single image with seed 1236: same bytes.
    expect(Buffer.from(ourPng(request({ seed: 1236, batch: 1 }), 0)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(ourPng(request(), 1)).equals(Buffer.from(a))).toBe(false);
    const json = readImageMetadata(a, 'a.png').raw['newbie'];
    expect(json).not.toMatch(/timing|Ms"|memory|peak/i);
  });

  it('rejects an invalid request or a seed past 2^53 − 1 with InvalidRequest', () => {
    const base = {
      precision,
      provider: 'cpu' as const,
      model,
      appVersion: '0.1.0',
      onnxruntimeVersion: '1.30.0',
    };
    expect(() => newbieMetadata({ ...base, request: request({ width: 1000 }) })).toThrow(StudioError);
    expect(() =>
      newbieMetadata({ ...base, request: request({ seed: Number.MAX_SAFE_INTEGER }), imageIndex: 1 }),
    ).toThrow(/seed/);
  });

  it('falls back to the A1111 text when the newbie chunk is damaged', () => {
    const png = encodePng(new Uint8Array(3), 1, 1, {
      parameters: 'a cat\nSteps: 20, CFG scale: 4, Seed: 9, Size: 512x512',
      newbie: { format: 'other' },
    });
    const meta = readImageMetadata(png, 'x.png');
    expect(meta.source).toBe('a1111');
    expect(meta.request).toMatchObject({
      prompt: 'a cat',
      steps: 20,
      guidance: 4,
      seed: 9,
      width: 512,
      height: 512,
    });
    expect(meta.notes[0]).toContain('newbie');
  });
});

// Expected values below were read from the files with a separate Python script (PNG chunks, zlib, gzip, EXIF).
describe('foreign images (conventions.md §10)', () => {
  const duck = {
    prompt: 'photo of a duck',
    negativePrompt: 'monochrome',
    steps: 15,
    guidance: 5,
    seed: 235284042,
    width: 512,
    height: 400,
  };

  foreignIt('covers every file in the folder', () => {
    const files = readdirSync(FOREIGN).filter((f) => /\.(png|jpg)$/.test(f));
    expect(files.length).toBe(16);
    for (const f of files) {
      if (f === 'bad_images__empty_file.png') continue;
      expect(['newbie', 'a1111', 'fooocus', 'novelai', 'invokeai', 'comfyui', 'none']).toContain(
        read(f).source,
      );
    }
  });

  foreignIt('A1111: tEXt, EXIF UserComment (UTF-16) and zTXt after IDAT', () => {
    for (const f of [
      'parsers__AUTOMATIC1111__automatic1111_cropped.png',
      'parsers__AUTOMATIC1111__automatic1111_cropped.jpg',
      'bad_images__text_after_idat.png',
    ]) {
      const m = read(f);
      expect(m.source, f).toBe('a1111');
      expect(m.request, f).toEqual(duck);
      expect(m.notes.join(' '), f).toContain('UniPC');
    }
  });

  foreignIt('A1111 stealth pnginfo: read from the alpha low bits (gzip)', () => {
    const m = read('parsers__AUTOMATIC1111__automatic1111_stealth.png');
    expect(m.source).toBe('a1111');
    expect(m.request).toEqual({
      prompt: 'a circle',
      negativePrompt: 'a square',
      steps: 20,
      guidance: 7,
      seed: 2015833630,
      width: 64,
      height: 64,
    });
    expect(m.notes.join(' ')).toMatch(/alpha channel low bits/);
  });

  foreignIt('Fooocus JSON: prompt before expansion, size from (w, h), seed beyond 2^53 noted', () => {
    const m = read('parsers__Fooocus__fooocus1_cropped.png');
    expect(m.source).toBe('fooocus');
    expect(m.request).toEqual({
      prompt: 'a smiling goldfish',
      negativePrompt: '',
      steps: 30,
      guidance: 4,
      width: 768,
      height: 1280,
    });
    expect(m.notes.join(' ')).toContain('6952411511246973023');
  });

  foreignIt('NovelAI: Description + Comment (uc = negative, scale = guidance)', () => {
    const m = read('parsers__NovelAI__novelai1_cropped.png');
    expect(m.source).toBe('novelai');
    expect(m.request.prompt).toBe('masterpiece, best quality,  cat, space, icon');
    expect(m.request.negativePrompt).toMatch(/^lowres, bad anatomy, bad hands, .* blurry$/);
    expect(m.request).toMatchObject({ seed: 2253955223, steps: 50, guidance: 10 });
  });

  foreignIt('InvokeAI: invokeai_metadata, sd-metadata and Dream', () => {
    const imeta = read('parsers__InvokeAI__invokeai_imeta1.png');
    expect(imeta.source).toBe('invokeai');
    expect(imeta.request).toEqual({
      prompt: 'digital artwork, oil painting. painterly brushstrokes, holidays,',
      negativePrompt:
        'grainy+, photo, oversaturated, overexposed, blurry, compressed jpg+, noisy++, unfocused , black and white',
      seed: 3293022630,
      steps: 35,
      guidance: 8,
      width: 1024,
      height: 1024,
    });
    for (const f of ['parsers__InvokeAI__invokeai_sdmeta1.png', 'parsers__InvokeAI__invokeai_dream1.png']) {
      const m = read(f);
      expect(m.source, f).toBe('invokeai');
      expect(m.request.prompt, f).toMatch(
        /^professional full body photo of young woman, .*, film grain, low contrast$/,
      );
      expect(m.request, f).toMatchObject({
        negativePrompt: 'rendering, glowing eyes, skinny',
        steps: 50,
        guidance: 5,
        seed: 2980747362,
        width: 512,
        height: 768,
      });
    }
  });

  foreignIt('ComfyUI: labelled text-encode texts; prompt only when one sampler wires them directly', () => {
    const simple = read('parsers__ComfyUI__img2img_cropped.png');
    expect(simple.source).toBe('comfyui');
    expect(simple.request).toEqual({
      prompt: 'photograph of victorian woman with wings, sky clouds, meadow grass\n',
      negativePrompt: 'watermark, text\n',
    });
    expect(simple.texts?.map((t) => t.label)).toEqual(['CLIPTextEncode node 6', 'CLIPTextEncode node 7']);
    const counts: Record<string, number> = {
      'parsers__ComfyUI__night_evening_day_morning_cropped.png': 8,
      'parsers__ComfyUI__noisy_latents_3_subjects_cropped.png': 8,
      'parsers__ComfyUI__unclip_2pass_cropped.png': 4,
    };
    for (const [f, n] of Object.entries(counts)) {
      const m = read(f);
      expect(m.source, f).toBe('comfyui');
      expect(m.texts?.length, f).toBe(n);
      expect(m.request, f).toEqual({});
      expect(m.notes.join(' '), f).toMatch(/no single prompt/);
    }
  });

  foreignIt(
    'files without metadata restore nothing (not an error); an empty file is InvalidRequest naming it',
    () => {
      for (const f of ['bad_images__empty_image.png', 'bad_images__empty_image.jpg']) {
        const m = read(f);
        expect(m.source, f).toBe('none');
        expect(m.request).toEqual({});
        expect(m.notes.join(' ')).toContain(f);
      }
      expect(() => read('bad_images__empty_file.png')).toThrow(/bad_images__empty_file\.png/);
      try {
        read('bad_images__empty_file.png');
      } catch (e) {
        expect((e as StudioError).code).toBe('InvalidRequest');
      }
    },
  );

  foreignIt('truncated PNG and JPEG files are InvalidRequest naming the file', () => {
    const png = readFileSync(join(FOREIGN, 'parsers__NovelAI__novelai1_cropped.png'));
    expect(() => readImageMetadata(png.subarray(0, png.length - 20), 'cut.png')).toThrow(
      /cut\.png.*truncated/,
    );
    const jpg = readFileSync(join(FOREIGN, 'parsers__AUTOMATIC1111__automatic1111_cropped.jpg'));
    expect(() => readImageMetadata(jpg.subarray(0, jpg.length - 4), 'cut.jpg')).toThrow(/cut\.jpg/);
    expect(() => readImageMetadata(jpg.subarray(0, 300), 'cut2.jpg')).toThrow(/cut2\.jpg.*truncated/);
    expect(() => readImageMetadata(Buffer.from('hello'), 'notes.txt')).toThrow(
      /notes\.txt is not a PNG or JPEG/,
    );
  });
});
