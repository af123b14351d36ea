/**
 * Issue 10 "checked by": a tiny model downloaded from the (local imitation of the) hub generates, and gives exactly
 * the pixels of the folder it was published from (same identity, same seed).
 */
import { describe, expect, it } from 'vitest';
import { LoadedModel } from '../../src/main/engine/pipeline/model';
import { runTextToImage } from '../../src/main/engine/pipeline/textToImage';
import { downloadModel } from '../../src/main/models/download';
import { DEFAULTS, type GenerationRequest } from '../../src/shared/dto';
import { fixtureTempDir, tinyModel } from '../fixtures/tinyModel';
import { useTinyOfficialHub } from './models-fakeHub';

const hub = useTinyOfficialHub();

const request: GenerationRequest = {
  ...DEFAULTS,
  prompt: '<character_1>\n<n></n>\n<gender>1girl</gender>\n<appearance>long_hair, blue_eyes</appearance>\n</character_1>',
  negativePrompt: '',
  width: 64,
  height: 64,
  steps: 2,
  seed: 42,
};

async function generate(dir: string) {
  const model = LoadedModel.open(dir, { provider: 'cpu', precision: 'auto' });
  try {
    const r = await runTextToImage(model, request, { previews: false });
    return { identity: model.identity, image: r.images[0] };
  } finally {
    await model.release();
  }
}

describe('a downloaded tiny model', () => {
  it('generates the same pixels as the folder it was published from', async () => {
    const dir = fixtureTempDir('dl-gen');
    await downloadModel({ dir, endpoint: hub.endpoint, env: {} });
    const downloaded = await generate(dir);
    const original = await generate(tinyModel());
    expect(downloaded.identity).toBe(original.identity);
    expect([downloaded.image.width, downloaded.image.height, downloaded.image.rgb.length]).toEqual([64, 64, 64 * 64 * 3]);
    expect(Buffer.from(downloaded.image.rgb).equals(Buffer.from(original.image.rgb))).toBe(true);
    // Random weights still give a non-constant image.
    expect(new Set(downloaded.image.rgb).size).toBeGreaterThan(16);
  });
});
