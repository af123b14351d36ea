/**
 * StudioService: the one implementation of the renderer contract (shared/api.ts), electron-free (architecture.md §1).
 * Electron's IPC (src/main/ipc) and the serve WebSocket bridge (src/main/serve) are thin adapters over `invoke` and
 * `events`. Every payload is validated here against the channel's schema; expected failures come back as
 * `Result` errors with a catalogue code and a message, never a stack.
 *
 * Owns: the history store (and its persisted queue), the settings file, the queue runner with the supervised engine
 * host, and the VRAM monitor. `StudioService.open` wires them; `shutdown` stops them in order (queue state saved, host
 * stopped, monitor stopped, database closed with PRAGMA optimize).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { isInvokeChannel, type EventChannel, type EventPayload, type InvokeChannel, type InvokePayload, type InvokeResult } from '../shared/api';
import { parsePayload, type RequestDraft } from '../shared/apiSchemas';
import type { ImportOutcome, ModelCheckReport } from '../shared/apiTypes';
import { MAX_SEED, RANDOM_SEED_MAX, type DeviceInfo, type GenerationRequest, type Settings } from '../shared/dto';
import { StudioError, err, ok, type Result } from '../shared/errors';
import { checkPrompt, formatPrompt } from '../shared/prompt';
import type { HostSpawner } from './engine/host/client';
import { validateRequest } from './engine/pipeline/validate';
import { importImage, restoreRequest } from './history/importer';
import { HistoryStore } from './history/store';
import { QueueRunner, type SampleSource } from './jobs/runner';
import { EngineSupervisor } from './jobs/supervisor';
import { checkModelFolder } from './models/check';
import { ModelsService } from './modelsService';
import { dataPaths } from './paths';
import { SettingsStore } from './settings';
import { cudaDevice0, detectDevices, VramMonitor, type DetectOptions } from './system';
import { loadTagIndex } from './tags';

/**
 * Most jobs the queue holds. Every change sends the whole queue to every window (`queue.changed`), so its cost grows
 * with the square of the length: 3000 jobs meant 1.6 GB of events and 67 ms of blocked main per enqueue (measured).
 */
export const MAX_QUEUED_JOBS = 1000;

/** Runs a listener; a failing one (a closed window, a dropped socket) must not stop the queue that emitted. */
function guarded(channel: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    console.error(`newbie-studio: a ${channel} listener failed:`, e);
  }
}

/**
 * The name a dropped file is written under in the import temp folder (and shown in outcomes): only the last path
 * component (never a way out of the folder); no leading dots, control characters, characters or device names Windows
 * refuses (a NUL made the write throw and failed the whole batch); at most 200 UTF-8 bytes with the extension kept
 * (file systems allow 255).
 */
export function importFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  let name = basename(raw.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(name)) name = `_${name}`;
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0] ?? '';
  if (Buffer.byteLength(name) > 200) {
    let stem = '';
    for (const ch of name.slice(0, name.length - ext.length)) {
      if (Buffer.byteLength(stem + ch) > 200 - ext.length) break;
      stem += ch;
    }
    name = `${stem}${ext}`;
  }
  return name || 'image';
}

/** Typed fan-out of the contract's events; the adapters subscribe with `onAny`. */
export class StudioEvents {
  private readonly ee = new EventEmitter();

  constructor() {
    this.ee.setMaxListeners(100);
  }

  emit<E extends EventChannel>(channel: E, payload: EventPayload<E>): void {
    this.ee.emit(channel, payload);
    this.ee.emit('*', channel, payload);
  }

  /** Listens to one channel; returns the unsubscribe function. A listener that throws is logged, never the emitter's problem. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void {
    const safe = (payload: EventPayload<E>) => guarded(channel, () => listener(payload));
    this.ee.on(channel, safe);
    return () => void this.ee.off(channel, safe);
  }

  /** Listens to every channel (adapters forward them all); returns the unsubscribe function. */
  onAny(listener: (channel: EventChannel, payload: unknown) => void): () => void {
    const safe = (channel: EventChannel, payload: unknown) => guarded(channel, () => listener(channel, payload));
    this.ee.on('*', safe);
    return () => void this.ee.off('*', safe);
  }
}

/** The VRAM monitor as the service uses it (system/vramMonitor.ts). */
export type MonitorLike = SampleSource & {
  start(): void;
  stop(): Promise<void>;
  trackProcess(pid: number, label: string): void;
  untrackProcess(pid: number): void;
};

export interface StudioServiceOptions {
  dataDir: string;
  /** How the engine host process is started: Electron utilityProcess in the app, fork in the CLI and serve. */
  spawner: HostSpawner;
  /** better-sqlite3 native binding (the Electron-ABI build inside Electron). */
  nativeBinding?: string;
  /** Model folder that wins over the settings for this session (serve --model). */
  modelDir?: string;
  /** VRAM monitor; default a VramMonitor on `nvidia-smi`; null for none. */
  monitor?: MonitorLike | null;
  /** Options of device detection (nvidia-smi path, environment). */
  detect?: Omit<DetectOptions, 'probe'>;
  cancelGraceMs?: number;
  /** Environment for the Hugging Face cache and downloads (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Native folder chooser for `models.pickFolder` (Electron's dialog); absent in serve mode (answers null). */
  pickFolder?: () => Promise<string | null>;
}

type Handlers = { [C in InvokeChannel]: (payload: InvokePayload<C>) => Promise<InvokeResult<C>> | InvokeResult<C> };

export class StudioService {
  readonly events = new StudioEvents();
  readonly dataDir: string;
  /** What was reset when the settings file was read (shown once by the UI). */
  readonly settingsNotices: readonly string[];
  private readonly runner: QueueRunner;
  private readonly supervisor: EngineSupervisor;
  private devices: Promise<DeviceInfo> | undefined;
  private closed = false;
  private readonly detachMonitor: (() => void) | undefined;
  private readonly models: ModelsService;

  private constructor(
    private readonly o: StudioServiceOptions,
    readonly store: HistoryStore,
    private readonly settings: SettingsStore,
    private readonly monitor: MonitorLike | null,
  ) {
    this.dataDir = o.dataDir;
    this.settingsNotices = settings.notices;
    let hostPid: number | undefined;
    this.supervisor = new EngineSupervisor({
      spawner: o.spawner,
      onHostChange: (pid) => {
        if (hostPid !== undefined) monitor?.untrackProcess(hostPid);
        hostPid = pid;
        if (pid !== undefined) monitor?.trackProcess(pid, 'engine host');
      },
    });
    const emit = <E extends EventChannel>(c: E, p: EventPayload<E>) => this.events.emit(c, p);
    this.models = new ModelsService({
      dataDir: o.dataDir,
      env: o.env ?? process.env,
      emit,
      setModelDir: async (dir) => {
        const next = await this.settings.update({ modelDir: dir });
        emit('settings.changed', next);
        return next;
      },
      ...(o.modelDir ? { sessionModelDir: o.modelDir } : {}),
      ...(o.pickFolder ? { pickFolder: o.pickFolder } : {}),
    });
    this.runner = new QueueRunner({
      store,
      supervisor: this.supervisor,
      settings: () => this.settings.get(),
      ...(o.modelDir ? { modelDir: o.modelDir } : {}),
      emit,
      ...(monitor ? { monitor } : {}),
      computeCapability: async () => cudaDevice0((await this.deviceInfo()).gpus, o.detect?.env ?? process.env)?.computeCapability,
      ...(o.cancelGraceMs !== undefined ? { cancelGraceMs: o.cancelGraceMs } : {}),
      paused: !settings.get().autoStartQueue,
    });
    if (monitor) {
      const onSample = (s: Parameters<typeof emit<'vram.sample'>>[1]) => emit('vram.sample', s);
      monitor.on('sample', onSample);
      this.detachMonitor = () => void monitor.off('sample', onSample);
    }
  }

  /**
   * Opens the data dir (created if needed): history database (migrated; jobs left running by a crash become
   * `interrupted`), settings file, engine supervisor (host spawned on first use), VRAM monitor; starts the queue
   * unless the settings say to start paused.
   * @throws StudioError DbUnreadable / DbFromFuture from the database.
   */
  static open(options: StudioServiceOptions): StudioService {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const store = HistoryStore.open(dataDir, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    store.queue.markInterruptedOnStartup();
    const settings = SettingsStore.load(dataPaths(dataDir).settings);
    const monitor = options.monitor === undefined ? new VramMonitor({ ...(options.detect?.env ? { env: options.detect.env } : {}) }) : options.monitor;
    const service = new StudioService({ ...options, dataDir }, store, settings, monitor);
    monitor?.start();
    service.runner.kick();
    return service;
  }

  /**
   * One invoke from an adapter: validates the channel and payload, runs the handler, returns a Result.
   * Never throws and never returns a stack: unexpected failures are logged here and reported as EngineCrashed.
   */
  async invoke(channel: unknown, payload?: unknown): Promise<Result<unknown>> {
    if (!isInvokeChannel(channel)) return err('InvalidRequest', `Unknown channel: ${String(channel).slice(0, 100)}`);
    if (this.closed) return err('Interrupted', 'The studio is shutting down.');
    const parsed = parsePayload(channel, payload);
    if (!parsed.ok) return parsed;
    try {
      const handler = this.handlers[channel] as (p: unknown) => Promise<unknown> | unknown;
      return ok(await handler(parsed.value));
    } catch (e) {
      if (e instanceof StudioError) return { ok: false, error: e.toData() };
      console.error(`newbie-studio: ${channel} failed:`, e);
      return err('EngineCrashed', `Internal error in ${channel}: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
    }
  }

  /** Runs until no job is running (tests). */
  whenIdle(): Promise<void> {
    return this.runner.whenIdle();
  }

  /** PID of the engine host, if one is up. */
  get hostPid(): number | undefined {
    return this.supervisor.pid;
  }

  /** Clean shutdown: queue state saved (a running job stays `interrupted`), host stopped, monitor stopped, database closed. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.models.shutdown();
    await this.runner.shutdown();
    this.detachMonitor?.();
    await this.monitor?.stop();
    this.store.close();
  }

  private modelDir(): string | null {
    return this.o.modelDir ?? this.settings.get().modelDir;
  }

  private deviceInfo(refresh = false): Promise<DeviceInfo> {
    if (!this.devices || refresh) {
      const probe = () => this.supervisor.probe();
      this.devices = detectDevices({ ...this.o.detect, probe });
    }
    return this.devices;
  }

  /** Snapshot of a generation request from a draft: defaults from the settings, seed drawn now when absent. */
  private resolveRequest(draft: RequestDraft, s: Settings): GenerationRequest {
    const d = s.defaults;
    const request: GenerationRequest = {
      prompt: draft.prompt.replace(/^\uFEFF/, ''),
      negativePrompt: draft.negativePrompt ?? d.negativePrompt,
      width: draft.width ?? d.width,
      height: draft.height ?? d.height,
      steps: draft.steps ?? d.steps,
      guidance: draft.guidance ?? d.guidance,
      shift: draft.shift ?? d.shift,
      cfgTrunc: draft.cfgTrunc ?? d.cfgTrunc,
      renormCfg: draft.renormCfg ?? d.renormCfg,
      sampler: draft.sampler ?? d.sampler,
      // "Random" draws uniformly from [0, 2^32 − 1] (conventions.md §1), once, so the queue row reproduces the image.
      seed: draft.seed ?? randomInt(0, RANDOM_SEED_MAX + 1),
      batch: draft.batch ?? d.batch,
      precision: draft.precision ?? d.precision,
      ...(draft.memoryPolicy ? { memoryPolicy: draft.memoryPolicy } : {}),
      ...(draft.parentId ? { parentId: draft.parentId } : {}),
    };
    validateRequest(request);
    // Written without `seed + batch` so float rounding at 2^53 cannot let the last image's seed pass the limit.
    if (request.seed > MAX_SEED - (request.batch - 1)) {
      throw new StudioError('InvalidRequest', `seed ${request.seed} + batch ${request.batch} passes the largest seed ${MAX_SEED}.`);
    }
    const errors = checkPrompt(request.prompt).diagnostics.filter((x) => x.severity === 'error');
    if (errors.length) {
      const e = errors[0]!;
      throw new StudioError('PromptInvalid', `Line ${e.line}, column ${e.column}: ${e.message}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`);
    }
    return request;
  }

  private async importFiles(p: InvokePayload<'history.import'>): Promise<ImportOutcome[]> {
    const outcomes: ImportOutcome[] = [];
    // Same volume as images/ (the importer copies from here), outside the folders that reconcile scans.
    const tmp = join(this.dataDir, `.import-${randomBytes(6).toString('hex')}`);
    try {
      for (const f of p.files) {
        const name = importFileName(f.name);
        try {
          if (p.restoreOnly) {
            const r = restoreRequest(f.bytes, name);
            outcomes.push({ file: name, status: 'restored', source: r.source, request: r.request, restored: r.restored, notes: r.notes });
            continue;
          }
          await mkdir(tmp, { recursive: true });
          const path = join(tmp, name);
          await writeFile(path, f.bytes);
          const r = await importImage(this.store, path);
          await rm(path, { force: true });
          outcomes.push({
            file: name,
            status: r.status,
            source: r.source,
            notes: r.notes,
            ...(r.generationId ? { generationId: r.generationId } : {}),
            ...(r.imageId !== undefined ? { imageId: r.imageId } : {}),
          });
          if (r.status === 'imported' && r.generationId) {
            this.events.emit('history.added', { generationId: r.generationId, entry: this.store.get(r.generationId) ?? null });
          }
        } catch (e) {
          if (!(e instanceof StudioError)) throw e;
          outcomes.push({ file: name, status: 'failed', source: 'none', notes: [], error: e.toData() });
        }
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return outcomes;
  }

  private readonly handlers: Handlers = {
    'generation.enqueue': (p) => {
      const request = this.resolveRequest(p.request, this.settings.get());
      if (!this.modelDir()) throw new StudioError('ModelIncomplete', 'No model folder is set.', 'Choose the model folder in Settings first.');
      if (this.store.queue.list().length >= MAX_QUEUED_JOBS) {
        throw new StudioError('InvalidRequest', `The queue already holds ${MAX_QUEUED_JOBS} jobs.`, 'Wait for some to finish, or cancel some; a larger batch per job also works.');
      }
      return this.runner.enqueue(request);
    },
    'generation.cancel': (p) => this.runner.cancel(p.id, p.hard ?? false),
    'generation.cancelAll': (p) => this.runner.cancelAll((p && 'hard' in p && p.hard) || false),
    'generation.reorder': (p) => this.runner.reorder(p),
    'generation.pause': (p) => this.runner.pause(p && 'id' in p ? p.id : undefined),
    'generation.resume': (p) => this.runner.resume(p && 'id' in p ? p.id : undefined),
    'queue.list': () => this.runner.snapshot(),
    'history.page': (p) => this.store.page(p ?? {}),
    'history.search': (p) => this.store.page(p),
    'history.get': (p) => this.store.get(p.id) ?? null,
    'history.lineage': (p) => this.store.lineage(p.id),
    'history.favorite': (p) => (this.store.setFavorite(p.imageId, p.favorite), null),
    'history.rate': (p) => (this.store.setRating(p.imageId, p.rating), null),
    'history.delete': async (p) => ({ imageIds: await this.store.deleteImages(p.imageIds) }),
    'history.undoDelete': async (p) => ({ imageIds: await this.store.undoDelete(p.imageIds) }),
    'history.import': async (p) => ({ outcomes: await this.importFiles(p) }),
    'prompt.check': (p) => checkPrompt(p.text, { tagIndex: loadTagIndex() }),
    'prompt.format': (p) => ({ text: formatPrompt(p.text) }),
    'prompt.completeTags': (p) => loadTagIndex().complete(p.prefix, { ...(p.field ? { field: p.field } : {}), ...(p.limit ? { limit: p.limit } : {}) }),
    'devices.get': (p) => this.deviceInfo(Boolean(p && 'refresh' in p && p.refresh)),
    'settings.get': () => this.settings.get(),
    'settings.set': async (p) => {
      if (p.modelDir && !(existsSync(p.modelDir) && statSync(p.modelDir).isDirectory())) {
        throw new StudioError('InvalidRequest', `The model folder ${p.modelDir} does not exist.`, 'Pick the folder that holds transformer/, text_encoder/, clip_model/ and vae/.');
      }
      const next = await this.settings.update(p);
      this.events.emit('settings.changed', next);
      return next;
    },
    'models.check': (p): ModelCheckReport => {
      const dir = (p && 'dir' in p ? p.dir : undefined) ?? this.modelDir();
      if (!dir) throw new StudioError('ModelIncomplete', 'No model folder is set.', 'Choose the model folder in Settings.');
      return checkModelFolder(resolve(dir));
    },
    'models.find': () => this.models.find(),
    'models.download': (p) => this.models.download(p),
    'models.cancelDownload': (p) => this.models.cancelDownload(p),
    'models.makeTiny': () => this.models.makeTiny(),
    'models.use': (p) => this.models.use(p),
    'models.pickFolder': () => this.models.pickFolder(),
  };
}
