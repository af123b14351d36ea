/**
 * History store (issue 6): SQLite rows + image files, electron-free. Open with `HistoryStore.open(dataDir)`.
 */
export { HistoryStore, type HistoryStoreOptions } from './store';
export { QueueStore } from './queue';
export { reconcile, type ReconcileOptions } from './reconcile';
export {
  importImage,
  restoreRequest,
  type ImportOptions,
  type ImportResult,
  type RestoredRequest,
} from './importer';
export { ftsQuery, ftsDocument } from './fts';
export { LATEST_VERSION, MIGRATIONS } from './migrations';
export type * from './types';
