// `npm start` pre-step (conventions.md §6): node_modules keeps better-sqlite3's Node build (tests, CLI); Electron needs
// a build for its own ABI. Fetch the prebuilt Electron binary with prebuild-install into .cache/electron-sqlite/ on a
// copy of the package, so the Node build stays untouched. The main process opens the database with better-sqlite3's
// `nativeBinding` option pointing at the file this writes. Needs internet the first time; then it is cached.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
const outDir = join(root, '.cache', 'electron-sqlite', `electron-${electronVersion}-better-sqlite3-${sqliteVersion}`);
const target = join(outDir, 'build', 'Release', 'better_sqlite3.node');

if (existsSync(target)) {
  console.log(`electron-sqlite: using ${target}`);
  process.exit(0);
}
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
cpSync(join(sqliteDir, 'package.json'), join(outDir, 'package.json'));
const prebuild = join(dirname(require.resolve('prebuild-install/package.json')), 'bin.js');
try {
  execFileSync(process.execPath, [prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch], {
    cwd: outDir,
    stdio: 'inherit',
  });
} catch {
  console.error(
    `electron-sqlite: could not download better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}.\n` +
      'The studio needs it once (internet required). Alternatively run `npx @electron/rebuild -f -w better-sqlite3` ' +
      'on a copy of node_modules/better-sqlite3 and put build/Release/better_sqlite3.node at:\n  ' + target,
  );
  process.exit(1);
}
console.log(`electron-sqlite: ready at ${target}`);
