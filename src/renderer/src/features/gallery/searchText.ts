/**
 * Text of the gallery search box (pure).
 */

/**
 * The search box searches as the user types: unless the text ends with a space or a comma, its last plain word is a
 * prefix (`simple_backgr` → `simple_backgr*`), so results do not vanish half-way through a tag. Quoted phrases,
 * exclusions (`-maid`) and explicit prefixes are left as typed (history/fts.ts parses the syntax).
 */
export function searchAsYouType(text: string): string {
  const trimmed = text.trim();
  if (!trimmed || /[\s,]$/.test(text)) return trimmed;
  const last = trimmed.split(/[\s,]+/).pop() ?? '';
  // Only a word cut off mid-way: `rem_(re:zero)` or `>_<` are complete as typed.
  if (/^-|["*]/.test(last) || !/[\p{L}\p{N}_]$/u.test(last)) return trimmed;
  return `${trimmed}*`;
}
