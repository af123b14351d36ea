/**
 * nvidia-smi as a data source: the CSV query field lists, pure parsers for its output, and one async runner.
 * Field names and formats: `nvidia-smi --help-query-gpu`, `--help-query-compute-apps` and the man page; the choice of
 * nvidia-smi over NVML and the long-lived `-lms` child are in runtime-notes.md §4. With `--format=csv,noheader,nounits`
 * memory is in MiB, utilization in %, temperature in °C; unsupported values print as `[N/A]` or `[Not Supported]`.
 * Never a blocking exec: everything here is execFile with a callback (conventions: no execFileSync in main).
 */
import { execFile } from 'node:child_process';
import type { GpuInfo, GpuMemorySample } from '../../shared/dto';

export const MIB = 1024 * 1024;

/** Detection query (once): compute_cap needs driver ≥ 510; older drivers reject the field, see DETECT_FIELDS_OLD. */
export const DETECT_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'driver_version',
  'compute_cap',
] as const;
export const DETECT_FIELDS_OLD = ['index', 'uuid', 'name', 'memory.total', 'driver_version'] as const;
/** Monitor query (every second), as runtime-notes.md §4 lists it. */
export const MONITOR_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'memory.free',
  'utilization.gpu',
  'temperature.gpu',
] as const;
/** Per-process query; process_name last because paths may hold commas. */
export const COMPUTE_APP_FIELDS = ['gpu_uuid', 'pid', 'used_memory', 'process_name'] as const;

/** nvidia-smi arguments for a CSV query of `fields` without header or units (values parse as plain numbers, MiB). */
export const csvArgs = (
  query: '--query-gpu' | '--query-compute-apps',
  fields: readonly string[],
): string[] => [`${query}=${fields.join(',')}`, '--format=csv,noheader,nounits'];

/**
 * Splits one CSV line into `expected` fields. nvidia-smi does not quote, so a comma inside the field at `joinAt`
 * (a GPU or process name) yields extra cells, which are joined back. Returns null for a line with too few cells.
 */
export function splitCsvLine(line: string, expected: number, joinAt: number): string[] | null {
  const cells = line.split(',').map((c) => c.trim());
  if (cells.length < expected) return null;
  if (cells.length === expected) return cells;
  const extra = cells.length - expected;
  const joined = cells.slice(joinAt, joinAt + extra + 1).join(', ');
  return [...cells.slice(0, joinAt), joined, ...cells.slice(joinAt + extra + 1)];
}

/** A numeric cell: null for `[N/A]`, `N/A`, `[Not Supported]`, `[Unknown Error]`…; undefined when not a number at all. */
export function numericCell(cell: string): number | null | undefined {
  const c = cell.trim();
  if (/^\[.*\]$/.test(c) || /^n\/a$/i.test(c)) return null;
  if (!/^-?\d+(\.\d+)?$/.test(c)) return undefined;
  return Number(c);
}

const mib = (v: number | null): number | null => (v === null ? null : Math.round(v * MIB));

/**
 * Parses one `--query-gpu=<MONITOR_FIELDS>` line (nounits).
 * @returns the sample, or null for a garbage line (error text, truncated line, non-numeric index or memory).
 */
export function parseMonitorLine(line: string): GpuMemorySample | null {
  const cells = splitCsvLine(line, MONITOR_FIELDS.length, 2);
  if (!cells) return null;
  const [idx, uuid, name, total, used, free, util, temp] = cells;
  const index = numericCell(idx);
  const nums = [total, used, free, util, temp].map(numericCell);
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) return null;
  if (nums.some((n) => n === undefined) || name === '') return null;
  const [t, u, f, ut, tc] = nums as (number | null)[];
  return {
    index,
    ...(uuid && !/^\[/.test(uuid) ? { uuid } : {}),
    name,
    totalBytes: mib(t),
    usedBytes: mib(u),
    freeBytes: mib(f),
    utilizationPercent: ut,
    temperatureC: tc,
  };
}

/** One `--query-compute-apps=<COMPUTE_APP_FIELDS>` line; usedBytes null when the driver says [N/A] (Windows WDDM). */
export interface ComputeAppLine {
  gpuUuid: string;
  pid: number;
  usedBytes: number | null;
  processName: string;
}

/** Parses one compute-apps line; null for garbage. */
export function parseComputeAppLine(line: string): ComputeAppLine | null {
  const cells = splitCsvLine(line, COMPUTE_APP_FIELDS.length, 3);
  if (!cells) return null;
  const [gpuUuid, pidCell, usedCell, processName] = cells;
  const pid = numericCell(pidCell);
  const used = numericCell(usedCell);
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || used === undefined || !gpuUuid)
    return null;
  return { gpuUuid, pid, usedBytes: mib(used), processName };
}

/**
 * Parses the detection query output (DETECT_FIELDS or DETECT_FIELDS_OLD, one line per GPU).
 * Lines that do not parse are returned in `rejected` so the caller can report them.
 */
export function parseDetectOutput(
  stdout: string,
  withComputeCap: boolean,
): { gpus: GpuInfo[]; rejected: string[] } {
  const n = withComputeCap ? DETECT_FIELDS.length : DETECT_FIELDS_OLD.length;
  const gpus: GpuInfo[] = [];
  const rejected: string[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const cells = splitCsvLine(line, n, 2);
    const index = cells ? numericCell(cells[0]) : undefined;
    const total = cells ? numericCell(cells[3]) : undefined;
    if (!cells || typeof index !== 'number' || total === undefined || !cells[2]) {
      rejected.push(line);
      continue;
    }
    const cc = withComputeCap ? numericCell(cells[5]) : null;
    const computeCapability = typeof cc === 'number' ? cc : undefined;
    const driver = cells[4] && !/^\[/.test(cells[4]) ? cells[4] : undefined;
    gpus.push({
      index,
      ...(cells[1] && !/^\[/.test(cells[1]) ? { uuid: cells[1] } : {}),
      name: cells[2],
      vendor: 'nvidia',
      totalVram: total === null ? 0 : Math.round(total * MIB),
      ...(driver ? { driverVersion: driver } : {}),
      ...(computeCapability !== undefined ? { computeCapability } : {}),
      bf16: (computeCapability ?? 0) >= 8.0,
    });
  }
  return { gpus, rejected };
}

/**
 * The CUDA version the driver supports, from `nvidia-smi --version` ("CUDA Version : 12.4"), the table header
 * ("CUDA Version: 12.4") or drivers ≥ 610 ("CUDA UMD Version: 13.3"). Undefined when absent (drivers before ~520
 * print no CUDA line in --version).
 */
export function parseCudaVersion(text: string): string | undefined {
  return /CUDA(?:\s+UMD)?\s+Version\s*:\s*(\d+\.\d+)/i.exec(text)?.[1];
}

/** A failed nvidia-smi call, with what a person can act on. */
export interface NvidiaSmiFailure {
  kind: 'missing' | 'failed' | 'timeout';
  message: string;
}

export type NvidiaSmiResult =
  { ok: true; stdout: string } | { ok: false; failure: NvidiaSmiFailure; stdout: string };

/**
 * Runs nvidia-smi once, asynchronously (execFile with a callback, never the Sync variant).
 * @param env environment for the child (PATH decides which nvidia-smi runs: tests put a fake first)
 * @param timeoutMs a cold nvidia-smi can take ~3 s (runtime-notes.md §4); the default leaves room for that
 */
export function runNvidiaSmi(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; command?: string; timeoutMs?: number } = {},
): Promise<NvidiaSmiResult> {
  const command = opts.command ?? 'nvidia-smi';
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        env: opts.env ?? process.env,
        timeout: opts.timeoutMs ?? 15_000,
        windowsHide: true,
        maxBuffer: 4 * MIB,
      },
      (error, stdout) => {
        const out = String(stdout ?? '');
        if (!error) return resolve({ ok: true, stdout: out });
        const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (e.code === 'ENOENT') {
          return resolve({
            ok: false,
            stdout: out,
            failure: { kind: 'missing', message: `${command} is not on PATH` },
          });
        }
        if (e.killed || e.signal === 'SIGTERM') {
          const message = `${command} did not answer within ${Math.round((opts.timeoutMs ?? 15_000) / 1000)} s`;
          return resolve({ ok: false, stdout: out, failure: { kind: 'timeout', message } });
        }
        // nvidia-smi prints its own errors on stdout ("NVIDIA-SMI has failed because it couldn't communicate…").
        const detail = (out.trim().split(/\r?\n/)[0] || e.message).slice(0, 300);
        resolve({
          ok: false,
          stdout: out,
          failure: { kind: 'failed', message: `${command} failed: ${detail}` },
        });
      },
    );
  });
}
