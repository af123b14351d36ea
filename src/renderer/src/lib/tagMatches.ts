/**
 * Order of danbooru completions shown to the user (pure).
 */
import type { TagMatch } from '../../../shared/prompt';

/**
 * Tags whose own name starts with what was typed first, then the ones found through an alias, each group in the
 * service's order (most posts first). Typing `so` and accepting the first item gives `solo`, not `1girl` (found
 * through its alias `sole_female`, which has more posts); aliases stay offered below.
 */
export function directMatchesFirst(matches: readonly TagMatch[]): TagMatch[] {
  return [...matches.filter((m) => m.alias === undefined), ...matches.filter((m) => m.alias !== undefined)];
}
