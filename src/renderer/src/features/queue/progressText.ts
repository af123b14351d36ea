/**
 * Words for the running job's progress bar (its aria-valuetext and visible line). Pure.
 */
import type { JobProgress } from '../../../../shared/dto';
import { formatDuration } from '../../lib/format';

/** "Step 2 of 4 · image 1/3, about 2.1 s left"; "Starting…" before the first step report. */
export function progressText(
  progress: Pick<JobProgress, 'step' | 'total' | 'image' | 'etaMs'> | undefined,
  batch: number,
): string {
  if (!progress) return 'Starting…';
  const image = batch > 1 ? ` · image ${progress.image + 1}/${batch}` : '';
  return `Step ${progress.step} of ${progress.total}${image}, about ${formatDuration(progress.etaMs)} left`;
}
