/**
 * The one way the first-run choices make a folder the active model: `models.use` (the service checks it and saves
 * it in the settings), then the report goes to the status store, which lets the first-run gate open the studio.
 */
import type { ModelCheckReport } from '../../../../shared/apiTypes';
import { call, errorText } from '../../lib/invoke';
import { notifyInfo } from '../../state/notices';
import { useSystem } from '../../state/system';

export type ActivateOutcome = { ok: true } | { ok: false; message: string; report: ModelCheckReport | null };

/**
 * Makes `dir` the model folder. On failure returns the service's message (with its hint) and, when the folder could
 * be read, its check report so the screen can show what is missing.
 */
export async function activateModel(dir: string): Promise<ActivateOutcome> {
  try {
    const r = await call('models.use', { dir });
    if (r.notice) notifyInfo(r.notice);
    useSystem.getState().setModel(r.report, null);
    return { ok: true };
  } catch (e) {
    let report: ModelCheckReport | null = null;
    try {
      report = await call('models.check', { dir });
    } catch {
      // No report: the folder does not exist or cannot be read; the message says so.
    }
    return { ok: false, message: errorText(e), report };
  }
}
