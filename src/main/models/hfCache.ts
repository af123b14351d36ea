/**
 * The Hugging Face cache: where it is, and how a repo folder maps to a snapshot of symlinks.
 * Layout (huggingface_hub "Manage the cache" docs): `<cache>/models--<org>--<name>/{refs/main, snapshots/<rev>/…, blobs/<sha>}`;
 * `<cache>` = HF_HUB_CACHE, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OFFICIAL_REPO } from './defaults';

/** `org/name` → `models--org--name`. */
export function repoFolderName(repo: string): string {
  return `models--${repo.split('/').join('--')}`;
}

/** The hub cache folder per huggingface_hub's rules (it may not exist). */
export function hfHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['HF_HUB_CACHE']) return env['HF_HUB_CACHE'];
  if (env['HF_HOME']) return join(env['HF_HOME'], 'hub');
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg ? xdg : join(homedir(), '.cache'), 'huggingface', 'hub');
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export interface SnapshotChoice {
  snapshot: string;
  revision: string;
  note: string;
}

/**
 * Picks the snapshot of a `models--org--name` folder: the one `refs/main` names, else the most recently modified.
 * @returns undefined when the folder has no snapshot.
 */
export function pickSnapshot(repoDir: string): SnapshotChoice | undefined {
  const snapshots = join(repoDir, 'snapshots');
  if (!isDir(snapshots)) return undefined;
  const revs = readdirSync(snapshots).filter((r) => isDir(join(snapshots, r)));
  if (revs.length === 0) return undefined;
  const refMain = join(repoDir, 'refs', 'main');
  if (existsSync(refMain)) {
    const rev = readFileSync(refMain, 'utf8').trim();
    if (revs.includes(rev)) return { snapshot: join(snapshots, rev), revision: rev, note: `Hugging Face cache: using snapshot ${rev} (refs/main)` };
  }
  revs.sort((a, b) => statSync(join(snapshots, b)).mtimeMs - statSync(join(snapshots, a)).mtimeMs || (a < b ? -1 : 1));
  const rev = revs[0];
  return { snapshot: join(snapshots, rev), revision: rev, note: `Hugging Face cache: using the newest snapshot ${rev} (no refs/main)` };
}

/**
 * Maps a folder the user chose to the model root: a hub cache folder (containing `models--…`), a `models--…` repo
 * folder, or a plain model folder (returned as is). Prefers the official repo when a cache holds several.
 */
export function resolveCacheFolder(dir: string): { root: string; notes: string[] } {
  if (isDir(join(dir, 'snapshots'))) {
    const pick = pickSnapshot(dir);
    if (pick) return { root: pick.snapshot, notes: [pick.note] };
  }
  for (const cacheDir of [dir, join(dir, 'hub')]) {
    if (!isDir(cacheDir)) continue;
    const repos = readdirSync(cacheDir).filter((n) => n.startsWith('models--') && isDir(join(cacheDir, n)));
    const official = repos.find((n) => n === repoFolderName(OFFICIAL_REPO));
    const chosen = official ?? (repos.length === 1 ? repos[0] : undefined);
    if (chosen) {
      const pick = pickSnapshot(join(cacheDir, chosen));
      if (pick) return { root: pick.snapshot, notes: [pick.note] };
    }
  }
  return { root: dir, notes: [] };
}

export interface HfCacheModel {
  /** `org/name` from the folder name. */
  repo: string;
  snapshot: string;
  revision: string;
}

/**
 * Lists cached repos that look like a NewBie model package (a snapshot with `transformer/` and `vae/`, or whose
 * model_index.json names a NextDiT transformer), official repo first. For the first-run screen.
 * @param env where to look (HF_HUB_CACHE / HF_HOME / XDG_CACHE_HOME / home).
 */
export function listHfCacheModelSnapshots(env: NodeJS.ProcessEnv = process.env): HfCacheModel[] {
  const cacheDir = hfHubCacheDir(env);
  if (!isDir(cacheDir)) return [];
  const out: HfCacheModel[] = [];
  for (const name of readdirSync(cacheDir).sort()) {
    if (!name.startsWith('models--')) continue;
    const pick = pickSnapshot(join(cacheDir, name));
    if (!pick) continue;
    let looksLikeNewBie = isDir(join(pick.snapshot, 'transformer')) && isDir(join(pick.snapshot, 'vae'));
    const index = join(pick.snapshot, 'model_index.json');
    if (!looksLikeNewBie && existsSync(index)) {
      try {
        looksLikeNewBie = /NextDiT/i.test(JSON.stringify(JSON.parse(readFileSync(index, 'utf8'))['transformer'] ?? ''));
      } catch {
        looksLikeNewBie = false;
      }
    }
    if (!looksLikeNewBie) continue;
    out.push({ repo: name.slice('models--'.length).replace('--', '/'), snapshot: pick.snapshot, revision: pick.revision });
  }
  return out.sort((a, b) => Number(b.repo === OFFICIAL_REPO) - Number(a.repo === OFFICIAL_REPO));
}
