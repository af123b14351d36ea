/**
 * e2e harness: starts the built `newbie-studio serve` (node bin/newbie-studio.js) on a free port with a data dir and
 * a model folder, parses the printed URL, and drives Debian's headless Chromium through playwright-core. Nothing is
 * injected: the page talks to the real service, engine host and SQLite over the serve WebSocket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { projectRoot } from '../../src/main/paths';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const SHOTS_DIR = join(projectRoot(), 'test-results', 'e2e');

/** Why the e2e suite cannot run here (no Chromium, no build), or null. In CI a reason is a failure, not a skip. */
export function e2eUnavailable(): string | null {
  if (!existsSync(CHROMIUM))
    return `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  for (const f of ['out/main/cli.js', 'out/renderer/index.html']) {
    if (!existsSync(join(projectRoot(), f))) return `${f} is missing: run \`npx electron-vite build\` first`;
  }
  return null;
}

export interface ServeProcess {
  url: string;
  origin: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/**
 * Starts serve on a free port (with `--model` unless null) and resolves once it printed `Serving at <url>`.
 * @throws when it exits or stays silent for 60 s.
 */
export function startServe(modelDir: string | null, dataDir: string): Promise<ServeProcess> {
  const model = modelDir === null ? [] : ['--model', modelDir];
  const child = spawn(
    process.execPath,
    [join(projectRoot(), 'bin', 'newbie-studio.js'), 'serve', ...model, '--data-dir', dataDir, '--port', '0'],
    {
      cwd: projectRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEWBIE_STUDIO_DATA_DIR: dataDir },
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve printed no URL within 60 s.\nstderr:\n${err}`)),
      60_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing its URL.\nstderr:\n${err}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Serving at (\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const url = m[1];
      resolvePromise({
        url,
        origin: new URL(url).origin,
        child,
        stderr: () => err,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** Headless Chromium with the flags that keep it quiet and offline. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Collects console errors and uncaught page errors; the tests assert the list stays empty. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** Saves a screenshot under test-results/e2e/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`) });
}
