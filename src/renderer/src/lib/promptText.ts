/**
 * Short plain-text forms of a prompt for tiles, queue rows and alt texts (pure).
 */

/** The prompt's values without markup, whitespace collapsed, cut to `max` characters with "…". */
export function promptWords(prompt: string, max: number): string {
  const words = prompt
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return words.length > max ? `${words.slice(0, max)}…` : words;
}
