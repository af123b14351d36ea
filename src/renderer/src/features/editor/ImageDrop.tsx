/**
 * Drag and drop a PNG (ours, A1111's, or another tool's; conventions.md §10) anywhere on the window: its prompt and
 * parameters are restored into the editor and the generate panel (`history.import` with `restoreOnly`, nothing is
 * written). Files without usable metadata restore nothing and say so.
 */
import { useEffect, useState } from 'react';
import { call } from '../../lib/invoke';
import { notifyError, notifyInfo, useNotices } from '../../state/notices';
import { useStudio } from '../../state/studioStore';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/** Restores the first file's request; returns true when something was restored. */
export async function restoreFromFile(file: File): Promise<boolean> {
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const { outcomes } = await call('history.import', {
      files: [{ name: file.name, bytes }],
      restoreOnly: true,
    });
    const o = outcomes[0];
    if (!o?.request) {
      useNotices.getState().push({
        level: 'warning',
        text: `Nothing to restore from ${file.name}. ${o?.notes.join(' ') ?? ''}`.trim(),
        ttlMs: 10_000,
      });
      return false;
    }
    useStudio.getState().applyRequest(o.request);
    const from = o.source === 'newbie' || o.source === 'studio' ? 'NewBie Studio' : o.source;
    notifyInfo(
      `Restored ${o.restored?.join(', ') || 'the prompt'} from ${file.name} (${from}).${o.notes.length ? ' ' + o.notes.join(' ') : ''}`,
    );
    return true;
  } catch (e) {
    notifyError(e, `Could not read ${file.name}`);
    return false;
  }
}

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
