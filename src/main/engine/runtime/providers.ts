/**
 * Which execution providers load on this machine, probed (never guessed) by creating a one-node session on each.
 * Order of preference: cuda → dml → coreml → webgpu → cpu (architecture.md §4).
 */
import { GraphBuilder } from '../onnx/graph';
import type { ProviderName } from '../../../shared/dto';
import { EngineSession } from './session';
import { StudioError } from '../../../shared/errors';

export const PROVIDER_ORDER: readonly ProviderName[] = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

export interface ProviderProbe {
  name: ProviderName;
  available: boolean;
  /** Why it did not load (first line of ORT's error), when unavailable. */
  reason?: string;
}

/** Providers that onnxruntime-node ships for a platform (runtime-notes.md §3). */
export function shippedProviders(platform = process.platform, arch = process.arch): ProviderName[] {
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'webgpu', 'cpu'];
  if (platform === 'win32') return ['dml', 'webgpu', 'cpu'];
  if (platform === 'darwin' && arch === 'arm64') return ['coreml', 'webgpu', 'cpu'];
  return ['cpu'];
}

function probeGraph(): Uint8Array {
  const g = new GraphBuilder('probe');
  const x = g.input('x', 'float32', [1]);
  g.output(g.op1('Add', [x, g.constF32([1])]), 'y');
  return g.toModel().bytes;
}

/** Tries each shipped provider with a tiny session; returns one entry per provider in preference order. */
export async function probeExecutionProviders(): Promise<ProviderProbe[]> {
  const shipped = shippedProviders();
  const bytes = probeGraph();
  const result: ProviderProbe[] = [];
  for (const name of PROVIDER_ORDER) {
    if (!shipped.includes(name)) {
      result.push({ name, available: false, reason: `not shipped in onnxruntime-node for ${process.platform}-${process.arch}` });
      continue;
    }
    try {
      const s = await EngineSession.create('probe', bytes, null, { provider: name });
      await s.release();
      result.push({ name, available: true });
    } catch (e) {
      result.push({ name, available: false, reason: e instanceof StudioError ? e.message.replace(/^probe: /, '') : String(e) });
    }
  }
  return result;
}

/** First available provider in preference order (a preferred one that failed is reported by the caller). */
export function pickProvider(probes: ProviderProbe[], requested?: ProviderName): ProviderName {
  if (requested) {
    const p = probes.find((x) => x.name === requested);
    if (p?.available) return requested;
  }
  return probes.find((p) => p.available)?.name ?? 'cpu';
}
