/**
 * Settings › Model: the model folder, its check report (`models.check`: components found, dtypes, sizes, problems
 * with hints), and "Use this folder".
 */
import { useEffect, useState } from 'react';
import type { ModelCheckReport } from '../../../../shared/apiTypes';
import { formatBytes } from '../../lib/format';
import { call, errorText } from '../../lib/invoke';
import { notifyError, notifyInfo } from '../../state/notices';
import { useStudio } from '../../state/studioStore';
import { useSystem } from '../../state/system';

function Report({ report }: { report: ModelCheckReport }) {
  return (
    <div className="model-report" aria-label="Model check report">
      <p className={report.ok ? 'ok' : 'field-problem'}>
        {report.ok ? '✓ The model is complete.' : '✗ The model cannot run yet.'}
        {report.testModel ? ' This is a generated test model: it produces noise.' : ''}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Status</th>
            <th scope="col">Parameters</th>
            <th scope="col">Dtypes</th>
            <th scope="col">On disk</th>
          </tr>
        </thead>
        <tbody>
          {report.components.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.id}</th>
              <td>{c.status}</td>
              <td>{(c.parameterCount / 1e6).toFixed(1)} M</td>
              <td>{Object.keys(c.dtypes).join(', ') || '–'}</td>
              <td>{formatBytes(c.sizeOnDisk)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.problems.length > 0 && (
        <ul className="problems">
          {report.problems.map((p, i) => (
            <li key={i}>
              <strong>{p.component}</strong>: {p.message}
              {p.hint && <span className="field-hint"> {p.hint}</span>}
            </li>
          ))}
        </ul>
      )}
      {report.notes.map((n, i) => (
        <p key={i} className="field-hint">
          {n}
        </p>
      ))}
    </div>
  );
}

export function ModelSection() {
  const modelDir = useStudio((s) => s.settings?.modelDir ?? '');
  const [dir, setDir] = useState(modelDir);
  const [report, setReport] = useState<ModelCheckReport | null>(useSystem.getState().model);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setDir(modelDir), [modelDir]);

  const check = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setReport(await call('models.check', dir.trim() ? { dir: dir.trim() } : undefined));
    } catch (e) {
      setReport(null);
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const use = async () => {
    try {
      await call('settings.set', { modelDir: dir.trim() });
      notifyInfo('Model folder saved.');
      await check();
    } catch (e) {
      notifyError(e, 'Model folder not saved');
    }
  };
  return (
    <fieldset>
      <legend>Model</legend>
      <label className="field">
        <span>Model folder</span>
        <input
          type="text"
          value={dir}
          spellCheck={false}
          placeholder="Folder with transformer/, text_encoder/, clip_model/, vae/"
          onChange={(e) => setDir(e.target.value)}
        />
      </label>
      <div className="row">
        <button type="button" onClick={() => void check()} disabled={busy}>
          {busy ? 'Checking…' : 'Check model'}
        </button>
        <button type="button" onClick={() => void use()} disabled={!dir.trim() || dir.trim() === modelDir}>
          Use this folder
        </button>
      </div>
      {problem && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      {report && <Report report={report} />}
    </fieldset>
  );
}
