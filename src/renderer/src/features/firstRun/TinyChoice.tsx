/**
 * First-run choice 4: try the studio at once with the tiny random model (`models.makeTiny`, then `models.use`).
 * Labelled plainly: it produces noise and exists only for trying the interface.
 */
import { useState } from 'react';
import { ProblemAlert } from '../../components/ProblemAlert';
import { call, errorText } from '../../lib/invoke';
import { activateModel } from './activate';

/** The tiny-model choice: makes the random test model and activates it. */
export function TinyChoice() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const tryTiny = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const { dir } = await call('models.makeTiny');
      const r = await activateModel(dir);
      if (!r.ok) setProblem(r.message);
    } catch (e) {
      setProblem(errorText(e));
    }
    setBusy(false);
  };

  return (
    <section className="first-run-choice" aria-label="Try the tiny random model">
      <h2>Try the tiny random model</h2>
      <p className="field-hint">
        A 4 MB model with random weights, made on this computer in a second.{' '}
        <strong>It produces noise, not pictures:</strong> it is only for trying the interface (prompt editor,
        queue, gallery). Switch to the real model later in Settings.
      </p>
      <div className="row">
        <button type="button" onClick={() => void tryTiny()} disabled={busy}>
          {busy ? 'Making the tiny model…' : 'Try the tiny model'}
        </button>
      </div>
      <ProblemAlert problem={problem} />
    </section>
  );
}
