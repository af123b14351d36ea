/**
 * User actions that cross panels: generate from the editor and the generate panel, re-run a stored request, restore
 * a dropped image. Each reports failures as notices with the service's message (StudioError) and never throws.
 */
import type { RequestDraft } from '../../../shared/api';
import { MAX_SEED } from '../../../shared/dto';
import { call } from '../lib/invoke';
import { sideProblem } from '../features/generate/resolutions';
import { seedBatchProblem } from '../features/generate/seed';
import { notifyError, notifyInfo, useNotices } from './notices';
import { draftOf, useStudio, type Theme } from './studioStore';

/** Problems with the current parameters that the user must fix before generating (empty when fine). */
export function paramProblems(): string[] {
  const { params } = useStudio.getState();
  const out = [sideProblem('Width', params.width), sideProblem('Height', params.height)];
  if (params.seedMode === 'fixed') {
    out.push(
      Number.isSafeInteger(params.seed)
        ? seedBatchProblem(params.seed, params.batch)
        : `The seed is not a whole number from 0 to ${MAX_SEED}: type one, roll the dice, or choose Random.`,
    );
  }
  return out.filter((p): p is string => p !== null);
}

/** Queues a draft; returns the job id, or null after posting the failure. */
export async function enqueue(request: RequestDraft, what = 'Generation'): Promise<string | null> {
  try {
    const item = await call('generation.enqueue', { request });
    notifyInfo(
      `${what} queued (seed ${item.request.seed}${item.request.batch > 1 ? ` … ${item.request.seed + item.request.batch - 1}` : ''}).`,
    );
    return item.id;
  } catch (e) {
    notifyError(e, `${what} not queued`);
    return null;
  }
}

/** Generate button / Ctrl+Enter: queues the editor's prompt with the panel's parameters. */
export async function generate(): Promise<string | null> {
  const problems = paramProblems();
  if (problems.length > 0) {
    useNotices.getState().push({ level: 'error', text: problems.join(' ') });
    return null;
  }
  return enqueue(draftOf(useStudio.getState()));
}

/** Switches the theme now and saves it in the settings' `ui.theme` (restored on the next start). */
export function chooseTheme(theme: Theme): void {
  useStudio.getState().setTheme(theme);
  call('settings.set', { ui: { theme } }).catch((e) => notifyError(e, 'Theme not saved'));
}
