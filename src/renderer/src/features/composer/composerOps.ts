/**
 * The composer's edits, as pure functions over the shared composer model (src/shared/prompt/composer.ts):
 * characters added, removed, moved and renumbered, fields set, the position board, and `<count>` kept consistent
 * with the characters' genders (conventions.md §5, the same rule checkPrompt's `count-mismatch` fix applies).
 * The editor text stays the one source of truth: read it with `readComposer`, edit, write with composerToPrompt.
 */
import {
  composerToPrompt,
  detectMode,
  expectedCountTags,
  contradictingCountTags,
  genderOf,
  getField,
  joinTags,
  newCharacter,
  parsePrompt,
  promptToComposer,
  renumberCharacters,
  setField,
  splitTags,
  type ComposerField,
  type ComposerModel,
  type GenderCounts,
  type PromptMode,
} from '../../../../shared/prompt';

export interface ComposerView {
  model: ComposerModel;
  mode: PromptMode;
  /** False when the text has XML syntax errors, or is tags/natural language: edit the text or convert first. */
  editable: boolean;
  /** Why it is not editable, for the user. */
  reason?: string;
}

/** Reads the editor text into the composer model and says whether the composer may write it back. */
export function readComposer(text: string): ComposerView {
  const trimmed = text.trim();
  if (trimmed === '') return { model: promptToComposer(''), mode: 'xml', editable: true };
  const parsed = parsePrompt(text);
  const model = promptToComposer(text);
  if (parsed.mode !== 'xml') {
    const what = parsed.mode === 'tags' ? 'danbooru tags' : 'natural language';
    return {
      model,
      mode: parsed.mode,
      editable: false,
      reason: `The prompt is written as ${what}. Convert it to XML to edit it here.`,
    };
  }
  const error = parsed.diagnostics.find((d) => d.severity === 'error');
  if (error) {
    return {
      model,
      mode: 'xml',
      editable: false,
      reason: `Fix the prompt first (line ${error.line}: ${error.message})`,
    };
  }
  return { model, mode: 'xml', editable: true };
}

/** Gender counts of the characters (a character without a `<gender>` counts as "other", like checkPrompt). */
export function genderCounts(model: ComposerModel): GenderCounts {
  const c: GenderCounts = { girls: 0, boys: 0, others: 0 };
  for (const ch of model.characters) {
    const g = genderOf(getField(ch.fields, 'gender') ?? '');
    if (g === 'girl') c.girls++;
    else if (g === 'boy') c.boys++;
    else c.others++;
  }
  return c;
}

/**
 * `<count>` made consistent with the characters: the implied tags first (`2girls, multiple_girls`), then every
 * other tag the user wrote, minus the ones that contradict the genders. No characters → the model unchanged.
 * Creates `<general_tags>` / `<count>` when missing.
 */
export function syncCount(model: ComposerModel): ComposerModel {
  if (model.characters.length === 0) return model;
  const counts = genderCounts(model);
  const expected = expectedCountTags(counts);
  const current = getField(model.general ?? [], 'count') ?? '';
  const tags = splitTags(current);
  const norm = tags.map((t) => t.toLowerCase().replace(/\s+/g, '_'));
  const contra = new Set(contradictingCountTags(norm.join(','), counts));
  const keep = tags.filter((_, i) => !contra.has(norm[i]) && !expected.includes(norm[i]));
  const value = joinTags([...expected, ...keep]);
  if (value === current.trim() && model.general !== null) return model;
  return { ...model, general: setField(model.general ?? [], 'count', value) };
}

/** Appends a character (`<n>` empty, `1girl`) numbered after the others, then syncs `<count>`. */
export function addCharacter(model: ComposerModel): ComposerModel {
  return syncCount({ ...model, characters: [...model.characters, newCharacter(model)] });
}

/** Removes the character at array position `at`, renumbers 1..n, syncs `<count>`. */
export function removeCharacter(model: ComposerModel, at: number): ComposerModel {
  const characters = model.characters.filter((_, i) => i !== at);
  return syncCount(renumberCharacters({ ...model, characters }));
}

/** Moves the character at `from` to `to` (array positions, clamped) and renumbers 1..n in the new order. */
export function moveCharacter(model: ComposerModel, from: number, to: number): ComposerModel {
  const n = model.characters.length;
  if (from < 0 || from >= n) return model;
  const target = Math.min(Math.max(to, 0), n - 1);
  if (target === from) return model;
  const characters = [...model.characters];
  const [moved] = characters.splice(from, 1);
  characters.splice(target, 0, moved);
  return renumberCharacters({ ...model, characters });
}

/**
 * Sets a field of one character. An empty value clears an existing field but never adds one (the builder leaves
 * empty optional fields out); `<n>` is always kept. A `<gender>` change re-syncs `<count>`.
 */
export function setCharacterField(
  model: ComposerModel,
  at: number,
  tag: string,
  value: string,
): ComposerModel {
  const ch = model.characters[at];
  if (!ch) return model;
  const fields = updateFields(ch.fields, tag, value);
  if (fields === ch.fields) return model;
  const next = { ...model, characters: model.characters.map((c, i) => (i === at ? { ...c, fields } : c)) };
  return tag === 'gender' ? syncCount(next) : next;
}

/** Sets a field of `<general_tags>` (creating the block when needed); same empty-value rule as characters. */
export function setGeneralField(model: ComposerModel, tag: string, value: string): ComposerModel {
  const fields = updateFields(model.general ?? [], tag, value);
  if (fields === model.general) return model;
  return { ...model, general: fields };
}

function updateFields(fields: readonly ComposerField[], tag: string, value: string): ComposerField[] {
  const exists = fields.some((f) => f.tag === tag);
  if (value.trim() === '' && !exists && tag !== 'n') return fields as ComposerField[];
  if (exists && getField(fields, tag) === value) return fields as ComposerField[];
  return setField(fields, tag, value);
}

/**
 * Turns a tags or natural-language prompt into XML the composer can edit: tags go to `<general_tags><other>`,
 * prose to `<caption>`. XML (or empty) text is returned unchanged.
 */
export function convertToXml(text: string): string {
  const body = text.trim();
  if (body === '') return text;
  const mode = detectMode(text);
  if (mode === 'xml') return text;
  const model = promptToComposer('');
  if (mode === 'tags')
    model.general = [{ tag: 'other', value: joinTags(splitTags(body.replace(/\s*[\r\n]+\s*/g, ', '))) }];
  else model.caption = body.replace(/\s*[\r\n]+\s*/g, ' ');
  return composerToPrompt(model);
}

/** Writes the edited model back as prompt text (canonical layout). */
export function writeComposer(model: ComposerModel): string {
  return composerToPrompt(model);
}
