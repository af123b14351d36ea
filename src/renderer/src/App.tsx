/**
 * Top-level layout of the studio: header (settings, theme), the prompt column (editor + composer), the generate and
 * queue column, the gallery, and the status bar. Global keys: Ctrl/Cmd+Enter generates, `/` searches the history,
 * Ctrl/Cmd+, opens the settings, Alt+1…4 jump to editor, composer, generate panel, gallery.
 */
import { useEffect, useState } from 'react';
import { Notices } from './components/Notices';
import { Composer } from './features/composer/Composer';
import { EditorPanel } from './features/editor/EditorPanel';
import { ImageDrop } from './features/editor/ImageDrop';
import { focusPromptEditor } from './features/editor/PromptEditor';
import { GalleryPanel } from './features/gallery/GalleryPanel';
import { GeneratePanel } from './features/generate/GeneratePanel';
import { QueuePanel } from './features/queue/QueuePanel';
import { SettingsDialog } from './features/settings/SettingsDialog';
import { StatusBar } from './features/status/StatusBar';
import { FirstRunScreen, useFirstRunNeeded } from './features/firstRun';
import { isTextEntry } from './lib/keys';
import { chooseTheme, generate } from './state/actions';
import { useStudio } from './state/studioStore';
import { useServiceSync } from './state/sync';

const typing = (t: EventTarget | null) => t instanceof HTMLElement && isTextEntry(t);

/** Focuses the first element matching `selector`; false when there is none. */
function focusFirst(selector: string): boolean {
  const el = document.querySelector<HTMLElement>(selector);
  el?.focus();
  return el !== null;
}

/** The app root: syncs with the service, global keys and theme; the first-run screen until a model is usable. */
export function App() {
  const theme = useStudio((s) => s.theme);
  const [settingsOpen, setSettingsOpen] = useState(false);
  useServiceSync();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key === 'Enter' && !e.defaultPrevented) {
        e.preventDefault();
        void generate();
      } else if (mod && e.key === ',') {
        e.preventDefault();
        setSettingsOpen(true);
      } else if (e.key === '/' && !typing(e.target) && !mod) {
        e.preventDefault();
        focusFirst('input[aria-label="Search history"]');
      } else if (e.altKey && ['1', '2', '3', '4'].includes(e.key)) {
        e.preventDefault();
        if (e.key === '1') focusPromptEditor();
        if (e.key === '2') focusFirst('.composer-panel input, .composer-panel button');
        if (e.key === '3') focusFirst('.generate-panel select, .generate-panel input');
        if (e.key === '4' && !focusFirst('.gallery-scroll button.tile[tabindex="0"]')) {
          focusFirst('input[aria-label="Search history"]');
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // No usable model yet (issue 10 item 0): the first-run screen instead of the studio.
  const firstRun = useFirstRunNeeded();
  if (firstRun) return <FirstRunScreen />;

  return (
    <div className="app">
      <header className="app-header">
        <h1>NewBie Studio</h1>
        <nav aria-label="App">
          <button
            type="button"
            aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
            onClick={() => chooseTheme(theme === 'dark' ? 'light' : 'dark')}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <button type="button" onClick={() => setSettingsOpen(true)} aria-keyshortcuts="Control+,">
            Settings
          </button>
        </nav>
      </header>
      <main className="workspace" aria-label="NewBie Studio">
        <div className="column prompt-column">
          <EditorPanel />
          <Composer />
        </div>
        <div className="column run-column">
          <GeneratePanel />
          <QueuePanel />
        </div>
        <GalleryPanel />
      </main>
      <StatusBar />
      <SettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      <ImageDrop />
      <Notices />
    </div>
  );
}
