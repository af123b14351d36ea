/**
 * The `<general_tags>` part of the composer: the fields present in the prompt plus the usual ones (count, style,
 * background, quality), and a picker to add any other official field. `<count>` is kept in step with the
 * characters by the composer; it stays editable for extra tags.
 */
import { useState } from 'react';
import { GENERAL_FIELDS, getField, type ComposerField } from '../../../../shared/prompt';
import { TagField } from './TagField';

const ALWAYS = ['count', 'style', 'background', 'quality'];

const labelOf = (tag: string) => tag.charAt(0).toUpperCase() + tag.slice(1).replace(/_/g, ' ');

interface GeneralSectionProps {
  fields: readonly ComposerField[] | null;
  disabled: boolean;
  onField(tag: string, value: string): void;
}

export function GeneralSection({ fields, disabled, onField }: GeneralSectionProps) {
  const [added, setAdded] = useState<string[]>([]);
  const present = (fields ?? []).map((f) => f.tag);
  const shown = GENERAL_FIELDS.map((d) => d.tag).filter(
    (t) => ALWAYS.includes(t) || present.includes(t) || added.includes(t),
  );
  const addable = GENERAL_FIELDS.map((d) => d.tag).filter((t) => !shown.includes(t));
  const unknown = (fields ?? []).filter((f) => !GENERAL_FIELDS.some((d) => d.tag === f.tag));
  return (
    <section className="general-section" aria-label="General tags">
      <h3>General tags</h3>
      <div className="card-fields">
        {shown.map((tag) => (
          <TagField
            key={tag}
            label={labelOf(tag)}
            field={tag}
            value={getField(fields ?? [], tag) ?? ''}
            disabled={disabled}
            onChange={(v) => onField(tag, v)}
          />
        ))}
      </div>
      {addable.length > 0 && (
        <label className="inline-field">
          <span>Add field</span>
          <select
            aria-label="Add general field"
            value=""
            disabled={disabled}
            onChange={(e) => {
              const t = e.target.value;
              if (t) setAdded((a) => [...a, t]);
            }}
          >
            <option value="">—</option>
            {addable.map((t) => (
              <option key={t} value={t}>
                {labelOf(t)}
              </option>
            ))}
          </select>
        </label>
      )}
      {unknown.length > 0 && (
        <p className="card-extra">
          Also: {unknown.map((f) => (f.tag.startsWith('#') ? f.tag.slice(1) : `<${f.tag}>`)).join(', ')}
        </p>
      )}
    </section>
  );
}
