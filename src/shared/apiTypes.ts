/**
 * Plain data the contract returns from the history store and the model check (structured-clone and JSON safe).
 * Defined once in `./history` and `./modelCheck` (main produces them, the renderer reads them: it may import only
 * `src/shared`); this module re-exports them for the contract (`./api`). Units: times in ms since the Unix
 * epoch, memory in bytes, paths relative to the data dir with forward slashes (`images/2026/05/01/<id>-0.png`; show
 * them through `studio-image://` or the serve image route).
 */
export type * from './history';
export type * from './modelCheck';
