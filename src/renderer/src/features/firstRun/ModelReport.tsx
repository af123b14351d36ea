/**
 * The model check report (`models.check`, `models.use`, a finished download): per component found / missing /
 * invalid, key convention, dtypes, parameter count, size on disk and files used; the DiT's expected-vs-found tensor
 * list; problems with their fix hints; notes (HF cache snapshot chosen, test model). Used by the first-run screen and
 * reusable by Settings › Model.
 */
import type { ModelCheckReport } from '../../../../shared/apiTypes';
import { formatBytes } from '../../lib/format';
import { ditTensorLine, formatDtypes, formatParams } from './firstRunText';

const COMPONENT_NAMES: Record<ModelCheckReport['components'][number]['id'], string> = {
  transformer: 'Next-DiT (transformer)',
  text_encoder: 'Gemma 3 (text_encoder)',
  clip_model: 'Jina CLIP v2 (clip_model)',
  vae: 'FLUX VAE (vae)',
};

/** At most this many tensor names per list; the rest is counted. */
const NAMES_SHOWN = 8;

function NameList({ label, names }: { label: string; names: string[] }) {
  if (names.length === 0) return null;
  const rest = names.length - NAMES_SHOWN;
  return (
    <p className="field-hint">
      {label}: <code>{names.slice(0, NAMES_SHOWN).join(', ')}</code>
      {rest > 0 ? ` and ${rest} more` : ''}
    </p>
  );
}

/** A model check report as a region named `title`: verdict, one row per component, DiT tensors, problems, notes. */
export function ModelReport({
  report,
  title = 'Model check report',
}: {
  report: ModelCheckReport;
  title?: string;
}) {
  const dit = report.dit;
  return (
    <section className="model-report" aria-label={title}>
      <p className={report.ok ? 'ok' : 'field-problem'}>
        {report.ok ? '✓ The model is complete.' : '✗ The model cannot run yet.'}
        {report.testModel ? ' This is a random test model: it produces noise.' : ''}
      </p>
      <p className="field-hint">
        Folder <code>{report.folder}</code>
        {report.root !== report.folder && (
          <>
            {' '}
            (using <code>{report.root}</code>)
          </>
        )}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Status</th>
            <th scope="col">Dtypes</th>
            <th scope="col">Parameters</th>
            <th scope="col">On disk</th>
          </tr>
        </thead>
        <tbody>
          {report.components.map((c) => (
            <tr key={c.id} className={`component-${c.status}`}>
              <th scope="row">
                {COMPONENT_NAMES[c.id]}
                {c.source && <span className="report-detail">{c.source}</span>}
                {c.keyConvention && <span className="report-detail">Keys: {c.keyConvention}</span>}
              </th>
              <td className="nowrap">{c.status}</td>
              <td>{formatDtypes(c.dtypes)}</td>
              <td className="nowrap">{formatParams(c.parameterCount)}</td>
              <td className="nowrap">{c.status === 'missing' ? '–' : formatBytes(c.sizeOnDisk)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {dit && (
        <div className="dit-tensors">
          <p
            className={
              dit.foundCount === dit.expectedCount && dit.missing.length === 0
                ? 'field-hint'
                : 'field-problem'
            }
          >
            DiT: {ditTensorLine(dit)}
          </p>
          <NameList label="Missing" names={dit.missing} />
          <NameList label="Unexpected" names={dit.unexpected} />
          <NameList
            label="Wrong shape"
            names={dit.shapeMismatches.map(
              (m) => `${m.name} [${m.found.join('×')}] ≠ [${m.expected.join('×')}]`,
            )}
          />
        </div>
      )}
      {report.problems.length > 0 && (
        <ul className="problems" aria-label="Problems">
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
    </section>
  );
}
