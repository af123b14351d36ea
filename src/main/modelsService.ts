/**
 * The model-management part of StudioService (electron-free): models found in the Hugging Face cache, in-app
 * downloads of the official model with progress events, the tiny random model, making a folder the active model, and
 * the folder picker the Electron app injects. StudioService delegates the `models.*` channels here (docs/service.md).
 *
 * Downloads run in main (src/main/models/download.ts: resume, SHA-256 verification, atomic rename); one per target
 * folder (a second request for the same folder attaches to the running one). A cancel leaves the partial files, so
 * the next download into that folder resumes. Progress and completion go out as `models.downloadProgress` and
 * `models.downloadFinished`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EventChannel, EventPayload, InvokePayload } from '../shared/api';
import type { ModelCheckReport } from '../shared/apiTypes';
import type { Settings } from '../shared/dto';
import { StudioError } from '../shared/errors';
import type {
  HfCacheFindResult,
  ModelDownloadProgressEvent,
  ModelDownloadStarted,
  ModelUseResult,
} from '../shared/modelTypes';
import { checkModelFolder, findHfCacheModels } from './models/check';
import { OFFICIAL_REPO } from './models/defaults';
import { downloadModel, type DownloadOptions, type DownloadProgress } from './models/download';
import { hfHubCacheDir } from './models/hfCache';
import { hubEndpoint } from './models/hub';
import { makeTinyModel } from './models/tiny';

/** Folder name of the tiny random model under `<dataDir>/models/`. */
export const TINY_MODEL_FOLDER = 'tiny-random';

export interface ModelsServiceOptions {
  dataDir: string;
  /** HF_HOME / HF_HUB_CACHE / XDG_CACHE_HOME (cache discovery), HF_ENDPOINT, HF_TOKEN (downloads). */
  env: NodeJS.ProcessEnv;
  emit: <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void;
  /** Stores the model folder in the settings and announces `settings.changed`. */
  setModelDir: (dir: string) => Promise<Settings>;
  /** A model folder that wins over the settings for this session (serve --model). */
  sessionModelDir?: string;
  /** A native folder chooser (Electron's dialog); absent in serve mode, where `pickFolder` answers null. */
  pickFolder?: () => Promise<string | null>;
  /** Download tuning passed through to downloadModel (tests shorten the retry delay). */
  download?: Pick<DownloadOptions, 'parallel' | 'retries' | 'retryDelayMs' | 'stallTimeoutMs'>;
}

interface RunningDownload {
  id: string;
  repo: string;
  dir: string;
  controller: AbortController;
  done: Promise<void>;
}

/** Progress as an event payload: JSON-safe (Infinity ETA → null). */
function progressEvent(
  d: Pick<RunningDownload, 'id' | 'repo' | 'dir'>,
  p: DownloadProgress,
): ModelDownloadProgressEvent {
  return {
    downloadId: d.id,
    repo: d.repo,
    dir: d.dir,
    bytesDone: p.bytesDone,
    bytesTotal: p.bytesTotal,
    speedBps: p.speedBps,
    etaS: Number.isFinite(p.etaS) ? p.etaS : null,
    filesDone: p.filesDone,
    filesTotal: p.filesTotal,
    files: p.files,
  };
}

/** The check's first problem as a StudioError a person can act on (code, message naming the folder, hint). */
function unusable(dir: string, report: ModelCheckReport): StudioError {
  const first = report.problems[0];
  const more =
    report.problems.length > 1
      ? ` (and ${report.problems.length - 1} more problem${report.problems.length > 2 ? 's' : ''})`
      : '';
  return new StudioError(
    first?.code ?? 'ModelInvalid',
    `${dir} cannot be used as the model: ${first?.message ?? 'the check failed'}${more}.`,
    first?.hint,
  );
}

/**
 * The `models.*` channels of StudioService: HF-cache discovery, in-app downloads (one per target folder, progress and
 * completion as events), the tiny random model, `models.use` and the injected folder picker. `shutdown()` cancels and
 * awaits every running download.
 */
export class ModelsService {
  private readonly downloads = new Map<string, RunningDownload>();
  private closed = false;

  constructor(private readonly o: ModelsServiceOptions) {}

  /** The models folder of the data dir (downloads and the tiny model go here by default). */
  get modelsDir(): string {
    return join(this.o.dataDir, 'models');
  }

  /**
   * `models.find`: NewBie model packages in the Hugging Face cache, each checked (headers only), official repo first.
   * The cache folder follows huggingface_hub's rules on `env`; a missing cache gives an empty list.
   */
  find(): HfCacheFindResult {
    const models = findHfCacheModels(this.o.env).map((m) => ({ ...m, folder: dirname(dirname(m.snapshot)) }));
    return { cacheDir: hfHubCacheDir(this.o.env), models };
  }

  /**
   * `models.download`: starts downloading a model repo (default the official one) into `dir` (default
   * `<dataDir>/models/<repo name>`) and returns at once; progress and the outcome arrive as events. With `activate`
   * the folder becomes the model folder once it is complete and passes the check.
   * @throws StudioError Interrupted when the service is shutting down.
   */
  download(p: InvokePayload<'models.download'>): ModelDownloadStarted {
    if (this.closed) throw new StudioError('Interrupted', 'The studio is shutting down.');
    const repo = p?.repo ?? OFFICIAL_REPO;
    const dir = resolve(p?.dir ?? join(this.modelsDir, basename(repo)));
    const running = [...this.downloads.values()].find((d) => d.dir === dir);
    if (running) return { downloadId: running.id, repo: running.repo, dir, attached: true };
    const id = `dl-${randomBytes(8).toString('hex')}`;
    const controller = new AbortController();
    const d: RunningDownload = { id, repo, dir, controller, done: Promise.resolve() };
    // HF_TOKEN belongs to the hub this studio is configured for (HF_ENDPOINT or huggingface.co): a request naming
    // another endpoint gets only a token it passes itself, so no caller can have the owner's token sent elsewhere.
    const foreignEndpoint = p?.endpoint !== undefined && hubEndpoint(p.endpoint, {}) !== hubEndpoint(undefined, this.o.env);
    const options: DownloadOptions = {
      ...this.o.download,
      dir,
      repo,
      env: foreignEndpoint ? { ...this.o.env, HF_TOKEN: undefined } : this.o.env,
      signal: controller.signal,
      onProgress: (progress) => this.o.emit('models.downloadProgress', progressEvent(d, progress)),
      ...(p?.revision ? { revision: p.revision } : {}),
      ...(p?.token ? { token: p.token } : {}),
      ...(p?.endpoint ? { endpoint: p.endpoint } : {}),
    };
    this.downloads.set(id, d);
    d.done = this.runDownload(d, options, p?.activate ?? false);
    return { downloadId: id, repo, dir, attached: false };
  }

  private async runDownload(d: RunningDownload, options: DownloadOptions, activate: boolean): Promise<void> {
    const base = { downloadId: d.id, repo: d.repo, dir: d.dir };
    try {
      const result = await downloadModel(options);
      const report = checkModelFolder(d.dir);
      let activated = false;
      if (activate && report.ok && !this.closed) {
        await this.o.setModelDir(d.dir);
        activated = true;
      }
      this.o.emit('models.downloadFinished', {
        ...base,
        ok: true,
        bytesDownloaded: result.bytesDownloaded,
        filesTotal: result.files.length,
        report,
        activated,
      });
    } catch (e) {
      const error =
        e instanceof StudioError
          ? e.toData()
          : { code: 'DownloadFailed' as const, message: `${d.repo}: ${(e as Error)?.message ?? String(e)}` };
      if (!(e instanceof StudioError)) console.error('newbie-studio: download failed:', e);
      this.o.emit('models.downloadFinished', { ...base, ok: false, error });
    } finally {
      this.downloads.delete(d.id);
    }
  }

  /**
   * `models.cancelDownload`: stops a running download (partial files stay for a resume); its `models.downloadFinished`
   * follows with error code Cancelled. @returns cancelled false when no download has that id (already over).
   */
  cancelDownload(p: InvokePayload<'models.cancelDownload'>): { downloadId: string; cancelled: boolean } {
    const d = this.downloads.get(p.downloadId);
    d?.controller.abort();
    return { downloadId: p.downloadId, cancelled: d !== undefined };
  }

  /**
   * `models.makeTiny`: the tiny random model (hub layout, seed 0, about 4 MB; it produces noise) in
   * `<dataDir>/models/tiny-random`. An existing copy that passes the check is kept as is (the engine host may have it
   * open); anything else there is replaced. Written in a temp folder and renamed, so a crash leaves no half model.
   */
  makeTiny(): { dir: string } {
    const dir = join(this.modelsDir, TINY_MODEL_FOLDER);
    if (existsSync(dir)) {
      try {
        const r = checkModelFolder(dir);
        if (r.ok && r.testModel) return { dir };
      } catch (e) {
        if (!(e instanceof StudioError)) throw e;
      }
    }
    mkdirSync(this.modelsDir, { recursive: true });
    const tmp = join(this.modelsDir, `.${TINY_MODEL_FOLDER}-${randomBytes(6).toString('hex')}`);
    try {
      makeTinyModel(tmp, { seed: 0, layout: 'hub' });
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return { dir };
  }

  /**
   * `models.use`: checks the folder (a model folder, an HF cache or `models--org--name` folder, or a snapshot) and,
   * when it passes, stores it as the model folder (`settings.changed` follows).
   * @throws StudioError InvalidRequest (no such folder), ModelIncomplete / ModelInvalid (the check's first problem,
   *   with its hint; the settings are left as they were).
   */
  async use(p: InvokePayload<'models.use'>): Promise<ModelUseResult> {
    const dir = resolve(p.dir);
    const report = checkModelFolder(dir);
    if (!report.ok) throw unusable(dir, report);
    const settings = await this.o.setModelDir(dir);
    const session = this.o.sessionModelDir;
    return session && resolve(session) !== dir
      ? {
          settings,
          report,
          notice: `Saved. This session was started with the model ${session}, which stays active until the studio restarts.`,
        }
      : { settings, report };
  }

  /** `models.pickFolder`: the folder the user chose in a native dialog, or null (cancelled, or serve mode without one). */
  async pickFolder(): Promise<string | null> {
    return this.o.pickFolder ? this.o.pickFolder() : null;
  }

  /** Cancels every running download and waits until each has ended (partial files stay for a resume). */
  async shutdown(): Promise<void> {
    this.closed = true;
    const running = [...this.downloads.values()];
    for (const d of running) d.controller.abort();
    await Promise.all(running.map((d) => d.done));
  }
}
