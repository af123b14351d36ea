import { describe, expect, it } from 'vitest';
import { parseInfotext, toInfotext } from '../../../../../src/main/engine/image/infotext';
import { DEFAULTS, type GenerationRequest } from '../../../../../src/shared/dto';

const ctx = {
  model: { name: 'NewBie-image-Exp0.1', hash: '0123456789abcdef' },
  precision: { gemma: 'fp32', jina: 'fp32', dit: 'fp16', vae: 'fp32' } as const,
  provider: 'cpu' as const,
};

function request(over: Partial<GenerationRequest> = {}): GenerationRequest {
  return { ...DEFAULTS, prompt: '1girl, solo', negativePrompt: 'lowres', seed: 42, ...over };
}

describe('toInfotext', () => {
  it('writes the A1111 layout: prompt, Negative prompt line, then the parameter line', () => {
    expect(toInfotext(request(), ctx)).toBe(
      '1girl, solo\nNegative prompt: lowres\n' +
        'Steps: 28, Sampler: Euler, CFG scale: 5, Seed: 42, Size: 1024x1024, Model hash: 0123456789, ' +
        'Model: NewBie-image-Exp0.1, Shift: 6, CFG truncation: 1, CFG renorm: 1, ' +
        'Precision: gemma fp32 jina fp32 dit fp16 vae fp32, Provider: cpu',
    );
  });
  it('omits an empty negative prompt and JSON-quotes values with commas or colons', () => {
    const text = toInfotext(request({ negativePrompt: '', sampler: 'midpoint' }), {
      ...ctx,
      model: { name: 'my model, v2: final' },
    });
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('Sampler: Midpoint');
    expect(text).toContain('Model: "my model, v2: final"');
  });
});

describe('parseInfotext', () => {
  it('reads an A1111 file’s text (sd-parsers example) into prompt, negative and parameters', () => {
    const p = parseInfotext(
      'photo of a duck\nNegative prompt: monochrome\nSteps: 15, Sampler: UniPC, CFG scale: 5, Seed: 235284042, Size: 512x400, Model hash: c0d1994c73, Model: realistic_realisticVisionV20_v20',
    );
    expect(p.prompt).toBe('photo of a duck');
    expect(p.negativePrompt).toBe('monochrome');
    expect(p.params['Sampler']).toBe('UniPC');
    expect(p.params['Size-1']).toBe('512');
    expect(p.params['Size-2']).toBe('400');
    expect(p.request).toEqual({
      prompt: 'photo of a duck',
      negativePrompt: 'monochrome',
      steps: 15,
      guidance: 5,
      seed: 235284042,
      width: 512,
      height: 400,
    });
    expect(p.notes.join('\n')).toContain('UniPC');
  });

  it('round-trips our own text, multi-line XML prompts with indentation included', () => {
    const prompt =
      '<character_1>\n  <n>$hatsune_miku$</n>\n  <gender>1girl</gender>\n</character_1>\n<general_tags>\n  <style>anime, >_<</style>\n</general_tags>';
    const negative = 'lowres,\nbad hands: extra, "quoted"';
    const req = request({
      prompt,
      negativePrompt: negative,
      seed: 2 ** 53 - 1,
      guidance: 4.5,
      shift: 3,
      cfgTrunc: 0.25,
      renormCfg: 0,
      width: 832,
      height: 1216,
      steps: 18,
    });
    const p = parseInfotext(toInfotext(req, ctx));
    expect(p.request).toEqual({
      prompt,
      negativePrompt: negative,
      steps: 18,
      guidance: 4.5,
      seed: 2 ** 53 - 1,
      width: 832,
      height: 1216,
      shift: 3,
      cfgTrunc: 0.25,
      renormCfg: 0,
    });
    expect(p.params['Model']).toBe('NewBie-image-Exp0.1');
  });

  it('treats a last line with fewer than 3 pairs as prompt and notes values that do not fit a request', () => {
    expect(parseInfotext('just a prompt\nwith: one pair').request).toEqual({
      prompt: 'just a prompt\nwith: one pair',
      negativePrompt: '',
    });
    const p = parseInfotext('x\nSteps: 0, CFG scale: abc, Seed: -5, Size: 500x500');
    expect(p.request).toEqual({ prompt: 'x', negativePrompt: '' });
    expect(p.notes.length).toBe(4);
  });
});
