/**
 * When the app opens on the first-run screen instead of the studio: while the configured model is being checked
 * (a short "checking" splash), and when no usable model is configured (no folder, or one that fails the check).
 * Once the studio has been shown it stays for the session: a model folder changed later in Settings is reported
 * there, not by throwing the user back to this screen.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { ModelCheckReport } from '../../../../shared/apiTypes';
import { useSystem } from '../../state/system';

export type FirstRunPhase = 'checking' | 'firstRun' | 'studio';

/**
 * The screen to show.
 * @param model the check of the configured folder (null until known, or when it could not run)
 * @param modelProblem why there is no report (no folder set, folder missing), or null
 * @param entered the studio was already shown (or the user chose to open it without a model)
 */
export function firstRunPhase(
  model: ModelCheckReport | null,
  modelProblem: string | null,
  entered: boolean,
): FirstRunPhase {
  if (entered || model?.ok) return 'studio';
  return model === null && modelProblem === null ? 'checking' : 'firstRun';
}

interface GateState {
  entered: boolean;
  /** Opens the studio for this session (a usable model became active, or the user skipped). */
  enter(): void;
}

export const useFirstRunGate = create<GateState>((set) => ({
  entered: false,
  enter: () => set({ entered: true }),
}));

/** The current phase; latches `entered` the first time the studio is due. */
export function useFirstRunPhase(): FirstRunPhase {
  const model = useSystem((s) => s.model);
  const problem = useSystem((s) => s.modelProblem);
  const entered = useFirstRunGate((s) => s.entered);
  const phase = firstRunPhase(model, problem, entered);
  useEffect(() => {
    if (phase === 'studio' && !entered) useFirstRunGate.getState().enter();
  }, [phase, entered]);
  return phase;
}

/** For App.tsx: true while the first-run screen (or its checking splash) replaces the studio. */
export function useFirstRunNeeded(): boolean {
  return useFirstRunPhase() !== 'studio';
}
