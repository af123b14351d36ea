/**
 * e2e (issue 10 item 0): a fresh machine. `newbie-studio serve` with an empty data dir and no --model opens on the
 * first-run screen with its four choices; serve mode has no native folder dialog (a path field instead) and a wrong
 * path is explained; "Try the tiny model" leads to the studio with that model active, and it generates.
 * The page must log no console errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { shot, watchConsole } from '../fixtures/studioBrowser';
import { describeE2e, useServeAndBrowser } from './harness';

describeE2e('first run (serve + Chromium, no model)', () => {
  const e2e = useServeAndBrowser({ dataDirName: 'e2e-first-run', tinyModel: false });

  it('offers the four choices, explains a wrong folder, and "Try the tiny model" opens the studio with it active', async () => {
    const page = await e2e.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = watchConsole(page);
    await page.goto(e2e.serve.url);
    const setup = page.getByRole('main', { name: 'Set up a model' });
    await setup.getByRole('heading', { name: 'Welcome to NewBie Studio' }).waitFor();
    const choices = [
      'Download the official model',
      'Choose a model folder',
      'Use a model from the Hugging Face cache',
      'Try the tiny random model',
    ];
    for (const name of choices)
      await expect.poll(() => setup.getByRole('region', { name, exact: true }).count()).toBe(1);
    expect(await setup.getByRole('region').count()).toBe(choices.length);
    const tiny = setup.getByRole('region', { name: 'Try the tiny random model' });
    expect(await tiny.innerText()).toMatch(
      /It produces noise, not pictures:.*only for trying\s+the interface/s,
    );
    // The cache lookup answered (found something or said where it looked).
    const cache = setup.getByRole('region', { name: 'Use a model from the Hugging Face cache' });
    await expect.poll(() => cache.innerText(), { timeout: 10_000 }).toMatch(/No NewBie model in|Use /);
    // The studio itself is not there yet.
    expect(await page.getByRole('textbox', { name: 'Prompt', exact: true }).count()).toBe(0);
    await shot(page, 'first-run-01-choices');

    // Serve mode: no native dialog, a path field; a folder that does not exist is explained.
    const folder = setup.getByRole('region', { name: 'Choose a model folder' });
    expect(await folder.getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    const missing = join(e2e.dataDir, 'no-such-model');
    await folder.getByLabel('Model folder').fill(missing);
    await folder.getByRole('button', { name: 'Use this folder' }).click();
    await expect
      .poll(() => folder.getByRole('alert').innerText())
      .toContain(`model folder ${missing} does not exist`);

    await tiny.getByRole('button', { name: 'Try the tiny model' }).click();
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.getByLabel('Model', { exact: true }).innerText())
      .toContain('tiny-random (test model)');
    const tinyDir = join(e2e.dataDir, 'models', 'tiny-random');
    expect(JSON.parse(readFileSync(join(e2e.dataDir, 'settings.json'), 'utf8')).modelDir).toBe(tinyDir);
    expect(existsSync(join(tinyDir, 'transformer', 'config.json'))).toBe(true);
    await shot(page, 'first-run-02-studio');

    // The active model generates: a small image reaches the gallery.
    const gen = page.getByRole('region', { name: 'Generate' });
    await gen.getByLabel('Width').fill('64');
    await gen.getByLabel('Height').fill('64');
    await gen.getByLabel('Steps').fill('2');
    await gen.getByRole('button', { name: 'Generate' }).click();
    const gallery = page
      .getByRole('region', { name: 'Gallery' })
      .getByRole('list', { name: 'Images' })
      .getByRole('img');
    await expect.poll(() => gallery.count(), { timeout: 60_000 }).toBe(1);

    // A reload goes straight to the studio: the model is configured now.
    await page.reload();
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('main', { name: 'Set up a model' }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);
});
