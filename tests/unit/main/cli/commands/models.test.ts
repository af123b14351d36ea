/**
 * `models make-tiny` writes files with the real names (text_encoder/model-00001-of-00002.safetensors…), so pointed at
 * a real model folder by mistake it must refuse instead of overwriting gigabytes of weights.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from '../../../../fixtures/cli';
import { tinyTarget } from '../../../../../src/main/cli/commands/models';
import { StudioError } from '../../../../../src/shared/errors';

const root = mkdtempSync(join(tmpdir(), 'make-tiny-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('models make-tiny target folder', () => {
  it('refuses a folder holding a real model: exit 2, its files untouched', async () => {
    const real = join(root, 'NewBie-image-Exp0.1');
    mkdirSync(join(real, 'text_encoder'), { recursive: true });
    const shard = join(real, 'text_encoder', 'model-00001-of-00002.safetensors');
    writeFileSync(shard, 'the real Gemma shard');
    const r = await cli('models', 'make-tiny', real, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'InvalidRequest', message: expect.stringContaining('could overwrite real model files') } });
    expect(readFileSync(shard, 'utf8')).toBe('the real Gemma shard');
  });

  it('accepts a new folder, an empty one, and an earlier tiny model (same seed twice → same files)', async () => {
    const fresh = join(root, 'fresh', 'tiny');
    expect(tinyTarget(fresh)).toBe(fresh);
    const first = await cli('models', 'make-tiny', fresh, '--json');
    expect(first.code).toBe(0);
    const again = await cli('models', 'make-tiny', fresh, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).files).toEqual(JSON.parse(first.out).files);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(tinyTarget(empty)).toBe(empty);
  });

  it('a file in place of the folder is InvalidRequest, not an unexpected error', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(() => tinyTarget(file)).toThrow(StudioError);
    expect(() => tinyTarget(file)).toThrow(`The output folder ${file} is a file`);
  });
});
