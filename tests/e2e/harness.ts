/**
 * Shared setup of the e2e suites: skip where Chromium or the build is missing (in CI that is a failure, not a skip),
 * and per suite a fresh data dir, `newbie-studio serve` (with the tiny model or without a model) and headless
 * Chromium, all stopped and cleaned up after the suite.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { Browser } from 'playwright-core';
import { cleanupTinyModels, fixtureTempDir, tinyModel } from '../fixtures/tinyModel';
import { e2eUnavailable, launchChromium, startServe, type ServeProcess } from '../fixtures/studioBrowser';

const unavailable = e2eUnavailable();
const inCi = process.env['CI'] === 'true';

/** `describe` for e2e suites: skipped when e2e cannot run here, except in CI where `useServeAndBrowser` fails. */
export function describeE2e(name: string, body: () => void): void {
  describe.skipIf(unavailable !== null && !inCi)(name, body);
}

/** What a suite's tests use; filled in by its beforeAll. `serve` may be replaced (a restart). */
export interface E2eContext {
  browser: Browser;
  serve: ServeProcess;
  dataDir: string;
  /** The tiny model folder, or null for a suite started without a model. */
  modelDir: string | null;
}

/**
 * Registers the suite's beforeAll/afterAll and returns the context they fill: `dataDirName` names the temporary
 * data dir (fixtureTempDir), `tinyModel` starts serve with `--model <tiny model>` (else no model: first run).
 * @throws in beforeAll when e2e cannot run here (only reached in CI, see describeE2e).
 */
export function useServeAndBrowser(opts: { dataDirName: string; tinyModel: boolean }): E2eContext {
  const ctx = {} as E2eContext;
  beforeAll(async () => {
    if (unavailable) throw new Error(`e2e cannot run: ${unavailable}`);
    ctx.modelDir = opts.tinyModel ? tinyModel() : null;
    ctx.dataDir = fixtureTempDir(opts.dataDirName);
    ctx.serve = await startServe(ctx.modelDir, ctx.dataDir);
    ctx.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.serve?.stop();
    cleanupTinyModels();
  }, 60_000);
  return ctx;
}
