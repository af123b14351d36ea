/** A prompt, syntax-highlighted by Monaco's colorizer (read-only, selectable). */
import { useEffect, useState } from 'react';
import { colorizePrompt } from '../editor/language';

/** `text` colorized as prompt XML (plain text until the colorizer answers, or if it fails); `label` names the region. */
export function HighlightedPrompt({ text, label = 'Prompt XML' }: { text: string; label?: string }) {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    colorizePrompt(text)
      .then((h) => live && setHtml(h))
      .catch(() => live && setHtml(null));
    return () => {
      live = false;
    };
  }, [text]);
  // Monaco's colorizer escapes the text; the HTML holds only its own spans.
  return html === null ? (
    <pre className="prompt-view" aria-label={label}>
      {text}
    </pre>
  ) : (
    <pre className="prompt-view" aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />
  );
}
