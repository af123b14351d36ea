/**
 * First-run screen and model report (issue 10 item 0). App.tsx mounts `FirstRunScreen` while `useFirstRunNeeded()`
 * is true; Settings › Model can reuse `ModelReport`.
 */
export { FirstRunScreen } from './FirstRunScreen';
export { ModelReport } from './ModelReport';
export { firstRunPhase, useFirstRunNeeded, useFirstRunPhase, type FirstRunPhase } from './gate';
