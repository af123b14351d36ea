/** Test inputs from ../shared (tests may read it; the app never does). With CI=true a missing folder fails. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED = resolve(__dirname, '../../../../../shared');
export const PROMPTS_DIR = join(SHARED, 'prompts');
export const TAGS_CSV = join(SHARED, 'data', 'danbooru-tags.csv');

/** True when ../shared is present; when CI=true its absence is an error, not a skip. */
export function haveShared(): boolean {
  const ok = existsSync(PROMPTS_DIR) && existsSync(TAGS_CSV);
  if (!ok && process.env['CI'] === 'true') throw new Error(`${SHARED} is missing (CI=true: golden inputs are required)`);
  return ok;
}

/** The sample prompts of ../shared/prompts, by file name. */
export function samplePrompts(): { name: string; text: string }[] {
  return readdirSync(PROMPTS_DIR)
    .filter((f) => f !== 'README.md')
    .sort()
    .map((name) => ({ name, text: readFileSync(join(PROMPTS_DIR, name), 'utf8') }));
}

/**
 * Independent offset → 1-based line/column: walks the text, counting CRLF, LF and CR as one break each and
 * skipping a leading BOM, in UTF-16 code units.
 */
export function naivePosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  const start = text.startsWith('\uFEFF') ? 1 : 0;
  for (let i = start; i < offset; i++) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n') {
      // The pair is one break once both characters lie before the offset; an offset between them sits after the CR.
      if (i + 1 === offset) {
        column++;
        break;
      }
      continue;
    }
    if (c === '\n' || c === '\r') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

/** Line (1-based) of the first line of `lines` that contains `marker`, searching from line `from`. */
export function lineOf(lines: readonly string[], marker: string, from = 1): number {
  const i = lines.findIndex((l, k) => k + 1 >= from && l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not found`);
  return i + 1;
}

let index: import('../../../../src/shared/prompt').TagIndex | undefined;
/** The full danbooru index built from ../shared/data, once per test file. */
export async function fullIndex(): Promise<import('../../../../src/shared/prompt').TagIndex> {
  const { TagIndex } = await import('../../../../src/shared/prompt');
  index ??= TagIndex.fromCsv(readFileSync(TAGS_CSV, 'utf8'));
  return index;
}
