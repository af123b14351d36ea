/**
 * First-run choice 3: a model found in the Hugging Face cache (HF_HUB_CACHE, $HF_HOME/hub or the default cache
 * folder), looked up by `models.find` when the screen opens. Each entry is checked; a usable one is made active by
 * its repo folder, so a newer snapshot (refs/main) is picked up later.
 */
import { useEffect, useState } from 'react';
import type { HfCacheFindResult } from '../../../../shared/modelTypes';
import { ProblemAlert } from '../../components/ProblemAlert';
import { call, errorText } from '../../lib/invoke';
import { activateModel } from './activate';

/** The Hugging Face cache choice: lists what `models.find` found, with Use and Look again. */
export function CacheChoice() {
  const [found, setFound] = useState<HfCacheFindResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const look = () => {
    setProblem(null);
    call('models.find')
      .then(setFound)
      .catch((e) => setProblem(errorText(e)));
  };
  useEffect(look, []);

  const use = async (folder: string) => {
    setBusy(folder);
    setProblem(null);
    const r = await activateModel(folder);
    if (!r.ok) setProblem(r.message);
    setBusy(null);
  };

  return (
    <section className="first-run-choice" aria-label="Use a model from the Hugging Face cache">
      <h2>Use a model from the Hugging Face cache</h2>
      {found === null && !problem && <p className="field-hint">Looking in the Hugging Face cache…</p>}
      {found && found.models.length === 0 && (
        <p className="field-hint">
          No NewBie model in <code>{found.cacheDir}</code>. Set HF_HOME or HF_HUB_CACHE before starting the
          studio to look elsewhere.
        </p>
      )}
      {found && found.models.length > 0 && (
        <ul className="cache-models" aria-label="Models in the Hugging Face cache">
          {found.models.map((m) => (
            <li key={m.folder}>
              <div>
                <strong>{m.repo}</strong>{' '}
                <span className="field-hint">revision {m.revision.slice(0, 10)}</span>
                {m.testModel && <span className="field-hint"> · random test model (produces noise)</span>}
                {m.problems.map((p, i) => (
                  <p key={i} className="field-problem">
                    {p}
                  </p>
                ))}
              </div>
              <button
                type="button"
                onClick={() => void use(m.folder)}
                disabled={!m.ok || busy !== null}
                aria-label={`Use ${m.repo}`}
              >
                {busy === m.folder ? 'Checking…' : 'Use'}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ProblemAlert problem={problem} />
      <div className="row">
        <button type="button" onClick={look}>
          Look again
        </button>
      </div>
    </section>
  );
}
