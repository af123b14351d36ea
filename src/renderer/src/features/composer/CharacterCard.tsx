/**
 * One character of the composer: the official fields (Name = `<n>`, Gender, Appearance, Clothing, Expression,
 * Action, Interaction), the position board, and reorder/remove controls (buttons, Alt+↑/↓, or drag by the card).
 */
import type { DragEvent, KeyboardEvent } from 'react';
import { getField, type ComposerCharacter } from '../../../../shared/prompt';
import { PositionBoard } from './PositionBoard';
import { TagField } from './TagField';

export const CARD_FIELDS: ReadonlyArray<{ tag: string; label: string }> = [
  { tag: 'n', label: 'Name' },
  { tag: 'gender', label: 'Gender' },
  { tag: 'appearance', label: 'Appearance' },
  { tag: 'clothing', label: 'Clothing' },
  { tag: 'expression', label: 'Expression' },
  { tag: 'action', label: 'Action' },
  { tag: 'interaction', label: 'Interaction' },
];

const GENDERS = ['1girl', '1boy', '1other'];

interface CharacterCardProps {
  character: ComposerCharacter;
  at: number;
  count: number;
  disabled: boolean;
  onField(tag: string, value: string): void;
  onMove(to: number): void;
  onRemove(): void;
  onDropFrom(from: number): void;
}

export function CharacterCard({
  character,
  at,
  count,
  disabled,
  onField,
  onMove,
  onRemove,
  onDropFrom,
}: CharacterCardProps) {
  const name = `Character ${character.index}`;
  const unknown = character.fields.filter(
    (f) => !CARD_FIELDS.some((c) => c.tag === f.tag) && f.tag !== 'position',
  );
  const onKey = (e: KeyboardEvent) => {
    if (!e.altKey || disabled) return;
    if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') onMove(at - 1);
    else if (e.key === 'ArrowDown' || e.key === 'ArrowRight') onMove(at + 1);
    else return;
    e.preventDefault();
  };
  return (
    <section
      className="character-card"
      aria-label={name}
      draggable={!disabled}
      onKeyDown={onKey}
      onDragStart={(e: DragEvent) => {
        e.dataTransfer.setData('application/x-newbie-character', String(at));
        e.dataTransfer.effectAllowed = 'move';
      }}
      onDragOver={(e: DragEvent) => {
        if (e.dataTransfer.types.includes('application/x-newbie-character')) e.preventDefault();
      }}
      onDrop={(e: DragEvent) => {
        const from = Number(e.dataTransfer.getData('application/x-newbie-character'));
        if (Number.isInteger(from) && e.dataTransfer.types.includes('application/x-newbie-character')) {
          e.preventDefault();
          e.stopPropagation();
          onDropFrom(from);
        }
      }}
    >
      <header className="card-header">
        <h3>
          <span className="drag-handle" aria-hidden="true">
            ⠿
          </span>{' '}
          {name}
        </h3>
        <div className="card-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={`Move ${name} earlier`}
            disabled={disabled || at === 0}
            onClick={() => onMove(at - 1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Move ${name} later`}
            disabled={disabled || at === count - 1}
            onClick={() => onMove(at + 1)}
          >
            ↓
          </button>
          <button
            type="button"
            className="icon-button danger"
            aria-label={`Remove ${name}`}
            disabled={disabled}
            onClick={onRemove}
          >
            ✕
          </button>
        </div>
      </header>
      <div className="card-fields">
        {CARD_FIELDS.map((f) => (
          <TagField
            key={f.tag}
            label={f.label}
            field={f.tag}
            choices={f.tag === 'gender' ? GENDERS : undefined}
            value={getField(character.fields, f.tag) ?? ''}
            disabled={disabled}
            onChange={(v) => onField(f.tag, v)}
          />
        ))}
        <PositionBoard
          value={getField(character.fields, 'position') ?? ''}
          disabled={disabled}
          onChange={(v) => onField('position', v)}
        />
        {unknown.length > 0 && (
          <p className="card-extra" title="Kept as written; edit them in the editor">
            Also: {unknown.map((f) => (f.tag.startsWith('#') ? f.tag.slice(1) : `<${f.tag}>`)).join(', ')}
          </p>
        )}
      </div>
    </section>
  );
}
