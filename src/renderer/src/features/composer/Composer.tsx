/**
 * The visual composer (panel "Composer"): character cards and general tags over the shared composer model. The
 * editor text is the one source of truth: every card edit re-reads it, applies the change (composerOps) and writes
 * it back, and the editor applies that as a minimal edit (cursor kept). Unknown tags and extras are kept.
 */
import { useMemo } from 'react';
import type { ComposerModel } from '../../../../shared/prompt';
import { Panel } from '../../components/Panel';
import { useStudio } from '../../state/studioStore';
import { CharacterCard } from './CharacterCard';
import { GeneralSection } from './GeneralSection';
import {
  addCharacter,
  convertToXml,
  moveCharacter,
  readComposer,
  removeCharacter,
  setCharacterField,
  setGeneralField,
  writeComposer,
} from './composerOps';

/** Applies a composer edit to the current prompt (no-op when the prompt cannot be edited here). */
function edit(fn: (m: ComposerModel) => ComposerModel): void {
  const { prompt, setPrompt } = useStudio.getState();
  const view = readComposer(prompt);
  if (!view.editable) return;
  const next = fn(view.model);
  if (next === view.model) return;
  setPrompt(writeComposer(next), 'composer');
}

const CARD_CONTROLS = 'input, button';

/**
 * Moves a character and keeps the keyboard focus on it: the cards are keyed by place, so without this the focus
 * stays at the old place, on the other character (Alt+↓ twice would swap the same two back and forth). The focus
 * goes to the same control of the card at its new place, or to its first enabled move button when that one is now
 * disabled (a card moved to the top has no "Move earlier").
 */
function moveKeepingFocus(from: number, to: number, count: number): void {
  if (to < 0 || to >= count || to === from) return;
  const active = document.activeElement;
  const card = active instanceof HTMLElement ? active.closest('.character-card') : null;
  const at = card
    ? [...card.querySelectorAll<HTMLElement>(CARD_CONTROLS)].indexOf(active as HTMLElement)
    : -1;
  edit((m) => moveCharacter(m, from, to));
  if (at < 0) return;
  requestAnimationFrame(() => {
    const target = document.querySelectorAll('.composer-panel .character-card')[to];
    if (!target) return;
    const controls = [...target.querySelectorAll<HTMLElement>(CARD_CONTROLS)];
    const usable = (el: HTMLElement | undefined) => el !== undefined && !(el as HTMLButtonElement).disabled;
    const el = usable(controls[at])
      ? controls[at]
      : controls.find((c) => c.closest('.card-actions') && usable(c));
    el?.focus();
  });
}

export function Composer() {
  const prompt = useStudio((s) => s.prompt);
  const view = useMemo(() => readComposer(prompt), [prompt]);
  const disabled = !view.editable;
  const { characters } = view.model;
  return (
    <Panel
      title="Composer"
      className="composer-panel"
      actions={
        <button
          type="button"
          disabled={disabled || characters.length >= 10}
          onClick={() => edit(addCharacter)}
        >
          Add character
        </button>
      }
    >
      {!view.editable && (
        <div className="composer-locked" role="note">
          <p>{view.reason}</p>
          {view.mode !== 'xml' && (
            <button
              type="button"
              onClick={() => useStudio.getState().setPrompt(convertToXml(prompt), 'composer')}
            >
              Convert to XML
            </button>
          )}
        </div>
      )}
      <div className="character-cards">
        {characters.map((c, at) => (
          <CharacterCard
            key={`${at}-${c.index}`}
            character={c}
            at={at}
            count={characters.length}
            disabled={disabled}
            onField={(tag, value) => edit((m) => setCharacterField(m, at, tag, value))}
            onMove={(to) => moveKeepingFocus(at, to, characters.length)}
            onRemove={() => edit((m) => removeCharacter(m, at))}
            onDropFrom={(from) => edit((m) => moveCharacter(m, from, at))}
          />
        ))}
        {characters.length === 0 && !disabled && (
          <p className="empty-note">No characters yet: “Add character” starts a card.</p>
        )}
      </div>
      <GeneralSection
        fields={view.model.general}
        disabled={disabled}
        onField={(tag, value) => edit((m) => setGeneralField(m, tag, value))}
      />
    </Panel>
  );
}
