/**
 * Monaco from the bundle, never a CDN (conventions.md §7): the editor core with its standard contributions
 * (suggest, hover, code actions, find, folding…), without the bundled languages we do not use, and the one web
 * worker the core needs, built by Vite (`?worker`, served from 'self' as the CSP's worker-src allows).
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

self.MonacoEnvironment = {
  // The NewBie language runs in the page (its checks come from the service); every label gets the core worker.
  getWorker: () => new EditorWorker(),
};

export { monaco };
export type Monaco = typeof monaco;
