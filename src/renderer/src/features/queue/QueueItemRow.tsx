/**
 * One job of the queue: its state, size/steps/seed, a progress bar (step / total, ETA) and the live latent preview
 * while it runs, and its controls: cancel, hold/release, move earlier/later.
 */
import type { QueueItem } from '../../../../shared/dto';
import { promptWords } from '../../lib/promptText';
import { call } from '../../lib/invoke';
import { notifyError } from '../../state/notices';
import { useProgress } from '../../state/progress';
import { progressText } from './progressText';

const STATE_LABEL = {
  pending: 'Waiting',
  running: 'Running',
  paused: 'On hold',
  interrupted: 'Interrupted',
} as const;

const run = (p: Promise<unknown>, what: string) => void p.catch((e) => notifyError(e, what));

interface Props {
  item: QueueItem;
  number: number;
  last: boolean;
}

export function QueueItemRow({ item, number, last }: Props) {
  const live = useProgress((s) => s.byJob[item.id]);
  const r = item.request;
  const name = `job ${number}`;
  const running = item.state === 'running';
  const progress =
    live ??
    (item.progress ? { ...item.progress, previewUrl: null, seed: r.seed + item.progress.image } : undefined);
  const valueText = progressText(progress, r.batch);
  return (
    <li className={`queue-item state-${item.state}`} aria-label={`Queue ${name}`}>
      <div className="queue-item-main">
        <div className="queue-item-head">
          <span className="badge">{item.cancelling ? 'Stopping…' : STATE_LABEL[item.state]}</span>
          <span className="queue-item-params">
            {r.width}×{r.height} · {r.steps} steps · seed {r.seed}
            {r.batch > 1 ? ` (+${r.batch - 1})` : ''}
          </span>
        </div>
        <p className="queue-item-prompt" title={r.prompt}>
          {promptWords(r.prompt, 80) || '(empty prompt)'}
        </p>
        {running && (
          <div className="progress-line">
            <div
              role="progressbar"
              aria-label={`Progress of ${name}`}
              aria-valuemin={0}
              aria-valuemax={progress?.total ?? r.steps}
              aria-valuenow={progress?.step ?? 0}
              aria-valuetext={valueText}
              className="progress"
            >
              <div
                className="progress-fill"
                style={{ width: `${progress ? (100 * progress.step) / Math.max(1, progress.total) : 0}%` }}
              />
            </div>
            <span className="progress-text">{valueText}</span>
          </div>
        )}
      </div>
      {running && progress?.previewUrl && (
        <img
          className="live-preview"
          src={progress.previewUrl}
          alt={`Live preview of ${name}, step ${progress.step}`}
        />
      )}
      <div className="queue-item-actions">
        {!running && (
          <>
            <button
              type="button"
              className="icon-button"
              aria-label={`Move ${name} earlier`}
              disabled={number === 1}
              onClick={() =>
                run(
                  call('generation.reorder', { id: item.id, toIndex: Math.max(0, item.position - 1) }),
                  'Could not reorder',
                )
              }
            >
              ↑
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label={`Move ${name} later`}
              disabled={last}
              onClick={() =>
                run(
                  call('generation.reorder', { id: item.id, toIndex: item.position + 1 }),
                  'Could not reorder',
                )
              }
            >
              ↓
            </button>
            {item.state === 'pending' && (
              <button
                type="button"
                className="icon-button"
                aria-label={`Hold ${name}`}
                title="Hold"
                onClick={() => run(call('generation.pause', { id: item.id }), 'Could not hold the job')}
              >
                ⏸
              </button>
            )}
            {(item.state === 'paused' || item.state === 'interrupted') && (
              <button
                type="button"
                className="icon-button"
                aria-label={item.state === 'paused' ? `Release ${name}` : `Retry ${name}`}
                title={item.state === 'paused' ? 'Release' : 'Retry'}
                onClick={() => run(call('generation.resume', { id: item.id }), 'Could not resume the job')}
              >
                ▶
              </button>
            )}
          </>
        )}
        <button
          type="button"
          className="icon-button danger"
          aria-label={`Cancel ${name}`}
          title="Cancel"
          disabled={item.cancelling}
          onClick={() => run(call('generation.cancel', { id: item.id }), 'Could not cancel')}
        >
          ✕
        </button>
      </div>
    </li>
  );
}
