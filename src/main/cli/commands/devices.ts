/**
 * `newbie-studio devices [--json]`: GPUs (nvidia-smi), the execution providers that load here (probed in an engine
 * host process, as for generation), the `auto` precision plan per GPU provider, the plan that actually applies,
 * and why a provider fell back. Exit 0 (detection turns every failure into a notice).
 */
import type { Command } from 'commander';
import type { DeviceInfo } from '../../../shared/dto';
import { EngineHostClient, forkSpawner } from '../../engine/host/client';
import type { ProviderProbe } from '../../engine/runtime/providers';
import { describePlan, detectDevices, providerLabel } from '../../system/detect';

const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** The human report (stderr, conventions.md §7). */
export function formatDevices(info: DeviceInfo): string {
  const lines: string[] = ['GPUs:'];
  if (info.gpus.length === 0) lines.push(`  none (${info.gpuQuery.error ?? 'no NVIDIA GPU'})`);
  for (const g of info.gpus) {
    const parts = [
      gib(g.totalVram),
      g.driverVersion ? `driver ${g.driverVersion}` : undefined,
      g.cudaVersion ? `CUDA ${g.cudaVersion}` : undefined,
      g.computeCapability !== undefined
        ? `compute capability ${g.computeCapability}`
        : 'compute capability unknown',
      `bf16 ${g.bf16 ? 'yes' : 'no'}`,
    ].filter(Boolean);
    lines.push(`  ${g.index}  ${g.name}: ${parts.join(', ')}`);
  }
  lines.push('Execution providers (probed):');
  if (info.providers.length === 0) lines.push('  none probed');
  for (const p of info.providers) {
    lines.push(
      `  ${p.name.padEnd(7)} ${p.available ? 'available' : `unavailable: ${p.reason ?? 'unknown reason'}`}`,
    );
  }
  lines.push('Precision auto, per GPU provider:');
  if (info.planned.length === 0) lines.push('  no GPU provider applies on this machine');
  for (const pp of info.planned) {
    const on = pp.gpuName ? ` on GPU ${pp.gpuIndex} (${pp.gpuName})` : '';
    lines.push(
      `  ${providerLabel(pp.provider)}${on}: ${describePlan(pp.plan)}${pp.available ? '' : ' (cannot load here)'}`,
    );
  }
  lines.push(`Active: ${providerLabel(info.active.provider)}, ${describePlan(info.active.plan)}`);
  if (info.notices.length) {
    lines.push('Notices:');
    for (const n of info.notices) lines.push(`  - ${n}`);
  }
  const h = info.host;
  lines.push(
    `Host: ${h.platform}-${h.arch}, ${h.cpuModel} × ${h.cpuCount}, RAM ${gib(h.totalRam)} (${gib(h.freeRam)} free)`,
  );
  return lines.join('\n') + '\n';
}

/**
 * Probes the execution providers in an engine host process, as generation does: the same answer, and native output
 * of a provider that fails to load (Dawn's Vulkan warning) goes through the host's stderr filter.
 */
async function probeInHost(): Promise<ProviderProbe[]> {
  const host = new EngineHostClient(forkSpawner());
  try {
    return await host.probe();
  } finally {
    host.dispose();
  }
}

/** Registers `devices` (GPUs, loadable execution providers, precision plan; `--json` prints DeviceInfo). */
export function registerDevicesCommands(program: Command): void {
  program
    .command('devices')
    .description('Show GPUs, the execution providers that load here, and the precision plan that applies')
    .option('--json', 'print one JSON document (DeviceInfo) on stdout')
    .action(async (opts: { json?: boolean }) => {
      const info = await detectDevices({ probe: probeInHost });
      if (opts.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
      else process.stderr.write(formatDevices(info));
      process.exitCode = 0;
    });
}
