/**
 * The prompt editor: Monaco with the NewBie XML language (highlighting, completion, hover, quick fixes, format),
 * diagnostics from `prompt.check` as markers while typing, and outside changes (composer, restore) applied as one
 * minimal edit so the cursor and undo history survive. Ctrl/Cmd+Enter generates.
 */
import { useEffect, useRef } from 'react';
import type { Diagnostic } from '../../../../shared/prompt';
import { call } from '../../lib/invoke';
import { generate } from '../../state/actions';
import { useDiagnostics } from '../../state/diagnostics';
import { useStudio } from '../../state/studioStore';
import { LANGUAGE_ID, THEME_DARK, THEME_LIGHT, registerNewbieLanguage } from './language';
import { monaco } from './monaco';
import { registerNewbieProviders, rememberDiagnostics } from './providers';
import { minimalReplacement } from './textEdit';

const CHECK_DELAY_MS = 200;
const SEVERITY = {
  error: monaco.MarkerSeverity.Error,
  warning: monaco.MarkerSeverity.Warning,
  info: monaco.MarkerSeverity.Info,
} as const;

function toMarker(d: Diagnostic): monaco.editor.IMarkerData {
  return {
    severity: SEVERITY[d.severity],
    message: d.message,
    code: d.code,
    source: 'NewBie',
    startLineNumber: d.line,
    startColumn: d.column,
    endLineNumber: d.endLine,
    endColumn: Math.max(d.endColumn, d.line === d.endLine ? d.column + 1 : d.endColumn),
  };
}

export function PromptEditor() {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const theme = useStudio((s) => s.theme);

  useEffect(() => {
    if (!host.current) return;
    registerNewbieLanguage();
    registerNewbieProviders();
    const model = monaco.editor.createModel(useStudio.getState().prompt, LANGUAGE_ID);
    const editor = monaco.editor.create(host.current, {
      model,
      ariaLabel: 'Prompt',
      theme: useStudio.getState().theme === 'light' ? THEME_LIGHT : THEME_DARK,
      automaticLayout: true,
      minimap: { enabled: false },
      wordWrap: 'on',
      fontSize: 13,
      tabSize: 2,
      lineNumbersMinChars: 3,
      scrollBeyondLastLine: false,
      // The sticky header line covered lines 2–3 of a short prompt and was an unnamed tab stop (role listitem).
      stickyScroll: { enabled: false },
      quickSuggestions: { other: true, comments: false, strings: true },
      wordBasedSuggestions: 'off',
      suggestOnTriggerCharacters: true,
      fixedOverflowWidgets: true,
      renderWhitespace: 'none',
      accessibilitySupport: 'auto',
    });
    editorRef.current = editor;
    mounted = editor;
    let applying = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const check = () => {
      const version = model.getVersionId();
      const text = model.getValue();
      call('prompt.check', { text })
        .then((result) => {
          if (model.isDisposed() || model.getVersionId() !== version) return;
          monaco.editor.setModelMarkers(model, 'newbie', result.diagnostics.map(toMarker));
          rememberDiagnostics(model, version, result.diagnostics);
          useDiagnostics.getState().set(text, result.mode, result.diagnostics);
        })
        .catch(() => undefined); // the service is unreachable: keep the last markers; the status bar says so
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(check, CHECK_DELAY_MS);
    };

    const sub = model.onDidChangeContent(() => {
      schedule();
      if (!applying) useStudio.getState().setPrompt(model.getValue(), 'editor');
    });
    // Outside changes (composer, restore, open in editor) arrive through the store.
    const unsubscribe = useStudio.subscribe((s, prev) => {
      if (s.promptRevision === prev.promptRevision || s.promptOrigin === 'editor') return;
      const r = minimalReplacement(model.getValue(), s.prompt);
      if (!r) return;
      const start = model.getPositionAt(r.start);
      const end = model.getPositionAt(r.end);
      applying = true;
      try {
        editor.pushUndoStop();
        editor.executeEdits(s.promptOrigin, [
          {
            range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column),
            text: r.text,
            forceMoveMarkers: false,
          },
        ]);
        editor.pushUndoStop();
      } finally {
        applying = false;
      }
    });
    editor.addAction({
      id: 'newbie.generate',
      label: 'Generate',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
      run: () => void generate(),
    });
    check();
    return () => {
      clearTimeout(timer);
      unsubscribe();
      sub.dispose();
      editor.dispose();
      model.dispose();
      editorRef.current = null;
      if (mounted === editor) mounted = null;
    };
  }, []);

  useEffect(() => {
    monaco.editor.setTheme(theme === 'light' ? THEME_LIGHT : THEME_DARK);
    // Switching from the dark to the light theme leaves the Monarch tokens uncoloured (measured with Monaco 0.57):
    // re-attaching the language re-tokenizes the model with the new theme's rules.
    const model = editorRef.current?.getModel();
    if (model) {
      monaco.editor.setModelLanguage(model, 'plaintext');
      monaco.editor.setModelLanguage(model, LANGUAGE_ID);
    }
  }, [theme]);

  return <div ref={host} className="prompt-editor" data-testid="prompt-editor" />;
}

let mounted: monaco.editor.IStandaloneCodeEditor | null = null;

/** Focuses the prompt editor (keyboard shortcut target). */
export function focusPromptEditor(): void {
  mounted?.focus();
}
