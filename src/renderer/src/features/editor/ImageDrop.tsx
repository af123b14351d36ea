/**
 * Drag and drop a PNG (ours, A1111's, or another tool's; conventions.md §10) anywhere on the window: its prompt and
 * parameters are restored into the editor and the generate panel (`history.import` with `restoreOnly`, nothing is
 * written). Files without usable metadata restore nothing and say so.
 */
import { useEffect, useState } from 'react';
import { StudioError } from '../../../../shared/errors';
import { call } from '../../lib/invoke';
import { notifyError, notifyInfo, useNotices } from '../../state/notices';
import { useStudio } from '../../state/studioStore';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/**
 * Restores a file's request into the editor and the generate panel (nothing is written to the history).
 * @returns true when at least one field came from the file; false after posting a notice (no metadata, or an error)
 */
export async function restoreFromFile(file: File): Promise<boolean> {
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const { outcomes } = await call('history.import', {
      files: [{ name: file.name, bytes }],
      restoreOnly: true,
    });
    const o = outcomes[0];
    // An empty or truncated file comes back as a failed outcome: say why (the catch below names the file).
    if (o?.error) throw new StudioError(o.error.code, o.error.message, o.error.hint);
    // A file without usable metadata still carries a request completed with defaults (an empty prompt): applying
    // it would wipe the editor, so nothing is restored unless the file gave at least one field (conventions.md §10).
    if (!o?.request || o.source === 'none' || !o.restored?.length) {
      useNotices.getState().push({
        level: 'warning',
        text: `Nothing to restore from ${file.name}. ${o?.notes.join(' ') ?? ''}`.trim(),
        ttlMs: 10_000,
      });
      return false;
    }
    // Only the fields the file gave: the rest of `request` is defaults (seed 0 where the file had none), which
    // would overwrite what the user set.
    const request = o.request;
    const fields = Object.fromEntries(o.restored.map((k) => [k, request[k as keyof typeof request]]));
    useStudio.getState().applyRequest(fields);
    const from = o.source === 'newbie' || o.source === 'studio' ? 'NewBie Studio' : o.source;
    notifyInfo(
      `Restored ${o.restored.join(', ')} from ${file.name} (${from}).${o.notes.length ? ' ' + o.notes.join(' ') : ''}`,
    );
    return true;
  } catch (e) {
    notifyError(e, `Could not read ${file.name}`);
    return false;
  }
}

/** Window-wide drop target: shows an overlay while files are dragged over and restores the first dropped file. */
export function ImageDrop() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overHandler = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const file = e.dataTransfer?.files[0];
      if (file) void restoreFromFile(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return over ? (
    <div className="drop-overlay" role="status">
      Drop a PNG to restore its prompt and parameters
    </div>
  ) : null;
}
