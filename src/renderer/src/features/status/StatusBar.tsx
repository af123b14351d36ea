/**
 * Status bar: VRAM gauge (meter "VRAM": used / total, this job's peak), provider and dtype per component, model
 * name, connection state; without a GPU the host's CPU and RAM figures (and our processes' resident memory).
 */
import { useEffect, useState } from 'react';
import { connectionStatus, onConnectionStatus } from '../../api';
import { formatBytes, formatPlan } from '../../lib/format';
import { useStudio } from '../../state/studioStore';
import { usedVram, useSystem } from '../../state/system';

function VramGauge() {
  const sample = useSystem((s) => s.sample);
  const jobPeak = useSystem((s) => s.jobPeak);
  const running = useStudio((s) => s.queue.runningId !== null);
  const device = useStudio((s) => s.device);
  const used = usedVram(sample);
  const total =
    sample?.gpus.reduce((a, g) => a + (g.totalBytes ?? 0), 0) ||
    device?.gpus.reduce((a, g) => a + g.totalVram, 0) ||
    0;
  const hasGpu = total > 0 && used !== null;
  const text = hasGpu
    ? `${formatBytes(used)} of ${formatBytes(total)}`
    : sample?.gpuStatus === 'stale'
      ? 'GPU monitor not responding'
      : 'No GPU detected';
  const fraction = hasGpu ? Math.min(1, (used ?? 0) / total) : 0;
  return (
    <div className="status-item vram">
      <span className="status-label">VRAM</span>
      <div
        role="meter"
        aria-label="VRAM"
        aria-valuemin={0}
        aria-valuemax={hasGpu ? total : 1}
        aria-valuenow={hasGpu ? (used ?? 0) : 0}
        aria-valuetext={text}
        className={`meter ${fraction > 0.9 ? 'high' : ''}`}
      >
        <div className="meter-fill" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span>{text}</span>
      {hasGpu && jobPeak !== null && (
        <span title="Highest VRAM use seen during the running or last job">
          peak {formatBytes(jobPeak)}
          {running ? '' : ' (last job)'}
        </span>
      )}
    </div>
  );
}

function HostFigures() {
  const device = useStudio((s) => s.device);
  const sample = useSystem((s) => s.sample);
  if (!device || device.gpus.length > 0) return null;
  const rss = sample?.processes.reduce((a, p) => a + (p.rssBytes ?? 0), 0) ?? 0;
  const usedRam = device.host.totalRam - device.host.freeRam;
  return (
    <div className="status-item host" aria-label="CPU and memory">
      <span title={device.host.cpuModel}>CPU {device.host.cpuCount} cores</span>
      <div
        role="meter"
        aria-label="RAM"
        aria-valuemin={0}
        aria-valuemax={device.host.totalRam}
        aria-valuenow={usedRam}
        aria-valuetext={`${formatBytes(usedRam)} of ${formatBytes(device.host.totalRam)}`}
        className="meter"
      >
        <div
          className="meter-fill"
          style={{ width: `${(100 * usedRam) / Math.max(1, device.host.totalRam)}%` }}
        />
      </div>
      <span>
        RAM {formatBytes(usedRam)} / {formatBytes(device.host.totalRam)}
      </span>
      {rss > 0 && <span>studio {formatBytes(rss)}</span>}
    </div>
  );
}

function Connection() {
  const [status, setStatus] = useState(connectionStatus());
  useEffect(() => onConnectionStatus(setStatus), []);
  if (status === 'open') return null;
  return (
    <span className="status-item connection" role="alert">
      {status === 'connecting' ? 'Connecting to the studio…' : 'Disconnected from the studio, retrying…'}
    </span>
  );
}

/** The status bar at the bottom of the studio (region "Status"). */
export function StatusBar() {
  const device = useStudio((s) => s.device);
  const lastRun = useSystem((s) => s.lastRun);
  const model = useSystem((s) => s.model);
  const modelProblem = useSystem((s) => s.modelProblem);
  const settings = useStudio((s) => s.settings);
  const provider = lastRun?.provider ?? device?.active.provider;
  const plan = lastRun?.precision ?? device?.active.plan;
  const folder = model?.root ?? settings?.modelDir ?? null;
  const modelName = folder ? folder.split(/[\\/]/).filter(Boolean).pop() : null;
  return (
    <footer className="status-bar" aria-label="Status">
      <VramGauge />
      <HostFigures />
      <div className="status-item" aria-label="Execution provider and dtypes">
        <span className="status-label">{provider ? provider.toUpperCase() : '…'}</span>
        <span>{formatPlan(plan)}</span>
        {lastRun && <span className="muted">(last run)</span>}
      </div>
      <div className="status-item" aria-label="Model" title={modelProblem ?? folder ?? ''}>
        <span className="status-label">Model</span>
        <span>
          {modelName
            ? `${modelName}${model?.testModel ? ' (test model)' : ''}`
            : modelProblem
              ? 'not ready'
              : 'none selected'}
        </span>
      </div>
      <Connection />
    </footer>
  );
}
