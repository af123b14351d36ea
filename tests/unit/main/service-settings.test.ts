/** The settings file: defaults, validated merges, atomic persistence, and a damaged file never stopping the app. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/shared/dto';
import { SettingsStore, defaultSettings } from '../../../src/main/settings';

const root = mkdtempSync(join(tmpdir(), 'settings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const dir = join(root, String(n++));
  return { dir, file: join(dir, 'settings.json') };
};

describe('SettingsStore', () => {
  it('starts from the official defaults and writes nothing until a change', () => {
    const { file } = fresh();
    const s = SettingsStore.load(file);
    expect(s.get()).toEqual(defaultSettings());
    expect(s.get().defaults).toMatchObject({ steps: DEFAULTS.steps, guidance: DEFAULTS.guidance, shift: DEFAULTS.shift, width: 1024, height: 1024 });
    expect(s.notices).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('merges defaults and ui key by key, persists, and reads back the same', async () => {
    const { file } = fresh();
    const s = SettingsStore.load(file);
    await s.update({ defaults: { steps: 20 }, ui: { theme: 'dark' } });
    const after = await s.update({ defaults: { width: 832 }, ui: { panel: 300 }, provider: 'cpu', modelDir: '/models/newbie' });
    expect(after.defaults).toMatchObject({ steps: 20, width: 832, height: 1024 });
    expect(after.ui).toEqual({ theme: 'dark', panel: 300 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(after);
    expect(SettingsStore.load(file).get()).toEqual(after);
    const cleared = await s.update({ modelDir: null });
    expect(cleared.modelDir).toBeNull();
  });

  it('refuses an invalid change and keeps file and values unchanged', async () => {
    const { file } = fresh();
    const s = SettingsStore.load(file);
    await s.update({ previews: false });
    const before = readFileSync(file, 'utf8');
    await expect(s.update({ defaults: { steps: 0 } })).rejects.toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/defaults\.steps/) });
    await expect(s.update({ provider: 'tpu' } as never)).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(s.update({ ui: { '$bytes': 'x' } })).rejects.toMatchObject({ code: 'InvalidRequest' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(s.get().defaults.steps).toBe(DEFAULTS.steps);
  });

  it('applies concurrent changes one after the other, losing none', async () => {
    const { file } = fresh();
    const s = SettingsStore.load(file);
    await Promise.all([s.update({ defaults: { steps: 9 } }), s.update({ defaults: { guidance: 3 } }), s.update({ previews: false })]);
    expect(SettingsStore.load(file).get()).toMatchObject({ previews: false, defaults: { steps: 9, guidance: 3 } });
  });

  it('moves unreadable JSON aside and keeps the valid fields of a partly invalid file, saying what was reset', () => {
    writeFileSync(join(root, 'broken.json'), '{"provider": "cpu",');
    const broken = SettingsStore.load(join(root, 'broken.json'), 1234);
    expect(broken.get()).toEqual(defaultSettings());
    expect(broken.notices[0]).toMatch(/not valid JSON/);
    expect(readdirSync(root)).toContain('broken.json.invalid-1234');
    expect(existsSync(join(root, 'broken.json'))).toBe(false);

    writeFileSync(join(root, 'partial.json'), JSON.stringify({ provider: 'tpu', previews: false, defaults: { steps: -1, width: 512, colour: 1 }, extra: 1 }));
    const partial = SettingsStore.load(join(root, 'partial.json'));
    expect(partial.get()).toMatchObject({ provider: 'auto', previews: false, defaults: { steps: DEFAULTS.steps, width: 512 } });
    expect(partial.notices.join('\n')).toMatch(/provider is invalid/);
    expect(partial.notices.join('\n')).toMatch(/defaults\.steps is invalid/);
    expect(partial.notices.join('\n')).toMatch(/defaults\.colour is unknown/);
    expect(partial.notices.join('\n')).toMatch(/unknown setting "extra"/);
  });
});
