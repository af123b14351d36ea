/**
 * The queue (region "Queue"): every persisted job in order, the running one with progress and live preview;
 * pause/resume the whole queue and cancel all (the running job stops after its current step).
 */
import { Panel } from '../../components/Panel';
import { call } from '../../lib/invoke';
import { notifyError, notifyInfo } from '../../state/notices';
import { useStudio } from '../../state/studioStore';
import { QueueItemRow } from './QueueItemRow';

export function QueuePanel() {
  const queue = useStudio((s) => s.queue);
  const items = [...queue.items].sort((a, b) => a.position - b.position);
  const cancelAll = async () => {
    try {
      const r = await call('generation.cancelAll');
      notifyInfo(
        `Cancelled ${r.removed} waiting job${r.removed === 1 ? '' : 's'}${r.running ? '; the running job stops after this step' : ''}.`,
      );
    } catch (e) {
      notifyError(e, 'Could not cancel');
    }
  };
  const togglePause = () => {
    call(queue.paused ? 'generation.resume' : 'generation.pause').catch((e) =>
      notifyError(e, 'Could not change the queue'),
    );
  };
  return (
    <Panel
      title="Queue"
      className="queue-panel"
      actions={
        <>
          <button type="button" onClick={togglePause} aria-pressed={queue.paused}>
            {queue.paused ? 'Resume queue' : 'Pause queue'}
          </button>
          <button type="button" onClick={() => void cancelAll()} disabled={items.length === 0}>
            Cancel all
          </button>
        </>
      }
    >
      {queue.paused && (
        <p className="queue-paused">The queue is paused: no new job starts until you resume it.</p>
      )}
      {items.length === 0 ? (
        <p className="empty-note">Nothing queued. Write a prompt and press Generate.</p>
      ) : (
        <ol className="queue-list">
          {items.map((item, i) => (
            <QueueItemRow key={item.id} item={item} number={i + 1} last={i === items.length - 1} />
          ))}
        </ol>
      )}
    </Panel>
  );
}
