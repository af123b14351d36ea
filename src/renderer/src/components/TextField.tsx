interface TextFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  /** `password` for tokens, `url` for endpoints; default `text`. */
  type?: 'text' | 'password' | 'url';
  placeholder?: string;
  autoComplete?: string;
}

/**
 * A labelled one-line text input for paths, URLs and tokens: spell checking off (folder names and tokens are not
 * words), reports every edit.
 */
export function TextField({
  label,
  value,
  onChange,
  type = 'text',
  placeholder,
  autoComplete,
}: TextFieldProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type={type}
        value={value}
        autoComplete={autoComplete}
        spellCheck={false}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
