/**
 * The first-run screen (issue 10 item 0): shown instead of the studio while no usable model is configured. It
 * offers exactly four ways to get one: download the official model, choose a folder, use one found in the Hugging
 * Face cache, or try the tiny random model. Each leads to the studio once a model is active. When a folder is
 * configured but fails its check (a moved or unplugged drive), its report is shown first, with a way into the studio
 * without a model (the gallery and history stay reachable).
 */
import { Notices } from '../../components/Notices';
import { useStudio } from '../../state/studioStore';
import { useSystem } from '../../state/system';
import { CacheChoice } from './CacheChoice';
import { DownloadChoice } from './DownloadChoice';
import { FolderChoice } from './FolderChoice';
import { useFirstRunGate, useFirstRunPhase } from './gate';
import { ModelReport } from './ModelReport';
import { TinyChoice } from './TinyChoice';
import './firstRun.css';

/** The configured folder that failed its check, with its report (or why it could not be checked). */
function ConfiguredProblem({ dir }: { dir: string }) {
  const report = useSystem((s) => s.model);
  const problem = useSystem((s) => s.modelProblem);
  const enter = useFirstRunGate((s) => s.enter);
  return (
    <section className="first-run-configured" aria-label="Configured model folder">
      <p className="field-problem" role="alert">
        The model folder <code>{dir}</code> cannot be used{problem ? `: ${problem}` : '.'}
      </p>
      {report && <ModelReport report={report} />}
      <div className="row">
        <button type="button" onClick={enter}>
          Open the studio without a model
        </button>
      </div>
    </section>
  );
}

/** The "checking" splash, then the four choices (and the configured folder's problem, if any). */
export function FirstRunScreen() {
  const phase = useFirstRunPhase();
  const configured = useStudio((s) => s.settings?.modelDir ?? null);
  if (phase === 'checking') {
    return (
      <div className="first-run first-run-checking" role="status">
        Checking the model…
      </div>
    );
  }
  return (
    <div className="first-run">
      <main aria-label="Set up a model">
        <h1>Welcome to NewBie Studio</h1>
        <p>
          The studio runs the NewBie-image-Exp0.1 anime model on this computer. It needs the model files
          first: pick one of these four ways. You can change the model later in Settings.
        </p>
        {configured && <ConfiguredProblem dir={configured} />}
        <div className="first-run-choices">
          <DownloadChoice />
          <FolderChoice />
          <CacheChoice />
          <TinyChoice />
        </div>
      </main>
      <Notices />
    </div>
  );
}
