/**
 * `generate` option parsing as a user types it: numbers in decimal only (no `0x40`, no rounding of a seed above
 * 2^53 − 1 before the message), prompt files decoded strictly, an unknown memory policy and a huge prompt refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../../src/shared/dto';
import { StudioError } from '../../../../src/shared/errors';
import { cliFailure, requestFromOptions } from '../../../../src/main/cli/commands/generate';
import { MAX_PROMPT_CHARS } from '../../../../src/main/engine/pipeline/validate';
import { studioError } from '../../../fixtures/studioError';

const dir = mkdtempSync(join(tmpdir(), 'generate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Options = Parameters<typeof requestFromOptions>[0];

/** The options object commander builds from `generate --model m --prompt-text 1girl` plus overrides. */
function options(over: Partial<Options> = {}): Options {
  return {
    model: 'm',
    promptText: '1girl, solo',
    width: '64',
    height: '64',
    steps: String(DEFAULTS.steps),
    cfg: String(DEFAULTS.guidance),
    shift: String(DEFAULTS.shift),
    cfgTrunc: String(DEFAULTS.cfgTrunc),
    renormCfg: String(DEFAULTS.renormCfg),
    batch: '1',
    sampler: DEFAULTS.sampler,
    precision: DEFAULTS.precision,
    seed: '7',
    ...over,
  };
}

/** The StudioError `requestFromOptions` throws for these options. */
const refusal = (over: Partial<Options>): StudioError => studioError(() => requestFromOptions(options(over)));

describe('generate: numeric options', () => {
  it('takes plain decimal integers and numbers', () => {
    const r = requestFromOptions(options({ width: '1024', height: ' 768 ', seed: '9007199254740991', cfg: '4.5', shift: '3e0' }));
    expect([r.width, r.height, r.seed, r.guidance, r.shift]).toEqual([1024, 768, 9007199254740991, 4.5, 3]);
  });

  it('refuses hex, exponent and fractional integers that Number() would take or round', () => {
    for (const [key, v] of [
      ['width', '0x40'],
      ['steps', '1e1'],
      ['seed', '1.5'],
      ['batch', '2.0'],
      ['seed', 'abc'],
      ['height', ''],
    ] as const) {
      const e = refusal({ [key]: v });
      expect([key, v, e.code]).toEqual([key, v, 'InvalidRequest']);
      expect(e.message).toContain(`--${key} ${v} is not a whole number`);
    }
    expect(refusal({ cfg: '0x10' }).message).toContain('--cfg 0x10 is not a number');
    expect(refusal({ cfg: 'Infinity' }).code).toBe('InvalidRequest');
  });

  it('quotes a seed above 2^53 − 1 as typed instead of its rounded neighbour', () => {
    const e = refusal({ seed: '9007199254740993' });
    expect(e.message).toBe('--seed 9007199254740993 is too large (at most 9007199254740991).');
    expect(refusal({ seed: '-1' }).message).toContain('seed -1 must be an integer from 0');
  });

  it('refuses an unknown --memory policy', () => {
    expect(refusal({ memory: 'bogus' }).message).toContain('memory policy bogus must be auto, keep or release');
  });
});

describe('generate: prompt files', () => {
  const file = (name: string, bytes: Buffer | string) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('removes a UTF-8 BOM and reads UTF-16 (Notepad "Unicode") files', () => {
    const text = '<general_tags>\r\n  <style>anime</style>\r\n</general_tags>';
    expect(requestFromOptions(options({ promptText: undefined, prompt: file('bom.xml', `\uFEFF${text}`) })).prompt).toBe(text);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(requestFromOptions(options({ promptText: undefined, prompt: file('le.xml', le) })).prompt).toBe(text);
    const be = Buffer.from(le).swap16();
    expect(requestFromOptions(options({ promptText: undefined, prompt: file('be.xml', be) })).prompt).toBe(text);
  });

  it('refuses binary and non-UTF-8 files instead of sending U+FFFD to the encoders', () => {
    const bin = refusal({ promptText: undefined, prompt: file('bin.xml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1])) });
    expect(bin.message).toContain('is a binary file');
    const latin1 = refusal({ promptText: undefined, prompt: file('latin1.txt', Buffer.from('1girl,\ncaf\xe9, smile', 'latin1')) });
    expect(latin1.message).toContain('is not UTF-8 text (first invalid byte on line 2');
    expect(latin1.hint).toMatch(/UTF-8/);
    expect(refusal({ promptText: undefined, prompt: join(dir, 'missing.xml') }).message).toContain('no such file');
  });

  it('refuses a prompt above the length limit before it reaches the tokenizer', () => {
    const huge = file('huge.txt', '1girl, '.repeat(Math.ceil(MAX_PROMPT_CHARS / 7) + 1));
    expect(refusal({ promptText: undefined, prompt: huge }).message).toContain(`the limit is ${MAX_PROMPT_CHARS}`);
  });
});

describe('generate: how a failed run is reported', () => {
  const request = requestFromOptions(options({ width: '4096', height: '4096' }));
  // What the engine host sent for a 4096² run of the tiny model here (ORT's CPU allocator gave up).
  const badAlloc = new StudioError(
    'EngineCrashed',
    "Non-zero status code returned while running Attention node. Name:'n_Attention_131' Status Message: std::bad_alloc",
  );

  it('an allocation failure is OutOfMemory (exit 3) with advice for this request, not EngineCrashed', () => {
    const e = cliFailure(badAlloc, { request }) as StudioError;
    expect(e.code).toBe('OutOfMemory');
    expect(e.message).toBe('The computer ran out of memory (RAM) while generating 4096×4096.');
    expect(e.hint).toMatch(/Lower the resolution: 4096×4096 → \d+×\d+/);
  });

  it('other failures and a cancel pass through unchanged', () => {
    const crash = new StudioError('EngineCrashed', 'The engine process stopped unexpectedly (exit code 1).');
    expect(cliFailure(crash, { request })).toBe(crash);
    const cancel = new StudioError('Cancelled', 'Generation cancelled at step 3 of 28.');
    expect(cliFailure(cancel, { request })).toBe(cancel);
  });
});
