/**
 * Device detection: NVIDIA GPUs from nvidia-smi, execution providers from a real onnxruntime probe (injected: the
 * engine host answers it in the app, the CLI runs it in-process), and the `auto` precision plan per provider
 * (architecture.md §4, `autoPlan` in engine/runtime/precision.ts). A provider that cannot load is reported with its
 * reason and the plan that applies instead: never a silent fallback.
 */
import * as os from 'node:os';
import type {
  ComponentName,
  DeviceInfo,
  GpuInfo,
  PrecisionPlan,
  ProviderName,
  ProviderPlan,
  ProviderStatus,
} from '../../shared/dto';
import { autoPlan } from '../engine/runtime/precision';
import {
  DETECT_FIELDS,
  DETECT_FIELDS_OLD,
  csvArgs,
  parseCudaVersion,
  parseDetectOutput,
  runNvidiaSmi,
  type NvidiaSmiResult,
} from './nvidiaSmi';

/** What the provider probe returns (the shape of engine/runtime's `probeExecutionProviders`). */
export type ProviderProbeFn = () => Promise<ProviderStatus[]>;

export interface DetectOptions {
  /** Tries each execution provider with a tiny session; in the app this is a message to the engine host. */
  probe: ProviderProbeFn;
  /** Environment: PATH picks the nvidia-smi, CUDA_VISIBLE_DEVICES picks CUDA device 0. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** nvidia-smi executable (name looked up on PATH, or a path). */
  nvidiaSmi?: string;
  /** Per nvidia-smi call. */
  timeoutMs?: number;
}

const COMPONENT_LABEL: Record<ComponentName, string> = {
  gemma: 'Gemma',
  jina: 'Jina CLIP',
  dit: 'DiT',
  vae: 'VAE',
};
const PROVIDER_LABEL: Record<ProviderName, string> = {
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};
const GPU_PROVIDERS: readonly ProviderName[] = ['cuda', 'dml', 'coreml', 'webgpu'];

/** "DiT bf16, Gemma bf16, Jina CLIP bf16, VAE fp32". */
export function describePlan(plan: PrecisionPlan): string {
  return (['dit', 'gemma', 'jina', 'vae'] as const).map((c) => `${COMPONENT_LABEL[c]} ${plan[c]}`).join(', ');
}

/** The human name of an execution provider (e.g. for messages and the device panel). */
export const providerLabel = (p: ProviderName): string => PROVIDER_LABEL[p];

/**
 * The GPU that CUDA calls device 0: the first entry of CUDA_VISIBLE_DEVICES (an index or a UUID) when set, else
 * nvidia-smi's index 0. CUDA's own default order (fastest first) can differ from nvidia-smi's PCI order on mixed
 * machines; detectDevices says so in a notice.
 */
export function cudaDevice0(gpus: GpuInfo[], env: NodeJS.ProcessEnv): GpuInfo | undefined {
  const visible = env.CUDA_VISIBLE_DEVICES?.split(',')[0]?.trim();
  if (visible !== undefined && visible !== '') {
    if (/^\d+$/.test(visible)) return gpus.find((g) => g.index === Number(visible));
    return gpus.find((g) => g.uuid !== undefined && g.uuid.startsWith(visible));
  }
  return gpus.find((g) => g.index === 0) ?? gpus[0];
}

async function queryGpus(
  env: NodeJS.ProcessEnv,
  command: string | undefined,
  timeoutMs: number | undefined,
): Promise<{ gpus: GpuInfo[]; ok: boolean; error?: string; notices: string[] }> {
  const run = (args: string[]): Promise<NvidiaSmiResult> => runNvidiaSmi(args, { env, command, timeoutMs });
  const [query, version] = await Promise.all([
    run(csvArgs('--query-gpu', DETECT_FIELDS)),
    run(['--version']),
  ]);
  let result = query;
  let withCc = true;
  // Drivers before 510 reject compute_cap ("Field "compute_cap" is not a valid field to query.").
  if (!result.ok && /compute_cap/.test(result.stdout)) {
    result = await run(csvArgs('--query-gpu', DETECT_FIELDS_OLD));
    withCc = false;
  }
  if (!result.ok) return { gpus: [], ok: false, error: result.failure.message, notices: [] };
  const { gpus, rejected } = parseDetectOutput(result.stdout, withCc);
  const notices = rejected.length
    ? [`nvidia-smi printed ${rejected.length} line(s) that are not GPU data: "${rejected[0].slice(0, 120)}"`]
    : [];
  if (gpus.length === 0) return { gpus, ok: false, error: 'nvidia-smi listed no GPU', notices };
  let cuda = version.ok ? parseCudaVersion(version.stdout) : undefined;
  if (!cuda) {
    const header = await run([]);
    cuda = header.ok ? parseCudaVersion(header.stdout) : undefined;
  }
  if (cuda) for (const g of gpus) g.cudaVersion = cuda;
  if (!withCc)
    notices.push(
      'This NVIDIA driver does not report compute capability (driver < 510): bf16 is assumed unavailable.',
    );
  return { gpus, ok: true, notices };
}

/**
 * Detects GPUs, execution providers and the precision plans.
 * @returns DeviceInfo: `planned` holds the `auto` plan of every GPU provider relevant here (CUDA whenever an NVIDIA GPU
 *   is present, even when its provider cannot load), `active` the provider and plan that actually apply (first
 *   available in the order cuda → dml → coreml → webgpu → cpu), `notices` why a provider fell back.
 * Never throws: a failing probe or nvidia-smi becomes a notice and the CPU plan.
 */
export async function detectDevices(opts: DetectOptions): Promise<DeviceInfo> {
  const env = opts.env ?? process.env;
  const [gpuResult, probeResult] = await Promise.all([
    queryGpus(env, opts.nvidiaSmi, opts.timeoutMs),
    opts.probe().then(
      (providers) => ({ providers, error: undefined as string | undefined }),
      (e: unknown) => ({
        providers: [] as ProviderStatus[],
        error: e instanceof Error ? e.message : String(e),
      }),
    ),
  ]);
  const { gpus } = gpuResult;
  const providers = probeResult.providers.map((p) => ({ ...p }));
  const notices = [...gpuResult.notices];
  if (probeResult.error)
    notices.push(`The execution provider probe failed (${probeResult.error}); assuming CPU only.`);
  const status = (p: ProviderName): ProviderStatus | undefined => providers.find((x) => x.name === p);

  const device0 = cudaDevice0(gpus, env);
  const planned: ProviderPlan[] = [];
  for (const p of GPU_PROVIDERS) {
    const s = status(p);
    const relevant = s?.available || (p === 'cuda' && gpus.length > 0);
    if (!relevant) continue;
    const cc = p === 'cuda' ? device0?.computeCapability : undefined;
    planned.push({
      provider: p,
      ...(p === 'cuda' && device0 ? { gpuIndex: device0.index, gpuName: device0.name } : {}),
      available: s?.available ?? false,
      ...(s?.reason ? { reason: s.reason } : s ? {} : { reason: 'not probed' }),
      plan: autoPlan({ provider: p, ...(cc !== undefined ? { computeCapability: cc } : {}) }),
    });
  }

  const activeProvider: ProviderName = providers.find((p) => p.available)?.name ?? 'cpu';
  const activeCc = activeProvider === 'cuda' ? device0?.computeCapability : undefined;
  const active: DeviceInfo['active'] = {
    provider: activeProvider,
    ...(activeProvider === 'cuda' && device0 ? { gpuIndex: device0.index } : {}),
    plan: autoPlan({
      provider: activeProvider,
      ...(activeCc !== undefined ? { computeCapability: activeCc } : {}),
    }),
  };

  if (!gpuResult.ok) {
    notices.push(`No NVIDIA GPU found (${gpuResult.error}).`);
  }
  for (const pp of planned) {
    if (pp.available || pp.provider === activeProvider) continue;
    const order = GPU_PROVIDERS.indexOf(pp.provider);
    const activeOrder =
      activeProvider === 'cpu' ? GPU_PROVIDERS.length : GPU_PROVIDERS.indexOf(activeProvider);
    if (order > activeOrder) continue;
    const what = pp.gpuName ? `${pp.gpuName} found, but the` : 'The';
    // The probe's reason may already start with "the cuda execution provider could not load:".
    const reason = (pp.reason ?? 'unknown reason').replace(
      /^the \w+ execution provider could not load:\s*/i,
      '',
    );
    notices.push(
      `${what} ${PROVIDER_LABEL[pp.provider]} execution provider could not load: ${reason}. ` +
        `It would run ${describePlan(pp.plan)}; using ${PROVIDER_LABEL[activeProvider]} instead (${describePlan(active.plan)}).`,
    );
    if (pp.provider === 'cuda') notices.push(cudaHint(pp.reason ?? ''));
  }
  if (device0 && device0.computeCapability !== undefined && !device0.bf16) {
    notices.push(
      `${device0.name} has compute capability ${device0.computeCapability} (< 8.0): no bf16, so auto runs the DiT and Jina CLIP in fp16 and Gemma in fp32.`,
    );
  }
  const ccs = new Set(gpus.map((g) => g.computeCapability));
  if (
    gpus.length > 1 &&
    ccs.size > 1 &&
    env.CUDA_DEVICE_ORDER !== 'PCI_BUS_ID' &&
    !env.CUDA_VISIBLE_DEVICES
  ) {
    notices.push(
      'Several different GPUs: CUDA numbers them fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID, so CUDA device 0 may not be nvidia-smi GPU 0.',
    );
  }

  const cpus = os.cpus();
  return {
    gpus,
    gpuQuery: {
      tool: 'nvidia-smi',
      ok: gpuResult.ok,
      ...(gpuResult.error ? { error: gpuResult.error } : {}),
    },
    providers,
    planned,
    active,
    notices,
    host: {
      platform: process.platform,
      arch: process.arch,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      cpuCount: cpus.length,
      totalRam: os.totalmem(),
      freeRam: os.freemem(),
    },
  };
}

/** What to do when the CUDA provider did not load (runtime-notes.md §3). */
function cudaHint(reason: string): string {
  if (process.platform === 'win32') {
    return 'onnxruntime-node ships no CUDA provider on Windows; the DirectML provider drives NVIDIA GPUs there.';
  }
  if (/shared library|cannot open shared object/i.test(reason)) {
    return 'To use the GPU: install the CUDA 12 runtime and cuDNN 9, then reinstall onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 (it downloads the CUDA provider libraries).';
  }
  return 'Check that the CUDA 12 runtime and cuDNN 9 are installed and match the driver.';
}
