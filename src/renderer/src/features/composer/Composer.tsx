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
            onMove={(to) => edit((m) => moveCharacter(m, at, to))}
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
