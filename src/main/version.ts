import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths';

let cached: string | undefined;

/** The app version from package.json (one source of truth for CLI, PNG metadata and the UI). */
export function appVersion(): string {
  if (cached === undefined) {
    try {
      cached = String(JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version);
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}
