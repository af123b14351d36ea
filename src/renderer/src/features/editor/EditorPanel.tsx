/**
 * The prompt side: the Monaco editor, the mode indicator (XML / tags / natural language; only XML changes the system
 * prompt, conventions.md §5), a diagnostics summary, Format, and the negative prompt.
 */
import { detectMode, formatPrompt, type PromptMode } from '../../../../shared/prompt';
import { Panel } from '../../components/Panel';
import { severityCounts, useDiagnostics } from '../../state/diagnostics';
import { useStudio } from '../../state/studioStore';
import { PromptEditor } from './PromptEditor';

const MODE_LABEL: Record<PromptMode, string> = { xml: 'XML', tags: 'Tags', natural: 'Natural language' };
const MODE_HINT: Record<PromptMode, string> = {
  xml: 'Structured XML prompt: encoded with the XML system prompt.',
  tags: 'Danbooru tags: encoded with the plain system prompt.',
  natural: 'Natural language: encoded with the plain system prompt.',
};

function ModeIndicator() {
  const prompt = useStudio((s) => s.prompt);
  const mode = detectMode(prompt);
  return (
    <span
      className={`mode-indicator mode-${mode}`}
      role="status"
      aria-label="Prompt mode"
      title={MODE_HINT[mode]}
    >
      {MODE_LABEL[mode]}
    </span>
  );
}

function DiagnosticsSummary() {
  const { diagnostics, text } = useDiagnostics();
  const prompt = useStudio((s) => s.prompt);
  const { errors, warnings, infos } = severityCounts(diagnostics);
  const stale = text !== prompt;
  const parts = [
    errors && `${errors} error${errors > 1 ? 's' : ''}`,
    warnings && `${warnings} warning${warnings > 1 ? 's' : ''}`,
    infos && `${infos} note${infos > 1 ? 's' : ''}`,
  ].filter(Boolean);
  return (
    <span
      className={`diag-summary ${errors ? 'has-errors' : ''}`}
      aria-label="Prompt problems"
      aria-live="polite"
      aria-busy={stale}
    >
      {parts.length ? parts.join(', ') : 'No problems'}
    </span>
  );
}

export function EditorPanel() {
  const negative = useStudio((s) => s.negativePrompt);
  const setNegative = useStudio((s) => s.setNegativePrompt);
  const format = () => {
    const { prompt, setPrompt } = useStudio.getState();
    setPrompt(formatPrompt(prompt), 'restore');
  };
  return (
    <Panel
      title="Prompt editor"
      className="editor-panel"
      actions={
        <>
          <ModeIndicator />
          <DiagnosticsSummary />
          <button type="button" onClick={format} title="Format document (Shift+Alt+F in the editor)">
            Format
          </button>
        </>
      }
    >
      <PromptEditor />
      <label className="negative">
        <span>Negative prompt</span>
        <textarea
          aria-label="Negative prompt"
          value={negative}
          rows={2}
          spellCheck={false}
          placeholder="Tags to steer away from (empty by default, like the official demo)"
          onChange={(e) => setNegative(e.target.value)}
        />
      </label>
    </Panel>
  );
}
