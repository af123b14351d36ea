/**
 * `newbie-studio serve [--model DIR] [--data-dir DIR] [--port P] [--host H] [--allow-remote]`: the studio in a
 * browser. Serves the built renderer (`out/renderer`) and the StudioService contract over a WebSocket, with the
 * engine host forked (child_process). Prints exactly one line on stdout, `Serving at http://HOST:PORT/?token=TOKEN`;
 * everything else goes to stderr. Runs until SIGINT/SIGTERM, then shuts down cleanly (exit 0).
 * Exit 2: bad port, a non-loopback host without --allow-remote, a port in use, a broken model folder.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { StudioError } from '../../../shared/errors';
import { forkSpawner } from '../../engine/host/client';
import { resolveModelFolder } from '../../models/layout';
import { defaultDataDir, ensureWritableDir, projectRoot } from '../../paths';
import { checkServeHost, DEFAULT_PORT, startServer } from '../../serve/server';
import { StudioService } from '../../service';

interface ServeCliOptions {
  model?: string;
  dataDir?: string;
  port: string;
  host: string;
  allowRemote?: boolean;
}

/** Parses --port, written in decimal digits (as generate's numbers: no `0x1f90`, no `8e3`). @throws StudioError InvalidRequest */
export function parsePort(v: string): number {
  const n = Number(v.trim());
  if (!/^\d+$/.test(v.trim()) || n > 65535) throw new StudioError('InvalidRequest', `--port ${v} is not a port number (0-65535; 0 = any free port).`);
  return n;
}

/** Runs serve until a signal; resolves after the clean shutdown. */
export async function runServe(o: ServeCliOptions, signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<void> {
  const port = parsePort(o.port);
  checkServeHost(o.host, o.allowRemote); // before the data dir and the service are opened
  const modelDir = o.model ? resolve(o.model) : undefined;
  if (modelDir) resolveModelFolder(modelDir); // fail fast (exit 2) on a missing or broken model folder
  const dataDir = ensureWritableDir(o.dataDir ?? defaultDataDir());
  // Listen before anything starts: a signal at any point from here on gets the clean shutdown.
  let stop = () => undefined as void;
  const stopRequested = new Promise<void>((done) => (stop = done));
  let requested = false;
  const onSignal = () => {
    if (requested) process.exit(130); // a second Ctrl+C does not wait for the clean shutdown
    requested = true;
    stop();
  };
  for (const s of signals) process.on(s, onSignal);
  try {
    await serveUntil(stopRequested, { ...o, port, dataDir, ...(modelDir ? { modelDir } : {}) });
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

async function serveUntil(stopRequested: Promise<void>, o: { host: string; port: number; allowRemote?: boolean; dataDir: string; modelDir?: string }): Promise<void> {
  const { dataDir, modelDir, port } = o;
  const rendererDir = join(projectRoot(), 'out', 'renderer');
  const built = existsSync(join(rendererDir, 'index.html'));
  if (!built) process.stderr.write(`warning: the UI is not built (${rendererDir} has no index.html); serving the API only. Run \`npx electron-vite build\`.\n`);
  const service = StudioService.open({ dataDir, spawner: forkSpawner(), ...(modelDir ? { modelDir } : {}) });
  let handle: Awaited<ReturnType<typeof startServer>>;
  try {
    handle = await startServer({ service, dataDir, rendererDir: built ? rendererDir : null, host: o.host, port, allowRemote: o.allowRemote === true });
  } catch (e) {
    await service.shutdown();
    throw e;
  }
  if (handle.remote) {
    process.stderr.write(`warning: serving on ${handle.host}, reachable from the network; anyone with the token controls the studio and reads its images.\n`);
  }
  for (const n of service.settingsNotices) process.stderr.write(`notice: ${n}\n`);
  process.stdout.write(`Serving at ${handle.url}\n`);
  process.stderr.write(`data dir: ${dataDir}\n`);
  await stopRequested;
  process.stderr.write('stopping…\n');
  await handle.close();
  await service.shutdown();
}

/** Registers `serve` (the studio UI and API over HTTP/WebSocket; loopback with a random token unless told otherwise). */
export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('Serve the studio UI and its API to a browser (loopback with a random token by default)')
    .option('--model <dir>', 'model folder for this session (overrides the one in the settings)')
    .option('--data-dir <dir>', 'data folder (history database, images, settings)')
    .option('--port <p>', `port (0 = any free port)`, String(DEFAULT_PORT))
    .option('--host <h>', 'address to bind', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host (the token still applies)')
    .action((o: ServeCliOptions) => runServe(o));
}
