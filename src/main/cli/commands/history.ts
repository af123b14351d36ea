/**
 * `newbie-studio history …`: list, show, reconcile, import, stats over the history database of a data dir.
 * Results go to stdout (one JSON document with --json); notes and warnings to stderr. Exit codes per conventions §7:
 * reconcile exits 1 when it finds drift it did not fix; import exits 2 when a file could not be imported.
 */
import { Command, InvalidArgumentError } from 'commander';
import { StudioError, type ErrorCode } from '../../../shared/errors';
import { importImage, type ImportResult } from '../../history/importer';
import { reconcile } from '../../history/reconcile';
import { HistoryStore } from '../../history/store';
import type { HistoryImage, ReconcileReport } from '../../history/types';
import { defaultDataDir, ensureWritableDir } from '../../paths';

interface CommonOptions {
  dataDir?: string;
  json?: boolean;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

async function withStore<T>(opts: CommonOptions, fn: (store: HistoryStore) => Promise<T> | T): Promise<T> {
  // A first run has no data dir yet: an empty history, not a crash; a file in its place is invalid input.
  const store = HistoryStore.open(ensureWritableDir(opts.dataDir ?? defaultDataDir()));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const note = (s: string) => process.stderr.write(`${s}\n`);
const json = (v: unknown) => out(JSON.stringify(v, null, 2));
const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** An image with absolute file paths next to the stored relative ones. */
function withFiles(store: HistoryStore, im: HistoryImage) {
  const place = (rel: string) => store.absolutePath(im.deletedAt === null ? rel : `trash/${rel}`);
  return { ...im, file: place(im.path), thumbnailFile: im.thumbnailPath ? place(im.thumbnailPath) : null };
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data folder (default: the app data dir, or NEWBIE_STUDIO_DATA_DIR)')
    .option('--json', 'print one JSON document on stdout');
}

/** Registers `history list|show|reconcile|import|stats` on the program. */
export function registerHistoryCommands(program: Command): void {
  const history = program
    .command('history')
    .description('Browse, search, check and import the generation history.');

  addCommon(history.command('list'))
    .description('List generations, newest first.')
    .option('--search <query>', 'words or danbooru tags (e.g. "silver_hair maid -smile")')
    .option('--limit <n>', 'how many generations (1-500)', positiveInt, 20)
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .option('--status <status>', 'finished | failed | cancelled | interrupted | imported')
    .action(
      async (opts: CommonOptions & { search?: string; limit: number; cursor?: string; status?: string }) => {
        await withStore(opts, (store) => {
          const statuses = ['finished', 'failed', 'cancelled', 'interrupted', 'imported'] as const;
          const status = opts.status as (typeof statuses)[number] | undefined;
          if (status !== undefined && !statuses.includes(status)) {
            throw new StudioError(
              'InvalidRequest',
              `Unknown status "${opts.status}"; use one of ${statuses.join(', ')}.`,
            );
          }
          const page = store.listGenerations({
            search: opts.search,
            limit: opts.limit,
            cursor: opts.cursor,
            status,
          });
          const items = page.items.map((g) => ({ ...g, images: g.images.map((im) => withFiles(store, im)) }));
          if (opts.json) return json({ dataDir: store.dataDir, items, nextCursor: page.nextCursor });
          if (items.length === 0)
            note(`No generations${opts.search ? ` matching "${opts.search}"` : ''} in ${store.dataDir}.`);
          for (const g of items) {
            const prompt = g.prompt.replace(/\s+/g, ' ').slice(0, 70);
            out(
              `${when(g.createdAt)}  ${g.id}  ${g.status.padEnd(9)}  seed ${g.seed ?? '?'}  ${g.width}x${g.height}  ${prompt}`,
            );
            for (const im of g.images)
              out(`    #${im.index} seed ${im.seed ?? '?'}  ${im.file}${im.deletedAt ? '  (in trash)' : ''}`);
            if (g.error) out(`    ${g.error.code}: ${g.error.message}`);
          }
          if (page.nextCursor) note(`More: --cursor ${page.nextCursor}`);
        });
      },
    );

  addCommon(history.command('show'))
    .description('Show everything stored about one generation.')
    .argument('<id>', 'generation id (or its first 8+ characters)')
    .action(async (id: string, opts: CommonOptions) => {
      await withStore(opts, (store) => {
        const entry = store.get(id);
        if (!entry)
          throw new StudioError(
            'InvalidRequest',
            `No generation "${id}" in the history at ${store.dataDir}.`,
            `${id.length < 8 ? 'Give the whole id or at least its first 8 characters. ' : ''}List ids with \`newbie-studio history list\`.`,
          );
        const full = { ...entry, images: entry.images.map((im) => withFiles(store, im)) };
        if (opts.json) return json(full);
        const r = entry.request;
        out(`${entry.id}  ${entry.status}  ${when(entry.createdAt)}  source ${entry.source}`);
        out(`prompt:    ${r.prompt}`);
        if (r.negativePrompt) out(`negative:  ${r.negativePrompt}`);
        out(
          `size ${r.width}x${r.height}  steps ${r.steps}  guidance ${r.guidance}  shift ${r.shift}  sampler ${r.sampler}  seed ${r.seed}  batch ${r.batch}`,
        );
        if (entry.precision)
          out(
            `precision: ${Object.entries(entry.precision)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}  provider ${entry.provider ?? '?'}`,
          );
        if (entry.modelIdentity) out(`model:     ${entry.modelName ?? ''} ${entry.modelIdentity}`);
        if (entry.timings)
          out(
            `timings:   ${Object.entries(entry.timings)
              .map(([k, v]) => `${k} ${Math.round(v)}`)
              .join(', ')}`,
          );
        if (entry.peakVram !== null || entry.predictedVram !== null)
          out(`VRAM:      peak ${entry.peakVram ?? '?'} B, predicted ${entry.predictedVram ?? '?'} B`);
        if (entry.error) out(`error:     ${entry.error.code}: ${entry.error.message}`);
        if (entry.parentId) out(`re-run of: ${entry.parentId}`);
        for (const n of entry.importInfo?.notes ?? []) note(n);
        for (const im of full.images)
          out(
            `image #${im.index}: seed ${im.seed ?? '?'}  ${im.file}  sha256 ${im.sha256}${im.deletedAt ? '  (in trash)' : ''}`,
          );
      });
    });

  addCommon(history.command('reconcile'))
    .description(
      'Compare the database with the image files: missing files, files without a row, damaged database.',
    )
    .option('--repair', 'move misplaced files back and remake missing thumbnails')
    .option('--import', 'import image files without a row that carry generation metadata')
    .action(async (opts: CommonOptions & { repair?: boolean; import?: boolean }) => {
      await withStore(opts, async (store) => {
        const report = await reconcile(store, { repair: opts.repair, importOrphans: opts.import });
        if (opts.json) json(report);
        else printReconcile(report);
        if (unresolved(report, opts.repair === true) > 0) process.exitCode = 1;
      });
    });

  addCommon(history.command('import'))
    .description(
      'Import images with NewBie, A1111, Fooocus, NovelAI, InvokeAI or ComfyUI metadata into the history.',
    )
    .argument('<files...>', 'PNG or JPEG files')
    .action(async (files: string[], opts: CommonOptions) => {
      await withStore(opts, async (store) => {
        const results: (
          ImportResult | { file: string; status: 'error'; error: { code: ErrorCode; message: string } }
        )[] = [];
        for (const file of files) {
          try {
            results.push(await importImage(store, file));
          } catch (e) {
            if (!(e instanceof StudioError)) throw e;
            results.push({ file, status: 'error', error: { code: e.code, message: e.message } });
          }
        }
        if (opts.json) json(results);
        else {
          for (const r of results) {
            if ('error' in r) {
              out(`${r.file}: ${r.error.code}: ${r.error.message}`);
              continue;
            }
            out(
              r.status === 'imported'
                ? `${r.file}: imported as ${r.generationId} (${r.source})`
                : `${r.file}: skipped`,
            );
            for (const n of r.notes) note(`  ${n}`);
          }
        }
        if (results.some((r) => r.status === 'error')) process.exitCode = 2;
      });
    });

  addCommon(history.command('stats'))
    .description('Counts, disk use and models in the history.')
    .action(async (opts: CommonOptions) => {
      await withStore(opts, (store) => {
        const s = store.stats();
        if (opts.json) return json(s);
        out(
          `generations: ${Object.entries(s.generations)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
        out(
          `images: ${s.images} (favorites ${s.favorites}, in trash ${s.inTrash}), ${(s.imageBytes / 2 ** 20).toFixed(1)} MiB`,
        );
        out(`database: ${(s.databaseBytes / 2 ** 20).toFixed(1)} MiB`);
      });
    });
}

/** Problems that remain after this run (exit 1 when > 0). */
function unresolved(r: ReconcileReport, repaired: boolean): number {
  return (
    r.missingFiles.length +
    r.orphanFiles.filter((o) => !o.imported).length +
    (repaired ? 0 : r.misplaced.length + r.missingThumbnails.length) +
    (r.integrity === 'ok' ? 0 : 1)
  );
}

function printReconcile(r: ReconcileReport): void {
  out(`database check: ${r.integrity}`);
  for (const m of r.missingFiles)
    out(`missing file:      ${m.path} (image ${m.imageId} of ${m.generationId})`);
  for (const m of r.misplaced) out(`misplaced:         ${m.found} (row expects ${m.expected})`);
  for (const m of r.missingThumbnails) out(`missing thumbnail: ${m.path}`);
  for (const o of r.orphanFiles) {
    const what = o.imported
      ? `imported as ${o.imported}`
      : o.importable
        ? `importable (${o.source} metadata)`
        : 'no metadata';
    out(`file without row:  ${o.path} — ${what}`);
  }
  for (const t of r.orphanThumbnails) out(`thumbnail without row: ${t}`);
  for (const t of r.tempFiles) out(`leftover temp file: ${t} (an interrupted write; safe to delete)`);
  if (r.repaired) out(`repaired: ${r.repaired}`);
  const hints: string[] = [];
  if (r.orphanFiles.some((o) => o.importable && !o.imported)) hints.push('--import records importable files');
  if (r.misplaced.length || r.missingThumbnails.length)
    hints.push('--repair fixes misplaced files and thumbnails');
  if (hints.length) note(`hint: ${hints.join('; ')}`);
}
