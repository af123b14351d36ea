/**
 * Short plain-text forms of a prompt for tiles, queue rows and alt texts (pure).
 */

/**
 * The prompt's values without markup, whitespace collapsed, cut to `max` characters with "…". A tag cut off at the
 * end (history previews are cut at 200 characters) is dropped too, down to a lone `<` after a word or a space; raw
 * brackets of danbooru tags (`>_<`, also at the end) stay.
 */
export function promptWords(prompt: string, max: number): string {
  const words = prompt
    .replace(/<!--[\s\S]*?-->|<\/?[A-Za-z_][^<>]*>/g, ' ')
    .replace(/<(?:\/[\w.:-]*|[A-Za-z_][\w.:-]*)$/, ' ')
    .replace(/(^|[\s\p{L}\p{N}])<$/u, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return words.length > max ? `${words.slice(0, max)}…` : words;
}
