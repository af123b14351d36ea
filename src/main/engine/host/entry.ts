/**
 * Engine host process entry: owns onnxruntime sessions, runs one job at a time, reports progress after each step,
 * cancels cooperatively between steps (a hard cancel is the parent killing this process). Runs as an Electron
 * utilityProcess (process.parentPort) or a child_process.fork child (process.send).
 */
import { StudioError } from '../../../shared/errors';
import { LoadedModel } from '../pipeline/model';
import { runTextToImage } from '../pipeline/textToImage';
import { isAllocationFailure, ortVersion } from '../runtime/session';
import { pickProvider, probeExecutionProviders, type ProviderProbe } from '../runtime/providers';
import type { HostEvent, HostLoadOptions, HostRequest } from './protocol';

interface ParentPort {
  on(event: 'message', fn: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;

function post(msg: HostEvent): void {
  if (parentPort) parentPort.postMessage(msg);
  else process.send?.(msg);
}

let probes: ProviderProbe[] | undefined;
let model: LoadedModel | undefined;
let modelKey = '';
const running = new Map<string, AbortController>();

async function getProbes(): Promise<ProviderProbe[]> {
  probes ??= await probeExecutionProviders();
  return probes;
}

async function ensureModel(id: string, load: HostLoadOptions, precision: LoadedModel['options']['precision']): Promise<LoadedModel> {
  const all = await getProbes();
  const provider = pickProvider(all, load.provider);
  if (load.provider && provider !== load.provider) {
    const why = all.find((p) => p.name === load.provider)?.reason ?? 'not available';
    post({ type: 'notice', id, message: `The ${load.provider} execution provider did not load (${why}); running on ${provider}.` });
  }
  const key = JSON.stringify([load.modelDir, provider, precision, load.memoryPolicy ?? 'auto', load.computeCapability ?? 0]);
  if (model && key === modelKey) return model;
  if (model) await model.release();
  model = undefined;
  model = LoadedModel.open(load.modelDir, {
    provider,
    computeCapability: load.computeCapability,
    precision,
    memoryPolicy: load.memoryPolicy,
  });
  modelKey = key;
  return model;
}

function errorData(e: unknown): { code: StudioError['code']; message: string; hint?: string } {
  if (e instanceof StudioError) return e.toData();
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  // An allocation failure inside session.run is an out-of-memory, not a crash (conventions.md §8 strings).
  if (isAllocationFailure(message)) {
    return {
      code: 'OutOfMemory',
      message: `Out of memory during the run: ${message}`,
      hint: 'Try a lower resolution, batch 1, releasing the text encoders, or a lower precision.',
    };
  }
  return { code: 'EngineCrashed', message };
}

async function generate(msg: Extract<HostRequest, { type: 'generate' }>): Promise<void> {
  const controller = new AbortController();
  running.set(msg.id, controller);
  try {
    const m = await ensureModel(msg.id, msg.load, msg.request.precision);
    const result = await runTextToImage(m, msg.request, {
      signal: controller.signal,
      previews: msg.previews !== false,
      onWarning: (w) => post({ type: 'warning', id: msg.id, message: w.message }),
      onStep: (e) => post({ type: 'progress', id: msg.id, ...e }),
    });
    post({
      type: 'result',
      id: msg.id,
      result: {
        images: result.images,
        precision: result.precision,
        provider: result.provider,
        modelIdentity: m.identity,
        ortVersion: ortVersion(),
        timings: result.timings,
        warnings: result.warnings.map((w) => w.message),
        notices: [],
        peakRss: result.peakRss,
      },
    });
  } catch (e) {
    post({ type: 'error', id: msg.id, error: errorData(e) });
  } finally {
    running.delete(msg.id);
  }
}

async function handle(raw: unknown): Promise<void> {
  const msg = raw as HostRequest;
  switch (msg?.type) {
    case 'probe':
      post({ type: 'probed', id: msg.id, providers: await getProbes() });
      return;
    case 'generate':
      return generate(msg);
    case 'cancel':
      running.get(msg.id)?.abort();
      return;
    case 'unload':
      await model?.release();
      model = undefined;
      modelKey = '';
      post({ type: 'unloaded', id: msg.id });
      return;
  }
}

if (parentPort) parentPort.on('message', (e) => void handle(e.data));
else {
  process.on('message', (m) => void handle(m));
  // Without its parent nobody reads the result: stop instead of finishing the run (checked between steps).
  process.on('disconnect', () => process.exit(0));
}
// Ctrl+C in a terminal reaches the whole process group, this host included. The parent decides: it cancels after the
// current step (exit 130) or, on a second Ctrl+C, kills us. Dying here on the first one made it an "engine crash".
process.on('SIGINT', () => undefined);
post({ type: 'ready', pid: process.pid });
