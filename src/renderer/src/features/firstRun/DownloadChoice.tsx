/**
 * First-run choice 1: download the official model in the app. Starts `models.download` with `activate`, follows
 * `models.downloadProgress` (bar, bytes, speed, ETA, files) and `models.downloadFinished`; Cancel keeps the partial
 * files so the next start resumes. A gated or private file asks for a Hugging Face token (kept only for this
 * download, never stored); the target folder and a mirror endpoint are optional.
 */
import { useState } from 'react';
import type { ModelCheckReport } from '../../../../shared/apiTypes';
import { StudioError, type StudioErrorData } from '../../../../shared/errors';
import type { ModelDownloadProgressEvent } from '../../../../shared/modelTypes';
import { TextField } from '../../components/TextField';
import { formatBytes } from '../../lib/format';
import { call, errorText, useStudioEvent } from '../../lib/invoke';
import { notifyInfo } from '../../state/notices';
import { useSystem } from '../../state/system';
import { activateModel } from './activate';
import { downloadFraction, downloadSummary } from './firstRunText';
import { ModelReport } from './ModelReport';

type Run = { downloadId: string; dir: string } | null;

function ProgressView({ p }: { p: ModelDownloadProgressEvent }) {
  const pct = Math.floor(downloadFraction(p) * 100);
  return (
    <div className="download-progress">
      <div
        className="progress"
        role="progressbar"
        aria-label="Download progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <p className="progress-text">{downloadSummary(p)}</p>
      <details>
        <summary>Files</summary>
        <ul className="download-files">
          {p.files.map((f) => (
            <li key={f.dest}>
              <code>{f.dest}</code> {f.state} · {formatBytes(f.bytesDone)} of {formatBytes(f.size)}
              {f.error && <span className="field-problem"> {f.error}</span>}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

/** The download choice: start / cancel / resume, progress, errors with hints, and the check of a failed download. */
export function DownloadChoice() {
  const [run, setRun] = useState<Run>(null);
  const [progress, setProgress] = useState<ModelDownloadProgressEvent | null>(null);
  const [error, setError] = useState<StudioErrorData | null>(null);
  const [report, setReport] = useState<ModelCheckReport | null>(null);
  const [needsToken, setNeedsToken] = useState(false);
  const [token, setToken] = useState('');
  const [dir, setDir] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [starting, setStarting] = useState(false);

  // Events of a download this page did not start (a reload in serve mode) are adopted while none is shown.
  const ours = (id: string) => run === null || run.downloadId === id;
  useStudioEvent('models.downloadProgress', (p) => {
    if (!ours(p.downloadId)) return;
    setRun({ downloadId: p.downloadId, dir: p.dir });
    setProgress(p);
  });
  useStudioEvent('models.downloadFinished', (f) => {
    if (!ours(f.downloadId)) return;
    setRun(null);
    if (!f.ok) {
      setError(f.error);
      if (f.error.code === 'Unauthorized') setNeedsToken(true);
      return;
    }
    setReport(f.report);
    if (f.activated) {
      notifyInfo('The model is downloaded, verified and active.');
      useSystem.getState().setModel(f.report, null); // the first-run gate opens the studio
    } else if (f.report.ok) {
      void activateModel(f.dir).then((r) => r.ok || setError({ code: 'ModelInvalid', message: r.message }));
    }
  });

  const start = async () => {
    setStarting(true);
    setError(null);
    setReport(null);
    setProgress(null);
    try {
      const started = await call('models.download', {
        activate: true,
        ...(token.trim() ? { token: token.trim() } : {}),
        ...(dir.trim() ? { dir: dir.trim() } : {}),
        ...(endpoint.trim() ? { endpoint: endpoint.trim() } : {}),
      });
      setRun({ downloadId: started.downloadId, dir: started.dir });
    } catch (e) {
      // Keep the service's code (Unauthorized asks for a token, DownloadFailed offers a resume) and its hint.
      const data =
        e instanceof StudioError ? e.toData() : { code: 'DownloadFailed' as const, message: errorText(e) };
      setError(data);
      if (data.code === 'Unauthorized') setNeedsToken(true);
    } finally {
      setStarting(false);
    }
  };
  const cancel = () => {
    if (run)
      void call('models.cancelDownload', { downloadId: run.downloadId }).catch((e) =>
        setError({ code: 'DownloadFailed', message: `Could not cancel: ${errorText(e)}` }),
      );
  };

  return (
    <section className="first-run-choice" aria-label="Download the official model">
      <h2>Download the official model</h2>
      <p className="field-hint">
        NewBie-image-Exp0.1 from Hugging Face, about 18 GB (weights as published; the exact size shows once
        the file list is read). Files are verified with SHA-256; an interrupted download resumes where it
        stopped.
      </p>
      {run ? (
        <>
          <p className="field-hint">
            Downloading into <code>{run.dir}</code>
          </p>
          {progress ? <ProgressView p={progress} /> : <p className="progress-text">Reading the file list…</p>}
          <div className="row">
            <button type="button" className="danger" onClick={cancel}>
              Cancel download
            </button>
          </div>
        </>
      ) : (
        <>
          {needsToken && (
            <TextField
              label="Hugging Face token (for gated or private files; used for this download only)"
              type="password"
              value={token}
              autoComplete="off"
              placeholder="hf_…"
              onChange={setToken}
            />
          )}
          <details>
            <summary>Folder and mirror</summary>
            <TextField
              label="Download into (empty: the studio's models folder)"
              value={dir}
              onChange={setDir}
            />
            <TextField
              label="Hub endpoint (empty: HF_ENDPOINT or https://huggingface.co)"
              type="url"
              value={endpoint}
              placeholder="https://hf-mirror.example"
              onChange={setEndpoint}
            />
          </details>
          <div className="row">
            <button type="button" className="primary" onClick={() => void start()} disabled={starting}>
              {error?.code === 'Cancelled' || error?.code === 'DownloadFailed'
                ? 'Resume download'
                : 'Download the official model'}
            </button>
          </div>
        </>
      )}
      {error && (
        <p
          className={error.code === 'Cancelled' ? 'field-hint' : 'field-problem'}
          role={error.code === 'Cancelled' ? 'status' : 'alert'}
        >
          {error.code === 'Cancelled'
            ? 'Download cancelled. Start it again to resume where it stopped.'
            : error.message}
          {error.hint && error.code !== 'Cancelled' && <span className="field-hint"> {error.hint}</span>}
        </p>
      )}
      {report && !report.ok && <ModelReport report={report} title="Downloaded model check" />}
    </section>
  );
}
