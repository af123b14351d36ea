import { beforeEach, describe, expect, it } from 'vitest';
import type { VramSample } from '../../../../../src/shared/dto';
import { usedVram, useSystem } from '../../../../../src/renderer/src/state/system';

const GiB = 1024 ** 3;
const sample = (...used: Array<number | null>): VramSample => ({
  time: 0,
  gpuStatus: 'ok',
  gpus: used.map((u, index) => ({
    index,
    name: 'GPU',
    totalBytes: 24 * GiB,
    usedBytes: u,
    freeBytes: null,
    utilizationPercent: null,
    temperatureC: null,
  })),
  processes: [],
});

describe('VRAM tracking', () => {
  beforeEach(() => useSystem.setState({ sample: null, jobPeak: null, peakJobId: null }));

  it('sums the GPUs that report usage; none for unavailable samples', () => {
    expect(usedVram(sample(2 * GiB, 3 * GiB, null))).toBe(5 * GiB);
    expect(usedVram(sample(null))).toBeNull();
    expect(usedVram({ ...sample(GiB), gpuStatus: 'unavailable' })).toBeNull();
  });

  it('keeps the highest use seen during a job and restarts for the next job', () => {
    const s = useSystem.getState();
    s.addSample(sample(4 * GiB), 'job-a');
    s.addSample(sample(9 * GiB), 'job-a');
    s.addSample(sample(6 * GiB), 'job-a');
    expect(useSystem.getState().jobPeak).toBe(9 * GiB);
    // Idle samples keep the last job's peak on show.
    s.addSample(sample(1 * GiB), null);
    expect(useSystem.getState().jobPeak).toBe(9 * GiB);
    s.addSample(sample(3 * GiB), 'job-b');
    expect(useSystem.getState()).toMatchObject({ jobPeak: 3 * GiB, peakJobId: 'job-b' });
  });
});
