/**
 * Words for the running job's progress bar (its aria-valuetext and visible line). Pure.
 */
import type { JobProgress } from '../../../../shared/dto';
import { formatDuration } from '../../lib/format';

/**
 * "Step 2 of 4 · image 1/3, about 2.1 s left"; "Starting…" before the first step report; "finishing…" once no
 * step is left (the VAE decode and the PNG write run after the last step, with no estimate).
 */
export function progressText(
  progress: Pick<JobProgress, 'step' | 'total' | 'image' | 'etaMs'> | undefined,
  batch: number,
): string {
  if (!progress) return 'Starting…';
  const image = batch > 1 ? ` · image ${progress.image + 1}/${batch}` : '';
  const left = progress.etaMs > 0 ? `about ${formatDuration(progress.etaMs)} left` : 'finishing…';
  return `Step ${progress.step} of ${progress.total}${image}, ${left}`;
}
