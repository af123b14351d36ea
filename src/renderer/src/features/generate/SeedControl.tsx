/**
 * Seed: random (drawn by the service when the job is queued) or fixed, a "Seed" field, and a dice button that
 * draws a new fixed seed (conventions.md §1: random seeds are uniform in [0, 2^32 − 1]).
 */
import { useEffect, useId, useState } from 'react';
import { MAX_SEED } from '../../../../shared/dto';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useStudio } from '../../state/studioStore';
import { parseSeed, randomSeed, seedBatchProblem } from './seed';

export function SeedControl() {
  const id = useId();
  const params = useStudio((s) => s.params);
  const setParams = useStudio((s) => s.setParams);
  const [text, setText] = useState(String(params.seed));
  // An invalid typed seed is stored as NaN (Generate refuses it) and the text stays as typed.
  useEffect(
    () =>
      setText((t) => (Number.isNaN(params.seed) || parseSeed(t) === params.seed ? t : String(params.seed))),
    [params.seed],
  );
  const fixed = params.seedMode === 'fixed';
  const typed = parseSeed(text);
  const problem = !fixed
    ? null
    : typed === null
      ? `A seed is a whole number from 0 to ${MAX_SEED}.`
      : seedBatchProblem(typed, params.batch);
  return (
    <fieldset className="seed-control">
      <legend>Seed</legend>
      <div className="seed-mode" role="radiogroup" aria-label="Seed mode">
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            checked={!fixed}
            onChange={() => setParams({ seedMode: 'random' })}
          />{' '}
          Random
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            checked={fixed}
            onChange={() => setParams({ seedMode: 'fixed' })}
          />{' '}
          Fixed
        </label>
      </div>
      <div className="seed-row">
        <input
          type="text"
          inputMode="numeric"
          aria-label="Seed"
          value={fixed ? text : ''}
          placeholder={fixed ? '' : 'random at queue time'}
          aria-invalid={problem ? true : undefined}
          onChange={(e) => {
            setText(e.target.value);
            const n = parseSeed(e.target.value);
            setParams({ seed: n ?? Number.NaN, seedMode: 'fixed' });
          }}
        />
        <button
          type="button"
          className="icon-button"
          aria-label="Roll a random seed"
          title="Roll a random seed"
          onClick={() => setParams({ seed: randomSeed(), seedMode: 'fixed' })}
        >
          <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
            <rect
              x="1.5"
              y="1.5"
              width="13"
              height="13"
              rx="3"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.4"
            />
            <circle cx="5" cy="5" r="1.3" fill="currentColor" />
            <circle cx="8" cy="8" r="1.3" fill="currentColor" />
            <circle cx="11" cy="11" r="1.3" fill="currentColor" />
          </svg>
        </button>
      </div>
      <ProblemAlert problem={problem} />
    </fieldset>
  );
}
