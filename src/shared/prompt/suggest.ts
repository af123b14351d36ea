/**
 * "Did you mean" for tag names: a table of the names people actually write, then edit distance.
 */
import { tagsFor, type TagContext } from './vocabulary';

/** Levenshtein edit distance (insert, delete, substitute; cost 1 each), O(|a|·|b|) time, O(|b|) memory. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Names from other tools and tutorials → the field NewBie uses. */
const SYNONYMS: Record<string, Partial<Record<TagContext, string>>> = {
  pose: { character: 'action' },
  poses: { character: 'action' },
  posture: { character: 'action' },
  actions: { character: 'action' },
  name: { character: 'n' },
  character_name: { character: 'n' },
  hair: { character: 'appearance' },
  eyes: { character: 'appearance' },
  face: { character: 'expression' },
  body: { character: 'appearance', general: 'body_type' },
  looks: { character: 'appearance' },
  clothes: { character: 'clothing' },
  outfit: { character: 'clothing' },
  costume: { character: 'clothing' },
  attire: { character: 'clothing' },
  emotion: { character: 'expression' },
  expressions: { character: 'expression' },
  sex: { character: 'gender' },
  location: { character: 'position', general: 'environment' },
  place: { character: 'position', general: 'environment' },
  setting: { general: 'environment' },
  scene: { general: 'environment' },
  bg: { general: 'background' },
  camera: { general: 'perspective' },
  angle: { general: 'perspective' },
  view: { general: 'perspective' },
  composition: { general: 'perspective' },
  light: { general: 'lighting' },
  mood: { general: 'atmosphere' },
  artist: { general: 'artists' },
  tags: { general: 'extra_tags' },
  extra: { general: 'extra_tags' },
  general: { top: 'general_tags' },
  general_tag: { top: 'general_tags' },
  description: { top: 'caption' },
  prompt: { top: 'caption' },
};

/**
 * The known tag closest to `name` in a context: a synonym from the table, a case-insensitive match, or the
 * name with the smallest edit distance when it is at most a third of the length (at least 1); else undefined.
 */
export function suggestTag(name: string, context: TagContext): string | undefined {
  const lower = name.toLowerCase();
  const synonym = SYNONYMS[lower]?.[context];
  if (synonym) return synonym;
  if (context === 'top') {
    const m = /^(?:character|char|chara)[_\-\s]?(\d+)$/.exec(lower);
    if (m) return `character_${Number(m[1])}`;
  }
  const candidates = tagsFor(context);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}
