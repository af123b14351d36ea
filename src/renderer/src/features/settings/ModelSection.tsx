/**
 * Settings › Model: the model folder, its check report (`models.check`, shown by the first-run screen's ModelReport:
 * components found, dtypes, sizes, problems with hints), and "Use this folder" (`models.use`: checked, then saved).
 * With no saved folder the field shows the folder this session runs on (serve or the app started with `--model`).
 */
import { useEffect, useState } from 'react';
import type { ModelCheckReport } from '../../../../shared/apiTypes';
import { ProblemAlert } from '../../components/ProblemAlert';
import { TextField } from '../../components/TextField';
import { call, errorText } from '../../lib/invoke';
import { notifyError, notifyInfo } from '../../state/notices';
import { useStudio } from '../../state/studioStore';
import { useSystem } from '../../state/system';
import { ModelReport } from '../firstRun/ModelReport';

/** The Model fieldset of the settings dialog: folder field, Check model, Use this folder, and the report. */
export function ModelSection() {
  const modelDir = useStudio((s) => s.settings?.modelDir ?? '');
  const sessionDir = useSystem((s) => s.model?.folder ?? '');
  const shown = modelDir || sessionDir;
  const [dir, setDir] = useState(shown);
  const [report, setReport] = useState<ModelCheckReport | null>(useSystem.getState().model);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setDir(shown), [shown]);

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
      const used = await call('models.use', { dir: dir.trim() });
      setDir(used.settings.modelDir ?? dir.trim()); // as saved: resolved, no trailing slash
      setReport(used.report);
      setProblem(null);
      notifyInfo(used.notice ?? 'Model folder saved.');
    } catch (e) {
      notifyError(e, 'Model folder not saved');
    }
  };
  return (
    <fieldset>
      <legend>Model</legend>
      <TextField
        label="Model folder"
        value={dir}
        placeholder="Folder with transformer/, text_encoder/, clip_model/, vae/"
        onChange={setDir}
      />
      <div className="row">
        <button type="button" onClick={() => void check()} disabled={busy}>
          {busy ? 'Checking…' : 'Check model'}
        </button>
        <button type="button" onClick={() => void use()} disabled={!dir.trim() || dir.trim() === modelDir}>
          Use this folder
        </button>
      </div>
      <ProblemAlert problem={problem} />
      {report && <ModelReport report={report} />}
    </fieldset>
  );
}
