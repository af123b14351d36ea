/**
 * e2e (issue 9): the studio UI in headless Chromium against `newbie-studio serve` with the tiny model and a temporary
 * data dir. A new user's path: compose two characters → the XML appears in the editor → Generate → progress → the
 * image in the gallery → detail → Re-run → identical image bytes → search finds it → serve restarted → history still
 * there; then the editor's language features, a small (1024×700) window, and the gallery's keyboard focus and clicks
 * while it scrolls (150 seeded images). Screenshots of the main states go to
 * test-results/e2e/. The page must log no console errors.
 */
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HistoryStore } from '../../src/main/history/store';
import { insertGeneration, insertImage } from '../../src/main/history/rows';
import { shot, startServe, watchConsole } from '../fixtures/studioBrowser';
import { describeE2e, useServeAndBrowser } from './harness';

const VIEWPORT = { width: 1440, height: 900 };

/** Text of the editor's rendered lines (Monaco renders spaces as U+00A0). */
const editorText = (page: Page) =>
  page
    .locator('.prompt-editor .view-lines')
    .innerText()
    .then((t) => t.replace(/\u00a0/g, ' '));

const galleryImages = (page: Page) =>
  page.getByRole('region', { name: 'Gallery' }).getByRole('list', { name: 'Images' }).getByRole('img');

async function sha256Of(page: Page, origin: string, src: string): Promise<string> {
  const res = await page.request.get(new URL(src, origin).toString());
  expect(res.status()).toBe(200);
  return createHash('sha256')
    .update(await res.body())
    .digest('hex');
}

async function openDetailOf(page: Page, index: number): Promise<{ src: string; seed: string }> {
  await galleryImages(page).nth(index).click();
  const dialog = page.getByRole('dialog', { name: 'Generation details' });
  const img = dialog.getByRole('img', { name: /^Generated image, seed \d+/ });
  await img.waitFor();
  const alt = (await img.getAttribute('alt')) ?? '';
  return { src: (await img.getAttribute('src')) ?? '', seed: /seed (\d+)/.exec(alt)?.[1] ?? '' };
}

describeE2e('studio UI (serve + Chromium)', () => {
  const e2e = useServeAndBrowser({ dataDirName: 'e2e-data', tinyModel: true });
  let firstSeed = '';

  it('composes two characters, generates, shows the image, re-runs it bit for bit and finds it by search', async () => {
    const page = await e2e.browser.newPage({ viewport: VIEWPORT });
    const problems = watchConsole(page);
    await page.goto(e2e.serve.url);
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).waitFor();
    await page.getByRole('meter', { name: 'VRAM' }).waitFor();
    await page.getByText(/^Auto → [A-Z]+: Gemma/).waitFor();
    await shot(page, '01-start');

    // Compose: the starter prompt has character 1; fill it, add character 2.
    const composer = page.getByRole('region', { name: 'Composer' });
    const c1 = composer.getByRole('region', { name: 'Character 1' });
    await c1.getByLabel('Name').fill('hatsune_miku');
    await c1.getByLabel('Appearance').fill('aqua_hair, twintails');
    await c1.getByRole('radio', { name: 'center left' }).click();
    await composer.getByRole('button', { name: 'Add character' }).click();
    const c2 = composer.getByRole('region', { name: 'Character 2' });
    await c2.getByLabel('Name').fill('kagamine_rin');
    await c2.getByLabel('Clothing').fill('sailor_collar, shorts');
    await c2.getByLabel('Expression').fill('grin');
    await c2.getByRole('radio', { name: 'center right' }).click();
    await expect
      .poll(() => composer.getByRole('region', { name: 'General tags' }).getByLabel('Count').inputValue())
      .toBe('2girls, multiple_girls');
    // Alt+↑ moves Rin first and the focus goes with her; Alt+↓ moves her back.
    await c2.getByLabel('Name').press('Alt+ArrowUp');
    await expect.poll(() => c1.getByLabel('Name').inputValue()).toBe('kagamine_rin');
    await expect.poll(() => c1.getByLabel('Name').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => c2.getByLabel('Name').inputValue()).toBe('kagamine_rin');
    await expect.poll(() => c2.getByLabel('Name').evaluate((el) => el === document.activeElement)).toBe(true);

    const xml = await editorText(page);
    expect(xml).toContain('<n>hatsune_miku</n>');
    expect(xml).toContain('<position>center_left</position>');
    expect(xml).toContain('<character_2>');
    expect(xml).toContain('<n>kagamine_rin</n>');
    await expect.poll(() => page.getByRole('status', { name: 'Prompt mode' }).innerText()).toBe('XML');
    await shot(page, '02-composed');

    // Generate a small image and watch it run.
    const gen = page.getByRole('region', { name: 'Generate' });
    await gen.getByLabel('Width').fill('128');
    await gen.getByLabel('Height').fill('128');
    await gen.getByLabel('Steps').fill('4');
    await gen.getByRole('button', { name: 'Generate' }).click();
    const progress = await page.waitForFunction(
      () => {
        const bar = document.querySelector('[role="progressbar"]');
        return bar && Number(bar.getAttribute('aria-valuenow')) >= 1
          ? bar.getAttribute('aria-valuetext')
          : null;
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    expect(await progress.jsonValue()).toMatch(/^Step [1-4] of 4/);
    await shot(page, '03-running');

    await galleryImages(page).first().waitFor({ timeout: 60_000 });
    await expect.poll(() => galleryImages(page).count()).toBe(1);
    await shot(page, '04-gallery');

    // Detail: the prompt as generated, the image bytes.
    const original = await openDetailOf(page, 0);
    firstSeed = original.seed;
    const dialog = page.getByRole('dialog', { name: 'Generation details' });
    const shownXml = (await dialog.getByLabel('Prompt XML').innerText()).replace(/\u00a0/g, ' ');
    expect(shownXml).toContain('<n>kagamine_rin</n>');
    expect(shownXml).toContain('<count>2girls, multiple_girls</count>');
    const hashA = await sha256Of(page, e2e.serve.origin, original.src);
    expect(
      await dialog
        .getByRole('definition')
        .filter({ hasText: /^[0-9a-f]{64}$/ })
        .innerText(),
    ).toBe(hashA);
    await shot(page, '05-detail');

    // Re-run: same request and seed → a second generation with identical PNG bytes.
    await dialog.getByRole('button', { name: 'Re-run', exact: true }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => galleryImages(page).count(), { timeout: 60_000 }).toBe(2);
    const rerun = await openDetailOf(page, 0);
    expect(rerun.src).not.toBe(original.src);
    expect(rerun.seed).toBe(original.seed);
    expect(await sha256Of(page, e2e.serve.origin, rerun.src)).toBe(hashA);
    expect(await dialog.getByText(/re-run of /).count()).toBe(1);

    // Compare the two: same prompt, same parameters. Esc cancels a pick.
    await dialog.getByRole('button', { name: 'Compare' }).click();
    await page.getByText('Pick another image to compare with.').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByText('Pick another image to compare with.').count()).toBe(0);
    await openDetailOf(page, 0);
    await dialog.getByRole('button', { name: 'Compare' }).click();
    await galleryImages(page).nth(1).click();
    const compare = page.getByRole('dialog', { name: 'Compare generations' });
    const seedRow = compare
      .getByRole('table', { name: 'Parameter differences' })
      .getByRole('row', { name: /^Seed/ });
    await expect
      .poll(() => seedRow.innerText())
      .toMatch(new RegExp(`Seed\\s+${original.seed}\\s+${original.seed}`));
    await shot(page, '06-compare');
    await page.keyboard.press('Escape');

    // Search (FTS) finds both by a character tag, nothing for an absent tag.
    const search = page.getByRole('searchbox', { name: 'Search history' });
    await search.fill('kagamine_rin');
    await expect.poll(() => galleryImages(page).count()).toBe(2);
    await search.fill('no_such_tag_at_all');
    await expect.poll(() => galleryImages(page).count()).toBe(0);
    await expect
      .poll(() => page.locator('.gallery-scroll .empty-note').innerText())
      .toBe('No images match this search.');
    // Half-typed (`kagamine_r`) already finds; an exclusion alone is explained in the grid, not raised as an error.
    await search.fill('kagamine_r');
    await expect.poll(() => galleryImages(page).count()).toBe(2);
    await search.fill('-kagamine_rin');
    await expect
      .poll(() => page.locator('.gallery-scroll .empty-note').innerText())
      .toMatch(/only excludes terms/);
    expect(await page.getByRole('list', { name: 'Notifications' }).getByRole('alert').count()).toBe(0);
    await search.fill('');
    await expect.poll(() => galleryImages(page).count()).toBe(2);

    // Variations: seeds + 1 … + 3 as one batch; the overview screenshot catches it running.
    await openDetailOf(page, 0);
    await dialog.getByRole('button', { name: 'Variations' }).click();
    await page.keyboard.press('Escape');
    await page.waitForFunction(
      () => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? 0) >= 2,
      undefined,
      {
        polling: 'raf',
        timeout: 60_000,
      },
    );
    await shot(page, '10-overview');
    await expect.poll(() => galleryImages(page).count(), { timeout: 60_000 }).toBe(5);
    const seeds = await galleryImages(page).evaluateAll((imgs) =>
      imgs.map((i) => Number(/^Seed (\d+)/.exec(i.getAttribute('alt') ?? '')?.[1])),
    );
    const base = Number(original.seed);
    expect(seeds.sort((a, b) => a - b)).toEqual([base, base, base + 1, base + 2, base + 3]);

    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('keeps the history when serve restarts, restores a dropped PNG, favorites, deletes with undo', async () => {
    expect(firstSeed).not.toBe('');
    expect(await e2e.serve.stop()).toBe(0);
    e2e.serve = await startServe(e2e.modelDir, e2e.dataDir);
    const page = await e2e.browser.newPage({ viewport: VIEWPORT });
    const problems = watchConsole(page);
    await page.goto(e2e.serve.url);
    await expect.poll(() => galleryImages(page).count(), { timeout: 30_000 }).toBe(5);
    const alts = await galleryImages(page).evaluateAll((imgs) =>
      imgs.map((i) => i.getAttribute('alt') ?? ''),
    );
    expect(alts.filter((a) => a.startsWith(`Seed ${firstSeed},`))).toHaveLength(2);
    // Oldest last: the first generation of the first test.
    const detail = await openDetailOf(page, 4);
    expect(detail.seed).toBe(firstSeed);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('dialog img[alt^="Generated image"]');
      return img !== null && img.complete && img.naturalWidth === 128;
    });
    await shot(page, '07-after-restart');
    await page.keyboard.press('Escape');

    // Drag and drop our PNG onto the window: its prompt and parameters come back into the editor and panel.
    expect(await editorText(page)).not.toContain('kagamine_rin');
    await page.evaluate(async (src) => {
      const blob = await (await fetch(src)).blob();
      const data = new DataTransfer();
      data.items.add(new File([blob], 'dropped.png', { type: 'image/png' }));
      for (const type of ['dragenter', 'dragover', 'drop'])
        document.body.dispatchEvent(
          new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
        );
    }, detail.src);
    await expect.poll(() => editorText(page)).toContain('<n>kagamine_rin</n>');
    const gen = page.getByRole('region', { name: 'Generate' });
    await expect.poll(() => gen.getByRole('textbox', { name: 'Seed' }).inputValue()).toBe(firstSeed);
    expect(await gen.getByLabel('Width').inputValue()).toBe('128');
    expect(await gen.getByLabel('Steps').inputValue()).toBe('4');

    // A PNG without metadata (drawn by a canvas) restores nothing and says so: the prompt and seed stay.
    await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 8;
      const blob = await new Promise<Blob>((done) => canvas.toBlob((b) => done(b!), 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], 'blank.png', { type: 'image/png' }));
      for (const type of ['dragenter', 'dragover', 'drop'])
        document.body.dispatchEvent(
          new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
        );
    });
    await page
      .getByRole('list', { name: 'Notifications' })
      .getByText(/Nothing to restore from blank\.png/)
      .waitFor();
    expect(await editorText(page)).toContain('<n>kagamine_rin</n>');
    expect(await gen.getByRole('textbox', { name: 'Seed' }).inputValue()).toBe(firstSeed);

    // Favorite one image, filter by favorites; delete one and undo.
    const fav = await openDetailOf(page, 0);
    const details = page.getByRole('dialog', { name: 'Generation details' });
    // The newest is a variation (batch of 3): the strip shows three 48 px thumbnails, not stretched ones.
    const strip = details.getByLabel('Images of this batch').getByRole('img');
    expect(await strip.evaluateAll((imgs) => imgs.map((i) => i.getBoundingClientRect().width))).toEqual([
      48, 48, 48,
    ]);
    await details.getByRole('button', { name: /Favorite/ }).click();
    await expect
      .poll(() => details.getByRole('button', { name: /Favorite/ }).getAttribute('aria-pressed'))
      .toBe('true');
    await page.keyboard.press('Escape');
    const gallery = page.getByRole('region', { name: 'Gallery' });
    await gallery.getByRole('checkbox', { name: 'Favorites only' }).check();
    await expect.poll(() => galleryImages(page).count()).toBe(1);
    expect(await galleryImages(page).first().getAttribute('alt')).toMatch(
      new RegExp(`^Seed ${fav.seed}, .*favorite`),
    );
    await gallery.getByRole('checkbox', { name: 'Favorites only' }).uncheck();
    await expect.poll(() => galleryImages(page).count()).toBe(5);
    await openDetailOf(page, 1);
    await details.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => galleryImages(page).count()).toBe(4);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => galleryImages(page).count()).toBe(5);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('completes tag names for the cursor’s block and danbooru tags with counts, fixes spaces in tags, shows hover docs, switches theme', async () => {
    const page = await e2e.browser.newPage({ viewport: VIEWPORT });
    const problems = watchConsole(page);
    await page.goto(e2e.serve.url);
    const editor = page.getByRole('textbox', { name: 'Prompt', exact: true });
    await editor.waitFor();
    await page.locator('.prompt-editor .view-lines').click();
    const suggestions = page.locator('.suggest-widget .monaco-list-row');
    const labels = () =>
      suggestions.evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));

    // Starter prompt: line 1 <character_1>. A new line inside the block, `<` → character fields only.
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('<');
    await suggestions.first().waitFor();
    const inCharacter = (await labels()).join('\n');
    expect(inCharacter).toMatch(/appearance/);
    expect(inCharacter).not.toMatch(/\bcount\b/);
    await shot(page, '08-completion-fields');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');

    // Inside <general_tags>: scene fields only.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('<');
    await suggestions.first().waitFor();
    const inGeneral = (await labels()).join('\n');
    expect(inGeneral).toMatch(/\bcount\b/);
    expect(inGeneral).not.toMatch(/appearance/);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
    // `</` closes the open block: the `/` stays in the editor (it is the search shortcut only outside text fields).
    await page.keyboard.type('</');
    await suggestions.first().waitFor();
    expect(await labels()).toEqual([expect.stringMatching(/^general_tags/)]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Prompt');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');

    // A value: danbooru tags ranked by posts, with category and count.
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    for (let i = 0; i < '</appearance>'.length; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.type('long_h');
    await suggestions.first().waitFor();
    const tagRows = await labels();
    expect(tagRows[0]).toMatch(/long_hair/);
    expect(tagRows[0]).toMatch(/general · \d+(\.\d)?[kM]/);
    await shot(page, '09-completion-danbooru');
    await page.keyboard.press('Enter');
    await expect.poll(() => editorText(page)).toContain('<appearance>long_hair</appearance>');

    // Spaces instead of underscores: the quick fix rewrites the tag.
    await page.keyboard.type(', blue hair');
    await page.locator('.prompt-editor .squiggly-warning').first().waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget').getByText('Replace with `blue_hair`');
    await fix.waitFor();
    await fix.click();
    await expect.poll(() => editorText(page)).toContain('<appearance>long_hair, blue_hair</appearance>');

    // Hover docs for a tag name.
    await page.keyboard.press('Escape');
    const tagName = page
      .locator('.prompt-editor .view-line span span')
      .filter({ hasText: /^appearance$/ })
      .first();
    // Monaco re-renders the line when the fix's diagnostics arrive (the span is replaced, the hover it had started
    // is dropped): each poll measures the span again and moves the pointer onto it (a pixel apart, so it is a move).
    let wiggle = 0;
    await expect
      .poll(
        async () => {
          const box = await tagName.boundingBox();
          if (box === null) return '';
          wiggle = 1 - wiggle;
          await page.mouse.move(box.x + box.width / 2 + wiggle, box.y + box.height / 2);
          return page
            .locator('.monaco-hover:not(.hidden)')
            .first()
            .innerText()
            .catch(() => '');
        },
        { timeout: 15_000, interval: 600 },
      )
      .toContain('Hair, eyes');

    // Light theme: the page and the editor's token colours follow.
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await expect.poll(() => tagName.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(11, 92, 173)');
    await shot(page, '11-light');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();

    // Settings: with no saved folder, the field shows the folder this session runs on (serve --model).
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await expect.poll(() => settings.getByLabel('Model folder').inputValue()).toBe(e2e.modelDir);
    // Saving it (checked first, through models.use) with a typed trailing slash shows the folder as saved.
    await settings.getByLabel('Model folder').fill(`${e2e.modelDir}/`);
    await settings.getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => settings.getByLabel('Model folder').inputValue()).toBe(e2e.modelDir);
    expect(await settings.getByRole('button', { name: 'Use this folder' }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => settings.count()).toBe(0);

    // A small window (1024×700): the first row keeps its height (Generate and the queue in view), the gallery below.
    await page.setViewportSize({ width: 1024, height: 700 });
    const unclipped = (el: Element) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
    };
    expect(await page.getByRole('button', { name: 'Generate', exact: true }).evaluate(unclipped)).toBe(true);
    expect(await page.getByRole('heading', { name: 'Queue' }).evaluate(unclipped)).toBe(true);
    await shot(page, '12-small-window');

    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('keeps the keyboard focus and the clicks of the gallery while it scrolls (150 images)', async () => {
    // Seed the history with copies of an existing image (hard links), serve stopped.
    expect(await e2e.serve.stop()).toBe(0);
    const store = HistoryStore.open(e2e.dataDir);
    const source = store.page({ limit: 1 }).items[0]!;
    const base = store.get(source.generationId)!.request;
    store.db.transaction(() => {
      for (let k = 0; k < 150; k++) {
        const uid = `${k.toString(16).padStart(8, '0')}-0000-7000-8000-00000000e2e0`;
        const row = insertGeneration(store.db, {
          uid,
          createdAt: source.createdAt - (k + 1) * 1000,
          status: 'finished',
          source: 'studio',
          request: { ...base, seed: 1000 + k },
          seed: 1000 + k,
        });
        const copy = (rel: string, name: string) => {
          mkdirSync(dirname(store.absolutePath(name)), { recursive: true });
          linkSync(store.absolutePath(rel), store.absolutePath(name));
          return name;
        };
        insertImage(store.db, {
          generationRow: row,
          index: 0,
          seed: 1000 + k,
          path: copy(source.path, `images/e2e/${uid}-0.png`),
          thumbnailPath: copy(source.thumbnailPath!, `thumbnails/e2e/${uid}-0.webp`),
          width: source.width,
          height: source.height,
          bytes: source.bytes,
          sha256: source.sha256,
          createdAt: source.createdAt - (k + 1) * 1000,
          modelIdentity: null,
        });
      }
    })();
    store.close();
    e2e.serve = await startServe(e2e.modelDir, e2e.dataDir);
    const page = await e2e.browser.newPage({ viewport: VIEWPORT });
    const problems = watchConsole(page);
    await page.goto(e2e.serve.url);
    const rows = page.locator('.gallery-rows');
    await expect.poll(() => rows.getAttribute('data-count'), { timeout: 30_000 }).toBe('155');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-index') ?? null);

    // Keys move the focus to rows that are not rendered yet (rows render after the scroll, in React's own task).
    await page.locator('.gallery-scroll [data-index="0"]').focus();
    let last = 0;
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('PageDown');
      await expect.poll(() => focused().then(Number)).toBeGreaterThan(last);
      last = Number(await focused());
    }
    await page.keyboard.press('End');
    await expect.poll(focused).toBe('154');
    await page.keyboard.press('Home');
    await expect.poll(focused).toBe('0');

    // A click while the tiles ignore the pointer (just after a wheel scroll) still opens the tile under it.
    const tile = (await page.locator('.gallery-scroll [data-index="2"]').boundingBox())!;
    await page.mouse.move(tile.x + tile.width / 2, tile.y + tile.height / 2);
    await page.mouse.wheel(0, 200);
    // At once: the tiles ignore the pointer until 150 ms after the last scroll event. (On a loaded machine the click
    // may come after that; it must open the tile either way, so the test does not wait for the state.)
    await page.mouse.click(tile.x + tile.width / 2, tile.y + tile.height / 2);
    await page.getByRole('dialog', { name: 'Generation details' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(focused).not.toBeNull();

    // After a fling the thumbnails come back and the tiles take the pointer again.
    const scroller = page.locator('.gallery-scroll');
    const top = await scroller.evaluate((el) => el.scrollTop);
    await page.mouse.wheel(0, 20_000);
    await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(top + 2000);
    await expect.poll(() => page.locator('.gallery-scroll .tile-placeholder').count()).toBe(0);
    await expect.poll(() => rows.getAttribute('class')).toBe('gallery-rows');
    expect(await page.locator('.gallery-scroll img').count()).toBeGreaterThan(0);

    // The focused tile scrolled far out of view keeps the focus: its row stays rendered and the arrows go on from it.
    const before = Number(await focused());
    expect(before).toBeLessThan(12);
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(2000);
    await page.keyboard.press('ArrowRight');
    await expect.poll(focused).toBe(String(before + 1));
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
