/**
 * The danbooru tag index of the app, loaded once from `resources/danbooru-tags.csv` (shipped with its MIT
 * license, `resources/danbooru-tags.LICENSE`). The app never reads ../shared at run time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StudioError } from '../shared/errors';
import { TagIndex } from '../shared/prompt';
import { resourcesDir } from './paths';

let cached: TagIndex | undefined;

/** Path of the shipped tag list. */
export function tagListPath(): string {
  return join(resourcesDir(), 'danbooru-tags.csv');
}

/**
 * The tag index (~140k tags), built on the first call and cached for the life of the process.
 * Throws StudioError `ModelIncomplete` when the tag list is missing or unreadable (a broken installation) and
 * `InvalidRequest` when a line of it is malformed.
 */
export function loadTagIndex(): TagIndex {
  if (cached) return cached;
  const path = tagListPath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new StudioError(
      'ModelIncomplete',
      `The danbooru tag list cannot be read at ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}).`,
      'Reinstall NewBie Studio, or restore resources/danbooru-tags.csv from the source repository.',
    );
  }
  cached = TagIndex.fromCsv(text);
  return cached;
}
