/**
 * One composer field: a text input that keeps what the user types (spaces, a trailing comma) while the prompt
 * stores the trimmed value, with danbooru completion of the item being typed (a datalist of whole values, fed by
 * `prompt.completeTags` for this field).
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { TagMatch } from '../../../../shared/prompt';
import { call } from '../../lib/invoke';
import { directMatchesFirst } from '../../lib/tagMatches';

interface TagFieldProps {
  label: string;
  /** Prompt field the completion is for (`n`, `clothing` …); omit for no completion. */
  field?: string;
  value: string;
  disabled?: boolean;
  placeholder?: string;
  /** Fixed choices offered before any typing (gender). */
  choices?: readonly string[];
  onChange(value: string): void;
}

const COMPLETE_DELAY_MS = 120;

export function TagField({ label, field, value, disabled, placeholder, choices, onChange }: TagFieldProps) {
  const id = useId();
  const [local, setLocal] = useState(value);
  const [options, setOptions] = useState<string[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    setLocal((l) => (l.trim() === value.trim() ? l : value));
  }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const complete = (text: string) => {
    clearTimeout(timer.current);
    if (!field) return;
    const comma = text.lastIndexOf(',');
    const head = text.slice(0, comma + 1);
    const prefix = text.slice(comma + 1).trimStart();
    if (prefix.length === 0) {
      setOptions([]);
      return;
    }
    timer.current = setTimeout(() => {
      call('prompt.completeTags', { prefix, field, limit: 12 })
        .then((m: TagMatch[]) =>
          setOptions(directMatchesFirst(m).map((t) => `${head}${head ? ' ' : ''}${t.tag}`)),
        )
        .catch(() => setOptions([]));
    }, COMPLETE_DELAY_MS);
  };

  const list = [...(choices ?? []).filter((c) => c.startsWith(local.trim())), ...options];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={local}
        disabled={disabled}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        list={list.length ? `${id}-list` : undefined}
        onChange={(e) => {
          setLocal(e.target.value);
          complete(e.target.value);
          onChange(e.target.value.trim());
        }}
      />
      {list.length > 0 && (
        <datalist id={`${id}-list`}>
          {list.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
      )}
    </div>
  );
}
