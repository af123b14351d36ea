/**
 * The NewBie XML tag vocabulary with hover docs, the `<count>` rules and the 3×3 position board.
 * Sources: newbie-model.md §3 ([EXP] README.md official example; [NODES] comfy_newbie_xml_prompt_builder.py,
 * comfy_newbie_gemma_chat.py) and conventions.md §5 (count rules, position board).
 */
import { StudioError } from '../errors';

/** How a field's value is checked: danbooru tags, a character tag, artist tags, a board position, or prose. */
export type ValueKind = 'tags' | 'character' | 'artists' | 'position' | 'text';

export interface TagDoc {
  tag: string;
  /** One-line description for hover docs and completion. */
  doc: string;
  value: ValueKind;
}

/** Fields of a `<character_N>` block, in the official order. */
export const CHARACTER_FIELDS: readonly TagDoc[] = [
  { tag: 'n', value: 'character', doc: 'Character name: a danbooru character tag such as `hatsune_miku`; may be left empty.' },
  { tag: 'gender', value: 'tags', doc: 'Gender tag of the character: `1girl`, `1boy` or `1other`; `<count>` must agree.' },
  { tag: 'appearance', value: 'tags', doc: 'Hair, eyes, face and body features (danbooru tags with underscores).' },
  { tag: 'clothing', value: 'tags', doc: 'Outfit and accessories (danbooru tags).' },
  { tag: 'expression', value: 'tags', doc: 'Facial expression and emotion, e.g. `smile, open_mouth`.' },
  { tag: 'action', value: 'tags', doc: 'Pose and what the character is doing, e.g. `standing, waving`.' },
  { tag: 'interaction', value: 'tags', doc: 'What the character does with the others, e.g. `sharing_umbrella`, `hug`.' },
  { tag: 'position', value: 'position', doc: 'Place in the frame: a 3×3 board cell (`top_left` … `center_left` … `bottom_right`) or free text.' },
  { tag: 'body_type', value: 'tags', doc: 'Body type tags (community builder layout).' },
];

/** Fields of the `<general_tags>` block. */
export const GENERAL_FIELDS: readonly TagDoc[] = [
  { tag: 'count', value: 'tags', doc: 'Who is in the picture: `1girl`/`2girls`…`6+girls`, `1boy`…, `solo`, `multiple_girls`/`multiple_boys`.' },
  { tag: 'body_type', value: 'tags', doc: 'Body type tags shared by the scene.' },
  { tag: 'artists', value: 'artists', doc: 'Artist tags (danbooru artist names, optionally written `artist:name`).' },
  { tag: 'style', value: 'tags', doc: 'Art style tags, e.g. `anime_style, digital_art`.' },
  { tag: 'background', value: 'tags', doc: 'Background tags, e.g. `white_background, simple_background`.' },
  { tag: 'environment', value: 'tags', doc: 'Place and setting, e.g. `city, street, rain`.' },
  { tag: 'perspective', value: 'tags', doc: 'Camera angle and framing, e.g. `from_side`, `cowboy_shot`.' },
  { tag: 'atmosphere', value: 'tags', doc: 'Mood of the scene, e.g. `cheerful`.' },
  { tag: 'lighting', value: 'tags', doc: 'Light, e.g. `sunset, backlighting`.' },
  { tag: 'quality', value: 'tags', doc: 'Quality tags, e.g. `masterpiece, best_quality, very_aesthetic`.' },
  { tag: 'resolution', value: 'tags', doc: 'Resolution tag; the official tag converter writes `max_high_resolution`.' },
  { tag: 'objects', value: 'tags', doc: 'Props and things in the scene.' },
  { tag: 'other', value: 'tags', doc: 'Anything else, e.g. `alternate_costume`.' },
  { tag: 'extra_tags', value: 'tags', doc: 'Free danbooru tags (community builder).' },
];

/** Elements at the top level or directly inside the `<image>`/`<document>` root. */
export const TOP_LEVEL_TAGS: readonly TagDoc[] = [
  { tag: 'image', value: 'text', doc: 'Optional root element (community builder layout); holds the caption, characters and general tags.' },
  { tag: 'document', value: 'text', doc: 'Optional root element (older builder layout); same content as `<image>`.' },
  { tag: 'character_N', value: 'text', doc: 'One character, numbered from 1 without gaps (`<character_1>`, `<character_2>` …).' },
  { tag: 'general_tags', value: 'text', doc: 'Tags for the whole picture: count, style, background, lighting, quality …' },
  { tag: 'caption', value: 'text', doc: 'Natural-language description of the whole picture (words, not underscored tags).' },
  { tag: 'style', value: 'text', doc: 'Style prefix line before the root, e.g. `style of mikozin` (community builder).' },
];

export const ROOT_TAGS: readonly string[] = ['image', 'document'];
export const GENERAL_BLOCK = 'general_tags';
const CHARACTER_RE = /^character_([0-9]+)$/;

/** The character number of a `character_N` tag name, or null. */
export function characterIndex(tag: string): number | null {
  const m = CHARACTER_RE.exec(tag);
  return m ? Number(m[1]) : null;
}

const CHARACTER_FIELD_MAP = new Map(CHARACTER_FIELDS.map((d) => [d.tag, d]));
const GENERAL_FIELD_MAP = new Map(GENERAL_FIELDS.map((d) => [d.tag, d]));
const TOP_FIELD_MAP = new Map(TOP_LEVEL_TAGS.map((d) => [d.tag, d]));

/** Structural level of a known tag: roots hold blocks, blocks hold fields, fields hold text. */
export type TagLevel = 'root' | 'block' | 'field';

/**
 * Level of a tag the parser knows, or null for an unknown tag. `name` counts as a field (the older builder's
 * spelling of `<n>`), so a broken `<name>` is recovered like any field.
 */
export function tagLevel(tag: string): TagLevel | null {
  if (ROOT_TAGS.includes(tag)) return 'root';
  if (tag === GENERAL_BLOCK || CHARACTER_RE.test(tag)) return 'block';
  if (CHARACTER_FIELD_MAP.has(tag) || GENERAL_FIELD_MAP.has(tag) || TOP_FIELD_MAP.has(tag) || tag === 'name') return 'field';
  return null;
}

/** Where an element sits, for context-dependent docs and checks. */
export type TagContext = 'top' | 'character' | 'general';

/** Doc of a tag in a context (hover docs), or undefined when the tag is not known there. */
export function tagDoc(tag: string, context: TagContext): TagDoc | undefined {
  if (context === 'character') return CHARACTER_FIELD_MAP.get(tag);
  if (context === 'general') return GENERAL_FIELD_MAP.get(tag);
  if (characterIndex(tag) !== null) return TOP_FIELD_MAP.get('character_N');
  return TOP_FIELD_MAP.get(tag);
}

/** Tag names allowed in a context (for completion and "did you mean"). */
export function tagsFor(context: TagContext): string[] {
  if (context === 'character') return CHARACTER_FIELDS.map((d) => d.tag);
  if (context === 'general') return GENERAL_FIELDS.map((d) => d.tag);
  return ['character_1', GENERAL_BLOCK, 'caption', 'style', 'image', 'document'];
}

/**
 * Tags that official NewBie material writes although they are not danbooru tags (quality and style words from
 * the [EXP] README example and the [NODES] Gemma tag converter's default `<quality>`), plus the usual quality
 * ladder; the checker does not report them as unknown.
 */
export const NON_DANBOORU_TAGS: ReadonlySet<string> = new Set([
  'anime_style', 'digital_art', 'detailed', 'high_resolution', 'max_high_resolution', 'very_aesthetic', 'aesthetic',
  'masterpiece', 'best_quality', 'amazing_quality', 'high_quality', 'good_quality', 'normal_quality', 'low_quality',
  'worst_quality', 'no_text', 'no_logo', 'no_watermark', 'clean_lineart', 'high_quality_illustration',
]);

// ── <count> rules (conventions.md §5) ────────────────────────────────────────────────────────────────────────

export type Gender = 'girl' | 'boy' | 'other';

const GIRL_TAGS = new Set(['1girl', 'girl', 'female', 'woman', '1woman']);
const BOY_TAGS = new Set(['1boy', 'boy', 'male', 'man', '1man']);

/** Gender of a `<gender>` value (`1girl` → girl, `1boy` → boy, anything else non-empty → other); null if empty. */
export function genderOf(value: string): Gender | null {
  const tags = value
    .split(',')
    .map((t) => t.trim().toLowerCase().replace(/\s+/g, '_'))
    .filter((t) => t.length > 0);
  if (tags.length === 0) return null;
  if (tags.some((t) => GIRL_TAGS.has(t))) return 'girl';
  if (tags.some((t) => BOY_TAGS.has(t))) return 'boy';
  return 'other';
}

/** Number tag for n people of one gender: 1girl, 2girls … 5girls, 6+girls (danbooru's spelling). */
export function countTag(n: number, noun: 'girl' | 'boy'): string {
  if (n <= 1) return `1${noun}`;
  return n >= 6 ? `6+${noun}s` : `${n}${noun}s`;
}

export interface GenderCounts {
  girls: number;
  boys: number;
  others: number;
}

/**
 * The `<count>` tags the characters' genders imply (conventions.md §5): `Ngirls`/`Nboys` per gender,
 * `solo` for exactly one character, `multiple_girls`/`multiple_boys` for two or more of a gender.
 */
export function expectedCountTags(c: GenderCounts): string[] {
  const out: string[] = [];
  if (c.girls > 0) out.push(countTag(c.girls, 'girl'));
  if (c.boys > 0) out.push(countTag(c.boys, 'boy'));
  if (c.girls + c.boys + c.others === 1) out.push('solo');
  if (c.girls >= 2) out.push('multiple_girls');
  if (c.boys >= 2) out.push('multiple_boys');
  return out;
}

const NUMBER_TAG_RE = /^(\d)\+?(girl|boy)s?$/;

/** Count tags in a `<count>` value that contradict the genders (e.g. `1girl` with two girls, `solo` with two). */
export function contradictingCountTags(value: string, c: GenderCounts): string[] {
  const expected = new Set(expectedCountTags(c));
  const total = c.girls + c.boys + c.others;
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => {
      if (expected.has(t)) return false;
      if (t === 'solo') return total !== 1;
      if (t === 'multiple_girls') return c.girls < 2;
      if (t === 'multiple_boys') return c.boys < 2;
      return NUMBER_TAG_RE.test(t);
    });
}

// ── position board (conventions.md §5) ──────────────────────────────────────────────────────────────────────

/** The 3×3 position board, rows top → bottom, columns left → right. */
export const POSITION_BOARD: readonly (readonly string[])[] = [
  ['top_left', 'top', 'top_right'],
  ['center_left', 'center', 'center_right'],
  ['bottom_left', 'bottom', 'bottom_right'],
];

export const POSITIONS: readonly string[] = POSITION_BOARD.flat();

/** Board cell of a `<position>` value (spaces and hyphens read as underscores), or null for free text. */
export function positionCell(value: string): { row: number; col: number } | null {
  const v = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
  for (let row = 0; row < 3; row++) {
    const col = POSITION_BOARD[row].indexOf(v);
    if (col >= 0) return { row, col };
  }
  return null;
}

/** Position value of a board cell (row and col in 0..2). Throws StudioError InvalidRequest outside the board. */
export function positionAt(row: number, col: number): string {
  const v = Number.isInteger(row) && Number.isInteger(col) ? POSITION_BOARD[row]?.[col] : undefined;
  if (v === undefined) {
    throw new StudioError('InvalidRequest', `Position cell (${row}, ${col}) is outside the 3×3 board: rows and columns are 0, 1 or 2.`);
  }
  return v;
}

/** The `<count>` helpers as one object (for the composer's count field). */
export const COUNT = {
  genderOf,
  tag: countTag,
  expected: expectedCountTags,
  contradicting: contradictingCountTags,
} as const;

/** The position board helpers as one object (for the composer's 3×3 board). */
export const POSITION = {
  board: POSITION_BOARD,
  values: POSITIONS,
  cellOf: positionCell,
  at: positionAt,
} as const;
