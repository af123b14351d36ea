/**
 * The NewBie XML prompt language for Monaco: id, tokenizer (Monarch), brackets and comments, and the dark/light
 * themes. Token classes: `tag.block` (`<character_N>`, `<general_tags>`, roots), `tag` (fields), `delimiter.tag`,
 * `value` (danbooru tags), `delimiter.comma`, `value.raw` (raw `<`/`&` inside values, conventions.md §5),
 * `string.escape` (entities), `comment`.
 * Danbooru category colours (general blue, artist red, copyright purple, character green, meta orange) are
 * danbooru's own; completion icons use them through the symbol-icon theme colours (see CATEGORY_KIND).
 */
import { monaco } from './monaco';
import type { TagCategory } from '../../../../shared/prompt';

export const LANGUAGE_ID = 'newbie-xml';
export const THEME_DARK = 'newbie-dark';
export const THEME_LIGHT = 'newbie-light';

/** Danbooru's category colours (dark, light). */
export const CATEGORY_COLOURS: Record<TagCategory, [string, string]> = {
  general: ['#4ea4ff', '#0066cc'],
  artist: ['#ff6b6b', '#c41e1e'],
  copyright: ['#c890ff', '#8a2be2'],
  character: ['#4cd964', '#1a8a2a'],
  meta: ['#ff9f43', '#c76a00'],
};

/** Completion item kind per category: each kind's icon takes its category colour from the theme. */
export const CATEGORY_KIND: Record<TagCategory, monaco.languages.CompletionItemKind> = {
  general: monaco.languages.CompletionItemKind.Value,
  artist: monaco.languages.CompletionItemKind.Event,
  copyright: monaco.languages.CompletionItemKind.Module,
  character: monaco.languages.CompletionItemKind.Class,
  meta: monaco.languages.CompletionItemKind.Constant,
};

const ICON_COLOUR_KEY: Record<TagCategory, string> = {
  general: 'symbolIcon.valueForeground',
  artist: 'symbolIcon.eventForeground',
  copyright: 'symbolIcon.moduleForeground',
  character: 'symbolIcon.classForeground',
  meta: 'symbolIcon.constantForeground',
};

const monarch: monaco.languages.IMonarchLanguage = {
  defaultToken: 'value',
  tokenizer: {
    root: [
      [/<!--/, 'comment', '@comment'],
      [
        /(<\/?)(character_\d+|general_tags|image|document)(\s*\/?>)/,
        ['delimiter.tag', 'tag.block', 'delimiter.tag'],
      ],
      [/(<\/?)([A-Za-z_][\w.:-]*)([^<>]*?)(\/?>)/, ['delimiter.tag', 'tag', 'attribute', 'delimiter.tag']],
      [/&(?:[A-Za-z_][\w.-]*|#\d+|#x[0-9A-Fa-f]+);/, 'string.escape'],
      [/,/, 'delimiter.comma'],
      [/[^<,&]+/, 'value'],
      [/[<&]/, 'value.raw'],
    ],
    comment: [
      [/-->/, 'comment', '@pop'],
      [/[^-]+/, 'comment'],
      [/./, 'comment'],
    ],
  },
};

const configuration: monaco.languages.LanguageConfiguration = {
  comments: { blockComment: ['<!--', '-->'] },
  brackets: [['<', '>']],
  // Tags such as `>_<` contain brackets: never auto-close or auto-surround them.
  autoClosingPairs: [],
  surroundingPairs: [],
  // A danbooru tag is everything between commas and markup; `:`, `(`, `'` are part of tags like `rem_(re:zero)`.
  wordPattern: /[^\s,<>/]+/,
  folding: {
    markers: {
      start: /^\s*<(character_\d+|general_tags|image|document)>/,
      end: /^\s*<\/(character_\d+|general_tags|image|document)>/,
    },
  },
};

function themeColours(dark: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [cat, key] of Object.entries(ICON_COLOUR_KEY) as Array<[TagCategory, string]>)
    out[key] = CATEGORY_COLOURS[cat][dark ? 0 : 1];
  return out;
}

/** Token colours (dark, light) of the two themes; the font style is the same in both. */
const TOKEN_STYLES: Array<{ token: string; colours: [string, string]; fontStyle?: string }> = [
  { token: 'tag.block', colours: ['c792ea', '7a3eb1'], fontStyle: 'bold' },
  { token: 'tag', colours: ['7fb4ff', '0b5cad'] },
  { token: 'attribute', colours: ['f78c6c', 'a34a00'] },
  { token: 'delimiter.tag', colours: ['6c7a89', '7b8794'] },
  { token: 'delimiter.comma', colours: ['6c7a89', '7b8794'] },
  { token: 'value', colours: ['e6e6e6', '1f2328'] },
  { token: 'value.raw', colours: ['ffcb6b', 'a35a00'], fontStyle: 'bold' },
  { token: 'string.escape', colours: ['ffcb6b', 'a35a00'] },
  { token: 'comment', colours: ['7f8c8d', '6a737d'], fontStyle: 'italic' },
];

let registered = false;

/** Registers the language and both themes once (idempotent). */
export function registerNewbieLanguage(): void {
  if (registered) return;
  registered = true;
  monaco.languages.register({ id: LANGUAGE_ID, extensions: ['.xml'], aliases: ['NewBie XML prompt'] });
  monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, monarch);
  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, configuration);
  for (const dark of [true, false]) {
    monaco.editor.defineTheme(dark ? THEME_DARK : THEME_LIGHT, {
      base: dark ? 'vs-dark' : 'vs',
      inherit: true,
      rules: TOKEN_STYLES.map(({ token, colours, fontStyle }) => ({
        token,
        foreground: colours[dark ? 0 : 1],
        ...(fontStyle && { fontStyle }),
      })),
      colors: { 'editor.background': dark ? '#15171c' : '#fbfbfc', ...themeColours(dark) },
    });
  }
}

/** Syntax-highlighted HTML of a prompt (Monaco's colorizer; the text is escaped by Monaco). */
export function colorizePrompt(text: string): Promise<string> {
  registerNewbieLanguage();
  return monaco.editor.colorize(text, LANGUAGE_ID, { tabSize: 2 });
}
