/** Loads one history entry (`history.get`) for a detail or compare view; refetches when the id changes. */
import { useEffect, useState } from 'react';
import type { HistoryEntry } from '../../../../shared/apiTypes';
import { call, errorText } from '../../lib/invoke';

export type EntryState =
  | { status: 'loading' }
  | { status: 'missing' }
  | { status: 'error'; message: string }
  | { status: 'ready'; entry: HistoryEntry };

/** Entry for `generationId` as a loading/missing/error/ready state; `null` stays loading (nothing to fetch). */
export function useEntry(generationId: string | null): EntryState {
  const [state, setState] = useState<EntryState>({ status: 'loading' });
  useEffect(() => {
    if (!generationId) return;
    let live = true;
    setState({ status: 'loading' });
    call('history.get', { id: generationId })
      .then((entry) => live && setState(entry ? { status: 'ready', entry } : { status: 'missing' }))
      .catch((e) => live && setState({ status: 'error', message: errorText(e) }));
    return () => {
      live = false;
    };
  }, [generationId]);
  return state;
}
