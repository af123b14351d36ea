/**
 * First-run choice 2: a model folder already on disk (hub layout, single files, an HF cache folder or snapshot).
 * In Electron "Browse…" opens the native folder dialog (`models.pickFolder`); in serve mode there is none, so the
 * path is typed. The folder is checked and made active by `models.use`; if it cannot run, the check report says why.
 */
import { useState } from 'react';
import type { ModelCheckReport } from '../../../../shared/apiTypes';
import { transport } from '../../api';
import { ProblemAlert } from '../../components/ProblemAlert';
import { TextField } from '../../components/TextField';
import { call, errorText } from '../../lib/invoke';
import { activateModel } from './activate';
import { ModelReport } from './ModelReport';

/** The folder choice: a typed path (or Browse… in Electron), activated with `activateModel`. */
export function FolderChoice() {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [report, setReport] = useState<ModelCheckReport | null>(null);

  const use = async (dir: string) => {
    setBusy(true);
    setProblem(null);
    setReport(null);
    const r = await activateModel(dir);
    if (!r.ok) {
      setProblem(r.message);
      setReport(r.report);
    }
    setBusy(false);
  };
  const browse = async () => {
    try {
      const dir = await call('models.pickFolder');
      if (dir) {
        setPath(dir);
        await use(dir);
      }
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  return (
    <section className="first-run-choice" aria-label="Choose a model folder">
      <h2>Choose a model folder</h2>
      <p className="field-hint">
        A folder with <code>transformer/</code>, <code>text_encoder/</code>, <code>clip_model/</code> and{' '}
        <code>vae/</code> (as published, or single .safetensors files), or a Hugging Face cache folder.
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void use(path.trim());
        }}
      >
        <TextField
          label="Model folder"
          value={path}
          placeholder="/path/to/NewBie-image-Exp0.1"
          onChange={setPath}
        />
        {transport === 'ipc' && (
          <button type="button" onClick={() => void browse()} disabled={busy}>
            Browse…
          </button>
        )}
        <button type="submit" disabled={busy || !path.trim()}>
          {busy ? 'Checking…' : 'Use this folder'}
        </button>
      </form>
      <ProblemAlert problem={problem} />
      {report && <ModelReport report={report} />}
    </section>
  );
}
