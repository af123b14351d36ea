/**
 * Composer model ⇄ XML, so the visual composer and the editor can edit one prompt in turn.
 *
 * Blocks are ordered lists of `{tag, value, range}` (conventions.md §5): duplicates and unknown tags keep their
 * place. Values are the raw text between the tags (trimmed), never entity-decoded; `<`, `>`, `&` stay raw.
 * Unknown top-level elements, comments and loose text are kept verbatim as `extras`; `order` records where every
 * part sat, so XML → model → XML keeps the layout. composerToPrompt prints through formatPrompt, so its output is
 * the canonical layout.
 */
import { parsePrompt } from './parse';
import { formatPrompt } from './format';
import { isBlank, trimXml } from './text';
import { sliceOf, type PromptElement, type PromptNode } from './tree';
import type { SourceRange } from './types';
import { CHARACTER_FIELDS, GENERAL_BLOCK, GENERAL_FIELDS, ROOT_TAGS, characterIndex } from './vocabulary';

/** One entry of a block. `tag` `#text` / `#comment` hold loose text or a comment verbatim. */
export interface ComposerField {
  tag: string;
  /** Raw text between the tags, trimmed (for an element with children: its inner XML). */
  value: string;
  /** Source range of the element in the text it was read from (absent for entries made in the composer). */
  range?: SourceRange;
}

export interface ComposerCharacter {
  /** N of `<character_N>`. */
  index: number;
  fields: ComposerField[];
  range?: SourceRange;
}

/** Where a part sits: `character`/`extra` take the next character/extra in array order; `root`/`/root` bracket the root. */
export type ComposerSlot = 'style' | 'caption' | 'character' | 'general' | 'extra' | 'root' | '/root';

export interface ComposerModel {
  /** `image` or `document` when the prompt has that root element (community builder layout). */
  root: string | null;
  /** The style line before the root (`<style>style of mikozin</style>`), raw. */
  style: string | null;
  /** `<caption>`: natural-language description, raw. */
  caption: string | null;
  characters: ComposerCharacter[];
  /** Fields of `<general_tags>`, in order; null when there is no such block. */
  general: ComposerField[] | null;
  /** Everything else at the top level (or in the root), verbatim: unknown elements, comments, loose text. */
  extras: string[];
  /** Layout of the parts; parts missing from it are placed canonically (style, caption, characters, general). */
  order: ComposerSlot[];
}

/** An empty model (no root, nothing filled in). */
export function emptyComposer(): ComposerModel {
  return { root: null, style: null, caption: null, characters: [], general: null, extras: [], order: [] };
}

function fieldsOf(text: string, el: PromptElement): ComposerField[] {
  const out: ComposerField[] = [];
  for (const n of el.children) {
    if (n.kind === 'text') {
      const v = trimXml(sliceOf(text, n.range));
      if (!isBlank(v)) out.push({ tag: '#text', value: v, range: n.range });
    } else if (n.kind === 'comment') {
      out.push({ tag: '#comment', value: sliceOf(text, n.range), range: n.range });
    } else {
      out.push({ tag: n.name, value: trimXml(sliceOf(text, n.content)), range: n.range });
    }
  }
  return out;
}

/**
 * Reads a prompt into the composer model. Never throws; a broken prompt gives the model of its recovered tree,
 * a tags or natural-language prompt is kept whole as one extra.
 */
export function promptToComposer(text: string): ComposerModel {
  const parsed = parsePrompt(text);
  const model = emptyComposer();
  if (parsed.mode !== 'xml') {
    const body = trimXml(text.slice(parsed.bom));
    if (!isBlank(body)) {
      model.extras.push(body);
      model.order.push('extra');
    }
    return model;
  }
  const visit = (nodes: readonly PromptNode[], inRoot: boolean) => {
    for (const n of nodes) {
      if (n.kind === 'text' && isBlank(sliceOf(text, n.range))) continue;
      if (n.kind === 'element') {
        const name = n.name;
        if (!inRoot && model.root === null && ROOT_TAGS.includes(name)) {
          model.root = name;
          model.order.push('root');
          visit(n.children, true);
          model.order.push('/root');
          continue;
        }
        if (!inRoot && name === 'style' && model.style === null) {
          model.style = trimXml(sliceOf(text, n.content));
          model.order.push('style');
          continue;
        }
        if (name === 'caption' && model.caption === null) {
          model.caption = trimXml(sliceOf(text, n.content));
          model.order.push('caption');
          continue;
        }
        const index = characterIndex(name);
        if (index !== null) {
          model.characters.push({ index, fields: fieldsOf(text, n), range: n.range });
          model.order.push('character');
          continue;
        }
        if (name === GENERAL_BLOCK && model.general === null) {
          model.general = fieldsOf(text, n);
          model.order.push('general');
          continue;
        }
      }
      model.extras.push(trimXml(sliceOf(text, n.range)));
      model.order.push('extra');
    }
  };
  visit(parsed.nodes, false);
  return model;
}

/** Completes `order` with the parts it lacks, in canonical places. */
function layout(model: ComposerModel): ComposerSlot[] {
  const seq = [...model.order];
  const count = (s: ComposerSlot) => seq.filter((x) => x === s).length;
  const end = () => (model.root !== null && seq.includes('/root') ? seq.lastIndexOf('/root') : seq.length);
  if (model.style !== null && count('style') === 0) seq.unshift('style');
  if (model.root !== null && count('root') === 0) {
    seq.splice(seq[0] === 'style' ? 1 : 0, 0, 'root');
    seq.push('/root');
  }
  if (model.caption !== null && count('caption') === 0) {
    const at = [seq.indexOf('character'), seq.indexOf('general')].filter((i) => i >= 0);
    seq.splice(at.length ? Math.min(...at) : end(), 0, 'caption');
  }
  for (let missing = model.characters.length - count('character'); missing > 0; missing--) {
    const last = seq.lastIndexOf('character');
    const general = seq.indexOf('general');
    seq.splice(last >= 0 ? last + 1 : general >= 0 ? general : end(), 0, 'character');
  }
  if (model.general !== null && count('general') === 0) seq.splice(end(), 0, 'general');
  for (let missing = model.extras.length - count('extra'); missing > 0; missing--) seq.splice(end(), 0, 'extra');
  return seq;
}

function printFields(fields: readonly ComposerField[]): string {
  return fields.map((f) => (f.tag === '#text' || f.tag === '#comment' ? f.value : `<${f.tag}>${f.value}</${f.tag}>`)).join('\n');
}

/**
 * Writes the model as XML in the canonical layout (via formatPrompt), parts in `order`. Values are written
 * raw, so `>_<` stays `>_<` (conventions.md §5).
 */
export function composerToPrompt(model: ComposerModel): string {
  const out: string[] = [];
  let character = 0;
  let extra = 0;
  let style = false;
  let caption = false;
  let general = false;
  let rootOpen = false;
  for (const slot of layout(model)) {
    if (slot === 'style' && model.style !== null && !style) {
      out.push(`<style>${model.style}</style>`);
      style = true;
    } else if (slot === 'caption' && model.caption !== null && !caption) {
      out.push(`<caption>${model.caption}</caption>`);
      caption = true;
    } else if (slot === 'character' && character < model.characters.length) {
      const c = model.characters[character++];
      out.push(`<character_${c.index}>`, printFields(c.fields), `</character_${c.index}>`);
    } else if (slot === 'general' && model.general !== null && !general) {
      out.push(`<${GENERAL_BLOCK}>`, printFields(model.general), `</${GENERAL_BLOCK}>`);
      general = true;
    } else if (slot === 'extra' && extra < model.extras.length) {
      out.push(model.extras[extra++]);
    } else if (slot === 'root' && model.root !== null && !rootOpen) {
      out.push(`<${model.root}>`);
      rootOpen = true;
    } else if (slot === '/root' && rootOpen) {
      out.push(`</${model.root}>`);
      rootOpen = false;
    }
  }
  if (rootOpen) out.push(`</${model.root}>`);
  return formatPrompt(out.join('\n') + '\n');
}

// ── editing helpers for the composer UI (pure: they return new lists) ──────────────────────────────────────

/** Value of the first field with this tag, or undefined. */
export function getField(fields: readonly ComposerField[], tag: string): string | undefined {
  return fields.find((f) => f.tag === tag)?.value;
}

/**
 * Sets the first field with this tag, or inserts it before the first field that comes later in the official
 * order (CHARACTER_FIELDS / GENERAL_FIELDS), else at the end.
 */
export function setField(fields: readonly ComposerField[], tag: string, value: string): ComposerField[] {
  const i = fields.findIndex((f) => f.tag === tag);
  if (i >= 0) return fields.map((f, k) => (k === i ? { tag, value } : f));
  const official = [...CHARACTER_FIELDS, ...GENERAL_FIELDS].map((d) => d.tag);
  const rank = official.indexOf(tag);
  const before = rank < 0 ? -1 : fields.findIndex((f) => official.indexOf(f.tag) > rank);
  const next = [...fields];
  next.splice(before < 0 ? next.length : before, 0, { tag, value });
  return next;
}

/** Removes every field with this tag. */
export function removeField(fields: readonly ComposerField[], tag: string): ComposerField[] {
  return fields.filter((f) => f.tag !== tag);
}

/** A new character numbered after the highest in the model, with the builder's defaults (`<n>` empty, `1girl`). */
export function newCharacter(model: ComposerModel): ComposerCharacter {
  const index = Math.max(0, ...model.characters.map((c) => c.index)) + 1;
  return { index, fields: [{ tag: 'n', value: '' }, { tag: 'gender', value: '1girl' }] };
}

/** Renumbers the characters 1..n in their current order (what the official character combiner does). */
export function renumberCharacters(model: ComposerModel): ComposerModel {
  return { ...model, characters: model.characters.map((c, i) => ({ ...c, index: i + 1 })) };
}
