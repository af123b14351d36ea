/**
 * Language features of the NewBie prompt in Monaco: context-aware tag-name completion (fields of `<character_N>`
 * vs `<general_tags>`, blocks at the top level), danbooru tag completion inside values (field-aware, ranked by post
 * count, with category colours and aliases; served by the main process's 140k-tag index over
 * `prompt.completeTags`), hover docs, quick fixes from the checker's diagnostics, and format document.
 */
import {
  CHARACTER_FIELDS,
  GENERAL_FIELDS,
  POSITIONS,
  TOP_LEVEL_TAGS,
  formatPrompt,
  tagDoc,
  type Diagnostic,
  type TagDoc,
  type TagMatch,
} from '../../../../shared/prompt';
import { shortCount } from '../../lib/format';
import { call } from '../../lib/invoke';
import { directMatchesFirst } from '../../lib/tagMatches';
import { CATEGORY_KIND, LANGUAGE_ID } from './language';
import { monaco } from './monaco';
import { cursorContext, elementAt, wordAt } from './promptContext';
import { characterSnippet } from './snippets';
import { minimalReplacement } from './textEdit';

type Model = monaco.editor.ITextModel;
const Kind = monaco.languages.CompletionItemKind;
const Snippet = monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet;

/** Latest diagnostics per model (by URI) with the model version they were computed for, for quick fixes. */
const diagnosticsByModel = new Map<string, { version: number; diagnostics: Diagnostic[] }>();

/** Records the diagnostics shown as markers, so code actions can offer their fixes. */
export function rememberDiagnostics(model: Model, version: number, diagnostics: Diagnostic[]): void {
  diagnosticsByModel.set(model.uri.toString(), { version, diagnostics });
}

const rangeOf = (model: Model, start: number, end: number): monaco.IRange => {
  const s = model.getPositionAt(start);
  const e = model.getPositionAt(end);
  return {
    startLineNumber: s.lineNumber,
    startColumn: s.column,
    endLineNumber: e.lineNumber,
    endColumn: e.column,
  };
};

function fieldItems(docs: readonly TagDoc[], range: monaco.IRange): monaco.languages.CompletionItem[] {
  return docs.map((d, i) => ({
    label: d.tag,
    kind: Kind.Property,
    detail: d.value === 'tags' ? 'danbooru tags' : d.value,
    documentation: { value: d.doc },
    insertText: `${d.tag}>$0</${d.tag}>`,
    insertTextRules: Snippet,
    sortText: String(i).padStart(3, '0'),
    range,
  }));
}

function tagNameItems(
  model: Model,
  position: monaco.Position,
  ctx: Extract<ReturnType<typeof cursorContext>, { kind: 'tag' }>,
): monaco.languages.CompletionItem[] {
  const offset = model.getOffsetAt(position);
  // Replace the typed name and a `>` right after the cursor, so accepting inside `<|>` does not double it.
  const after = model.getValue().slice(offset, offset + 1) === '>' ? 1 : 0;
  const range = rangeOf(model, ctx.nameStart, offset + after);
  if (ctx.closing) {
    return ctx.openElement
      ? [{ label: ctx.openElement, kind: Kind.Property, insertText: `${ctx.openElement}>`, range }]
      : [];
  }
  if (ctx.context === 'character') return fieldItems(CHARACTER_FIELDS, range);
  if (ctx.context === 'general') return fieldItems(GENERAL_FIELDS, range);
  const n = ctx.lastCharacter + 1;
  const doc = (tag: string) => ({ value: TOP_LEVEL_TAGS.find((d) => d.tag === tag)?.doc ?? '' });
  return [
    {
      label: `character_${n}`,
      kind: Kind.Snippet,
      detail: 'new character block',
      documentation: doc('character_N'),
      insertText: characterSnippet(n, false),
      insertTextRules: Snippet,
      sortText: '0',
      range,
    },
    {
      label: 'general_tags',
      kind: Kind.Snippet,
      detail: 'scene tags block',
      documentation: doc('general_tags'),
      insertText:
        'general_tags>\n  <count>$1</count>\n  <style>$2</style>\n  <background>$3</background>\n  <quality>$4</quality>\n</general_tags>\n$0',
      insertTextRules: Snippet,
      sortText: '1',
      range,
    },
    {
      label: 'caption',
      kind: Kind.Property,
      documentation: doc('caption'),
      insertText: 'caption>$0</caption>',
      insertTextRules: Snippet,
      sortText: '2',
      range,
    },
  ];
}

const FIXED_VALUES: Record<string, readonly string[]> = {
  gender: ['1girl', '1boy', '1other'],
  position: POSITIONS,
};

async function valueItems(
  model: Model,
  position: monaco.Position,
  ctx: Extract<ReturnType<typeof cursorContext>, { kind: 'value' }>,
): Promise<monaco.languages.CompletionList> {
  const offset = model.getOffsetAt(position);
  const range = rangeOf(model, ctx.itemStart, offset);
  const fixed = FIXED_VALUES[ctx.field];
  if (fixed) {
    const items = fixed
      .filter((v) => v.startsWith(ctx.prefix.toLowerCase()))
      .map((v, i) => ({
        label: v,
        kind: Kind.EnumMember,
        insertText: v,
        sortText: String(i).padStart(3, '0'),
        range,
      }));
    if (ctx.field === 'position') return { suggestions: items };
    if (items.length > 0 && ctx.prefix.length < 2) return { suggestions: items };
  }
  if (ctx.prefix.trim().length === 0) return { suggestions: [] };
  let matches: TagMatch[];
  try {
    matches = await call('prompt.completeTags', { prefix: ctx.prefix, field: ctx.field, limit: 30 });
  } catch {
    return { suggestions: [] };
  }
  const suggestions = directMatchesFirst(matches).map((m, i): monaco.languages.CompletionItem => ({
    label: {
      label: m.tag,
      detail: m.alias ? `  ← ${m.alias}` : undefined,
      description: `${m.category} · ${shortCount(m.count)}`,
    },
    kind: CATEGORY_KIND[m.category],
    insertText: m.tag,
    // The server already matched the prefix (spaces read as underscores); keep Monaco's fuzzy filter from hiding it.
    filterText: ctx.prefix,
    sortText: String(i).padStart(4, '0'),
    documentation: {
      value: `**${m.tag}** — danbooru ${m.category} tag, ${m.count.toLocaleString('en-US')} posts${m.alias ? ` (alias \`${m.alias}\`)` : ''}`,
    },
    range,
  }));
  return { suggestions, incomplete: true };
}

function completionProvider(): monaco.languages.CompletionItemProvider {
  return {
    triggerCharacters: ['<', '/', ',', ' '],
    async provideCompletionItems(model, position) {
      const ctx = cursorContext(model.getValue(), model.getOffsetAt(position));
      if (ctx.kind === 'tag') return { suggestions: tagNameItems(model, position, ctx) };
      if (ctx.kind === 'value') return valueItems(model, position, ctx);
      const word = model.getWordUntilPosition(position);
      const range = {
        startLineNumber: position.lineNumber,
        endLineNumber: position.lineNumber,
        startColumn: word.startColumn,
        endColumn: word.endColumn,
      };
      const n = (model.getValue().match(/<character_(\d+)>/g) ?? []).length + 1;
      return {
        suggestions: [
          {
            label: `character_${n} block`,
            kind: Kind.Snippet,
            detail: 'new character block',
            insertText: characterSnippet(n),
            insertTextRules: Snippet,
            range,
          },
        ],
      };
    },
  };
}

function hoverProvider(): monaco.languages.HoverProvider {
  return {
    async provideHover(model, position) {
      const text = model.getValue();
      const offset = model.getOffsetAt(position);
      const w = wordAt(text, offset);
      if (!w) return null;
      const range = rangeOf(model, w.start, w.end);
      if (w.inTag) {
        const el = elementAt(text, offset);
        const doc = el ? tagDoc(el.name, el.context) : undefined;
        return doc
          ? {
              range,
              contents: [
                { value: '`<' + (doc.tag === 'character_N' ? el?.name : doc.tag) + '>`' },
                { value: doc.doc },
              ],
            }
          : null;
      }
      const ctx = cursorContext(text, offset);
      if (ctx.kind !== 'value' || ctx.field === 'position' || ctx.field === 'caption') return null;
      let matches: TagMatch[];
      try {
        matches = await call('prompt.completeTags', { prefix: w.word, limit: 10 });
      } catch {
        return null;
      }
      const needle = w.word.toLowerCase();
      const hit =
        matches.find((m) => m.tag === needle && !m.alias) ??
        matches.find((m) => m.tag === needle || m.alias === needle);
      if (!hit) return { range, contents: [{ value: `\`${w.word}\` is not in the danbooru tag list.` }] };
      const alias = hit.alias === needle ? ` — alias of \`${hit.tag}\`` : '';
      return {
        range,
        contents: [
          { value: `**${hit.tag}**${alias}` },
          { value: `danbooru ${hit.category} tag · ${hit.count.toLocaleString('en-US')} posts` },
        ],
      };
    },
  };
}

function codeActionProvider(): monaco.languages.CodeActionProvider {
  return {
    provideCodeActions(model, range, context) {
      const known = diagnosticsByModel.get(model.uri.toString());
      if (!known || known.version !== model.getVersionId()) return { actions: [], dispose() {} };
      const actions: monaco.languages.CodeAction[] = [];
      for (const d of known.diagnostics) {
        if (!d.fix) continue;
        const r = rangeOf(model, d.range.start, d.range.end);
        if (!monaco.Range.areIntersectingOrTouching(r, range)) continue;
        const marker = context.markers.find(
          (m) =>
            m.code === d.code && m.startLineNumber === r.startLineNumber && m.startColumn === r.startColumn,
        );
        actions.push({
          title: d.fix.title,
          kind: 'quickfix',
          diagnostics: marker ? [marker] : undefined,
          isPreferred: true,
          edit: {
            edits: d.fix.edits.map((e) => ({
              resource: model.uri,
              versionId: known.version,
              textEdit: { range: rangeOf(model, e.range.start, e.range.end), text: e.newText },
            })),
          },
        });
      }
      return { actions, dispose() {} };
    },
  };
}

function formattingProvider(): monaco.languages.DocumentFormattingEditProvider {
  return {
    provideDocumentFormattingEdits(model) {
      const text = model.getValue();
      const r = minimalReplacement(text, formatPrompt(text));
      return r ? [{ range: rangeOf(model, r.start, r.end), text: r.text }] : [];
    },
  };
}

let registered = false;

/** Registers completion, hover, quick fixes and formatting for the NewBie language once. */
export function registerNewbieProviders(): void {
  if (registered) return;
  registered = true;
  monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, completionProvider());
  monaco.languages.registerHoverProvider(LANGUAGE_ID, hoverProvider());
  monaco.languages.registerCodeActionProvider(LANGUAGE_ID, codeActionProvider(), {
    providedCodeActionKinds: ['quickfix'],
  });
  monaco.languages.registerDocumentFormattingEditProvider(LANGUAGE_ID, formattingProvider());
}
