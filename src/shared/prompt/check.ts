/**
 * Schema checks and diagnostics of a prompt (issue 5; rules in conventions.md §5 and newbie-model.md §3).
 * Errors: what makes the prompt ambiguous. Warnings: what probably is not what the user meant. Infos: notes.
 */
import { parsePrompt } from './parse';
import { splitItems, splitTags, joinTags, type ValueItem } from './items';
import { isBlank } from './text';
import { elementsOf, makeDiagnostic, sliceOf, type ParsedPrompt, type PromptElement, type PromptNode } from './tree';
import { suggestTag } from './suggest';
import type { TagMatch } from './tagIndex';
import { DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode, type PromptCheck, type QuickFix, type SourceRange } from './types';
import {
  CHARACTER_FIELDS, GENERAL_BLOCK, GENERAL_FIELDS, NON_DANBOORU_TAGS, ROOT_TAGS, characterIndex, contradictingCountTags, expectedCountTags,
  genderOf, tagDoc, tagLevel, type GenderCounts, type TagContext, type ValueKind,
} from './vocabulary';

/** What the checker needs of a tag index (TagIndex satisfies it). */
export interface TagLookup {
  lookup(tag: string): TagMatch | undefined;
}

export interface CheckOptions {
  /** Danbooru tag list; without it the unknown-tag infos are skipped and spaced tags are found by shape only. */
  tagIndex?: TagLookup;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const SPACED_TAG = /^[\p{L}\p{N}'.!?+-]+(?:\s+[\p{L}\p{N}'.!?+()-]+){1,3}$/u;
const WEIGHTED = /^\(.*\)$|^\[.*\]$|:\s*[0-9.]+\)?$/;
const characterOnly = new Set(CHARACTER_FIELDS.map((d) => d.tag));
const generalOnly = new Set(GENERAL_FIELDS.map((d) => d.tag));

function placeOf(name: string): string {
  if (name === 'caption') return 'the top level or the `<image>` root';
  if (characterOnly.has(name) && generalOnly.has(name)) return 'a `<character_N>` block or `<general_tags>`';
  if (characterOnly.has(name) || name === 'name') return 'a `<character_N>` block';
  if (name === 'style') return '`<general_tags>` (or before the root, as a style line)';
  if (generalOnly.has(name)) return '`<general_tags>`';
  return 'the top level or the `<image>` root';
}

const code = (s: string) => '`' + s + '`';

function renameFix(el: PromptElement, to: string): QuickFix {
  const edits = [{ range: el.nameRange, newText: to }];
  if (el.closeNameRange) edits.push({ range: el.closeNameRange, newText: to });
  return { title: `Rename to \`<${to}>\``, edits };
}

class Checker {
  readonly out: Diagnostic[];
  private readonly characters: PromptElement[] = [];
  private readonly generals: PromptElement[] = [];

  constructor(
    private readonly p: ParsedPrompt,
    private readonly index: TagLookup | undefined,
  ) {
    this.out = p.diagnostics.map((d) => ({ ...d }));
  }

  private report(c: DiagnosticCode, message: string, range: SourceRange, fix?: QuickFix): void {
    this.out.push(makeDiagnostic(this.p.lines, c, message, range, fix));
  }

  private src(range: SourceRange): string {
    return sliceOf(this.p.text, range);
  }

  run(): Diagnostic[] {
    const body = this.p.text.slice(this.p.bom);
    if (body.trim().length === 0) {
      this.report('empty-prompt', 'The prompt is empty: describe the picture (XML, danbooru tags or a sentence).', {
        start: this.p.bom,
        end: this.p.text.length,
      });
    } else if (this.p.mode === 'xml') {
      this.checkXml();
    } else if (this.p.mode === 'tags') {
      for (const item of splitItems(this.p.text, { start: this.p.bom, end: this.p.text.length }, true)) {
        this.checkTagItem(item, 'tags');
      }
    }
    return this.out.sort(
      (a, b) => a.range.start - b.range.start || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    );
  }

  private checkXml(): void {
    this.visitTop(this.p.nodes, false);
    if (!this.hasValue(this.p.nodes)) {
      this.report('empty-prompt', 'The prompt has tags but no values: fill in at least one field.', {
        start: this.p.bom,
        end: this.p.text.length,
      });
    }
    this.checkCharacters();
    this.checkCount();
  }

  private hasValue(nodes: readonly PromptNode[]): boolean {
    return nodes.some((n) => (n.kind === 'text' ? !isBlank(this.src(n.range)) : n.kind === 'element' && this.hasValue(n.children)));
  }

  private trimmedRange(range: SourceRange): SourceRange {
    const s = this.src(range);
    const lead = s.length - s.replace(/^[ \t\r\n]+/, '').length;
    return { start: range.start + lead, end: range.start + s.replace(/[ \t\r\n]+$/, '').length };
  }

  private visitTop(nodes: readonly PromptNode[], insideRoot: boolean): void {
    for (const node of nodes) {
      if (node.kind === 'text') {
        if (isBlank(this.src(node.range))) continue;
        const r = this.trimmedRange(node.range);
        const shown = this.src(r);
        this.report(
          'text-outside-tags',
          `Text outside any tag: ${code(shown.length > 40 ? shown.slice(0, 40) + '…' : shown)}. Put it in a field (a \`<character_N>\` field, \`<general_tags>\` or \`<caption>\`) or remove it.`,
          r,
        );
        continue;
      }
      if (node.kind !== 'element') continue;
      const name = node.name;
      if (ROOT_TAGS.includes(name)) {
        if (insideRoot) this.report('misplaced-tag', `\`<${name}>\` inside another root element: use one root at most.`, node.openTag);
        this.visitTop(node.children, true);
      } else if (characterIndex(name) !== null) {
        this.characters.push(node);
        this.visitBlock(node, 'character');
      } else if (name === GENERAL_BLOCK) {
        this.generals.push(node);
        this.visitBlock(node, 'general');
      } else if (name === 'caption' || name === 'style') {
        this.checkLeaf(node, 'text');
      } else if (tagLevel(name) === 'field') {
        this.report('misplaced-tag', `\`<${name}>\` belongs inside ${placeOf(name)}.`, node.openTag);
        this.checkLeaf(node, tagDoc(name, 'character')?.value ?? tagDoc(name, 'general')?.value ?? 'text');
      } else {
        this.unknownTag(node, 'top');
      }
    }
  }

  private visitBlock(block: PromptElement, context: TagContext): void {
    for (const node of block.children) {
      if (node.kind === 'text') {
        if (isBlank(this.src(node.range))) continue;
        this.report(
          'loose-text',
          `Text directly inside \`<${block.name}>\` belongs to no field: put it in a field such as ${context === 'character' ? '`<appearance>`' : '`<other>`'}.`,
          this.trimmedRange(node.range),
        );
        continue;
      }
      if (node.kind !== 'element') continue;
      const doc = tagDoc(node.name, context);
      if (doc) {
        this.checkLeaf(node, doc.value);
      } else if (node.name === 'name' && context === 'character') {
        this.report('name-instead-of-n', 'NewBie writes the character name as `<n>`, not `<name>` (official README).', node.openTag, renameFix(node, 'n'));
        this.checkLeaf(node, 'character');
      } else if (tagLevel(node.name) !== null) {
        this.report('misplaced-tag', `\`<${node.name}>\` does not belong in \`<${block.name}>\`: it goes in ${placeOf(node.name)}.`, node.openTag);
        this.checkLeaf(node, 'text');
      } else {
        this.unknownTag(node, context);
      }
    }
  }

  private unknownTag(el: PromptElement, context: TagContext): void {
    const hint = suggestTag(el.name, context);
    const where = context === 'top' ? 'at the top level' : `in a ${context === 'character' ? '`<character_N>` block' : '`<general_tags>` block'}`;
    this.report(
      'unknown-tag',
      `Unknown tag \`<${el.name}>\` ${where}${hint ? `: did you mean \`<${hint}>\`?` : '.'} The model reads it as plain text.`,
      el.openTag,
      hint ? renameFix(el, hint) : undefined,
    );
    this.checkLeaf(el, 'text');
  }

  /** Raw markup characters in any leaf, then the tag checks its value kind asks for. */
  private checkLeaf(el: PromptElement, kind: ValueKind): void {
    if (el.children.some((c) => c.kind === 'element')) return;
    const items = splitItems(this.p.text, el.content);
    this.checkRawChars(items);
    if (kind === 'tags' || kind === 'character' || kind === 'artists') {
      for (const item of items) this.checkTagItem(item, kind);
    }
  }

  private checkRawChars(items: ValueItem[]): void {
    const raw = this.p.rawChars;
    for (const item of items) {
      const chars = raw.filter((o) => o >= item.range.start && o < item.range.end).map((o) => this.p.text[o]);
      if (chars.length === 0) continue;
      const kinds = [...new Set(chars)].map((c) => code(c)).join(', ');
      this.report(
        'raw-markup-char',
        `${code(item.text)} contains ${kinds} as plain text: kept as written (the model sees it), but strict XML tools would need \`&lt;\`, \`&gt;\`, \`&amp;\`.`,
        item.range,
      );
    }
  }

  private checkTagItem(item: ValueItem, kind: 'tags' | 'character' | 'artists'): void {
    let name = item.text.replace(/\\([()])/g, '$1');
    if (/^\$.*\$$/.test(name)) return; // `$character_1$` placeholder of the official README
    let prefixed = false;
    if (kind === 'artists' && /^(artist:|by\s+)/i.test(name)) {
      name = name.replace(/^(artist:|by\s+)/i, '');
      prefixed = true;
    }
    const spaced = /\s/.test(name);
    const underscored = name.trim().replace(/\s+/g, '_');
    const replace = (to: string, title: string): QuickFix | undefined =>
      prefixed ? undefined : { title, edits: [{ range: item.range, newText: to }] };
    if (!this.index) {
      if (spaced && SPACED_TAG.test(name)) {
        this.report('tag-spaces', `${code(item.text)} is written with spaces: danbooru tags use underscores (${code(underscored)}).`, item.range, replace(underscored, `Replace with \`${underscored}\``));
      }
      return;
    }
    const hit = this.index.lookup(name);
    if (hit) {
      if (hit.alias !== undefined) {
        this.report('danbooru-alias', `${code(name)} is an alias of the danbooru tag ${code(hit.tag)}.`, item.range, replace(hit.tag, `Replace with \`${hit.tag}\``));
      }
      return;
    }
    if (spaced) {
      const fixed = this.index.lookup(underscored);
      if (fixed) {
        this.report('tag-spaces', `${code(item.text)} is written with spaces: the danbooru tag is ${code(fixed.tag)}.`, item.range, replace(fixed.tag, `Replace with \`${fixed.tag}\``));
        return;
      }
    }
    if (WEIGHTED.test(name) || NON_DANBOORU_TAGS.has(underscored.toLowerCase())) return;
    const what = kind === 'character' ? 'character tag' : kind === 'artists' ? 'artist tag' : 'tag';
    this.report('unknown-danbooru-tag', `${code(name)} is not a danbooru ${what} in the list; the model may not know it.`, item.range);
  }

  private checkCharacters(): void {
    const first = new Map<number, PromptElement>();
    const used = this.characters.map((c) => characterIndex(c.name) as number);
    let next = Math.max(0, ...used) + 1;
    for (const el of this.characters) {
      const n = characterIndex(el.name) as number;
      const earlier = first.get(n);
      if (earlier) {
        const line = this.p.lines.position(earlier.openTag.start).line;
        this.report('duplicate-character', `\`<${el.name}>\` is used twice (first on line ${line}): each character needs its own number.`, el.openTag, renameFix(el, `character_${next}`));
        next++;
      } else {
        first.set(n, el);
      }
    }
    let expected = 1;
    for (const n of [...first.keys()].sort((a, b) => a - b)) {
      const el = first.get(n) as PromptElement;
      if (n < expected) {
        this.report('character-gap', `Characters are numbered from 1: rename \`<${el.name}>\`.`, el.openTag);
      } else if (n > expected) {
        const missing = n - expected === 1 ? `\`<character_${expected}>\` is` : `\`<character_${expected}>\` … \`<character_${n - 1}>\` are`;
        this.report('character-gap', `${missing} missing before \`<${el.name}>\`: number the characters 1, 2, 3 … without gaps.`, el.openTag);
      }
      expected = Math.max(expected, n + 1);
    }
  }

  private checkCount(): void {
    if (this.characters.length === 0) return;
    const counts: GenderCounts = { girls: 0, boys: 0, others: 0 };
    for (const el of this.characters) {
      const g = elementsOf(el.children).find((c) => c.name === 'gender');
      const gender = g ? genderOf(this.src(g.content)) : null;
      if (gender === 'girl') counts.girls++;
      else if (gender === 'boy') counts.boys++;
      else counts.others++;
    }
    const expected = expectedCountTags(counts);
    const who = describe(counts);
    const countEl = this.generals.flatMap((g) => elementsOf(g.children)).find((c) => c.name === 'count');
    if (!countEl) {
      const at = this.generals[0]?.openTag ?? this.characters[this.characters.length - 1].openTag;
      if (expected.length > 0) {
        const where = this.generals.length > 0 ? 'No `<count>` in `<general_tags>`' : 'No `<general_tags>` with a `<count>`';
        this.report('missing-count', `${where}: for ${who} it would be ${code(joinTags(expected))}.`, at);
      }
      return;
    }
    const value = this.src(countEl.content);
    const have = splitTags(value).map((t) => t.toLowerCase().replace(/\s+/g, '_'));
    const missing = expected.filter((t) => !have.includes(t));
    const contra = contradictingCountTags(have.join(','), counts);
    if (missing.length === 0 && contra.length === 0) return;
    const keep = splitTags(value).filter((t, i) => !contra.includes(have[i]) && !expected.includes(have[i]));
    const fixed = joinTags([...expected, ...keep]);
    const problems = [
      missing.length ? `lacks ${code(joinTags(missing))}` : '',
      contra.length ? `contradicts them with ${code(joinTags(contra))}` : '',
    ].filter(Boolean);
    this.report(
      'count-mismatch',
      `\`<count>\` ${problems.join(' and ')}: the characters are ${who}, so write ${code(fixed)}.`,
      countEl.range,
      { title: `Set \`<count>\` to \`${fixed}\``, edits: [{ range: countEl.content, newText: fixed }] },
    );
  }
}

function describe(c: GenderCounts): string {
  const part = (n: number, one: string, many: string) => (n === 0 ? '' : `${n} ${n === 1 ? one : many}`);
  const parts = [part(c.girls, 'girl', 'girls'), part(c.boys, 'boy', 'boys'), part(c.others, 'other character', 'other characters')];
  return parts.filter(Boolean).join(' and ');
}

/**
 * Checks a prompt: syntax errors, schema warnings, count and numbering rules, danbooru tag notes.
 * Never throws. Diagnostics are sorted by position, errors first at equal positions.
 * @param text prompt as stored (BOM, CRLF allowed)
 * @param options.tagIndex danbooru tag index for the spaces/alias/unknown-tag checks
 */
export function checkPrompt(text: string, options: CheckOptions = {}): PromptCheck {
  const parsed = parsePrompt(text);
  const diagnostics = new Checker(parsed, options.tagIndex).run();
  return { mode: parsed.mode, diagnostics };
}

/** True when any diagnostic is an error (the CLI's exit 1, the UI's Generate guard). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export { DIAGNOSTIC_CODES };
