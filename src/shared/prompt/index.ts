/**
 * The NewBie XML prompt language, shared by the editor (renderer) and the pipeline (main). Platform-free.
 *
 * - parsePrompt(text): tree with source ranges, never throws
 * - checkPrompt(text, {tagIndex?}) → {mode, diagnostics}
 * - detectMode(text): 'xml' | 'tags' | 'natural' (xml picks the XML system prompt)
 * - formatPrompt(text): canonical layout
 * - promptToComposer(text) / composerToPrompt(model): visual composer model ⇄ XML
 * - encoderText(text): what the text encoders receive (BOM removed, nothing else)
 * - TagIndex: danbooru tag lookup and completion
 */
export { parsePrompt } from './parse';
export { checkPrompt, hasErrors, type CheckOptions, type TagLookup } from './check';
export { detectMode, looksLikeXml } from './scan';
export { formatPrompt } from './format';
export {
  promptToComposer,
  composerToPrompt,
  emptyComposer,
  getField,
  setField,
  removeField,
  newCharacter,
  renumberCharacters,
  type ComposerModel,
  type ComposerCharacter,
  type ComposerField,
  type ComposerSlot,
} from './composer';
export { encoderText, bomLength, LineIndex, type LineColumn } from './text';
export { TagIndex, categoryForField, normalizeTag, type TagMatch, type TagCategory, type CompleteOptions } from './tagIndex';
export { splitItems, splitTags, joinTags, type ValueItem } from './items';
export { suggestTag } from './suggest';
export {
  CHARACTER_FIELDS,
  GENERAL_FIELDS,
  TOP_LEVEL_TAGS,
  ROOT_TAGS,
  GENERAL_BLOCK,
  NON_DANBOORU_TAGS,
  COUNT,
  POSITION,
  POSITION_BOARD,
  POSITIONS,
  characterIndex,
  tagDoc,
  tagsFor,
  tagLevel,
  genderOf,
  countTag,
  expectedCountTags,
  contradictingCountTags,
  positionCell,
  positionAt,
  type TagDoc,
  type TagContext,
  type TagLevel,
  type ValueKind,
  type Gender,
  type GenderCounts,
} from './vocabulary';
export { elementsOf, walkElements, sliceOf, type ParsedPrompt, type PromptElement, type PromptNode, type PromptText, type PromptComment } from './tree';
export {
  DIAGNOSTIC_CODES,
  type Diagnostic,
  type DiagnosticCode,
  type PromptCheck,
  type PromptMode,
  type QuickFix,
  type Severity,
  type SourceRange,
  type TextEdit,
} from './types';
